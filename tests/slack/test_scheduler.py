"""The scheduler is configured as the platform facts advise, and its tick really runs the jobs."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot import jobs
from bot.jobs import registered_jobs
from bot.scheduler import MISFIRE_GRACE_SECONDS, TICK_JOB_ID, Ticker
from bot.services import Services
from tests.slack.outbox_helpers import follow, schedule, with_slack_sender


async def test_scheduler_ticks_run_all_and_a_due_post_goes_out(
    services: Services, fake_slack: Any
) -> None:
    with_slack_sender(services)
    await follow(services, "vetting", "C1")
    await schedule(services, "vetting", "Vetting backlog cleared", minutes=0)
    ticker = Ticker(services)
    [job] = ticker.scheduler.get_jobs()
    assert job.id == TICK_JOB_ID and job.func == ticker.tick
    assert str(ticker.scheduler.timezone) == "Europe/London"
    assert job.trigger.interval.total_seconds() == services.settings.tick_seconds
    assert (job.coalesce, job.max_instances) == (True, 1)
    assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS >= 60
    ticker.start()
    try:
        [post] = await fake_slack.async_wait_for("chat.postMessage")  # the first tick, at start
    finally:
        await ticker.stop()
    assert not ticker.scheduler.running
    assert post.params["channel"] == "C1"


def test_the_sender_runs_after_the_producers() -> None:
    jobs = list(registered_jobs())
    assert jobs[-1] == "send-outbox"
    assert {"publish-updates", "weekly-digest"} <= set(jobs)


async def test_a_tick_that_runs_into_the_next_runs_again_at_once(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A job that, the first time, is still going when the next tick falls due (as the outbox
    # is while a fan-out has more to send): APScheduler skips that tick, so the ticker runs
    # the jobs again as soon as this run ends rather than an interval later.
    services = dataclasses.replace(
        services, settings=dataclasses.replace(services.settings, tick_seconds=1)
    )
    ticker = Ticker(services)
    runs: list[tuple[float, float]] = []
    again = asyncio.Event()

    async def overrunning(_services: Services) -> None:
        started = time.monotonic()
        if not runs:
            upcoming = ticker._next_tick()
            assert upcoming is not None
            while datetime.now(upcoming.tzinfo) < upcoming + timedelta(milliseconds=100):
                await asyncio.sleep(0.02)  # busy past the next tick's time
        runs.append((started, time.monotonic()))
        if len(runs) == 2:
            again.set()

    monkeypatch.setattr(jobs, "_JOBS", {"test.overrun": overrunning})
    monkeypatch.setattr(jobs, "_ORDER", {"test.overrun": 0})
    ticker.start()
    try:
        await asyncio.wait_for(again.wait(), 5)
    finally:
        await ticker.stop()
    (_first_start, first_end), (second_start, _second_end) = runs[:2]
    assert second_start - first_end < 0.5  # not the 0.9 s to the tick after the skipped one
