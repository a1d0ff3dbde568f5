"""The demo on any date: its news, deadlines and surveys are placed relative to where its clock
starts, so a run in a later year tells the same story, although the shipped surveys' own dates
(and the news of the week they were written in) have long passed by then."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import ManualClock, system_clock
from bot.demo_seed import demo_start, seed_demo
from bot.services import Services
from bot.text import format_day, format_moment
from storage.models import Survey, Update
from tests.console.dialogue import check_dialogue, demo_settings, run_script

LONDON = ZoneInfo("Europe/London")
LATER_STARTS = [
    # The Monday after the shipped surveys closed; winter and summer time in the next year;
    # the week of a leap day.
    pytest.param(datetime(2026, 12, 14, 8, 30, tzinfo=LONDON), id="2026-12-14"),
    pytest.param(datetime(2027, 2, 1, 8, 30, tzinfo=LONDON), id="2027-02-01"),
    pytest.param(datetime(2027, 7, 12, 8, 30, tzinfo=LONDON), id="2027-07-12"),
    pytest.param(datetime(2028, 2, 28, 8, 30, tzinfo=LONDON), id="2028-02-28"),
]


@pytest.mark.parametrize("now", ["2026-11-23T08:30", "2026-11-29T23:59", "2027-07-15T10:00"])
def test_the_demo_starts_at_0830_on_the_monday_of_this_week(now: str) -> None:
    moment = datetime.fromisoformat(now).replace(tzinfo=LONDON)
    start = demo_start(moment)
    assert (start.weekday(), start.hour, start.minute) == (0, 8, 30)
    assert timedelta(0) <= moment - start < timedelta(days=7)


@pytest.mark.parametrize("start", LATER_STARTS)
async def test_seeded_in_a_later_year_the_surveys_are_open_and_the_news_is_fresh(
    start: datetime, tmp_path: Path
) -> None:
    settings = demo_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}")
    services = await Services.start(settings, clock=ManualClock(start))
    try:
        assert await seed_demo(services)
        async with services.sessions() as session:
            surveys = (await session.scalars(select(Survey).order_by(Survey.name))).all()
            updates = (await session.scalars(select(Update).order_by(Update.publish_at))).all()
    finally:
        await services.close()

    assert [(s.name, s.state) for s in surveys] == [
        ("dps-experience", "open"),
        ("vetting-experience", "open"),
    ]
    for survey in surveys:
        assert survey.opens_at < start < survey.closes_at < survey.deadline
        assert survey.closes_at - start > timedelta(days=14)  # time to answer, and a reminder
    assert [u.state for u in updates] == ["posted"] * 5 + ["scheduled"] * 2
    assert all(u.publish_at <= start for u in updates[:5])
    assert all(
        start - timedelta(days=8) < u.publish_at < start + timedelta(days=8) for u in updates
    )
    assert all(u.deadline >= start.date() for u in updates if u.deadline is not None)
    # No year in the news is before the demo's: "budgets for 2027-28" moves on with it.
    years = {int(y) for u in updates for y in re.findall(r"\b20\d\d\b", f"{u.title} {u.body}")}
    assert years and min(years) >= start.year


@pytest.mark.parametrize("start", LATER_STARTS)
def test_a_walk_through_a_later_year_gets_invitations_and_closes_the_surveys(
    start: datetime, tmp_path: Path
) -> None:
    invited = start + timedelta(minutes=30)  # 09:00, the working day's start
    closes = start + timedelta(days=18, hours=8, minutes=30)  # the third Friday, 17:00
    run = run_script(
        tmp_path,
        f"/in dm\n/clock +1h\n/as coordinator\n/clock {closes:%Y-%m-%d}T18:00\n"
        "/dps-update survey list\n",
        start=start,
    )
    assert run.status == 0, run.transcript
    check_dialogue(
        run,
        [
            (
                "/clock +1h",
                [
                    f"sectorbot → DM with Asha · {format_moment(invited, LONDON)}",
                    "Your experience of the prison education Dynamic Purchasing System",
                    f"Open until {format_moment(closes, LONDON)}.",
                    f"by {format_day(closes + timedelta(days=7), LONDON)}.",
                    "[1] Start [2] Not now [3] No thanks",
                ],
            ),
            ("/dps-update survey list", ["dps-experience", "vetting-experience", "closed"]),
        ],
    )
    assert "Traceback" not in run.transcript
    assert run.rows("SELECT state, count(*) FROM surveys GROUP BY state") == [("closed", 2)]


def test_without_a_start_the_demo_begins_this_week(tmp_path: Path) -> None:
    before = demo_start(system_clock())
    run = run_script(tmp_path, "/where\n", start=None)
    after = demo_start(datetime.now(UTC))
    assert run.status == 0, run.transcript
    said = {f"It is {format_moment(moment, LONDON)}." for moment in (before, after)}
    assert any(sentence in run.transcript for sentence in said), run.transcript
