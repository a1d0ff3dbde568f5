"""What the weekly digest reads: updates posted in a window, open surveys, coming deadlines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxItem, Survey, SurveyResponse, Topic, Update


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
