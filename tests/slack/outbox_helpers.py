"""Shared set-up for outbox tests: channels that follow topics, due updates, a Slack sender."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

import bot.features  # noqa: F401  (registers the jobs run_all runs)
from bot.services import Services
from handlers.slack.sender import SlackSender, build_sender_client
from storage.models import OutboxItem, Update
from storage.repositories.subscriptions import ensure_channel, subscribe
from storage.repositories.updates import add_update
from tests.fakes.signing import TEAM_ID


def with_slack_sender(services: Services) -> SlackSender:
    sender = SlackSender(build_sender_client(services))
    services.senders["slack"] = sender
    return sender


async def follow(services: Services, topic: str, *channels: str) -> None:
    async with services.sessions.begin() as session:
        for channel_id in channels:
            channel = await ensure_channel(session, "slack", TEAM_ID, channel_id)
            await subscribe(session, channel, topic, "U1")


async def schedule(services: Services, topic: str, title: str, minutes: int = 10) -> int:
    async with services.sessions.begin() as session:
        update = await add_update(
            session,
            topic=topic,
            title=title,
            body=f"Body of {title}.",
            author="UCOORD1",
            publish_at=services.clock() + timedelta(minutes=minutes),
        )
        return update.id


async def outbox(services: Services) -> list[OutboxItem]:
    async with services.sessions() as session:
        return list((await session.scalars(select(OutboxItem).order_by(OutboxItem.id))).all())


async def update_row(services: Services, update_id: int) -> Update:
    async with services.sessions() as session:
        update = await session.get(Update, update_id)
        assert update is not None
        return update


def posts(fake_slack: Any, ok_only: bool = True) -> list[dict[str, Any]]:
    """chat.postMessage params, in order (only those Slack accepted, by default)."""
    return [
        c.params
        for c in fake_slack.calls("chat.postMessage")
        if not ok_only or (c.status == 200 and c.error is None)
    ]


def posted_channels(fake_slack: Any) -> list[str]:
    return sorted(p["channel"] for p in posts(fake_slack))
