"""Deliver due outbox rows with the production sender (claim, post, record, sent-hook) and
report what went out, so survey tests can act on the messages members received."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.messages import from_dict
from bot.outbox import send_due
from bot.services import Services
from handlers.slack.render import render
from handlers.slack.sender import SlackSender, build_sender_client
from storage.models import OutboxItem


@dataclass(frozen=True)
class Posted:
    key: str
    conversation: str
    ts: str
    blocks: list[dict[str, Any]]


async def deliver_due(services: Services) -> list[Posted]:
    """Run the real Slack sender once over what is due now; return the rows it sent."""
    async with services.sessions() as session:
        before = set(await session.scalars(select(OutboxItem.id).where(OutboxItem.state == "sent")))
    await send_due(services, SlackSender(build_sender_client(services)), platform="slack")
    async with services.sessions() as session:
        sent = (
            await session.scalars(
                select(OutboxItem).where(OutboxItem.state == "sent").order_by(OutboxItem.id)
            )
        ).all()
    posted = []
    for item in sent:
        if item.id in before:
            continue
        blocks = render(from_dict(item.payload["message"]))["blocks"]
        posted.append(Posted(item.key, item.conversation, item.message_ts or "", blocks))
    return posted
