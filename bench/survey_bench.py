"""Surveys at scale: the invitation fan-out against Slack's limits, members answering through
signed HTTP, and the answer write path in-process against raw inserts of the same rows."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update

from bench.http_load import RequestFactory, percentile, steady
from bench.processes import SIGNING_SECRET, base_env, fake_slack, free_port, serve
from bench.survey import bench_survey
from bot.config import Settings
from bot.services import Services
from storage.models import DraftAnswer, Invitation, Member, OutboxItem
from tests.fakes.signing import block_actions_body, block_actions_payload, sign

SURVEY = "dps-experience"
QUESTION = "org_type"
OPTION = "small-charity"


async def start_services(database_url: str) -> Services:
    return await Services.start(Settings.from_env({"DATABASE_URL": database_url}))


async def reset(database_url: str) -> None:
    """An empty schema: PostgreSQL's is dropped (the bench has its own database)."""
    if database_url.startswith("postgresql"):
        from storage.db import create_engine

        engine = create_engine(database_url)
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    await (await start_services(database_url)).close()  # migrates


@dataclass
class Seeded:
    open_seconds: float
    invitations: list[tuple[int, str]]  # (invitation id, member's user id)


async def seed_survey(database_url: str, members: int) -> Seeded:
    """Open the survey to `members` people through the real `open_survey`, then make every
    invitation due now (they are otherwise timed for working hours where each member is)."""
    from bot.surveys.service import open_survey

    services = await start_services(database_url)
    try:
        users = [f"U{n:06d}" for n in range(members)]
        source = bench_survey(SURVEY, services.clock(), services.settings.timezone)
        started = time.perf_counter()
        await open_survey(services, SURVEY, users, actor="bench", source=source)
        seconds = time.perf_counter() - started
        async with services.sessions.begin() as session:
            await session.execute(
                update(OutboxItem)
                .where(OutboxItem.kind == "survey.invite")
                .values(next_attempt_at=datetime.now(UTC))
            )
    finally:
        await services.close()
    return Seeded(seconds, await invitations(database_url))


async def invitations(database_url: str) -> list[tuple[int, str]]:
    services = await start_services(database_url)
    try:
        async with services.sessions() as session:
            rows = await session.execute(
                select(Invitation.id, Member.user_id)
                .join(Member, Member.id == Invitation.member_id)
                .order_by(Invitation.id)
            )
            return [(int(i), str(u)) for i, u in rows]
    finally:
        await services.close()


async def _invites_left(database_url: str) -> int:
    services = await start_services(database_url)
    try:
        async with services.sessions() as session:
            left = await session.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .where(
                    OutboxItem.kind == "survey.invite", OutboxItem.state.in_(("pending", "sending"))
                )
            )
        return int(left or 0)
    finally:
        await services.close()


async def _watch(url: str, make: RequestFactory, database_url: str, timeout: float) -> list[float]:
    """Send commands at 5/s while invitations are left; their ack latencies."""
    stop = asyncio.Event()
    load = asyncio.create_task(steady(url, make, 5.0, stop))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and await _invites_left(database_url):
        await asyncio.sleep(0.5)
    stop.set()
    return await load


def fan_out(
    database_url: str, members: int, rate: float, root: Path, make_command: Callable[[str], Any]
) -> dict[str, Any]:
    """Invite `members` through the running bot against a fake Slack enforcing 1/s per channel
    and `rate`/s across the workspace (burst: one second's worth)."""
    asyncio.run(reset(database_url))
    seeded = asyncio.run(seed_survey(database_url, members))
    floor = max(0.0, members - rate) / rate  # the burst goes at once, then `rate` a second
    with fake_slack(root, workspace_rate=rate) as slack:
        env = base_env(slack.url, database_url, free_port())
        env["SECTORBOT_SLACK_POSTS_PER_SECOND"] = str(int(rate))
        with serve(["-m", "bot.cli", "run"], env, root) as bot:
            make = make_command(slack.url.replace("/api/", "/respond/fanout"))
            acks = asyncio.run(_watch(bot.url, make, database_url, timeout=floor * 3 + 90))
        posts = slack.finish()
    ok = [(at, channel) for at, channel, status in posts if status == 200]
    throttled = sum(1 for _at, _channel, status in posts if status == 429)
    per_channel = Counter(channel for _at, channel in ok)
    expected = {"D" + user if user.startswith("U") else user for _i, user in seeded.invitations}
    expected |= {user for _i, user in seeded.invitations}
    invited = {c for c in per_channel if c in expected}
    seconds = (max(at for at, _c in ok) - min(at for at, _c, _s in posts)) if ok else float("nan")
    return {
        "members": members,
        "workspace_rate_per_s": rate,
        "open_survey_seconds": round(seeded.open_seconds, 2),
        "seconds": round(seconds, 2),
        "floor_seconds": round(floor, 2),
        "ratio_vs_floor": round(seconds / floor, 3) if floor else None,
        "duplicates": sum(n - 1 for n in per_channel.values() if n > 1),
        "lost": members - len(invited),
        "http_429": throttled,
        "command_acks": len(acks),
        "command_ack_p99_ms": round(percentile(acks, 0.99), 1),
        "command_ack_max_ms": round(max(acks), 1) if acks else None,
    }


# -- members answering ---------------------------------------------------------------------------


async def start_answering(database_url: str) -> None:
    """Every invitation is at its first question (as after Start), so a click is an answer."""
    services = await start_services(database_url)
    try:
        async with services.sessions.begin() as session:
            await session.execute(
                update(Invitation).values(state="in_progress", current_question=QUESTION, version=0)
            )
            await session.execute(delete(DraftAnswer))
    finally:
        await services.close()


def answer_factory(invitations: list[tuple[int, str]], response_url: str) -> RequestFactory:
    """Signed block_actions clicks on the first question's first option, each from the next
    invitation in turn across every load this factory drives, so each one is a real answer.
    Past the last invitation it wraps round, and then the clicks are stale (a double click)."""
    turn = itertools.count()

    def make(_i: int) -> tuple[bytes, dict[str, str]]:
        n = next(turn)
        invitation_id, user = invitations[n % len(invitations)]
        payload = block_actions_payload(
            "survey.answer#0",
            f"{invitation_id}:{QUESTION}:0|{OPTION}",
            block_id="choice-0",
            user_id=user,
            channel_id="D" + user,
            response_url=response_url,
            trigger_id=f"{user}-{n}",
        )
        body = block_actions_body(payload)
        return body.encode(), sign(body, SIGNING_SECRET)

    return make


async def _concurrently(
    count: int, concurrency: int, one: Callable[[int], Awaitable[None]]
) -> float:
    counter = iter(range(count))

    async def worker() -> None:
        for i in counter:
            await one(i)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def _write_path(
    database_url: str, invitations: list[tuple[int, str]], concurrencies: list[int], count: int
) -> dict[str, Any]:
    from bot.interactions import Caller
    from bot.surveys.conversation import answer
    from bot.surveys.messages import Routing

    services = await start_services(database_url)
    out: dict[str, Any] = {}
    try:
        offset = 0
        for concurrency in concurrencies:
            batch = invitations[offset : offset + count]
            offset += count
            saved = 0

            async def one(i: int, batch: list[tuple[int, str]] = batch) -> None:
                nonlocal saved
                invitation_id, user = batch[i]
                caller = Caller(platform="slack", team_id="", user_id=user, channel_id="D" + user)
                turn = await answer(services, caller, Routing(invitation_id, QUESTION, 0), OPTION)
                saved += turn.show is not None

            ours = await _concurrently(len(batch), concurrency, one)

            async def raw(i: int, batch: list[tuple[int, str]] = batch) -> None:
                async with services.engine.begin() as connection:
                    await connection.execute(
                        insert(DraftAnswer).values(
                            invitation_id=batch[i][0], question_id="bench-raw", value=OPTION,
                            answered_at=datetime.now(UTC),
                        )
                    )  # fmt: skip

            baseline = await _concurrently(len(batch), concurrency, raw)
            out[f"{concurrency} concurrent"] = {
                "answers": len(batch),
                "saved": saved,
                "answers_per_s": round(len(batch) / ours, 1),
                "raw_inserts_per_s": round(len(batch) / baseline, 1),
                "ratio": round(baseline / ours, 3),
            }
    finally:
        await services.close()
    return out


def write_path(
    database_url: str, invitations: list[tuple[int, str]], concurrencies: list[int], count: int
) -> dict[str, Any]:
    asyncio.run(start_answering(database_url))
    return asyncio.run(_write_path(database_url, invitations, concurrencies, count))
