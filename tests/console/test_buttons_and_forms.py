"""Posts from the outbox, numbered buttons and forms as prompts, through the real registry.

A test feature posts a question to Asha's DM through the outbox (as a survey invitation will);
the console must deliver it, send the values Slack would send for each press, and run its form
as prompts, re-asking only what the form handler rejected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.interactions import ActionResult, Caller, Form, FormField, FormResult, action, form
from bot.messages import Actions, Button, Choice, ChoiceOption, Heading, Message, Paragraph, plain
from bot.outbox import on_sent
from bot.services import Services
from storage.models import OutboxItem
from tests.console.dialogue import check_dialogue, queue_post, run_script

pressed: list[tuple[str, str, str]] = []  # (action, user, value)
submitted: list[dict[str, str]] = []
sent_ids: list[str] = []

ROUTING = "inv7:q3:v1"
QUESTION = Message(
    text="Which of these has your organisation done?",
    blocks=(
        Heading("DPS experience survey"),
        Paragraph("*Which of these has your organisation done?*"),
        Choice(
            action="test.console.answer",
            kind="multiple",
            value=ROUTING,
            options=(
                ChoiceOption("Registered on the DPS portal", "portal"),
                ChoiceOption("Responded to a call-out", "call-out"),
                ChoiceOption("Bid in a commissioning round", "itt"),
            ),
        ),
        Actions(
            (
                Button("Next", "test.console.answer", value=ROUTING, style="primary"),
                Button("Break", "test.console.boom"),
                Button("About the DPS", "test.console.link", url="https://example.org/dps"),
            )
        ),
    ),
)
TELL_MORE = Choice(action="test.console.ask", kind="text", value="inv7:q5", placeholder="Tell us")


@action("test.console.answer")
async def _answer(services: Services, caller: Caller, value: str) -> ActionResult:
    pressed.append(("answer", caller.user_id, value))
    follow_up = Choice(
        action="test.console.pick",
        kind="single",
        value="inv7:q4",
        options=(ChoiceOption("Yes", "yes"), ChoiceOption("No", "no")),
    )
    return ActionResult(
        replace=Message(text="Next", blocks=(Paragraph("Was it worth it?"), follow_up, TELL_MORE))
    )


@action("test.console.pick")
async def _pick(services: Services, caller: Caller, value: str) -> ActionResult:
    pressed.append(("pick", caller.user_id, value))
    return ActionResult(reply=plain(f"Noted: {value}"))


@action("test.console.boom")
async def _boom(services: Services, caller: Caller, value: str) -> ActionResult:
    raise RuntimeError("the test feature broke")


@action("test.console.ask")
async def _ask(services: Services, caller: Caller, value: str) -> ActionResult:
    fields = (
        FormField("org", "Your organisation", max_length=20),
        FormField("story", "What happened?", kind="multiline"),
        FormField(
            "region", "Region", kind="select", options=(("nw", "North West"), ("ldn", "London"))
        ),
        FormField(
            "topics",
            "Topics",
            kind="checkboxes",
            options=(("b", "Budgets"), ("c", "Call-outs"), ("v", "Vetting")),
        ),
        FormField("by", "Reply by", kind="date"),
        FormField("when", "Meeting", kind="datetime", required=False),
    )
    return ActionResult(
        form=Form(action="test.console.form", title="Tell us", fields=fields, private=value)
    )


@form("test.console.form")
async def _form(
    services: Services, caller: Caller, values: Mapping[str, str], private: str
) -> FormResult:
    submitted.append({**values, "_private": private, "_channel": caller.channel_id})
    if values["org"] != "Open Book":
        return FormResult(errors={"org": "Please use your organisation's short name."})
    return FormResult(
        reply=plain(f"Thanks, {values['org']}."),
        replace=Message(text="Answered", blocks=(Paragraph("Thank you."), TELL_MORE)),
    )


@on_sent("test.console")
async def _sent(session: AsyncSession, items: Sequence[OutboxItem]) -> None:
    sent_ids.extend(item.message_ts or "" for item in items)


SCRIPT = """\
/in dm
9
1,4
/press 5
# the feature broke; the demo carries on
1,3
2
3

An organisation with a long name
Open Bk
We run reading groups in two prisons.
Families join us on visit days.
.
7
2
1,3
soon
2026-12-04
2026-12-01 09:00
Open Book
1
/cancel
1
"""

DIALOGUE = [
    (
        "/in dm",
        [
            "Still waiting for an answer here:",
            "DPS experience survey",
            "[1] Registered on the DPS portal",
            "[4] Next [5] Break",
            "About the DPS (https://example.org/dps)",
            "Choose all that apply: type the numbers, like 1,3.",
        ],
    ),
    ("9", ["Please choose a number from 1 to 5."]),
    ("1,4", ["Only options of one question that allows several answers can go together"]),
    ("/press 5", ["Sorry, something went wrong on our side and nothing was saved."]),
    (
        "1,3",
        [
            "Asha chose: Registered on the DPS portal, Bid in a commissioning round",
            "sectorbot (message updated)",
            "Was it worth it?",
            "[1] Yes [2] No",
            "[3] Tell us",
        ],
    ),
    ("3", ["Tell us", "Your organisation", "Up to 20 characters."]),
]


def test_buttons_choices_and_forms_send_what_slack_would(tmp_path: Path) -> None:
    pressed.clear(), submitted.clear(), sent_ids.clear()
    queue_post(
        tmp_path / "demo.db",
        key="test-console:inv7",
        kind="test.console",
        conversation="UDEMOASHA",  # to a person: their DM with the bot
        message=QUESTION,
    )

    run = run_script(tmp_path, SCRIPT)

    assert run.status == 0
    check_dialogue(run, DIALOGUE)
    flat = " ".join(run.transcript.split())
    # Delivered from the outbox into Asha's DM, once, with the sent-hook run.
    assert flat.count("sectorbot → DM with Asha · Mon 23 Nov 2026, 08:30") == 1
    sent = run.rows(
        "SELECT state, message_ts, attempts FROM outbox WHERE key = 'test-console:inv7'"
    )
    assert sent == [("sent", "console-1", 1)]
    assert sent_ids == ["console-1"]
    # The same values Slack sends: the ticked options via the Next button, then a single
    # choice as ROUTING|OPTION.
    assert pressed == [
        ("answer", "UDEMOASHA", f"{ROUTING}|portal,itt"),
        ("pick", "UDEMOASHA", "inv7:q4|no"),
    ]
    # Form: checked before sending as Slack's modal would, then re-asked only for the rejected
    # field; values as Slack submits them (a datetime is a Unix timestamp).
    assert "This one is needed." in flat
    assert "That is 32 characters; the limit is 20." in flat
    assert "Please choose by number, from 1 to 2." in flat
    assert "Please give a date like 2026-12-04." in flat
    assert "Please use your organisation's short name." in flat
    meeting = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    assert submitted[0] == {
        "org": "Open Bk",
        "story": "We run reading groups in two prisons.\nFamilies join us on visit days.",
        "region": "ldn",
        "topics": "b,v",
        "by": "2026-12-04",
        "when": str(int(meeting.timestamp())),
        "_private": "inv7:q5",
        "_channel": "DDEMOASHA",
    }
    assert submitted[1] == {**submitted[0], "org": "Open Book"}
    assert "Thanks, Open Book." in flat
    # A form left with /cancel, and one left by the end of the script, send nothing.
    assert len(submitted) == 2
    assert flat.count("Form closed; nothing was sent.") == 2
    assert "Goodbye" in flat
    assert "Traceback" not in run.transcript
    assert "RuntimeError: the test feature broke" in (tmp_path / "demo.log").read_text()
