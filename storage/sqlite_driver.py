"""aiosqlite with one thread hand-off per statement instead of four.

aiosqlite runs each call on the connection's own thread: through SQLAlchemy, a SELECT is four
hand-offs (make the cursor, execute, fetch, close) and every transaction two more (commit,
then the pool's rollback on return). Each costs a queue put, a thread wake-up, the GIL going
back and forth and a write to the event loop's self-pipe. A survey click (four statements)
made 16 of them, about half its CPU on SQLite.

`OneHopConnection` is an aiosqlite connection whose cursors do all of a statement's work in one
hand-off: execute, the first rows, and closing the cursor once they are all read. A result
larger than `FIRST_ROWS` keeps its cursor open and is fetched on further hand-offs, so a
streamed query still streams. Commit and rollback skip the hand-off when SQLite has no
transaction open (a read-only session, or the pool's reset after a commit). Statements run on
aiosqlite's thread as before, so a slow query or a lock wait still never blocks the event loop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import aiosqlite

FIRST_ROWS = 256  # rows fetched with the statement itself; more costs one hand-off per chunk

Row = Any
Description = tuple[tuple[Any, ...], ...] | None


class _Fetched:
    """What one hand-off brings back from the connection's thread."""

    __slots__ = ("description", "done", "lastrowid", "rowcount", "rows")

    def __init__(self, cursor: sqlite3.Cursor, rows: list[Row], done: bool) -> None:
        self.description: Description = cursor.description
        self.rowcount = cursor.rowcount
        self.lastrowid = cursor.lastrowid
        self.rows = rows
        self.done = done


def _run(cursor: sqlite3.Cursor, execute: Callable[[], object], first: int) -> _Fetched:
    """On the connection's thread: the statement, its first rows, and the cursor closed when
    nothing is left to read."""
    try:
        execute()
        rows = cursor.fetchmany(first) if cursor.description else []
    except BaseException:
        cursor.close()
        raise
    done = cursor.description is None or len(rows) < first
    fetched = _Fetched(cursor, rows, done)
    if done:
        cursor.close()
    return fetched


def _more(cursor: sqlite3.Cursor, size: int | None) -> tuple[list[Row], bool]:
    rows = cursor.fetchall() if size is None else cursor.fetchmany(size)
    done = size is None or len(rows) < size
    if done:
        cursor.close()
    return rows, done


class OneHopCursor:
    """The parts of `aiosqlite.Cursor` SQLAlchemy uses, one hand-off per statement."""

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection
        self._cursor: sqlite3.Cursor | None = None
        self._rows: list[Row] = []
        self._done = True
        self.description: Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> OneHopCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> OneHopCursor:
        return await self._start(lambda cursor: cursor.execute(sql, parameters or ()))

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> OneHopCursor:
        return await self._start(lambda cursor: cursor.executemany(sql, parameters))

    async def _start(self, statement: Callable[[sqlite3.Cursor], object]) -> OneHopCursor:
        await self.close()

        def run() -> _Fetched:
            cursor = self._connection.sqlite.cursor()
            fetched = _run(cursor, lambda: statement(cursor), FIRST_ROWS)
            if not fetched.done:
                self._cursor = cursor
            return fetched

        fetched: _Fetched = await self._connection._execute(run)
        self.description, self.rowcount = fetched.description, fetched.rowcount
        self.lastrowid, self._rows, self._done = fetched.lastrowid, fetched.rows, fetched.done
        return self

    async def _fetch(self, size: int | None) -> None:
        cursor = self._cursor
        if self._done or cursor is None:
            return
        rows, done = await self._connection._execute(_more, cursor, size)
        self._rows.extend(rows)
        if done:
            self._done, self._cursor = True, None

    async def fetchone(self) -> Row | None:
        if not self._rows:
            await self._fetch(FIRST_ROWS)
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Row]:
        size = size or self.arraysize
        if len(self._rows) < size:
            await self._fetch(max(size - len(self._rows), FIRST_ROWS))
        taken, self._rows = self._rows[:size], self._rows[size:]
        return taken

    async def fetchall(self) -> list[Row]:
        await self._fetch(None)
        taken, self._rows = self._rows, []
        return taken

    async def close(self) -> None:
        self._rows = []
        cursor, self._cursor, self._done = self._cursor, None, True
        if cursor is not None:  # a result not read to the end
            await self._connection._execute(cursor.close)


class _CursorContext:
    """What `connection.cursor()` returns: awaitable and an async context manager, like
    aiosqlite's, but making the cursor costs no hand-off (the statement makes its own)."""

    def __init__(self, cursor: OneHopCursor) -> None:
        self._cursor = cursor

    def __await__(self) -> Any:
        return self._cursor.__aenter__().__await__()

    async def __aenter__(self) -> OneHopCursor:
        return self._cursor

    async def __aexit__(self, *_exc: object) -> None:
        await self._cursor.close()


class OneHopConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors are `OneHopCursor`s."""

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The sqlite3 connection; use it only on the connection's thread (in `_execute`)."""
        return self._conn

    def cursor(self) -> Any:
        return _CursorContext(OneHopCursor(self))

    def _idle(self) -> bool:
        """No transaction open. Reading the flag from the event loop is safe: SQLAlchemy opens
        the connection with check_same_thread=False, and SQLite serialises its calls."""
        connection = self._connection
        return connection is not None and not connection.in_transaction

    async def commit(self) -> None:
        if not self._idle():
            await super().commit()

    async def rollback(self) -> None:
        if not self._idle():
            await super().rollback()


def connector(database: str, **options: Any) -> Callable[[], OneHopConnection]:
    """An `async_creator` for SQLAlchemy: a new `OneHopConnection` to `database` (a path),
    opened with sqlite3.connect's `options` as SQLAlchemy's own aiosqlite dialect would."""

    def connect() -> OneHopConnection:
        connection = OneHopConnection(lambda: sqlite3.connect(database, **options), 64)
        connection._thread.daemon = True  # as SQLAlchemy does: never hold up the exit
        return connection

    return connect
