"""Every coordinator entry point, tried by a member: each answers "Only coordinators can ..."
and leaves every table exactly as it was.

Slack entries go through the real app as signed requests (forged payloads included: a member
can send any button value or form Slack would sign). The registry check at the bottom fails
when a feature adds a command, button or form without deciding here who may use it.

The CLI (`sectorbot survey open`, `updates add`, ...) is for operators with the database and
the environment in hand; it is not a Slack user and has no coordinator check. Its tests here
check only that it refuses bad arguments cleanly and changes nothing.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.interactions import known_actions, known_commands, known_forms
from bot.services import Services
from bot.surveys.service import open_survey
from storage.repositories.concerns import add_concern
from storage.repositories.updates import add_update
from tests.conftest import SIGNING_SECRET
from tests.console.dialogue import run_script
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack.interact import press, run, submit
from tests.slack.server import running_bot
from tests.slack.test_scheduled_and_permissions import shortcut
from tests.snapshot import snapshot

MEMBER = "U1"

COMMANDS = [
    "new",
    "scheduled",
    "concerns",
    "digest on",
    "digest off",
    "survey open dps-experience <#CNET|network>",
    "survey close dps-experience",
    "survey progress dps-experience",
    "survey report dps-experience",
    "survey list",
]
BUTTONS = ["new", "publish", "schedule", "edit", "discard", "withdraw"]
SLACK_ENTRIES = [
    *(f"command {c}" for c in COMMANDS),
    "shortcut",
    *(f"button {b}" for b in BUTTONS),
    *(f"button {b} scheduled" for b in ("edit", "discard", "withdraw")),
    "form new",
    "form edit",
]

# Who may use each registered command, button and form: decided here, on purpose.
COORDINATOR_ACTIONS = {f"update.{b}" for b in BUTTONS}
MEMBER_ACTIONS = {
    *(f"survey.{a}" for a in ("start", "later", "decline", "answer", "text", "back", "change")),
    "survey.stop",
    "survey.submit",
    "privacy.forget",
    "privacy.keep",
}
COORDINATOR_FORMS = {"update.write"}
MEMBER_FORMS = {"concern.report", "survey.text"}
COORDINATOR_COMMANDS = {"new", "scheduled", "concerns", "digest"}
MEMBER_COMMANDS = {"topics", "report", "my-data", "forget-me", "subscribe", "unsubscribe"}
MIXED_COMMANDS = {"survey"}  # bare: a member's own surveys; with a verb: coordinators only


async def _seed(services: Services, clock: Any) -> dict[str, int]:
    async with services.sessions.begin() as session:
        ids = {}
        for state, hours in (("draft", 2), ("scheduled", 1)):
            update = await add_update(
                session,
                topic="general",
                title=f"A {state} update",
                body="Body.",
                author="UCOORD1",
                publish_at=clock() + timedelta(hours=hours),
                state=state,
            )
            ids[state] = update.id
        await add_concern(
            session, text="Two prisons, two answers", topic=None, place=None, at=clock()
        )
    await open_survey(services, "dps-experience", ["UALICE01"], actor="UCOORD1")
    return ids


@pytest.mark.parametrize("entry", SLACK_ENTRIES)
async def test_a_member_is_refused_in_slack_and_nothing_changes(
    services: Services, fake_slack: FakeSlackAPI, clock: Any, entry: str
) -> None:
    if entry.startswith("command digest") and "digest" not in known_commands():
        pytest.skip("digest on|off is not in this version of the bot")
    ids = await _seed(services, clock)
    before = await snapshot(services)
    kind, _, what = entry.partition(" ")
    async with running_bot(services, SIGNING_SECRET) as client:
        if kind == "command":
            await run(client, fake_slack, what, user=MEMBER)
        elif kind == "shortcut":
            await shortcut(client, MEMBER)
        elif kind == "button":
            name, _, which = what.partition(" ")
            target = ids[which or "draft"]
            await press(client, fake_slack, f"update.{name}", f"{target}:now", user=MEMBER)
        else:
            private = f"update:{ids['scheduled']}" if what == "edit" else ""
            await submit(
                client,
                "update.write",
                {"topic": "general", "title": "Mine", "body": "Sneaky.", "link": None},
                user=MEMBER,
                private=private,
            )
        said = await fake_slack.async_wait_for_text("Only coordinators can")
    assert "Traceback" not in "".join(said)
    assert fake_slack.calls("views.open") == [] and fake_slack.uploads == []
    assert await snapshot(services) == before


def _real(names: set[str]) -> set[str]:
    return {n for n in names if "test" not in n}  # other tests register their own


def test_every_command_button_and_form_has_a_decided_audience() -> None:
    assert _real(known_actions()) == COORDINATOR_ACTIONS | MEMBER_ACTIONS
    assert _real(known_forms()) == COORDINATOR_FORMS | MEMBER_FORMS
    assert _real(known_commands()) <= COORDINATOR_COMMANDS | MEMBER_COMMANDS | MIXED_COMMANDS
    assert {"new", "scheduled", "concerns", "survey"} <= known_commands()


CONSOLE_TRIES = [
    "/dps-update new",
    "/dps-update scheduled",
    "/dps-update concerns",
    "/dps-update survey open dps-experience",
    "/dps-update survey close dps-experience",
    "/dps-update survey progress dps-experience",
    "/dps-update survey report dps-experience",
    "/dps-update survey list",
]


def _all_rows(run: Any) -> dict[str, list[Any]]:
    tables = [t for (t,) in run.rows("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {
        t: sorted(map(repr, run.rows(f'SELECT * FROM "{t}"')))
        for t in tables
        if t not in ("processed_events", "alembic_version")
    }


def test_a_member_in_the_console_demo_cannot_run_coordinator_commands(tmp_path: Path) -> None:
    first = run_script(tmp_path, "/as member Ben\n/where\n")
    before = _all_rows(first)
    run = run_script(tmp_path, "/as member Ben\n" + "".join(f"{t}\n" for t in CONSOLE_TRIES))
    assert run.status == 0
    answers = {t.said: t.flat for t in run.turns()}
    for typed in CONSOLE_TRIES:
        assert "Only coordinators can" in answers[typed], (typed, answers[typed])
    assert _all_rows(run) == before


def _cli(args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = cli.main(args)
        except SystemExit as exit_:  # argparse refuses with status 2
            status = int(exit_.code or 0)
    return status, out.getvalue() + err.getvalue()


CLI_BAD_ARGS = [
    ["survey", "open"],
    ["survey", "open", "no-such-survey", "--user", "U1"],
    ["survey", "close", "never-opened"],
    ["survey", "report", "never-opened", "--out", "reports"],
    ["updates", "add", "--topic", "nonsense", "--title", "T", "--body-file", "missing.md"],
    ["updates", "add", "--topic", "general", "--title", "T", "--body-file", "missing.md"],
    ["survey", "frobnicate"],
    ["updates", "add", "--topic", "general", "--title", "T", "--body-file", "body.md",
     "--publish-at", "2020-01-01T10:00"],
    ["updates", "add", "--topic", "general", "--title", "T", "--body-file", "body.md",
     "--link", "http://example.org"],
    ["updates", "add", "--topic", "general", "--title", "T", "--body-file", "body.md",
     "--deadline", "2020-01-01"],
]  # fmt: skip


@pytest.mark.parametrize("args", CLI_BAD_ARGS, ids=" ".join)
def test_the_cli_refuses_bad_arguments_in_one_line_and_changes_nothing(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "TEAMS_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    assert _cli(["db", "upgrade"])[0] == 0
    (tmp_path / "body.md").write_text("A real body.")
    before = (tmp_path / "cli.db").read_bytes()
    status, said = _cli(args)
    assert status == 2, said
    assert "Traceback" not in said and said.strip()
    assert (tmp_path / "cli.db").read_bytes() == before
