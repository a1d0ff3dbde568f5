"""Periodic jobs: features register what to do on each tick; the scheduler (and the demo's
`/clock`) run them all.

Every job reads what is due from the database and is safe to run twice or on two instances at
once (claims and unique outbox keys make a second run a no-op), because APScheduler's own
memory is not shared between processes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from bot.services import Services

log = logging.getLogger(__name__)

Job = Callable[[Services], Awaitable[None]]

_JOBS: dict[str, Job] = {}
# When the tick in progress began (time.monotonic()), so a job can end before the next is due.
tick_started: ContextVar[float | None] = ContextVar("tick_started", default=None)
_ORDER: dict[str, int] = {}


def periodic(job_id: str, *, order: int = 0) -> Callable[[Job], Job]:
    """Register `job` to run on every scheduler tick, under an explicit, stable id.

    Jobs run by `order`, then registration; the outbox sender uses a high order so that what
    producers queue on a tick goes out on that same tick, whatever the import order.
    """

    def register(job: Job) -> Job:
        _JOBS[job_id] = job
        _ORDER[job_id] = order
        return job

    return register


def registered_jobs() -> dict[str, Job]:
    ids = sorted(_JOBS, key=lambda job_id: _ORDER[job_id])  # sorted() is stable
    return {job_id: _JOBS[job_id] for job_id in ids}


async def run_all(services: Services) -> None:
    """Run every job once, in order; one failing job does not stop the others."""
    tick_started.set(time.monotonic())
    for job_id, job in registered_jobs().items():
        try:
            await job(services)
        except Exception:
            log.exception("job %s failed; it will run again on the next tick", job_id)
