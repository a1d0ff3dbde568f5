"""Platform event ids already handled, so a redelivered event has no second effect."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedEvent


async def remember_event(session: AsyncSession, event_id: str, at: datetime) -> bool:
    """Record `event_id`; True if this is its first delivery, False if already seen."""
    seen = await session.scalar(
        select(ProcessedEvent.event_id).where(ProcessedEvent.event_id == event_id)
    )
    if seen is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(ProcessedEvent(event_id=event_id, received_at=at))
    except IntegrityError:  # a concurrent delivery of the same event got there first
        return False
    return True


async def forget_events_before(session: AsyncSession, cutoff: datetime) -> int:
    query = delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff)
    result = await session.execute(query)
    assert isinstance(result, CursorResult)
    return int(result.rowcount or 0)
