"""The survey the bench opens: the shipped DPS experience questions on dates of its own, open
from the moment the bench runs, so it measures the same on any date (the shipped file's dates
belong to one real run and pass)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.surveys.service import SurveySource, library_survey

OPEN_FOR = timedelta(weeks=4)  # no reminder (7 days and 1 day before the close) is due yet


def bench_survey(name: str, now: datetime, zone: ZoneInfo) -> SurveySource:
    """Shipped survey `name`, opening at `now` and closing four weeks later."""
    closes_at = now + OPEN_FOR
    return library_survey(name, zone).rescheduled(
        zone, opens_at=now, closes_at=closes_at, deadline=closes_at + timedelta(weeks=1)
    )
