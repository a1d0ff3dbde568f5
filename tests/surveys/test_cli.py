"""`sectorbot survey ...` from a terminal: every fault in one run, messages that say what to do
next in the terminal's own words, and a coordinator's own definition opened from a file."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.services import Services
from bot.surveys.service import COMMAND_LINE, SurveyProblem, library_survey, open_survey
from bot.text import format_moment
from storage.models import Invitation, Survey
from tests.conftest import COORDINATOR
from tests.slack.server import SlackClient
from tests.surveys.conftest import command, invited, open_to_channel, run_cli

# Closes far in the future: the CLI runs on the real clock.
OWN = dedent(
    """\
    name: my-survey
    title: Our own survey
    intro: Thanks for helping.
    opens_at: 2026-11-16
    closes_at: 2099-12-11
    deadline: 2099-12-18
    questions:
      - id: barriers
        kind: multiple_choice
        text: What got in the way?
        options:
          - {value: time, label: Time}
          - {value: money, label: Money}
          - {value: none, label: None of these, exclusive: true}
      - {id: more, kind: free_text, text: "Anything else?", required: false}
    """
)


def write(folder: Path, text: str, name: str = "my-survey.yml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


async def cli(argv: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> int:
    return await asyncio.to_thread(run_cli, argv, env, monkeypatch)


async def surveys_stored(services: Services) -> int:
    async with services.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Survey)) or 0)


# -- validate ----------------------------------------------------------------------------------


async def test_validate_lists_every_fault_one_line_each(
    tmp_path: Path, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    broken = (
        OWN.replace("title: Our own survey", "title: ''")
        .replace("kind: multiple_choice", "kind: multiple_choise")
        .replace("required: false", "required: maybe")
    )
    path = write(tmp_path, broken)
    status = await cli(["survey", "validate", str(path)], cli_env, monkeypatch)
    out = capsys.readouterr()
    assert status == 2
    assert out.out == ""
    assert out.err.splitlines() == [
        "sectorbot: my-survey.yml: 'title' must not be empty",
        "sectorbot: my-survey.yml: question 'barriers': kind 'multiple_choise' must be one of "
        "single_choice, multiple_choice, scale, yes_no, free_text",
        "sectorbot: my-survey.yml: question 'more': 'required' must be true or false, not 'maybe'",
    ]


async def test_validate_warns_when_answers_are_not_anonymous(
    tmp_path: Path, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    path = write(tmp_path, OWN + "anonymous: false\n")
    status = await cli(["survey", "validate", str(path)], cli_env, monkeypatch)
    out = capsys.readouterr()
    assert status == 0  # a warning, not a fault
    assert "my-survey.yml: OK – my-survey" in out.out
    assert out.err == (
        "sectorbot: my-survey.yml: warning: anonymous is false: answers will be stored with the "
        "member; say so in the intro\n"
    )
    assert await cli(["survey", "validate", str(write(tmp_path, OWN))], cli_env, monkeypatch) == 0
    assert capsys.readouterr().err == ""


# -- open --------------------------------------------------------------------------------------


async def test_open_without_anyone_to_invite_says_how_to_name_them(
    services: Services, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    status = await cli(["survey", "open", "vetting-experience"], cli_env, monkeypatch)
    assert status == 2
    assert capsys.readouterr().err == (
        "sectorbot: Say who to invite: --channel CHANNEL_ID and/or --user USER_ID.\n"
    )
    assert await surveys_stored(services) == 0


async def test_an_unknown_name_is_reported_before_the_missing_slack_token(
    services: Services, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    status = await cli(
        ["survey", "open", "vetting-experiance", "--channel", "C0123ABCD"], cli_env, monkeypatch
    )
    err = capsys.readouterr().err
    assert status == 2
    assert err == (
        "sectorbot: I don't know a survey called vetting-experiance. Known surveys: "
        "dps-experience, vetting-experience. To open your own definition, add --file PATH.\n"
    )
    # With a known name, the token is what is missing.
    status = await cli(
        ["survey", "open", "vetting-experience", "--channel", "C0123ABCD"], cli_env, monkeypatch
    )
    assert status == 2 and "--channel needs SLACK_BOT_TOKEN" in capsys.readouterr().err
    assert await surveys_stored(services) == 0


async def test_a_shipped_survey_past_its_close_is_refused_and_opens_on_new_dates(
    services: Services, clock: ManualClock
) -> None:
    zone = services.settings.timezone
    shipped = library_survey("dps-experience", zone)
    clock.set(shipped.definition.closes_at + timedelta(minutes=1))
    with pytest.raises(SurveyProblem) as refused:
        await open_survey(services, "dps-experience", ["UALICE01"], actor=COORDINATOR)
    assert refused.value.worded(COMMAND_LINE) == (
        f"dps-experience closed on {format_moment(shipped.definition.closes_at, zone)}. "
        "Change its dates in the definition before opening it."
    )
    assert await surveys_stored(services) == 0
    # The same questions on dates of their own open as any definition does.
    now = clock()
    again = shipped.rescheduled(
        zone, opens_at=now, closes_at=now + timedelta(weeks=3), deadline=now + timedelta(weeks=4)
    )
    opened = await open_survey(
        services, "dps-experience", ["UALICE01"], actor=COORDINATOR, source=again
    )
    assert (opened.invited, opened.closes_at) == (1, now + timedelta(weeks=3))
    assert again.definition.questions == shipped.definition.questions


@pytest.mark.parametrize("action", [["close"], ["report", "--out", "out"]])
async def test_hints_name_the_terminal_command(
    services: Services,
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    action: list[str],
) -> None:
    status = await cli(["survey", action[0], "nosuch", *action[1:]], cli_env, monkeypatch)
    err = capsys.readouterr().err
    assert status == 2
    assert err == (
        "sectorbot: No survey called nosuch has been opened. sectorbot survey list shows them.\n"
    )


async def test_open_a_coordinators_own_definition_from_a_file(
    services: Services,
    tmp_path: Path,
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    path = write(tmp_path, OWN)
    status = await cli(
        ["survey", "open", "my-survey", "--file", str(path), "--user", "UALICE01"],
        cli_env,
        monkeypatch,
    )
    out = capsys.readouterr()
    assert status == 0, out.err
    assert "Opened my-survey: 1 invitation(s) queued" in out.out
    async with services.sessions() as session:
        survey = await session.scalar(select(Survey).where(Survey.name == "my-survey"))
        assert survey is not None
        invitations = await session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.survey_id == survey.id)
        )
    # The wording is stored with the run, so editing the file later changes nothing under way.
    assert survey.definition == OWN and survey.title == "Our own survey" and invitations == 1
    assert await cli(["survey", "close", "my-survey"], cli_env, monkeypatch) == 0


async def test_a_faulty_or_misnamed_file_is_refused_and_nothing_opens(
    services: Services,
    tmp_path: Path,
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    faulty = write(tmp_path, OWN.replace("title: Our own survey", "title: ''").replace("2099", "x"))
    status = await cli(
        ["survey", "open", "my-survey", "--file", str(faulty), "--user", "UALICE01"],
        cli_env,
        monkeypatch,
    )
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("sectorbot: my-survey.yml: 'title' must not be empty (and 2 more: ")
    assert f"sectorbot survey validate {faulty} lists them all)" in err
    status = await cli(
        ["survey", "open", "other", "--file", str(write(tmp_path, OWN)), "--user", "UALICE01"],
        cli_env,
        monkeypatch,
    )
    assert status == 2
    assert capsys.readouterr().err == (
        "sectorbot: my-survey.yml defines the survey my-survey, not other.\n"
    )
    assert await surveys_stored(services) == 0


# -- the same problems in chat keep chat's wording -------------------------------------------


async def test_chat_names_chat_commands(
    services: Services, bot: SlackClient, fake_slack: Any
) -> None:
    fake_slack.set_members("CNET", [])
    unknown = await command(bot, fake_slack, "survey open nosuch")
    assert "I don't know a survey called `nosuch`. Known surveys: `dps-experience`" in unknown
    assert "--file" not in unknown
    empty = await command(bot, fake_slack, "survey open vetting-experience")
    assert "There is nobody to invite: the channel seems to be empty." in empty
    closing = await command(bot, fake_slack, "survey close nosuch")
    assert "`/dps-update survey list` shows them." in closing


async def test_none_of_these_with_another_answer_is_refused_in_slack(
    services: Services, bot: SlackClient, fake_slack: Any
) -> None:
    await open_to_channel(bot, fake_slack, members=["UALICE01"])
    alice = (await invited(services, bot, fake_slack))["UALICE01"]
    await alice.press("Start")
    for label in ("Other", "Wales", "Yes", "4 – Easy", "Tight but manageable"):
        await alice.choose(label)
    await alice.tick(["Payment in arrears or cash flow", "None of these"])
    assert alice.replies[-1].strip() == (
        "'None of these' can't be combined with other answers. Please choose again."
    )
    assert "Which of these have made costing a bid difficult?" in alice.text
    await alice.tick(["None of these"])
    assert "✓ Saved: None of these" in alice.text
