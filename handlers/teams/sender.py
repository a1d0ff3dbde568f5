"""Deliver outbox items to Teams through the conversation references we stored.

A proactive post is `POST {serviceUrl}/v3/conversations/{id}/activities`, made by the SDK's
adapter (`continue_conversation`) so it carries a Bot Connector token from the same connection
manager as replies. HTTP statuses map to the outbox's outcomes: 429 and 5xx are worth another
try (honouring Retry-After); 403 and 404 mean the bot was removed or the conversation is gone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import ClaimsIdentity, TurnContext
from microsoft_agents.hosting.core.authorization import AuthenticationConstants

from bot.messages import from_dict
from bot.services import Services
from handlers.teams.connector import connector_client
from handlers.teams.deliver import message_activity
from handlers.teams.outcome import DeliveryOutcome
from handlers.teams.references import (
    any_reference_in,
    remember_personal,
    stored_reference,
    teams_member,
)
from storage.models import Member, OutboxItem

log = logging.getLogger(__name__)

REMOVED_ADVICE = (
    "sectorbot is no longer in that Teams conversation (it was removed, or the team or chat was "
    "deleted). Add the app there again to resume posts."
)
NO_REFERENCE_ADVICE = (
    "sectorbot has not been added to that Teams conversation yet, so it cannot post there. "
    "Add the app to the team or chat first."
)
AUTH_ADVICE = (
    "Teams refused the bot's credentials. Check TEAMS_APP_ID, TEAMS_APP_PASSWORD and "
    "TEAMS_TENANT_ID against the Azure Bot's app registration."
)
UNREACHABLE_REASON = "has not installed the app / can't be reached in Teams"
UNREACHABLE_ADVICE = (
    "{who} has not installed the app or can't be reached in Teams, so sectorbot could not "
    "start a chat with them. Ask them to add sectorbot in Teams (Apps, then search for it)."
)
TOO_BIG_ADVICE = "Teams could not accept the message. This is a fault in the bot: please report it."


class TeamsSender:
    """The outbox's Sender for Teams."""

    def __init__(self, services: Services, adapter: CloudAdapter) -> None:
        self.services = services
        self.adapter = adapter

    async def deliver(self, item: OutboxItem) -> DeliveryOutcome:
        async with self.services.sessions() as session:
            reference = await stored_reference(session, item.conversation)
            member = (
                None if reference is not None else await teams_member(session, item.conversation)
            )
            if member is not None and member.dm_channel:
                reference = await stored_reference(session, member.dm_channel)
            base = None
            if reference is None and member is not None:
                base = await any_reference_in(session, member.team_id)
        if reference is None and member is not None:
            opened = await self._open_personal(member, base)
            if isinstance(opened, DeliveryOutcome):
                return opened
            reference = opened
        if reference is None:
            return DeliveryOutcome.failed("no conversation reference", NO_REFERENCE_ADVICE)
        activity = message_activity(from_dict(item.payload["message"]))
        sent: dict[str, Any] = {}

        async def post(context: TurnContext) -> None:
            # Errors are kept, not raised: the adapter would hand them to on_turn_error, which
            # answers "something went wrong" into the very conversation we could not post to.
            try:
                sent["id"] = (await context.send_activity(activity)).id
            except Exception as failure:
                sent["error"] = failure

        try:
            continuation = reference.get_continuation_activity()
            # Without an id to answer, the post starts a new message in the conversation
            # rather than replying to the continuation event's made-up one.
            continuation.id = None
            await self._continue(continuation, post)
        except Exception as failure:  # token or connection trouble before the post was made
            sent["error"] = failure
        if "error" in sent:
            return classify(sent["error"])
        return DeliveryOutcome.sent(str(sent.get("id") or ""))

    async def _open_personal(
        self, member: Member, base: ConversationReference | None
    ) -> ConversationReference | DeliveryOutcome:
        """Start a personal chat with a member the bot has not talked to (`POST /v3/conversations`,
        the bot and the member, in their tenant), and keep its reference for next time."""
        who = member.display_name or "That member"
        unreachable = DeliveryOutcome.failed(
            f"{who} {UNREACHABLE_REASON}", UNREACHABLE_ADVICE.format(who=who)
        )
        if base is None or not base.service_url:
            return unreachable  # the app is installed nowhere in their organisation
        parameters = ConversationParameters(
            is_group=False,
            bot=base.agent,
            members=[ChannelAccount(id=member.user_id)],
            tenant_id=member.team_id,
            channel_data={"tenant": {"id": member.team_id}},
        )
        try:
            async with connector_client(
                self.services.settings, self.adapter, base.service_url
            ) as client:
                created = await client.conversations.create_conversation(parameters)
        except aiohttp.ClientResponseError as failure:
            if failure.status in (400, 403, 404):  # not installed, blocked, or no such member
                return unreachable
            return classify(failure)
        except Exception as failure:
            return classify(failure)
        if not created.id:
            return unreachable
        reference = base.model_copy(
            update={
                "conversation": ConversationAccount(
                    id=created.id, conversation_type="personal", tenant_id=member.team_id
                ),
                "user": ChannelAccount(id=member.user_id),
                "activity_id": None,
            }
        )
        await remember_personal(self.services, member.id, reference)
        log.info("started a Teams personal chat with member %s", member.id)
        return reference

    async def _continue(
        self, activity: Activity, post: Callable[[TurnContext], Awaitable[None]]
    ) -> None:
        settings = self.services.settings
        if settings.teams_dev_anonymous:
            # No app id to claim: an identity with no claims is the SDK's anonymous caller,
            # which sends no token (a local emulator or a test's fake connector wants none).
            await self.adapter.continue_conversation_with_claims(
                ClaimsIdentity({}, authentication_type="anonymous"),
                activity,
                post,
                audience=AuthenticationConstants.AGENTS_SDK_SCOPE,
            )
            return
        await self.adapter.continue_conversation(settings.teams_app_id or "", activity, post)


def classify(error: BaseException) -> DeliveryOutcome:
    if isinstance(error, aiohttp.ClientResponseError):
        status = error.status
        reason = f"Teams answered HTTP {status}"
        if status == 429 or status >= 500:
            return DeliveryOutcome.retry(reason, _retry_after(error))
        if status in (401,):
            return DeliveryOutcome.failed(reason, AUTH_ADVICE)
        if status in (403, 404):
            return DeliveryOutcome.failed(reason, REMOVED_ADVICE)
        if status == 413 or status == 400:
            return DeliveryOutcome.failed(reason, TOO_BIG_ADVICE)
        return DeliveryOutcome.failed(reason)
    if isinstance(error, aiohttp.ClientConnectionError | asyncio.TimeoutError):
        # The request may have reached Teams before the connection dropped.
        return DeliveryOutcome.retry(
            f"connection to Teams failed ({type(error).__name__})", maybe_delivered=True
        )
    log.error("unexpected error posting to Teams", exc_info=error)
    return DeliveryOutcome.retry(f"could not post to Teams ({type(error).__name__})")


def _retry_after(error: aiohttp.ClientResponseError) -> float | None:
    raw = error.headers.get("Retry-After") if error.headers else None
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None
