"""Soak: the real bot in a child process under as many signed requests as it will take.

Slash commands, survey answers (start, answer, and a double click on the answer) and App Home
events (some of them Slack's retries), from 16 concurrent clients over loopback, against the
fake Web API. Afterwards: no error response, every acknowledged answer stored once, no post or
effect twice, and the process's memory (VmRSS) within 50 MiB of its size after warm-up.

CI runs 2,000 requests on SQLite and a third of that on PostgreSQL. The full soak, 50,000
requests (figures printed with -s):

    SOAK_REQUESTS=50000 pytest tests/faults/test_soak.py -s
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import DraftAnswer
from tests.fakes.signing import (
    block_actions_body,
    event_body,
    retry_headers,
    slash_command_body,
)
from tests.fakes.slack_api import FakeSlackAPI
from tests.faults.process import (
    BotProcess,
    all_sent,
    bot_env,
    choice_payload,
    database_of,
    duplicates,
    make_due_now,
    open_survey,
    slack_client,
    wait_until,
)
from tests.slack.server import SlackClient
from tests.surveys.driver import Respondent

pytestmark = pytest.mark.slow

REQUESTS = int(os.environ.get("SOAK_REQUESTS", "2000"))
CONCURRENCY = 16
RSS_GROWTH_LIMIT_KIB = 50 * 1024
ANSWER = "Social enterprise"


class Load:
    """Sends requests, timing each, and keeps what the checks afterwards need."""

    def __init__(self, client: SlackClient, fake: FakeSlackAPI) -> None:
        self.client, self.fake = client, fake
        self.latencies: list[float] = []
        self.errors: list[tuple[int, str]] = []
        self.answered: list[str] = []
        self.commands = 0
        self.events: list[str] = []
        self.live: dict[str, list[Any]] = {}  # message ts -> its latest blocks
        self._seen = 0

    async def post(self, body: str, headers: dict[str, str] | None = None) -> int:
        started = time.perf_counter()
        reply = await self.client.post(body, extra_headers=headers)
        self.latencies.append(time.perf_counter() - started)
        if reply.status != 200:
            self.errors.append((reply.status, reply.body[:200]))
        return reply.status

    async def command(self, n: int) -> None:
        text = "help" if n % 2 else "budget"
        body = slash_command_body(text=text, user_id=f"UCMD{n % 50:03d}", response_url=self.url())
        if await self.post(body) == 200:
            self.commands += 1

    def url(self) -> str:
        return self.fake.response_url("soak")

    async def event(self, n: int) -> None:
        if self.events and n % 10 == 0:  # Slack resending one we already answered
            again = self.events[-1]
            await self.post(event_body(_home(again[2:]), event_id=again), retry_headers(1))
            return
        user = f"UHOME{n:06d}"
        body = event_body(_home(user), event_id=f"Ev{user}")
        if await self.post(body) == 200:
            self.events.append(f"Ev{user}")

    async def answer(self, member: Respondent) -> None:
        """Start, answer question 1, then click the same answer again (a double click)."""
        start = member.payload_for("Start")
        if await self.post(block_actions_body(start)) != 200:
            return
        member.blocks = await self._replaced(member.ts)
        payload = choice_payload(member, ANSWER)
        if await self.post(block_actions_body(payload)) == 200:
            self.answered.append(member.user)
        await self.post(block_actions_body(payload))

    async def _replaced(self, ts: str) -> list[Any]:
        deadline = time.monotonic() + 30
        while ts not in self.live:
            if time.monotonic() > deadline:
                raise AssertionError(f"message {ts} was never replaced by question 1")
            await asyncio.sleep(0.02)  # polling the fake's record, not timing the bot
        return self.live.pop(ts)

    async def collect(self) -> None:
        """Follow chat.update calls so each member's next click uses the live message."""
        while True:
            calls = self.fake.calls()
            for call in calls[self._seen :]:
                if call.method == "chat.update" and call.params.get("blocks"):
                    self.live[str(call.params.get("ts"))] = call.params["blocks"]
            self._seen = len(calls)
            await asyncio.sleep(0.02)


def _home(user: str) -> dict[str, Any]:
    return {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}


async def _run(jobs: list[Callable[[], Awaitable[None]]]) -> float:
    queue: asyncio.Queue[Callable[[], Awaitable[None]]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker() -> None:
        while not queue.empty():
            await (queue.get_nowait())()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return time.perf_counter() - started


def _jobs(
    load: Load, members: list[Respondent], others: int
) -> list[Callable[[], Awaitable[None]]]:
    jobs: list[Any] = [lambda m=m: load.answer(m) for m in members]
    jobs += [lambda n=n: load.command(n) if n % 2 else load.event(n) for n in range(others)]
    random.Random(7).shuffle(jobs)
    return jobs


async def test_soak(database_url: str, fake_slack: FakeSlackAPI, tmp_path: Path) -> None:
    # CI runs the full default on SQLite and a third of it on PostgreSQL, to stay well inside
    # its time; SOAK_REQUESTS sets both.
    requests = REQUESTS
    if "SOAK_REQUESTS" not in os.environ and not database_url.startswith("sqlite"):
        requests = REQUESTS // 3
    member_count = max(20, requests // 15)
    users = [f"USOAK{n:06d}" for n in range(member_count)]
    fake_slack.set_members("CNET", users)
    env = bot_env(database_url, fake_slack, {"LOG_LEVEL": "WARNING"})
    bot = BotProcess(env, tmp_path, name="soak")
    async with database_of(database_url, fake_slack) as services:
        open_survey(env, tmp_path, "dps-experience", "CNET")
        await make_due_now(services)
        bot.start()
        try:
            await wait_until(lambda: all_sent(services, member_count), 120.0, "invitations out")
            async with slack_client(bot.url) as client:
                load = Load(client, fake_slack)
                collector = asyncio.ensure_future(load.collect())
                try:
                    await _run([partial(load.command, n) for n in range(200)])  # warm-up
                    rss_before = bot.rss_kib()
                    load.latencies.clear()
                    members = []
                    for user in users:
                        [message] = fake_slack.history("D" + user)
                        members.append(
                            Respondent(client, fake_slack, user, message["ts"], message["blocks"])
                        )
                    elapsed = await _run(_jobs(load, members, requests - 3 * member_count))
                    rss_after = bot.rss_kib()
                finally:
                    collector.cancel()
            await fake_slack.async_wait_for("views.publish", len(load.events), timeout=60.0)
            await fake_slack.async_wait_for_response(load.commands, 60.0, "soak")
        finally:
            bot.stop()
        async with services.sessions() as session:
            stored = (
                await session.scalars(
                    select(DraftAnswer.value).where(DraftAnswer.question_id == "org_type")
                )
            ).all()

    sent = len(load.latencies)
    ordered = sorted(load.latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(0.99 * (sent - 1))] * 1000
    print(
        f"\nsoak: {sent} requests in {elapsed:.1f}s = {sent / elapsed:.0f}/s at {CONCURRENCY} "
        f"concurrent; p50 {p50:.1f} ms, p99 {p99:.1f} ms; errors {len(load.errors)}; "
        f"answers acknowledged {len(load.answered)}, stored {len(stored)}; "
        f"events {len(load.events)}, home views published "
        f"{len(fake_slack.calls('views.publish'))}; invitations {member_count}, duplicates "
        f"{len(duplicates(fake_slack))}; RSS after warm-up {rss_before / 1024:.1f} MiB, "
        f"after soak {rss_after / 1024:.1f} MiB"
    )
    assert sent >= requests
    assert load.errors == []
    assert sorted(stored) == ["social-enterprise"] * len(load.answered)
    assert len(load.answered) == member_count
    assert duplicates(fake_slack) == {}
    assert len(fake_slack.calls("views.publish")) == len(load.events)  # retries had no effect
    assert len(fake_slack.responses("soak")) == load.commands
    assert rss_after - rss_before < RSS_GROWTH_LIMIT_KIB
    bot.assert_clean_logs()
