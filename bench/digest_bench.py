"""The weekly digest at scale: queue it for many network channels from many updates, against
the raw query that fetches the same rows, with peak memory (tracemalloc)."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, select

from bot.clock import ManualClock
from bot.config import Settings
from bot.digest import digest_moment
from bot.services import Services
from storage.models import Channel, OutboxItem, Topic, Update

T = TypeVar("T")
TOPICS = ("dps-budget", "vetting", "dps-commissioning")


async def _timed(run: Callable[[], Awaitable[T]]) -> tuple[T, float]:
    started = time.perf_counter()
    result = await run()
    return result, time.perf_counter() - started


async def _peak(run: Callable[[], Awaitable[object]]) -> float:
    """Peak MiB allocated while `run()` ran (a separate pass: tracemalloc slows what it traces)."""
    tracemalloc.start()
    try:
        await run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


async def _run(database_url: str, channels: int, updates: int) -> dict[str, Any]:
    import bot.features  # noqa: F401  (registers the digest job)
    from bot.digest_job import queue_weekly_digests

    settings = Settings.from_env({"DATABASE_URL": database_url})
    moment = digest_moment(
        datetime.now(UTC), settings.digest_weekday, settings.digest_time, settings.timezone
    )
    now = moment + timedelta(minutes=1)
    services = await Services.start(settings, clock=ManualClock(now))
    try:
        weeks = 50
        async with services.sessions.begin() as session:
            await session.execute(
                insert(Channel),
                [
                    {"platform": "slack", "team_id": "T0001", "channel_id": f"CNET{n:05d}",
                     "is_network": True}
                    for n in range(channels)
                ],
            )  # fmt: skip
            spacing = timedelta(weeks=weeks) / updates
            await session.execute(
                insert(Update),
                [
                    {"topic": TOPICS[n % 3], "title": f"Update {n}", "author": "bench",
                     "body": f"Indicative budgets for 2027-28, note {n}. " * 8, "state": "posted",
                     "publish_at": now - spacing * (n + 1), "posted_at": now - spacing * (n + 1)}
                    for n in range(updates)
                ],
            )  # fmt: skip
        since = now - timedelta(days=7)

        async def raw() -> int:
            rows = 0
            async with services.engine.connect() as connection:
                for _ in range(channels):
                    result = await connection.execute(
                        select(Update.topic, Update.title, Update.body, Update.posted_at,
                               Update.link, Update.deadline)
                        .join(Topic, Topic.slug == Update.topic)
                        .where(Update.state == "posted", Update.posted_at > since,
                               Update.posted_at <= now)
                        .order_by(Topic.position, Topic.slug, Update.posted_at, Update.id)
                    )  # fmt: skip
                    rows += len(result.all())
            return rows

        async def digest() -> int:
            await queue_weekly_digests(services)
            async with services.sessions() as session:
                count = await session.scalar(
                    select(func.count()).select_from(OutboxItem).where(OutboxItem.kind == "digest")
                )
            return int(count or 0)

        async def forget() -> None:
            async with services.sessions.begin() as session:
                await session.execute(delete(OutboxItem).where(OutboxItem.kind == "digest"))

        rows, raw_seconds = await _timed(raw)
        messages, seconds = await _timed(digest)
        raw_peak = await _peak(raw)
        await forget()
        peak = await _peak(digest)
    finally:
        await services.close()
    return {
        "channels": channels,
        "updates": updates,
        "updates_in_week": rows // channels if channels else 0,
        "digest_messages_queued": messages,
        "digest_seconds": round(seconds, 4),
        "digest_peak_mib": round(peak, 1),
        "raw_query_seconds": round(raw_seconds, 4),
        "raw_query_peak_mib": round(raw_peak, 1),
        "ratio_vs_raw_query": round(seconds / raw_seconds, 2) if raw_seconds else None,
    }


def run(database_url: str, channels: int, updates: int) -> dict[str, Any]:
    """Run on a database with no channels or updates yet (call after a reset)."""
    return asyncio.run(_run(database_url, channels, updates))
