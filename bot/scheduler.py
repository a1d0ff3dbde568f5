"""The ticking clock: APScheduler runs every registered job each `tick_seconds`.

APScheduler only ticks; what is due and what is done lives in our tables (APScheduler's job
store can't be shared between processes), so a missed or doubled tick is harmless.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING

from bot.jobs import run_all
from bot.services import Services

TICK_JOB_ID = "sectorbot-tick"
MISFIRE_GRACE_SECONDS = 300  # a tick late by a busy loop or a suspended laptop still runs


class Ticker:
    """The scheduler plus a way to stop it that waits for a tick in flight, so the database
    is never closed under a job half way through recording a post."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._running = asyncio.Lock()
        settings = services.settings
        self.scheduler = AsyncIOScheduler(timezone=settings.timezone)
        self.scheduler.add_job(
            self.tick,
            "interval",
            seconds=settings.tick_seconds,
            id=TICK_JOB_ID,
            name="run every periodic job",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
            next_run_time=datetime.now(settings.timezone),  # first tick at start-up
        )

    async def tick(self) -> None:
        async with self._running:
            while True:
                upcoming = self._next_tick()
                await run_all(self.services)
                # A tick that ran into the next one's time (the outbox had that much to send)
                # made APScheduler skip that one: run again now, not a whole interval later.
                if upcoming is None or datetime.now(self.services.settings.timezone) < upcoming:
                    return

    def _next_tick(self) -> datetime | None:
        """When APScheduler will next fire (None: paused, stopping, or not started)."""
        if self.scheduler.state != STATE_RUNNING:
            return None
        job = self.scheduler.get_job(TICK_JOB_ID)
        return None if job is None else job.next_run_time

    def start(self) -> None:
        """Call inside the running event loop."""
        self.scheduler.start()

    async def stop(self) -> None:
        """Pause first, then wait for the tick in flight, then shut down: APScheduler's asyncio
        executor cancels running jobs on shutdown, which would cut a post off half-recorded."""
        self.scheduler.pause()
        async with self._running:
            self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # AsyncIOScheduler applies shutdown on the loop's next turn
