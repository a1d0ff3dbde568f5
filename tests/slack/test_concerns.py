"""Reporting a confusing message: recorded without a name, coordinators told once, redacted."""

from __future__ import annotations

import asyncio
import csv
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.services import Services
from storage.models import Concern, OutboxItem
from storage.repositories.concerns import add_concern
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack.interact import audit_actions, counts, opened_view, run, submit
from tests.slack.server import running_bot

SAID = "HMP Leeds told us the ITT closes Friday; the portal says Monday. Ask jo@example.org"


def with_channel(services: Services, channel: str | None) -> Services:
    settings = replace(services.settings, coordinators_channel=channel)
    return Services(settings, services.engine, services.sessions, services.clock)


async def _concerns(services: Services) -> list[Concern]:
    async with services.sessions() as session:
        return list((await session.scalars(select(Concern))).all())


async def test_report_text_is_recorded_and_coordinators_are_told_once(
    services: Services, fake_slack: FakeSlackAPI
) -> None:
    told = with_channel(services, "CCOORD")
    async with running_bot(told, SIGNING_SECRET) as client:
        await run(client, fake_slack, f"report {SAID}", user="U1")
        said = await fake_slack.async_wait_for_text("We've recorded this without your name")
    assert "Traceback" not in "".join(said)
    [concern] = await _concerns(services)
    assert concern.text == SAID
    assert not hasattr(concern, "user_id")
    async with services.sessions() as session:
        [item] = (await session.scalars(select(OutboxItem))).all()
    assert item.key == f"concern:{concern.id}:notify"
    assert item.conversation == "CCOORD"
    assert "jo@example.org" not in str(item.payload) and "[email]" in str(item.payload)


async def test_no_coordinators_channel_means_no_notice(
    services: Services, fake_slack: FakeSlackAPI
) -> None:
    async with running_bot(with_channel(services, None), SIGNING_SECRET) as client:
        await run(client, fake_slack, "report They said two different things", user="U1")
        await fake_slack.async_wait_for_text("Thank you.")
    assert (await counts(services))["outbox"] == 0
    assert len(await _concerns(services)) == 1


async def test_too_long_a_report_is_refused_plainly(
    services: Services, fake_slack: FakeSlackAPI
) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        await run(client, fake_slack, "report " + "x" * 3001, user="U1")
        await fake_slack.async_wait_for_text("please keep it under 3,000")
    assert await _concerns(services) == []


async def test_report_without_text_opens_the_form(
    services: Services, fake_slack: FakeSlackAPI
) -> None:
    async with running_bot(with_channel(services, "CCOORD"), SIGNING_SECRET) as client:
        await run(client, fake_slack, "report", user="U1")
        view = await opened_view(fake_slack)
        assert view["callback_id"] == "concern.report"
        bad = await submit(client, "concern.report", {"topic": None, "text": "y" * 3001}, user="U1")
        assert bad["response_action"] == "errors" and "3,000" in bad["errors"]["text"]
        forged = await submit(client, "concern.report", {"topic": "nope", "text": "Hi"}, user="U1")
        assert set(forged["errors"]) == {"topic"}
        ack = await submit(
            client,
            "concern.report",
            {"topic": "vetting", "place": "HMP Leeds", "text": SAID},
            user="U1",
        )
        assert ack == {}
        await fake_slack.async_wait_for_text("We've recorded this without your name")
    [concern] = await _concerns(services)
    assert (concern.topic, concern.place) == ("vetting", "HMP Leeds")


async def test_coordinators_see_recent_concerns_redacted(
    services: Services, fake_slack: FakeSlackAPI
) -> None:
    async with services.sessions.begin() as session:
        await add_concern(
            session,
            text=SAID + " <!channel>",
            topic="dps-commissioning",
            place=None,
            at=services.clock(),
        )
    async with running_bot(services, SIGNING_SECRET) as client:
        await run(client, fake_slack, "concerns")
        answer = (await fake_slack.async_wait_for_response(1, name="cmd"))[0].body
    text = str(answer["blocks"])
    assert "the portal says Monday" in text
    assert "jo@example.org" not in text and "<!channel>" not in text
    assert "Mon 23 Nov 2026" in text
    assert "names we could spot are hidden; please check before sharing" in text
    assert await audit_actions(services) == ["concerns.view"]


async def test_export_writes_redacted_formula_safe_csv(
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_env_file: Path,
) -> None:
    async with services.sessions.begin() as session:
        await add_concern(
            session, text='=HYPERLINK("http://x")', topic=None, place="HMP A", at=services.clock()
        )
        await add_concern(session, text=SAID, topic="vetting", place=None, at=services.clock())
    monkeypatch.setenv("DATABASE_URL", services.settings.database_url)
    out = tmp_path / "concerns.csv"
    status = await asyncio.to_thread(main, ["concerns", "export", "--out", str(out)])
    assert status == 0
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0] == ["id", "reported_on", "topic", "place", "what_was_said", "state"]
    assert rows[1][4].startswith("'=")
    assert "[email]" in rows[2][4] and "jo@example.org" not in out.read_text(encoding="utf-8-sig")
    assert await audit_actions(services) == ["concerns.export"]


async def test_export_to_an_unwritable_place_is_one_plain_line(
    services: Services, monkeypatch: pytest.MonkeyPatch, no_env_file: Path, capsys: Any
) -> None:
    monkeypatch.setenv("DATABASE_URL", services.settings.database_url)
    status = await asyncio.to_thread(
        main, ["concerns", "export", "--out", str(no_env_file / "missing" / "x.csv")]
    )
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("sectorbot: cannot write") and "Traceback" not in err
