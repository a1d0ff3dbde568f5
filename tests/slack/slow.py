"""A slow database, injected where the bot gets its sessions: every unit of work waits first."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class SlowSessions:
    """Stands in for `async_sessionmaker`: same `()` and `.begin()`, each delayed."""

    def __init__(self, real: async_sessionmaker[AsyncSession], seconds: float) -> None:
        self.real = real
        self.seconds = seconds

    @asynccontextmanager
    async def _slow(self, factory: Any) -> AsyncIterator[AsyncSession]:
        await asyncio.sleep(self.seconds)  # the injected fault: a database that answers late
        async with factory as session:
            yield session

    def __call__(self) -> Any:
        return self._slow(self.real())

    def begin(self) -> Any:
        return self._slow(self.real.begin())
