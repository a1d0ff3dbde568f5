"""`/clock` arguments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.console.timeshift import BadShift, target_time

NOW = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "later"),
    [
        ("+7d", timedelta(days=7)),
        ("+2h", timedelta(hours=2)),
        ("+30m", timedelta(minutes=30)),
        ("+1d6h", timedelta(days=1, hours=6)),
        ("+2w", timedelta(weeks=2)),
        (" +1D ", timedelta(days=1)),
    ],
)
def test_steps_forward(text: str, later: timedelta) -> None:
    assert target_time(text, NOW, LONDON) == NOW + later


def test_a_moment_is_read_in_the_networks_time_zone() -> None:
    summer = target_time("2027-06-01T09:00", NOW, LONDON)
    assert summer == datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
    assert target_time("2026-12-01 09:00", NOW, LONDON) == datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("-1d", "only moves forwards"),
        ("2026-11-01T09:00", "only moves forwards"),
        ("+0h", "only moves forwards"),
        ("tomorrow", "Move the clock on with"),
        ("+7x", "Move the clock on with"),
        ("+400d", "more than a year"),
    ],
)
def test_what_is_not_a_step_forward(text: str, problem: str) -> None:
    with pytest.raises(BadShift, match=problem):
        target_time(text, NOW, LONDON)
