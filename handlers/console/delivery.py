"""The console as a platform sender: outbox rows become posts in the terminal's channels.

Producers (the update publisher, the digest, survey invitations and reminders) queue rows in the
outbox exactly as in production; this delivers those addressed to the console (and to Slack:
the demo has no Slack, and its people stand in for a workspace's). Delivery marks the row sent
with a message id and runs the feature's sent-hook, as the Slack sender does, so a later update
of the message (a survey invitation, say) finds it.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot.demo_seed import PLATFORM
from bot.messages import from_dict
from bot.outbox import sent_hook
from bot.services import Services
from bot.text import format_moment
from handlers.console.screen import BoardKey, Screen
from handlers.console.world import where_is
from storage.models import OutboxItem

log = logging.getLogger(__name__)

PLATFORMS = (PLATFORM, "slack")


class ConsoleSender:
    """Shows one outbox item in the terminal; the message id it returns is the row's own."""

    def __init__(self, screen: Screen, services: Services) -> None:
        self._screen = screen
        self._services = services

    def deliver(self, item: OutboxItem) -> str:
        where = where_is(item.conversation)
        when = format_moment(self._services.clock(), self._services.settings.timezone)
        header = f"sectorbot → {where.label} · {when}"
        message = from_dict(dict(item.payload.get("message") or {}))
        self._screen.show(message, BoardKey(where.channel_id, None), header)
        return f"console-{item.id}"


async def deliver_pending(services: Services, sender: ConsoleSender) -> int:
    """Deliver every due row for the console, oldest first; returns how many were shown.

    A single person at one terminal is the only writer, so no claim is needed; a row that cannot
    be read is marked failed with the reason, and the others still go.
    """
    now = services.clock()
    delivered = 0
    async with services.sessions.begin() as session:
        due = await session.scalars(
            select(OutboxItem)
            .where(
                OutboxItem.state == "pending",
                OutboxItem.platform.in_(PLATFORMS),
                OutboxItem.next_attempt_at <= now,
            )
            .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
        )
        for item in due.all():
            item.attempts += 1
            try:
                message_id = sender.deliver(item)
            except (KeyError, TypeError, ValueError) as error:
                log.exception("outbox item %s could not be shown", item.id)
                item.state, item.error = "failed", str(error)[:500]
                continue
            item.state, item.sent_at, item.message_ts = "sent", now, message_id
            hook = sent_hook(item.kind)
            if hook is not None:
                await hook(session, item, message_id)
            delivered += 1
    return delivered
