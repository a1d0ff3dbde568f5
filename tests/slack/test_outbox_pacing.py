"""The outbox keeps sending within a run while posts are due, paced to the workspace rate and
to one post a second per conversation, instead of one post per conversation per tick."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.clock import system_clock
from bot.config import Settings
from bot.delivery import Pace
from bot.messages import plain
from bot.outbox import enqueue, send_due
from bot.services import Services
from handlers.slack.sender import SlackSender, build_sender_client
from tests.slack.outbox_helpers import outbox, posts


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[Services]:
    """Services on the real clock: these tests are about waiting for real seconds."""
    running = await Services.start(settings, clock=system_clock)
    yield running
    await running.close()


async def _queue(services: Services, conversations: list[str]) -> None:
    async with services.sessions.begin() as session:
        for n, conversation in enumerate(conversations):
            await enqueue(
                session,
                key=f"test:{n}",
                kind="test",
                conversation=conversation,
                message=plain(f"post {n}"),
                not_before=services.clock(),
            )


async def test_pace_lets_a_burst_through_then_spaces_takers_in_call_order() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    pace = Pace(2.0, burst=2, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        await pace.wait()
    assert slept == [0.5, 1.0]  # the 4th waits behind the 3rd's reservation
    now[0] += 10.0  # idle: the bucket refills, but only up to the burst
    slept.clear()
    for _ in range(3):
        await pace.wait()
    assert slept == [0.5]


def test_pace_refuses_a_rate_of_nothing() -> None:
    with pytest.raises(ValueError):
        Pace(0)


async def test_a_run_with_a_budget_waits_for_pacing_and_sends_a_channels_queue_in_order(
    live: Services, fake_slack: Any
) -> None:
    fake_slack.enforce_channel_rate(per_second=1.0, burst=1)
    await _queue(live, ["C1", "C1", "C1", "C2"])
    started = time.monotonic()
    sent = await send_due(live, SlackSender(build_sender_client(live)), budget=10)
    assert sent == 4
    assert 1.9 < time.monotonic() - started < 6  # C1's third post goes two seconds after its first
    assert [p["text"] for p in posts(fake_slack) if p["channel"] == "C1"] == [
        "post 0",
        "post 1",
        "post 2",
    ]
    assert [c for c in fake_slack.calls("chat.postMessage") if c.status == 429] == []


async def test_a_fan_out_is_paced_to_the_workspace_rate_without_429s(
    live: Services, fake_slack: Any
) -> None:
    fake_slack.enforce_workspace_rate(per_second=40.0, burst=10)
    fake_slack.enforce_channel_rate(per_second=1.0, burst=1)
    await _queue(live, [f"U{n:03d}" for n in range(60)])
    sender = SlackSender(build_sender_client(live), Pace(40.0, burst=5))
    started = time.monotonic()
    assert await send_due(live, sender, budget=30) == 60
    assert time.monotonic() - started >= (60 - 5) / 40 * 0.95
    assert [c for c in fake_slack.calls("chat.postMessage") if c.status == 429] == []
    assert sorted(p["channel"] for p in posts(fake_slack)) == [f"U{n:03d}" for n in range(60)]
    assert {i.state for i in await outbox(live)} == {"sent"}


async def test_without_a_budget_one_run_still_stops_at_its_cap(
    live: Services, fake_slack: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.outbox.MAX_BATCHES", 2)
    monkeypatch.setattr("bot.outbox.BATCH", 3)
    await _queue(live, [f"C{n}" for n in range(10)])
    assert await send_due(live, SlackSender(build_sender_client(live))) == 6


async def test_a_fast_sender_keeps_enough_posts_in_flight_for_its_rate(
    live: Services, fake_slack: Any
) -> None:
    # Each post takes 0.2 s to answer: at 8 in flight, 100 posts would take 2.5 s; a sender
    # pacing itself to 400/s keeps about 200 in flight (half a second's worth), so the answers'
    # time overlaps and the run takes a few round trips.
    fake_slack.delay("chat.postMessage", 0.2)
    await _queue(live, [f"U{n:03d}" for n in range(100)])
    sender = SlackSender(build_sender_client(live), Pace(400.0, burst=100))
    started = time.monotonic()
    assert await send_due(live, sender, budget=30) == 100
    assert time.monotonic() - started < 1.5
    assert sorted(p["channel"] for p in posts(fake_slack)) == [f"U{n:03d}" for n in range(100)]
    assert {(i.state, i.attempts) for i in await outbox(live)} == {("sent", 1)}


async def test_a_run_out_of_budget_hands_back_the_posts_it_had_not_started(
    live: Services, fake_slack: Any
) -> None:
    # Unpaced: 8 posts in flight, 20 claimed. The budget ends while the first 8 are still
    # waiting for Slack; the other 12 go back to pending, due now, their attempt not counted.
    fake_slack.delay("chat.postMessage", 1.5)
    await _queue(live, [f"C{n:02d}" for n in range(30)])
    assert await send_due(live, SlackSender(build_sender_client(live)), budget=0.5) == 8
    items = await outbox(live)
    assert sorted((i.state, i.attempts) for i in items) == sorted(
        [("sent", 1)] * 8 + [("pending", 0)] * 22
    )
    waiting = [i for i in items if i.state == "pending"]
    assert all(i.claimed_by is None and i.claimed_until is None for i in waiting)
    assert all(i.next_attempt_at <= live.clock() for i in waiting)
    fake_slack.delay("chat.postMessage", 0)
    assert await send_due(live, SlackSender(build_sender_client(live)), budget=30) == 22
    assert len(posts(fake_slack)) == 30
