"""A stand-in for the outbox sender (built elsewhere): post due rows to the fake Slack API and
run the sent-hook, as the real sender will. Test-only; swap for the real sender once it lands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.messages import from_dict
from bot.outbox import sent_hook
from bot.services import Services
from handlers.slack.render import render
from storage.models import OutboxItem


@dataclass(frozen=True)
class Posted:
    key: str
    conversation: str
    channel: str
    ts: str
    blocks: list[dict[str, Any]]


async def deliver_due(services: Services) -> list[Posted]:
    now = services.clock()
    client = AsyncWebClient(
        token=services.settings.slack_bot_token, base_url=services.settings.slack_api_url
    )
    posted: list[Posted] = []
    async with services.sessions.begin() as session:
        items = (
            await session.scalars(
                select(OutboxItem)
                .where(OutboxItem.state == "pending", OutboxItem.next_attempt_at <= now)
                .order_by(OutboxItem.id)
            )
        ).all()
        for item in items:
            rendered = render(from_dict(item.payload["message"]))
            answer = await client.chat_postMessage(channel=item.conversation, **rendered)
            item.state, item.message_ts, item.sent_at = "sent", answer["ts"], now
            hook = sent_hook(item.kind)
            if hook is not None:
                await hook(session, item, answer["ts"])
            posted.append(
                Posted(
                    item.key, item.conversation, answer["channel"], answer["ts"], rendered["blocks"]
                )
            )
    return posted
