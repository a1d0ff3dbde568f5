"""Topics that updates are filed under and channels follow."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Topic


async def all_topics(session: AsyncSession) -> Sequence[Topic]:
    return (await session.scalars(select(Topic).order_by(Topic.position, Topic.slug))).all()


async def topic_by_slug(session: AsyncSession, slug: str) -> Topic | None:
    return await session.get(Topic, slug)
