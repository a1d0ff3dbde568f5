"""An update's life after it is written: edits, state changes, and what is waiting to go out.

State changes are single conditional UPDATEs (`... WHERE state IN (...)`), so a coordinator's
edit and the publisher marking the same row posted cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Update


async def update_by_id(session: AsyncSession, update_id: int) -> Update | None:
    return await session.get(Update, update_id, populate_existing=True)


async def change_update(
    session: AsyncSession, update_id: int, from_states: Iterable[str], **values: Any
) -> bool:
    """Set `values` on the update if it is still in one of `from_states`; True when it was."""
    query = (
        update(Update)
        .where(Update.id == update_id, Update.state.in_(tuple(from_states)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(query)
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def discard_draft(session: AsyncSession, update_id: int) -> bool:
    """Delete the update only if it is still a draft (nobody has seen a draft)."""
    query = delete(Update).where(Update.id == update_id, Update.state == "draft")
    result = await session.execute(query.execution_options(synchronize_session=False))
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def scheduled_updates(session: AsyncSession, limit: int = 50) -> Sequence[Update]:
    """Updates confirmed but not yet posted, soonest first."""
    query = (
        select(Update)
        .where(Update.state == "scheduled")
        .order_by(Update.publish_at, Update.id)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def count_scheduled(session: AsyncSession) -> int:
    query = select(func.count()).select_from(Update).where(Update.state == "scheduled")
    return int(await session.scalar(query) or 0)


async def latest_posted_at(session: AsyncSession) -> datetime | None:
    return await session.scalar(select(func.max(Update.posted_at)))
