"""SQLite's single writer: taking the write lock at the start of a claim, and queueing this
process's writers for it in arrival order.

SQLite (WAL) lets a deferred transaction read a snapshot and then fails at once with
"database is locked" if it tries to write after another connection committed. A claim reads
then writes, so it must start as the writer: a no-op UPDATE takes the lock up front (waiting
under busy_timeout), the portable form of BEGIN IMMEDIATE. PostgreSQL uses row locks instead.

Left to SQLite, a writer that finds the lock taken sleeps in its busy handler, in naps that
grow to 100 ms, so under load some members waited over a second for a lock that had been free
most of that time (p99 of a survey click at 10 at once: 0.8-1.3 s). `queue_writers` makes this
process's writers wait on an asyncio lock instead, woken in turn the moment the writer before
them commits. Other processes (the CLI beside the running bot) still meet busy_timeout.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.util import await_only

WAIT_SECONDS = 30.0  # as busy_timeout: past it a writer fails rather than hang for ever
_HOLDS = "sectorbot.holds_write_lock"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


async def begin_writing(session: AsyncSession) -> None:
    """On SQLite, become the single writer now; on PostgreSQL, nothing to do."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("UPDATE scheduler_locks SET name = name WHERE 1 = 0"))


def queue_writers(engine: AsyncEngine) -> None:
    """Queue a SQLite engine's write transactions on one in-process lock (see the module's
    docstring). A transaction takes it at its first write, where SQLite's own lock is taken,
    and gives it back when it ends, however it ends."""
    lock = asyncio.Lock()

    def release(info: dict[Any, Any]) -> None:
        if info.pop(_HOLDS, False):
            lock.release()

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _take(
        conn: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any, _many: bool
    ) -> None:
        if _HOLDS in conn.info or not statement.lstrip().upper().startswith(_WRITES):
            return
        try:
            # Listeners run inside SQLAlchemy's greenlet, so they may await the event loop.
            await_only(asyncio.wait_for(lock.acquire(), WAIT_SECONDS))
        except TimeoutError:
            # What SQLite itself raises past busy_timeout, so callers see one kind of error.
            raise conn.dialect.loaded_dbapi.OperationalError("database is locked") from None
        conn.info[_HOLDS] = True

    @event.listens_for(engine.sync_engine, "commit")
    def _committed(conn: Any) -> None:
        release(conn.info)

    @event.listens_for(engine.sync_engine, "rollback")
    def _rolled_back(conn: Any) -> None:
        release(conn.info)

    @event.listens_for(engine.sync_engine.pool, "reset")
    def _reset(_dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
        release(record.info)  # returned to the pool mid-transaction (a cancelled task)

    @event.listens_for(engine.sync_engine.pool, "invalidate")
    def _invalidated(_dbapi_connection: Any, record: Any, _exception: Any) -> None:
        release(record.info)
