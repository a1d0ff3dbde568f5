"""The authoring rules without any platform: when "publish at" means, and per-field problems."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from bot.authoring import read_publish_at
from bot.clock import ManualClock
from bot.config import Settings
from bot.updates import InvalidUpdate, UpdateDraft, check_draft, validate_draft

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _services() -> Any:
    return SimpleNamespace(settings=Settings(), clock=ManualClock(NOW))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", None),
        ("2027-06-01T09:00", datetime(2027, 6, 1, 8, 0, tzinfo=UTC)),  # London summer time
        ("2026-12-01T09:00", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("2026-12-01T09:00+01:00", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
        (str(int((NOW + timedelta(hours=1)).timestamp())), NOW + timedelta(hours=1)),
    ],
)
def test_publish_at_is_read_in_the_network_zone(raw: str, expected: datetime | None) -> None:
    assert read_publish_at(raw, _services()) == expected


@pytest.mark.parametrize("raw", ["tomorrow", "2026-13-01T09:00", "2025-01-01T09:00", "9" * 30])
def test_unusable_publish_at_names_the_field(raw: str) -> None:
    with pytest.raises(InvalidUpdate) as caught:
        read_publish_at(raw, _services())
    assert caught.value.field == "publish_at"


def test_check_draft_reports_every_field_and_validate_raises_the_first() -> None:
    draft = UpdateDraft(topic="x", title="", body="b" * 3000, link="ftp://nope")
    _cleaned, problems = check_draft(draft, {"general"})
    assert set(problems) == {"topic", "title", "body", "link"}
    with pytest.raises(InvalidUpdate) as caught:
        validate_draft(draft, {"general"})
    assert caught.value.field == "topic"
