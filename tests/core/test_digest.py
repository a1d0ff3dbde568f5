"""The digest as pure functions: when it is due (DST-safe), what it says, how it splits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.digest import (
    MAX_BLOCKS,
    MAX_CHARS,
    DigestData,
    DigestDeadline,
    DigestSurvey,
    DigestUpdate,
    build_digest,
    digest_moment,
    iso_week,
    preview_text,
)
from bot.messages import Context, Heading, Message, Paragraph

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, GMT


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (NOW, NOW),  # exactly on time
        (NOW - timedelta(minutes=1), NOW - timedelta(days=7)),  # a minute early: last week's
        (datetime(2026, 11, 29, 23, 0, tzinfo=UTC), NOW),  # Sunday night
        # After the clocks go forward, 09:00 in London is 08:00 UTC.
        (datetime(2026, 3, 30, 8, 30, tzinfo=UTC), datetime(2026, 3, 30, 8, 0, tzinfo=UTC)),
        # The Monday after they go back, 09:00 is 09:00 UTC again.
        (datetime(2026, 10, 26, 9, 0, tzinfo=UTC), datetime(2026, 10, 26, 9, 0, tzinfo=UTC)),
    ],
)
def test_digest_moment_on_the_local_wall_clock(now: datetime, expected: datetime) -> None:
    assert digest_moment(now, "mon", time(9, 0), LONDON) == expected


def test_iso_week_is_taken_in_the_network_zone() -> None:
    assert iso_week(NOW, LONDON) == "2026-W48"
    # 23:30 UTC on Sunday 28 Dec 2025 is still Sunday in London: week 52 of 2025.
    assert iso_week(datetime(2025, 12, 28, 23, 30, tzinfo=UTC), LONDON) == "2025-W52"


def _data(updates: int = 0, **extra: object) -> DigestData:
    items = [
        DigestUpdate(
            topic_title=("DPS budget", "Vetting", "General")[n % 3],
            title=f"Update {n:03d} about the round",
            body=("A long body with a <https://example.org/x|link> and words. " * 20),
            posted_at=NOW - timedelta(hours=n % 150),
            link="https://example.org/source",
            deadline=date(2026, 12, 1) if n % 7 == 0 else None,
        )
        for n in sorted(range(updates), key=lambda n: n % 3)
    ]
    fields: dict[str, object] = {"surveys": [], "deadlines": [], **extra}
    return DigestData(since=NOW - timedelta(days=7), until=NOW, updates=items, **fields)  # type: ignore[arg-type]


def _chars(message: Message) -> int:
    return sum(len(b.text) for b in message.blocks if isinstance(b, Heading | Paragraph | Context))


def test_a_long_digest_is_split_within_limits_and_complete() -> None:
    messages = build_digest(_data(300), LONDON)
    assert len(messages) > 1
    text = preview_text(messages)
    for n in range(300):
        assert text.count(f"*Update {n:03d} about the round*") == 1
    for number, message in enumerate(messages, start=1):
        assert len(message.blocks) <= MAX_BLOCKS
        assert _chars(message) <= MAX_CHARS
        assert all(len(b.text) <= 3000 for b in message.blocks if isinstance(b, Paragraph))
        assert f"(part {number} of {len(messages)})" in message.text
    assert "(continued)" in text.lower()  # a topic carried over says so


def test_excerpts_keep_link_labels_and_never_cut_a_link() -> None:
    [message] = build_digest(_data(1), LONDON)
    text = preview_text([message])
    assert "link and words" in text and "<https://example.org/x" not in text
    assert "<https://example.org/source|source>" in text


def test_surveys_and_deadlines_are_listed() -> None:
    data = _data(
        0,
        surveys=[DigestSurvey("DPS experience", NOW + timedelta(days=5), 1)],
        deadlines=[DigestDeadline(date(2026, 11, 28), "survey closes: DPS experience")],
    )
    text = preview_text(build_digest(data, LONDON, post_empty=False))
    assert "No new updates this week." in text
    assert "closes Sat 28 Nov 2026, 1 response so far" in text
    assert "*Sat 28 Nov 2026*: survey closes: DPS experience" in text


def test_an_empty_week_posts_a_short_note_or_nothing() -> None:
    [message] = build_digest(_data(0), LONDON, post_empty=True)
    assert "No new updates this week." in preview_text([message])
    assert len(message.blocks) == 4
    assert build_digest(_data(0), LONDON, post_empty=False) == []
