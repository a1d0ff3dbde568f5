"""What every handler needs, built once at start-up and passed in (no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import latest_cache
from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.delivery import Sender
from bot.directory import Directory
from bot.logs import protect_secrets
from storage.db import create_engine, session_factory
from storage.migrate import upgrade


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock = field(default=system_clock)
    # Filled by the adapters at start-up ("slack" -> its sender); the outbox job uses them.
    senders: dict[str, Sender] = field(default_factory=dict)
    # Per platform ("slack"), set by the adapter that can ask who is in a channel.
    directories: dict[str, Directory] = field(default_factory=dict)

    @classmethod
    async def start(
        cls, settings: Settings, *, clock: Clock = system_clock, migrate: bool = True
    ) -> Services:
        protect_secrets(settings.secrets())  # before anything can log a request or a URL
        engine = create_engine(settings.database_url)
        latest_cache.reset()  # answers cached from another database must not be served
        if migrate:
            await upgrade(engine)
        return cls(settings=settings, engine=engine, sessions=session_factory(engine), clock=clock)

    async def close(self) -> None:
        await self.engine.dispose()
