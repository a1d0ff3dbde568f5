"""Engine and session factory: the same code on SQLite (aiosqlite) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.sqlite_driver import connector
from storage.writer import queue_writers


def async_url(url: str) -> str:
    """Map a deployer's URL to the async driver we ship (`postgres://` as Heroku gives, too)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in ("postgresql", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(url: str) -> AsyncEngine:
    """Create the engine; for SQLite, create the file's folder and make it safe for concurrency."""
    url = async_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            # one hand-off to aiosqlite's thread per statement (see storage/sqlite_driver.py)
            async_creator=connector(database or ":memory:", timeout=30, check_same_thread=False),
        )
        _tune_sqlite(engine)
        queue_writers(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _tune_sqlite(engine: AsyncEngine) -> None:
    """WAL lets readers work while the single writer commits; foreign keys are off by default.

    synchronous=NORMAL (SQLite's advice for WAL): a commit is written to the WAL but not
    fsync'd until the next checkpoint. It survives the bot being killed at any moment (the
    fault tests kill -9 it); only the last transactions before a power cut or an OS crash can
    be lost, never the database's integrity. With FULL every commit waited for an fsync (4 ms on
    this machine) while holding the single write lock, which capped survey answers at about
    120 a second. Deployments that need power-loss durability run on PostgreSQL.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
