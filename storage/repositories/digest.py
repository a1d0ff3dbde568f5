"""What the weekly digest reads: updates posted in a window, open surveys, coming deadlines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxItem, Survey, SurveyResponse, Topic, Update

_CHUNK = 500  # ids in one IN (...) list


async def posted_between(
    session: AsyncSession, since: datetime, until: datetime
) -> Sequence[Update]:
    """Updates posted in (since, until], in topic order then oldest first."""
    query = (
        select(Update)
        .join(Topic, Topic.slug == Update.topic)
        .where(Update.state == "posted", Update.posted_at > since, Update.posted_at <= until)
        .order_by(Topic.position, Topic.slug, Update.posted_at, Update.id)
    )
    return (await session.scalars(query)).all()


async def open_surveys_with_counts(
    session: AsyncSession, now: datetime
) -> list[tuple[Survey, int]]:
    counts = (
        select(SurveyResponse.survey_id, func.count().label("n"))
        .group_by(SurveyResponse.survey_id)
        .subquery()
    )
    query = (
        select(Survey, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.survey_id == Survey.id)
        .where(Survey.state == "open", Survey.closes_at > now)
        .order_by(Survey.closes_at)
    )
    return [(survey, int(n)) for survey, n in (await session.execute(query)).all()]


async def update_deadlines_between(
    session: AsyncSession, first: date, last: date
) -> Sequence[Update]:
    query = (
        select(Update)
        .where(Update.state == "posted", Update.deadline >= first, Update.deadline <= last)
        .order_by(Update.deadline, Update.id)
    )
    return (await session.scalars(query)).all()


@dataclass
class DigestHistory:
    """What one channel's digests so far say: the ISO weeks queued, and the newest one's ref."""

    weeks: set[str] = field(default_factory=set)
    latest_id: int = 0
    latest_ref: dict[str, Any] | None = None


async def digest_histories(session: AsyncSession) -> dict[int, DigestHistory]:
    """Every channel's digest history, by channel pk, in two queries: the keys (short), then
    the payloads of each channel's newest digest only. The weekly job reads this once for all
    network channels instead of two queries a channel. Keys are `digest:PK:WEEK[:part-N]`."""
    histories: dict[int, DigestHistory] = {}
    keys = await session.execute(
        select(OutboxItem.id, OutboxItem.key).where(OutboxItem.kind == "digest")
    )
    for row_id, key in keys:
        _digest, pk, week = [*key.split(":"), "", ""][:3]
        if not pk.isdigit():
            continue
        history = histories.setdefault(int(pk), DigestHistory())
        history.weeks.add(week)
        history.latest_id = max(history.latest_id, row_id)
    latest = {h.latest_id: h for h in histories.values()}
    ids = list(latest)
    for start in range(0, len(ids), _CHUNK):
        rows = await session.execute(
            select(OutboxItem.id, OutboxItem.payload).where(
                OutboxItem.id.in_(ids[start : start + _CHUNK])
            )
        )
        for row_id, payload in rows:
            latest[row_id].latest_ref = (payload or {}).get("ref")
    return histories


async def latest_digest_ref(session: AsyncSession, channel_pk: int) -> dict[str, Any] | None:
    """The ref of the newest digest queued for a channel (it says what period it covered)."""
    query = (
        select(OutboxItem.payload)
        .where(OutboxItem.kind == "digest", OutboxItem.key.like(f"digest:{channel_pk}:%"))
        .order_by(OutboxItem.id.desc())
        .limit(1)
    )
    payload = await session.scalar(query)
    return payload.get("ref") if payload else None
