"""After an anonymous submission nothing stored or exported links an answer to a person; reports
reach only the coordinator; the CLI validates definitions and writes a 200-response report."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, select, text

from bot.clock import ManualClock
from bot.services import Services
from bot.surveys.loader import load_survey_file
from bot.surveys.timing import next_working_moment
from storage.models import Invitation, Member, Survey, SurveyResponse
from storage.repositories.surveys import add_response
from tests.slack.server import SlackClient
from tests.surveys.conftest import MEMBERS, command, invited, open_to_channel
from tests.surveys.conftest import run_cli as _run_cli
from tests.surveys.definitions import shipped_survey_file
from tests.surveys.test_answering import answer_registered_path, answer_unregistered_path

SECRETS = ("ZEBRA-ALICE-7731", "ZEBRA-BOBBY-4402")


async def _rows_of_every_table(services: Services) -> dict[str, list[dict[str, Any]]]:
    async with services.engine.connect() as connection:
        names = await connection.run_sync(lambda c: inspect(c).get_table_names())
        return {
            name: [
                dict(r._mapping) for r in await connection.execute(text(f'SELECT * FROM "{name}"'))
            ]
            for name in names
        }


async def test_no_stored_row_or_export_links_an_answer_to_a_person(
    services: Services, bot: SlackClient, fake_slack: Any, clock: ManualClock, tmp_path: Path
) -> None:
    await open_to_channel(bot, fake_slack)
    dms = await invited(services, bot, fake_slack)
    await asyncio.gather(
        answer_registered_path(dms["UALICE01"], secret=SECRETS[0]),
        answer_unregistered_path(dms["UBOBBY02"], secret=SECRETS[1]),
    )
    await asyncio.gather(dms["UALICE01"].press("Submit"), dms["UBOBBY02"].press("Submit"))

    tables = await _rows_of_every_table(services)
    async with services.sessions() as session:
        member_ids = {m.id for m in await session.scalars(select(Member))}
        invitation_ids = {i.id for i in await session.scalars(select(Invitation))}
    assert tables["draft_answers"] == []
    responses = tables["survey_responses"]
    assert len(responses) == 2
    assert set(responses[0]) == {"id", "survey_id", "submitted_on", "answers", "member_id"}
    for row in responses:
        assert row["member_id"] is None
        assert str(row["submitted_on"]) == "2026-11-23"  # a day, never a time
        flat = str(row["answers"])
        assert not any(user in flat for user in MEMBERS)
    # The typed answers live in survey_responses and nowhere else (no draft, log or outbox copy).
    for name, rows in tables.items():
        flat = repr(rows)
        for secret in SECRETS:
            assert (secret in flat) == (name == "survey_responses"), (name, secret)
    # Nothing that was written at submission time carries a time that could be matched up.
    for invitation in tables["invitations"]:
        assert set(invitation) >= {"state", "version"}
        assert "completed_at" not in invitation and "submitted_at" not in invitation

    clock.set(datetime(2026, 12, 12, 9, 0, tzinfo=UTC))
    await command(bot, fake_slack, "survey close dps-experience")
    report = await command(bot, fake_slack, "survey report dps-experience")
    assert "2 response(s)" in report
    uploads = await asyncio.to_thread(_wait_uploads, fake_slack, 2)
    completes = await fake_slack.async_wait_for("files.completeUploadExternal")
    assert completes[-1].params["channel_id"] == "DUCOORD1"  # the coordinator's DM only
    for upload in uploads:
        content = upload.data.decode("utf-8-sig")
        assert not any(user in content for user in [*MEMBERS, "UCOORD1"])
    csv_upload = next(u for u in uploads if (u.filename or "").endswith(".csv"))
    header = next(csv.reader(csv_upload.data.decode("utf-8-sig").splitlines()))
    assert "member_id" not in header and "submitted_on" not in header
    assert not set(header) & {str(i) for i in member_ids | invitation_ids}


def _wait_uploads(fake: Any, count: int) -> list[Any]:
    assert fake._wait(lambda: len(fake.uploads) >= count, 10.0)
    return fake.uploads


async def test_one_response_per_organisation(
    services: Services, bot: SlackClient, fake_slack: Any
) -> None:
    await open_to_channel(bot, fake_slack, members=["UALICE01", "UBOBBY02"])
    async with services.sessions.begin() as session:
        from storage.models import Organisation

        organisation = Organisation(name="Second Chances CIC")
        session.add(organisation)
        await session.flush()
        for member in await session.scalars(select(Member)):
            member.organisation_id = organisation.id
    dms = await invited(services, bot, fake_slack)
    await asyncio.gather(
        answer_registered_path(dms["UALICE01"]), answer_unregistered_path(dms["UBOBBY02"])
    )
    await dms["UALICE01"].press("Submit")
    await dms["UBOBBY02"].press("Submit")
    assert "Someone from your organisation has already answered" in dms["UBOBBY02"].text
    async with services.sessions() as session:
        assert len((await session.scalars(select(SurveyResponse))).all()) == 1


async def test_results_stay_hidden_until_close(
    services: Services, bot: SlackClient, fake_slack: Any
) -> None:
    await open_to_channel(bot, fake_slack, members=["UALICE01"])
    report = await command(bot, fake_slack, "survey report dps-experience")
    assert "stay hidden until it closes on Fri 11 Dec 2026, 17:00" in report
    assert fake_slack.uploads == []


async def test_cli_validate_names_the_file_question_and_fault(
    tmp_path: Path, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    library = Path(__file__).parents[2] / "bot/surveys/library/vetting-experience.yml"
    good = await asyncio.to_thread(
        _run_cli, ["survey", "validate", str(library)], cli_env, monkeypatch
    )
    assert good == 0 and "OK – vetting-experience" in capsys.readouterr().out
    broken = tmp_path / "broken.yml"
    broken.write_text(
        library.read_text(encoding="utf-8")
        .replace("name: vetting-experience", "name: broken")
        .replace("kind: single_choice", "kind: single_choise", 1),
        encoding="utf-8",
    )
    bad = await asyncio.to_thread(
        _run_cli, ["survey", "validate", str(broken)], cli_env, monkeypatch
    )
    err = capsys.readouterr().err.strip()
    assert bad == 2
    assert err.startswith("sectorbot: broken.yml: question 'org_type':") and "single_choise" in err
    assert "\n" not in err and "Traceback" not in err


async def test_cli_opens_and_reports_two_hundred_responses(
    services: Services,
    tmp_path: Path,
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    definition_file = shipped_survey_file(tmp_path, "vetting-experience")  # CLI: the real clock
    planned = load_survey_file(definition_file).closes_at.astimezone(ZoneInfo("Europe/London"))
    opening = ["survey", "open", "vetting-experience", "--file", str(definition_file)]
    opened = await asyncio.to_thread(
        _run_cli,
        [*opening, "--user", "UALICE01", "--user", "UBOBBY02"],
        cli_env,
        monkeypatch,
    )
    out = capsys.readouterr()
    assert opened == 0, out.err
    assert "2 invitation(s) queued" in out.out
    async with services.sessions.begin() as session:
        survey = await session.scalar(select(Survey).where(Survey.name == "vetting-experience"))
        assert survey is not None
        kinds = ["small-charity", "medium-charity", "large-charity", "social-enterprise"]
        for n in range(200):
            await add_response(
                session,
                survey_id=survey.id,
                submitted_on=date(2026, 11, 23 + n % 5),
                answers={"org_type": kinds[n % 4], "region": "london"},
                member_id=None,
            )
    closed = await asyncio.to_thread(
        _run_cli, ["survey", "close", "vetting-experience"], cli_env, monkeypatch
    )
    assert closed == 0, capsys.readouterr().err
    out_dir = tmp_path / "report"
    status = await asyncio.to_thread(
        _run_cli,
        ["survey", "report", "vetting-experience", "--out", str(out_dir)],
        cli_env,
        monkeypatch,
    )
    assert status == 0, capsys.readouterr().err
    rows = list(csv.reader((out_dir / "responses.csv").read_text("utf-8-sig").splitlines()))
    assert len(rows) == 201
    html = (out_dir / "report.html").read_text("utf-8")
    assert "200" in html and "UALICE01" not in html
    # Closed by hand before its planned close: the report says so, from Survey.closed_at.
    assert f"closed early (planned {planned.day} {planned:%b})" in html
    assert "Feedback due" in html and "Deadline" not in html
    listed = await asyncio.to_thread(_run_cli, ["survey", "list"], cli_env, monkeypatch)
    assert listed == 0 and "vetting-experience" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        ("2026-11-23T10:00", "Europe/London", "2026-11-23T10:00"),  # Monday, working hours
        ("2026-11-23T18:00", "Europe/London", "2026-11-24T09:00"),  # end of the day
        ("2026-11-27T19:00", "Europe/London", "2026-11-30T09:00"),  # Friday evening
        ("2026-11-28T12:00", "Europe/London", "2026-11-30T09:00"),  # Saturday
        ("2026-11-23T04:00", "America/New_York", "2026-11-23T09:00"),  # early morning
    ],
)
def test_next_working_moment(now: str, zone: str, expected: str) -> None:
    tz = ZoneInfo(zone)
    moment = datetime.fromisoformat(now).replace(tzinfo=tz)
    assert next_working_moment(moment, tz) == datetime.fromisoformat(expected).replace(tzinfo=tz)
