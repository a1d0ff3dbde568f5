"""The SQLite driver (storage/sqlite_driver.py): the same results as aiosqlite's own cursors,
in one hand-off to the connection's thread per statement, and long results still streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from storage import sqlite_driver
from storage.db import create_engine

ROWS = sqlite_driver.FIRST_ROWS * 3 + 7  # more than one hand-off's worth


async def _fill(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY, word TEXT UNIQUE)"))
        await connection.execute(
            text("INSERT INTO t (n, word) VALUES (:n, :word)"),
            [{"n": n, "word": f"w{n}"} for n in range(ROWS)],
        )


async def _filled(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    await _fill(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def ours(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async for engine in _filled(create_engine(f"sqlite:///{tmp_path / 'ours.db'}")):
        yield engine


@pytest.fixture
async def plain(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """SQLAlchemy's own aiosqlite dialect, unchanged: the reference."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'plain.db'}"
    async for engine in _filled(create_async_engine(url)):
        yield engine


def _hand_offs(connection: AsyncConnection) -> Callable[[], int]:
    """Counts calls run on the aiosqlite connection's thread from now on."""
    raw = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    assert isinstance(raw, sqlite_driver.OneHopConnection)
    calls = 0
    run = raw._execute

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return await run(fn, *args, **kwargs)

    raw._execute = counted  # type: ignore[method-assign]
    return lambda: calls


QUERIES = [
    ("SELECT n, word FROM t ORDER BY n", {}),
    ("SELECT n, word FROM t WHERE n < :n ORDER BY n", {"n": 5}),
    ("SELECT count(*), max(word) FROM t", {}),
    ("SELECT n FROM t WHERE word = :w", {"w": "none"}),
]


@pytest.mark.parametrize(("sql", "params"), QUERIES)
async def test_results_match_aiosqlites_own(
    ours: AsyncEngine, plain: AsyncEngine, sql: str, params: dict[str, Any]
) -> None:
    async with ours.connect() as mine, plain.connect() as theirs:
        got = (await mine.execute(text(sql), params)).all()
        expected = (await theirs.execute(text(sql), params)).all()
    assert got == expected


async def test_writes_report_rowcount_and_lastrowid_as_before(
    ours: AsyncEngine, plain: AsyncEngine
) -> None:
    for engine in (ours, plain):
        async with engine.begin() as connection:
            updated = await connection.execute(text("UPDATE t SET word = word || '!' WHERE n < 10"))
            inserted = await connection.execute(text("INSERT INTO t (word) VALUES ('new')"))
            assert (updated.rowcount, inserted.lastrowid) == (10, ROWS)


async def test_a_statement_is_one_hand_off_and_an_idle_commit_none(ours: AsyncEngine) -> None:
    async with ours.connect() as connection:
        hand_offs = _hand_offs(connection)
        await connection.execute(text("SELECT n FROM t WHERE n = 1"))
        assert hand_offs() == 1
        await connection.commit()  # nothing was written: no transaction to commit
        assert hand_offs() == 1
        await connection.execute(text("UPDATE t SET word = 'one' WHERE n = 1"))
        await connection.commit()
        assert hand_offs() == 3


async def test_a_long_result_is_streamed_a_chunk_at_a_time(ours: AsyncEngine) -> None:
    async with ours.connect() as connection:
        stepped: list[int] = []  # rows SQLite has produced so far, seen through a function

        def seen(n: int) -> int:
            stepped.append(n)
            return n

        raw = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
        await raw.create_function("seen", 1, seen)
        hand_offs = _hand_offs(connection)
        result = await connection.stream(text("SELECT seen(n) FROM t ORDER BY n"))
        first = await result.fetchmany(10)
        assert [n for (n,) in first] == list(range(10))
        assert hand_offs() == 1
        assert len(stepped) <= sqlite_driver.FIRST_ROWS + 1  # not the whole table
        rest = [n for (n,) in await result.all()]
        assert rest == list(range(10, ROWS))
        assert hand_offs() == 2 and len(stepped) == ROWS


async def test_a_result_left_unread_is_closed_and_the_connection_goes_on(
    ours: AsyncEngine,
) -> None:
    async with ours.connect() as connection:
        result = await connection.stream(text("SELECT n FROM t ORDER BY n"))
        assert (await result.fetchmany(3))[-1] == (2,)
        await result.close()
        assert await connection.scalar(text("SELECT count(*) FROM t")) == ROWS
    async with ours.begin() as connection:  # the pool's reset found the connection usable
        await connection.execute(text("DELETE FROM t WHERE n = 0"))
    async with ours.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM t")) == ROWS - 1


async def test_errors_arrive_as_sqlalchemy_errors_and_roll_back(ours: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        async with ours.begin() as connection:
            await connection.execute(text("UPDATE t SET word = 'x' WHERE n = 5"))
            await connection.execute(text("INSERT INTO t (word) VALUES ('w7')"))
    with pytest.raises(OperationalError):
        async with ours.connect() as connection:
            await connection.execute(text("SELECT nothing FROM nowhere"))
    async with ours.connect() as connection:
        assert await connection.scalar(text("SELECT word FROM t WHERE n = 5")) == "w5"
