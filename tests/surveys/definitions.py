"""Shipped surveys on dates relative to now, as a coordinator's own file (`--file PATH`), for
tests that open a survey on the real clock: the CLI and the bot as a process. The shipped files'
dates belong to one real run and pass; such a test must not stop working when they do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.surveys.loader import DEFAULT_TIMEZONE
from bot.surveys.service import library_survey


def shipped_survey_file(folder: Path, name: str, now: datetime | None = None) -> Path:
    """Shipped survey `name` in `folder`/NAME.yml, opened a day before `now` (the real clock by
    default) and closing four weeks after it, so no reminder is due yet."""
    now = now or datetime.now(UTC)
    zone = ZoneInfo(DEFAULT_TIMEZONE)
    source = library_survey(name, zone).rescheduled(
        zone,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(weeks=4),
        deadline=now + timedelta(weeks=5),
    )
    path = folder / f"{name}.yml"
    path.write_text(source.text, encoding="utf-8")
    return path
