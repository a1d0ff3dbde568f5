"""The ticking clock: APScheduler runs every registered job each `tick_seconds`.

APScheduler only ticks; what is due and what is done lives in our tables (APScheduler's job
store can't be shared between processes), so a missed or doubled tick is harmless.
"""

from __future__ import annotations

from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.jobs import run_all
from bot.services import Services

TICK_JOB_ID = "sectorbot-tick"
MISFIRE_GRACE_SECONDS = 300  # a tick late by a busy loop or a suspended laptop still runs


def build_scheduler(services: Services) -> AsyncIOScheduler:
    """A scheduler with one interval job; call `.start()` inside the running event loop."""
    settings = services.settings
    scheduler = AsyncIOScheduler(timezone=settings.timezone)
    scheduler.add_job(
        run_all,
        "interval",
        args=[services],
        seconds=settings.tick_seconds,
        id=TICK_JOB_ID,
        name="run every periodic job",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        next_run_time=datetime.now(settings.timezone),  # first tick at start-up, not a tick later
    )
    return scheduler
