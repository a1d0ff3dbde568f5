"""Publish scheduled updates when they fall due: one outbox row per subscribed channel.

Marking the update posted and queueing its rows happen in one transaction, guarded by
`WHERE state = 'scheduled'`, so two instances (or a re-run) never queue an update twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.jobs import periodic
from bot.messages import Heading, Message
from bot.outbox import enqueue
from bot.services import Services
from bot.text import shorten
from bot.updates import update_blocks
from storage.models import Update
from storage.repositories.subscriptions import channels_following
from storage.repositories.topics import all_topics
from storage.writer import begin_writing

log = logging.getLogger(__name__)

BATCH = 50


def update_message(item: Update, topic_title: str, services: Services) -> Message:
    """An update as posted to a channel: a heading naming the topic, then the update."""
    blocks = (
        Heading(f"Sector update: {topic_title}"),
        *update_blocks(item, topic_title, services.settings.timezone),
    )
    return Message(text=shorten(f"{topic_title}: {item.title}", 300), blocks=blocks)


async def _publish_one(
    session: AsyncSession, services: Services, item: Update, title: str, now: datetime
) -> int:
    claimed = await session.execute(
        update(Update)
        .where(Update.id == item.id, Update.state == "scheduled")
        .values(state="posted", posted_at=now)
    )
    if not getattr(claimed, "rowcount", 0):
        return 0  # another instance published it first
    message = update_message(item, title, services)
    queued = 0
    for channel in await channels_following(session, item.topic):
        queued += await enqueue(
            session,
            key=f"update:{item.id}:channel:{channel.id}",
            kind="update",
            conversation=channel.channel_id,
            platform=channel.platform,
            message=message,
            not_before=now,
            ref={"update_id": item.id, "channel_pk": channel.id},
        )
    return queued


@periodic("publish-updates")
async def publish_due_updates(services: Services) -> None:
    now = services.clock()
    async with services.sessions.begin() as session:
        await begin_writing(session)
        titles = {t.slug: t.title for t in await all_topics(session)}
        query = (
            select(Update)
            .where(Update.state == "scheduled", Update.publish_at <= now)
            .order_by(Update.publish_at, Update.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        for item in (await session.scalars(query)).all():
            queued = await _publish_one(
                session, services, item, titles.get(item.topic, item.topic), now
            )
            log.info("published update %s to %s channel(s)", item.id, queued)
