"""Scheduled updates through run_all, the Slack sender and the fake Web API: each subscribed
channel gets each post once, through rate limits, crashes, failures and a second instance."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from bot.clock import ManualClock
from bot.jobs import run_all
from bot.messages import plain
from bot.outbox import LEASE, PACING, Queued, claim_due, enqueue_many, send_due
from bot.services import Services
from handlers.slack.sender import EVENT_TYPE, SlackSender
from storage.models import OutboxItem
from tests.slack.outbox_helpers import (
    follow,
    outbox,
    posted_channels,
    posts,
    schedule,
    update_row,
    with_slack_sender,
)


async def test_a_scheduled_update_reaches_every_subscribed_channel_once(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    with_slack_sender(services)
    await follow(services, "dps-budget", "C1", "C2", "C3")
    await follow(services, "vetting", "C4")
    update_id = await schedule(services, "dps-budget", "Budgets for 2027 published")

    await run_all(services)
    assert posts(fake_slack) == []  # not due yet

    clock.advance(timedelta(minutes=10))
    await run_all(services)
    await run_all(services)  # a second tick must change nothing
    clock.advance(timedelta(hours=1))
    await run_all(services)

    assert posted_channels(fake_slack) == ["C1", "C2", "C3"]
    first = next(p for p in posts(fake_slack) if p["channel"] == "C1")  # sent concurrently
    assert first["metadata"]["event_type"] == EVENT_TYPE
    assert first["metadata"]["event_payload"]["key"] == f"update:{update_id}:channel:1"
    assert "Budgets for 2027 published" in str(first["blocks"])
    update = await update_row(services, update_id)
    assert update.state == "posted"
    assert update.posted_at == clock() - timedelta(hours=1)
    items = await outbox(services)
    assert [(i.state, i.attempts) for i in items] == [("sent", 1)] * 3
    assert all(i.message_ts for i in items)


async def test_rate_limit_retry_after_is_honoured_then_lands_once(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    with_slack_sender(services)
    await follow(services, "vetting", "C1")
    await schedule(services, "vetting", "Vetting clinic", minutes=0)
    fake_slack.rate_limit_next("chat.postMessage", retry_after=7)

    await run_all(services)
    [item] = await outbox(services)
    assert (item.state, item.error) == ("pending", "ratelimited")
    assert item.next_attempt_at == clock() + timedelta(seconds=7)

    clock.advance(timedelta(seconds=6))
    await run_all(services)
    assert len(fake_slack.calls("chat.postMessage")) == 1  # still waiting: no second try

    clock.advance(timedelta(seconds=1))
    await run_all(services)
    await run_all(services)
    assert posted_channels(fake_slack) == ["C1"]
    assert len(fake_slack.calls("chat.postMessage")) == 2  # the 429, then the post
    [item] = await outbox(services)
    assert (item.state, item.attempts) == ("sent", 2)


class Killed(BaseException):
    """The process dying between Slack's answer and our commit (not an ordinary error)."""


class DiesAfterPosting(SlackSender):
    async def deliver(self, item: OutboxItem) -> Any:
        await super().deliver(item)
        raise Killed


async def test_killed_between_post_and_record_posts_no_duplicate(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    real = with_slack_sender(services)
    await follow(services, "general", "C1")
    await schedule(services, "general", "Network meeting", minutes=0)
    services.senders["slack"] = DiesAfterPosting(real.client)
    with contextlib.suppress(Killed):
        await run_all(services)
    [item] = await outbox(services)
    assert item.state == "sending" and item.message_ts is None
    first_ts = fake_slack.history("C1")[0]["ts"]

    services.senders["slack"] = real  # the restarted bot
    clock.advance(LEASE - timedelta(seconds=1))
    await run_all(services)
    assert len(fake_slack.calls("conversations.history")) == 0  # lease still held

    clock.advance(timedelta(seconds=2))
    await run_all(services)
    assert len(fake_slack.calls("conversations.history")) == 1
    assert len(posts(fake_slack)) == 1
    [item] = await outbox(services)
    assert (item.state, item.message_ts) == ("sent", first_ts)


class RaisesAfterPosting(SlackSender):
    async def deliver(self, item: OutboxItem) -> Any:
        await super().deliver(item)
        raise RuntimeError("lost the answer")


async def test_sender_error_after_posting_is_retried_without_a_duplicate(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    real = with_slack_sender(services)
    await follow(services, "general", "C1")
    await schedule(services, "general", "Network meeting", minutes=0)
    services.senders["slack"] = RaisesAfterPosting(real.client)
    await run_all(services)
    [item] = await outbox(services)
    assert item.state == "pending" and item.payload["maybe_delivered"] is True

    services.senders["slack"] = real
    clock.advance(timedelta(minutes=1))
    await run_all(services)
    assert len(posts(fake_slack)) == 1
    [item] = await outbox(services)
    assert item.state == "sent" and item.message_ts == fake_slack.history("C1")[0]["ts"]


async def test_not_in_channel_fails_that_row_tells_coordinators_and_others_go_out(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    services.settings = dataclasses.replace(services.settings, coordinators_channel="CCOORD")
    with_slack_sender(services)
    await follow(services, "dps-commissioning", "C1", "C2", "C3")
    await schedule(services, "dps-commissioning", "ITT round 4 opens", minutes=0)
    fake_slack.fail_for_channel("C2", "not_in_channel")

    await run_all(services)
    await run_all(services)

    assert posted_channels(fake_slack) == ["C1", "C3", "CCOORD"]
    by_channel = {i.conversation: i for i in await outbox(services)}
    assert (by_channel["C2"].state, by_channel["C2"].error) == ("failed", "not_in_channel")
    notice = next(p for p in posts(fake_slack) if p["channel"] == "CCOORD")
    text = str(notice["blocks"])
    assert "<#C2>" in text and "/invite @sectorbot" in text and "ITT round 4 opens" in text
    assert "Traceback" not in text


async def test_a_notice_that_cannot_be_posted_raises_no_further_notice(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    services.settings = dataclasses.replace(services.settings, coordinators_channel="CCOORD")
    with_slack_sender(services)
    await follow(services, "general", "C1")
    await schedule(services, "general", "Hello", minutes=0)
    fake_slack.fail_for_channel("C1", "is_archived")
    fake_slack.fail_for_channel("CCOORD", "not_in_channel")

    for _ in range(3):
        await run_all(services)
        clock.advance(timedelta(minutes=5))

    states = sorted((i.kind, i.state) for i in await outbox(services))
    assert states == [("notice", "failed"), ("update", "failed")]
    assert posts(fake_slack) == []


async def test_posts_to_one_channel_are_paced_not_slept(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    with_slack_sender(services)
    await follow(services, "general", "C1")
    await follow(services, "vetting", "C1")
    await schedule(services, "general", "First", minutes=0)
    await schedule(services, "vetting", "Second", minutes=0)

    await run_all(services)
    assert len(posts(fake_slack)) == 1
    waiting = [i for i in await outbox(services) if i.state == "pending"]
    assert [i.next_attempt_at for i in waiting] == [clock() + PACING]

    clock.advance(PACING)
    await run_all(services)
    assert ["First" in str(p["blocks"]) for p in posts(fake_slack)] == [True, False]
    assert len(posts(fake_slack)) == 2


async def test_posts_recorded_together_each_hold_their_own_channel(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    with_slack_sender(services)
    channels = ["C1", "C2", "C3"]
    await follow(services, "general", *channels)
    await follow(services, "vetting", *channels)
    await schedule(services, "general", "First", minutes=0)
    await schedule(services, "vetting", "Second", minutes=0)

    await run_all(services)
    assert sorted(p["channel"] for p in posts(fake_slack)) == channels
    assert all("First" in str(p["blocks"]) for p in posts(fake_slack))
    waiting = [i for i in await outbox(services) if i.state == "pending"]
    assert sorted(i.conversation for i in waiting) == channels
    assert {i.next_attempt_at for i in waiting} == {clock() + PACING}

    clock.advance(PACING)
    await run_all(services)
    assert sorted(p["channel"] for p in posts(fake_slack)) == sorted(channels * 2)


async def test_two_instances_on_one_database_post_each_item_once(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    other = await Services.start(services.settings, clock=clock, migrate=False)
    try:
        with_slack_sender(services)
        with_slack_sender(other)
        channels = [f"C{n}" for n in range(1, 13)]
        await follow(services, "dps-budget", *channels)
        for n in range(3):
            await schedule(services, "dps-budget", f"Budget note {n}", minutes=0)
        for _ in range(4):
            await asyncio.gather(run_all(services), run_all(other))
            clock.advance(PACING)
        sent = [(p["channel"], p["metadata"]["event_payload"]["key"]) for p in posts(fake_slack)]
        assert len(sent) == len(set(sent)) == 36
        assert {i.state for i in await outbox(services)} == {"sent"}
    finally:
        await other.close()


async def test_claims_by_two_workers_are_disjoint(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    await follow(services, "general", *[f"C{n}" for n in range(10)])
    await schedule(services, "general", "Hello", minutes=0)
    with_slack_sender(services)
    services.senders.clear()
    await run_all(services)  # publishes; no sender, so nothing is sent

    async def claim(worker: str) -> list[int]:
        async with services.sessions.begin() as session:
            return [i.id for i in await claim_due(session, worker, clock(), limit=6)]

    # Either may take the lot first (SKIP LOCKED hands the other nothing): only overlap is wrong.
    first, second = await asyncio.gather(claim("a"), claim("b"))
    third = await claim("c")
    assert len(first) + len(second) + len(third) == 10
    assert len(set(first) | set(second) | set(third)) == 10
    assert await send_due(services, SlackSender(fake_client(services))) == 0  # all leased


def fake_client(services: Services) -> Any:
    from handlers.slack.sender import build_sender_client

    return build_sender_client(services)


async def test_a_claim_reads_the_due_index_in_order_instead_of_sorting_the_queue(
    services: Services, clock: ManualClock
) -> None:
    # Thousands of invitations due at one moment: a claim must stop at its limit, not read
    # and sort every pending row (payloads and all) each time, as it did on PostgreSQL when
    # the index ended at the due time (SQLite's indexes end with the row id anyway).
    posts = [
        Queued(f"test:{n}", "test", f"U{n:05d}", plain(f"post {n}"), clock()) for n in range(2000)
    ]
    async with services.sessions.begin() as session:
        await enqueue_many(session, posts)
    async with services.engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE outbox")
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "ORDER BY" in statement:
            statements.append((statement, parameters))

    event.listen(services.engine.sync_engine, "before_cursor_execute", capture)
    try:
        async with services.sessions.begin() as session:
            assert len(await claim_due(session, "w", clock(), limit=20)) == 20
    finally:
        event.remove(services.engine.sync_engine, "before_cursor_execute", capture)
    # Abandoned leases (a few "sending" rows, sorted), then the pending posts, in index order.
    _abandoned, (statement, parameters) = statements
    sqlite = services.engine.dialect.name == "sqlite"
    async with services.engine.connect() as connection:
        explain = "EXPLAIN QUERY PLAN" if sqlite else "EXPLAIN"
        plan = await connection.exec_driver_sql(f"{explain} {statement}", parameters)
        details = " / ".join(str(row[-1]) for row in plan)
    assert "ix_outbox_due" in details, details
    assert ("TEMP B-TREE" if sqlite else "Sort") not in details, details
