"""Slack misbehaving while the outbox sends: rate limits, an unreachable API, replies lost on
the way back, and errors that will never clear. Each post lands once or is reported, never
retried forever, and one bad channel holds up nobody else.

In-process: the real outbox, the real Slack sender and real HTTP to the fake Web API, with a
manual clock so that backoff and Retry-After are checked without waiting for them.
"""

from __future__ import annotations

import dataclasses
import html
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.jobs import run_all
from bot.outbox import MAX_ATTEMPTS, backoff
from bot.services import Services
from handlers.slack.sender import ADVICE
from tests.fakes.slack_api import FakeSlackAPI
from tests.faults.process import delivered_keys, duplicates, free_port
from tests.slack.outbox_helpers import follow, outbox, posts, schedule, with_slack_sender


def _with_coordinators(services: Services) -> None:
    services.settings = dataclasses.replace(services.settings, coordinators_channel="CCOORD")


async def _by_channel(services: Services) -> dict[str, Any]:
    return {i.conversation: i for i in await outbox(services)}


async def test_a_burst_of_429s_is_waited_out_per_retry_after_and_others_go_on(
    services: Services, clock: ManualClock, fake_slack: FakeSlackAPI
) -> None:
    with_slack_sender(services)
    await follow(services, "vetting", "C1", "C2")
    await schedule(services, "vetting", "Vetting clinic", minutes=0)
    fake_slack.rate_limit_next("chat.postMessage", retry_after=30, times=1)

    await run_all(services)  # one channel gets the 429, the other goes out
    items = await _by_channel(services)
    # A batch is sent concurrently, so which channel meets the 429 first is not fixed.
    assert sorted((items["C1"].state, items["C2"].state)) == ["pending", "sent"]
    for _ in range(29):
        clock.advance(timedelta(seconds=1))
        await run_all(services)
    assert len(fake_slack.calls("chat.postMessage")) == 2  # nothing before Retry-After
    clock.advance(timedelta(seconds=1))
    await run_all(services)
    assert duplicates(fake_slack) == {}
    assert sorted(c for c, _k in delivered_keys(fake_slack)) == ["C1", "C2"]


async def test_an_unreachable_api_is_retried_with_backoff_then_posts_once(
    services: Services, clock: ManualClock, fake_slack: FakeSlackAPI
) -> None:
    sender = with_slack_sender(services)
    await follow(services, "general", "C1")
    await schedule(services, "general", "Network meeting", minutes=0)
    fake_slack.stop()  # Slack unreachable: connection refused

    waits = []
    for _ in range(4):
        await run_all(services)
        [item] = await outbox(services)
        assert item.state == "pending" and item.payload["maybe_delivered"] is True
        assert (item.error or "").startswith("connection:")
        waits.append(item.next_attempt_at - clock())
        clock.advance(waits[-1])
    assert waits == [backoff(n) for n in range(1, 5)]

    fake_slack.start()  # back, on a new port
    sender.client.base_url = fake_slack.base_url
    await run_all(services)
    [item] = await outbox(services)
    assert item.state == "sent"
    assert [c.method for c in fake_slack.calls() if c.method != "auth.test"] == [
        "conversations.history",  # it may have landed before the connection dropped: look
        "chat.postMessage",
    ]


async def test_an_api_that_never_comes_back_gives_up_and_coordinators_hear_once_it_does(
    services: Services, clock: ManualClock, fake_slack: FakeSlackAPI
) -> None:
    _with_coordinators(services)
    sender = with_slack_sender(services)
    await follow(services, "general", "C1")
    await schedule(services, "general", "Network meeting", minutes=0)
    sender.client.base_url = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there

    for _ in range(MAX_ATTEMPTS + 3):
        await run_all(services)
        clock.advance(timedelta(hours=1))
    [update, notice] = await outbox(services)
    assert (update.state, update.attempts) == ("failed", MAX_ATTEMPTS)
    assert (update.error or "").startswith(f"gave up after {MAX_ATTEMPTS} attempts: connection:")
    assert notice.kind == "notice" and notice.state == "pending"  # it waits for Slack too

    sender.client.base_url = fake_slack.base_url  # Slack is back
    clock.advance(timedelta(hours=1))
    await run_all(services)
    await run_all(services)
    [update, notice] = await outbox(services)
    assert (update.state, notice.state) == ("failed", "sent")
    [told] = posts(fake_slack)
    assert told["channel"] == "CCOORD" and "Network meeting" in str(told["blocks"])


async def test_a_reply_lost_after_slack_accepted_the_post_is_not_posted_again(
    services: Services, clock: ManualClock, fake_slack: FakeSlackAPI
) -> None:
    sender = with_slack_sender(services)
    sender.client.timeout = 1  # seconds; the fake answers later than that, the post has landed
    await follow(services, "general", "C1")
    await schedule(services, "general", "Network meeting", minutes=0)
    fake_slack.delay("chat.postMessage", 2.0)

    await run_all(services)
    [item] = await outbox(services)
    assert item.state == "pending" and item.payload["maybe_delivered"] is True
    assert len(fake_slack.history("C1")) == 1  # Slack has it, the bot doesn't know

    fake_slack.delay("chat.postMessage", 0)
    clock.advance(timedelta(minutes=1))
    await run_all(services)
    [item] = await outbox(services)
    assert (item.state, item.message_ts) == ("sent", fake_slack.history("C1")[0]["ts"])
    assert len(fake_slack.calls("chat.postMessage")) == 1


@pytest.mark.parametrize(
    "error", ["invalid_auth", "channel_not_found", "not_in_channel", "is_archived"]
)
async def test_an_error_that_wont_clear_fails_that_row_once_and_the_rest_go_out(
    services: Services, clock: ManualClock, fake_slack: FakeSlackAPI, error: str
) -> None:
    _with_coordinators(services)
    with_slack_sender(services)
    await follow(services, "dps-commissioning", "C1", "C2", "C3")
    await schedule(services, "dps-commissioning", "ITT round 4 opens", minutes=0)
    fake_slack.fail_for_channel("C2", error)

    for _ in range(5):  # an hour of ticks: a permanent error must not be tried again
        await run_all(services)
        clock.advance(timedelta(minutes=15))

    items = await _by_channel(services)
    assert (items["C2"].state, items["C2"].error, items["C2"].attempts) == ("failed", error, 1)
    assert [c.params["channel"] for c in fake_slack.calls("chat.postMessage")].count("C2") == 1
    assert sorted(c for c, _k in delivered_keys(fake_slack)) == ["C1", "C3", "CCOORD"]
    [notice] = [p for p in posts(fake_slack) if p["channel"] == "CCOORD"]
    said = str(notice["blocks"])
    assert "<#C2>" in said and "ITT round 4 opens" in said
    assert ADVICE[error][:30] in html.unescape(said)  # what to do about it, in plain words
