"""The cached "latest" answer is never stale after this process writes, and a scheduled update
that falls due shows within the cache's 5 seconds."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.commands import parse
from bot.dps_update import run_command
from bot.interactions import Caller
from bot.services import Services
from storage.repositories.updates import add_update

MEMBER = Caller("slack", "T1", "U1", "C1")


async def _latest_text(services: Services) -> str:
    result = await run_command(services, MEMBER, parse("budget"))
    assert result.reply is not None
    return str(result.reply.blocks)


async def test_a_new_update_shows_at_once_and_a_due_one_within_five_seconds(
    services: Services, clock: ManualClock
) -> None:
    assert "Budgets out" not in await _latest_text(services)
    async with services.sessions.begin() as session:
        await add_update(
            session, topic="dps-budget", title="Budgets out", body="b", author="U9",
            publish_at=clock() - timedelta(minutes=1), state="posted",
        )  # fmt: skip
    assert "Budgets out" in await _latest_text(services)  # our own write: no staleness

    async with services.sessions.begin() as session:
        await add_update(
            session, topic="dps-budget", title="Round 4 opens", body="b", author="U9",
            publish_at=clock() + timedelta(seconds=3),
        )  # fmt: skip
    assert "Round 4 opens" not in await _latest_text(services)  # not due yet
    clock.advance(timedelta(seconds=6))
    assert "Round 4 opens" in await _latest_text(services)  # due, and the bucket moved on
