"""Sector updates: adding, listing, and the latest posted per topic."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Update


async def add_update(
    session: AsyncSession,
    *,
    topic: str,
    title: str,
    body: str,
    author: str,
    publish_at: datetime,
    link: str | None = None,
    deadline: date | None = None,
    state: str = "scheduled",
) -> Update:
    update = Update(
        topic=topic,
        title=title,
        body=body,
        author=author,
        publish_at=publish_at,
        link=link,
        deadline=deadline,
        state=state,
    )
    session.add(update)
    await session.flush()
    return update


def _visible(now: datetime) -> ColumnElement[bool]:
    """Posted, or scheduled and already due (the poster may not have run yet)."""
    return Update.state.in_(("posted", "scheduled")) & (Update.publish_at <= now)


async def latest_per_topic(session: AsyncSession, now: datetime) -> Sequence[Update]:
    """The newest visible update of each topic."""
    ranked = (
        select(
            Update.id,
            func.row_number()
            .over(partition_by=Update.topic, order_by=(Update.publish_at.desc(), Update.id.desc()))
            .label("rank"),
        )
        .where(_visible(now))
        .subquery()
    )
    query = (
        select(Update)
        .join(ranked, ranked.c.id == Update.id)
        .where(ranked.c.rank == 1)
        .order_by(Update.publish_at.desc())
    )
    return (await session.scalars(query)).all()


async def latest_in_topic(
    session: AsyncSession, topic: str, now: datetime, limit: int = 5
) -> Sequence[Update]:
    query = (
        select(Update)
        .where(_visible(now), Update.topic == topic)
        .order_by(Update.publish_at.desc(), Update.id.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def all_updates(session: AsyncSession, limit: int = 100) -> Sequence[Update]:
    query = select(Update).order_by(Update.publish_at.desc(), Update.id.desc()).limit(limit)
    return (await session.scalars(query)).all()
