"""SQLite's writers queue in-process (storage/writer.py): every writer gets its turn, and a turn
is given back however a transaction ends, so one failed or cancelled click can't stall the rest."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import writer
from storage.db import create_engine

GUARD = 20.0  # seconds: a lost turn would otherwise hang the test rather than fail it


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE clicks (n INTEGER PRIMARY KEY, seen INTEGER)"))
    yield engine
    await engine.dispose()


async def _read_then_write(engine: AsyncEngine, n: int) -> None:
    """The shape of a survey click: a read, then a write that depends on it."""
    async with engine.begin() as connection:
        seen = await connection.scalar(text("SELECT count(*) FROM clicks"))
        await connection.execute(
            text("INSERT INTO clicks VALUES (:n, :seen)"), {"n": n, "seen": seen}
        )


async def _write_on_another_connection(engine: AsyncEngine, n: int) -> None:
    """Write while the pool's only idle connection (the one the ended transaction used) is
    checked out, so this writer is a different connection and needs the turn given back."""
    async with engine.connect() as _reused:
        await asyncio.wait_for(_read_then_write(engine, n), GUARD)


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(text("SELECT count(*) FROM clicks")) or 0)


async def test_many_writers_at_once_all_commit(engine: AsyncEngine) -> None:
    writers = [_read_then_write(engine, n) for n in range(40)]
    await asyncio.wait_for(asyncio.gather(*writers), GUARD)
    assert await _count(engine) == 40


async def test_a_failed_transaction_gives_its_turn_back(engine: AsyncEngine) -> None:
    with pytest.raises(RuntimeError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO clicks VALUES (1, 0)"))
            raise RuntimeError("the handler failed after its first write")
    await _write_on_another_connection(engine, 2)
    assert await _count(engine) == 1  # the failed one rolled back; the next one got in


async def test_a_cancelled_transaction_gives_its_turn_back(engine: AsyncEngine) -> None:
    wrote = asyncio.Event()

    async def stuck_after_writing() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO clicks VALUES (1, 0)"))
            wrote.set()
            await asyncio.Event().wait()  # never set: this task only ends by cancellation

    task = asyncio.create_task(stuck_after_writing())
    await asyncio.wait_for(wrote.wait(), GUARD)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _write_on_another_connection(engine, 2)
    assert await _count(engine) == 1


async def test_a_writer_that_waits_too_long_fails_instead_of_hanging(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "WAIT_SECONDS", 0.2)
    holding = asyncio.Event()
    done = asyncio.Event()

    async def holder() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO clicks VALUES (1, 0)"))
            holding.set()
            await done.wait()

    task = asyncio.create_task(holder())
    await asyncio.wait_for(holding.wait(), GUARD)
    with pytest.raises(OperationalError, match="database is locked"):
        await _read_then_write(engine, 2)
    done.set()
    await task
    await asyncio.wait_for(_read_then_write(engine, 3), GUARD)  # the queue still works after
    assert await _count(engine) == 2
