"""Deliver outbox items to Slack, and know a post that already landed when we see it again.

Slack's chat.postMessage has no idempotency key, so each post carries its outbox key in message
metadata; when an earlier attempt may have posted (the bot died between posting and recording),
the sender looks for that key in the channel's recent history before posting again.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import DeliveryOutcome, Pace, may_have_been_delivered
from bot.messages import from_dict
from bot.services import Services
from handlers.slack.render import render
from storage.models import OutboxItem

log = logging.getLogger(__name__)

EVENT_TYPE = "sectorbot_outbox"
HISTORY_LIMIT = 200  # recent messages searched for a key; a crash is noticed within minutes

# Errors worth another try later; any other named error will not fix itself.
TRANSIENT = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
TOKEN_ADVICE = (
    "the bot's Slack token is no longer accepted (the app may have been removed or "
    "reinstalled). Check SLACK_BOT_TOKEN."
)
ADVICE = {
    "not_in_channel": "the bot isn't in that channel. Type `/invite @sectorbot` in the channel "
    "and it will post there from the next message on.",
    "channel_not_found": "that channel no longer exists, or it is private and the bot isn't in "
    "it (type `/invite @sectorbot` there).",
    "is_archived": "that channel is archived.",
    "invalid_auth": TOKEN_ADVICE,
    "not_authed": TOKEN_ADVICE,
    "token_revoked": TOKEN_ADVICE,
    "account_inactive": TOKEN_ADVICE,
    "missing_scope": "the Slack app is missing a permission. Reinstall it from the manifest.",
    "msg_too_long": "the message was too long for Slack. This is a fault in the bot: "
    "please report it.",
    "msg_blocks_too_long": "the message was too long for Slack. This is a fault in the bot: "
    "please report it.",
    "invalid_blocks": "Slack could not read the message. This is a fault in the bot: "
    "please report it.",
}


def build_sender_client(
    services: Services, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """No automatic retries: the outbox retries, with the history check, instead of the client
    re-posting blindly after a dropped connection or sleeping through a 429."""
    return AsyncWebClient(
        token=services.settings.slack_bot_token,
        base_url=services.settings.slack_api_url,
        session=session,
        retry_handlers=[],
    )


class SlackSender:
    """The outbox's Sender for Slack."""

    def __init__(self, client: AsyncWebClient, pace: Pace | None = None) -> None:
        self.client = client
        self.pace = pace  # the workspace-wide rate; None: unpaced (tests, or 429s pace it)

    async def deliver(self, item: OutboxItem) -> DeliveryOutcome:
        if may_have_been_delivered(item):
            found = await self._already_posted(item)
            if isinstance(found, DeliveryOutcome):
                return found
            if found is not None:
                log.info("outbox item %s was already in the channel; not posting again", item.id)
                return DeliveryOutcome.sent(found)
        message = from_dict(item.payload["message"])
        if self.pace is not None:
            await self.pace.wait()
        try:
            response = await self.client.chat_postMessage(
                channel=item.conversation,
                metadata={"event_type": EVENT_TYPE, "event_payload": {"key": item.key}},
                **render(message),
            )
        except SlackApiError as error:
            return classify(error)
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
            # The request may have reached Slack before the connection dropped.
            return DeliveryOutcome.retry(
                f"connection: {type(error).__name__}", maybe_delivered=True
            )
        return DeliveryOutcome.sent(str(response["ts"]))

    async def _already_posted(self, item: OutboxItem) -> str | DeliveryOutcome | None:
        """The ts of our earlier post of `item`, None if absent, or an outcome if we can't tell."""
        try:
            channel = item.conversation
            if _is_user_id(channel):
                # A post to a user id lands in the DM, whose history is under the D... id.
                opened = await self.client.conversations_open(users=channel)
                channel = str((opened.get("channel") or {}).get("id") or channel)
            response = await self.client.conversations_history(
                channel=channel, limit=HISTORY_LIMIT, include_all_metadata=True
            )
        except SlackApiError as error:
            outcome = classify(error)
            if outcome.kind == "retry":
                return DeliveryOutcome.retry(outcome.reason, outcome.after, maybe_delivered=True)
            # Can't look (e.g. an old install without the history scope): posting again risks a
            # duplicate, not posting risks a loss; a duplicate is the lesser harm to members.
            log.warning("outbox item %s: cannot check history (%s); posting", item.id, error)
            return None
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
            return DeliveryOutcome.retry(
                f"connection: {type(error).__name__}", maybe_delivered=True
            )
        messages: list[dict[str, Any]] = response.get("messages") or []
        for message in messages:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == EVENT_TYPE and payload.get("key") == item.key:
                return str(message["ts"])
        return None


def _is_user_id(conversation: str) -> bool:
    """Slack user ids start with U or W; channels with C, G or D."""
    return conversation[:1] in ("U", "W")


def classify(error: SlackApiError) -> DeliveryOutcome:
    """Turn a Slack API error into retry-later or give-up, honouring Retry-After on a 429."""
    response = error.response
    code = str(response.get("error") or f"http_{response.status_code}")
    if response.status_code == 429:
        headers = {k.lower(): v for k, v in (response.headers or {}).items()}
        raw = headers.get("retry-after")
        value = raw[0] if isinstance(raw, list) else raw
        try:
            after = max(1.0, float(value)) if value is not None else 1.0
        except ValueError:
            after = 1.0
        return DeliveryOutcome.retry("ratelimited", after)
    if code in TRANSIENT or response.status_code >= 500:
        return DeliveryOutcome.retry(code)
    return DeliveryOutcome.failed(code, ADVICE.get(code, f"Slack answered '{code}'."))
