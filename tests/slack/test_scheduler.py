"""The scheduler is configured as the platform facts advise, and its tick really runs the jobs."""

from __future__ import annotations

from typing import Any

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
