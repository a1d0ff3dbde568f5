"""Periodic jobs: features register what to do on each tick; the scheduler (and the demo's
`/clock`) run them all.

Every job reads what is due from the database and is safe to run twice or on two instances at
once (claims and unique outbox keys make a second run a no-op), because APScheduler's own
memory is not shared between processes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.services import Services

log = logging.getLogger(__name__)

Job = Callable[[Services], Awaitable[None]]

_JOBS: dict[str, Job] = {}


def periodic(job_id: str) -> Callable[[Job], Job]:
    """Register `job` to run on every scheduler tick, under an explicit, stable id."""

    def register(job: Job) -> Job:
        _JOBS[job_id] = job
        return job

    return register


def registered_jobs() -> dict[str, Job]:
    return dict(_JOBS)


async def run_all(services: Services) -> None:
    """Run every job once, in registration order; one failing job does not stop the others."""
    for job_id, job in _JOBS.items():
        try:
            await job(services)
        except Exception:
            log.exception("job %s failed; it will run again on the next tick", job_id)
