"""Taking SQLite's write lock at the start of a claim, so two claimers queue instead of failing.

SQLite (WAL) lets a deferred transaction read a snapshot and then fails at once with
"database is locked" if it tries to write after another connection committed. A claim reads
then writes, so it must start as the writer: a no-op UPDATE takes the lock up front (waiting
under busy_timeout), the portable form of BEGIN IMMEDIATE. PostgreSQL uses row locks instead.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def begin_writing(session: AsyncSession) -> None:
    """On SQLite, become the single writer now; on PostgreSQL, nothing to do."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("UPDATE scheduler_locks SET name = name WHERE 1 = 0"))
