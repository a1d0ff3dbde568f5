"""The weekly digest through run_all, the Slack sender and the fake Web API."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import digest_job
from bot.clock import ManualClock
from bot.digest_job import queue_weekly_digests
from bot.jobs import run_all
from bot.outbox import PACING
from bot.services import Services
from storage.models import OutboxItem
from storage.repositories.digest import DigestHistory
from storage.repositories.subscriptions import ensure_channel
from storage.repositories.updates import add_update
from tests.fakes.signing import TEAM_ID
from tests.slack.outbox_helpers import posts, with_slack_sender


async def _network_channel(services: Services, channel_id: str) -> None:
    async with services.sessions.begin() as session:
        channel = await ensure_channel(session, "slack", TEAM_ID, channel_id)
        channel.is_network = True


async def _posted(services: Services, count: int) -> None:
    now = services.clock()
    async with services.sessions.begin() as session:
        for n in range(count):
            update = await add_update(
                session,
                topic=("dps-budget", "dps-commissioning", "vetting", "general")[n % 4],
                title=f"Update {n:03d} about the round",
                body="Commissioning detail for providers. " * 12,
                author="UCOORD1",
                publish_at=now - timedelta(days=6) + timedelta(minutes=n),
                state="posted",
            )
            update.posted_at = update.publish_at


def _section_texts(block: dict[str, Any]) -> list[str]:
    if block["type"] in ("section", "header"):
        return [block["text"]["text"]]
    if block["type"] == "context":
        return [e["text"] for e in block["elements"]]
    return []


async def test_300_updates_arrive_split_complete_and_once(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    with_slack_sender(services)
    await _network_channel(services, "CNET")
    await _posted(services, 300)
    for _ in range(20):  # the first tick queues the parts; one part per second goes out
        await run_all(services)
        clock.advance(PACING)
    messages = posts(fake_slack)
    assert len(messages) > 1
    texts = []
    for message in messages:
        assert message["channel"] == "CNET"
        assert len(message["blocks"]) <= 50
        block_texts = [t for b in message["blocks"] for t in _section_texts(b)]
        assert all(len(t) <= 3000 for t in block_texts)
        assert sum(map(len, block_texts)) <= 10_000
        assert len(json.dumps(message["blocks"])) < 40_000
        texts.append("\n".join(block_texts))
    everything = "\n".join(texts)
    for n in range(300):
        assert everything.count(f"*Update {n:03d} about the round*") == 1
    assert "(part 1 of" in texts[0] and f"(part {len(messages)} of" in texts[-1]
    async with services.sessions() as session:
        keys = [i.key for i in await session.scalars(select(OutboxItem).order_by(OutboxItem.id))]
    assert keys == [f"digest:1:2026-W48:part-{n}" for n in range(1, len(messages) + 1)]


async def test_one_digest_a_week_covering_what_is_new_since_the_last(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    with_slack_sender(services)
    await _network_channel(services, "CNET")
    await _posted(services, 2)
    await run_all(services)
    clock.advance(timedelta(hours=3))
    await run_all(services)
    assert len(posts(fake_slack)) == 1
    first = str(posts(fake_slack)[0]["blocks"])
    assert "Update 000" in first and "Update 001" in first

    clock.advance(timedelta(days=7) - timedelta(hours=3))  # next Monday, 09:00
    await run_all(services)
    second = str(posts(fake_slack)[1]["blocks"])
    assert "Update 000" not in second and "No new updates this week." in second


async def test_an_empty_week_posts_nothing_when_told_not_to(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    services.settings = dataclasses.replace(services.settings, digest_post_empty=False)
    with_slack_sender(services)
    await _network_channel(services, "CNET")
    await run_all(services)
    assert posts(fake_slack) == []


async def test_a_digest_more_than_a_day_late_waits_for_next_week(
    services: Services, clock: ManualClock, fake_slack: Any
) -> None:
    with_slack_sender(services)
    await _network_channel(services, "CNET")
    clock.advance(timedelta(days=1, minutes=1))
    await run_all(services)
    assert posts(fake_slack) == []


async def _queued_digests(services: Services) -> dict[str, dict[str, Any]]:
    async with services.sessions() as session:
        rows = await session.scalars(select(OutboxItem).where(OutboxItem.kind == "digest"))
        return {row.key: row.payload for row in rows}


async def test_each_channel_covers_the_days_since_its_own_last_digest(
    services: Services, clock: ManualClock
) -> None:
    """All channels are read and queued together; each keeps its own span all the same."""
    await _network_channel(services, "COLD")  # pk 1: had a digest three days ago
    await _network_channel(services, "CNEW")  # pk 2: never had one
    await _posted(services, 1)  # posted six days ago
    three_days_ago = clock() - timedelta(days=3)
    async with services.sessions.begin() as session:
        ref = {"channel_pk": 1, "covers_until": three_days_ago.isoformat(), "week": "2026-W47"}
        session.add(
            OutboxItem(
                key="digest:1:2026-W47", kind="digest", conversation="COLD", state="sent",
                payload={"message": {"text": "last week's"}, "ref": ref},
            )
        )  # fmt: skip
    await queue_weekly_digests(services)
    queued = await _queued_digests(services)
    old, new = str(queued["digest:1:2026-W48"]), str(queued["digest:2:2026-W48"])
    assert "Update 000" not in old and "No new updates this week." in old
    assert "Update 000" in new
    await queue_weekly_digests(services)  # a second tick (or instance) queues nothing more
    assert len(await _queued_digests(services)) == 3


async def test_a_digest_another_instance_queued_first_is_left_whole(
    services: Services, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another instance queues one channel's digest after our job read the histories (here: a
    read that misses it). Our one insert fails on its key, so the job goes channel by channel:
    that digest stays as the other instance queued it, and every other channel gets ours."""
    for channel in ("CONE", "CTWO", "CTHREE"):
        await _network_channel(services, channel)
    await _posted(services, 2)
    async with services.sessions.begin() as other:
        other.add(
            OutboxItem(
                key="digest:2:2026-W48", kind="digest", conversation="CTWO",
                payload={"message": {"text": "the other instance's"}},
            )
        )  # fmt: skip
    read = digest_job.digest_histories

    async def read_too_early(session: AsyncSession) -> dict[int, DigestHistory]:
        histories = await read(session)
        assert 2 in histories
        return {pk: h for pk, h in histories.items() if pk != 2}

    monkeypatch.setattr(digest_job, "digest_histories", read_too_early)
    await queue_weekly_digests(services)
    queued = await _queued_digests(services)
    assert sorted(queued) == ["digest:1:2026-W48", "digest:2:2026-W48", "digest:3:2026-W48"]
    assert queued["digest:2:2026-W48"] == {"message": {"text": "the other instance's"}}
    assert "Update 001" in str(queued["digest:1:2026-W48"])
    assert "Update 001" in str(queued["digest:3:2026-W48"])
