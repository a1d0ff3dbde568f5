"""Concerns members raise about confusing or conflicting messages; no column names the reporter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Concern


async def add_concern(
    session: AsyncSession, *, text: str, at: datetime, topic: str | None, place: str | None
) -> Concern:
    concern = Concern(text=text, topic=topic, place=place, created_at=at)
    session.add(concern)
    await session.flush()
    return concern


async def recent_concerns(session: AsyncSession, limit: int = 20) -> Sequence[Concern]:
    query = select(Concern).order_by(Concern.created_at.desc(), Concern.id.desc()).limit(limit)
    return (await session.scalars(query)).all()


async def all_concerns(session: AsyncSession) -> Sequence[Concern]:
    return (await session.scalars(select(Concern).order_by(Concern.id))).all()


async def count_concerns_since(session: AsyncSession, since: datetime) -> int:
    query = select(func.count()).select_from(Concern).where(Concern.created_at >= since)
    return int(await session.scalar(query) or 0)
