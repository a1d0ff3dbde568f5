"""What a member sees of a survey, as neutral messages: the invitation, each question, the
summary, and the short notes in between. Plain, warm wording; no platform here.

Every button that changes something carries `invitation:question:version` (see `Routing`), so a
stale or double-clicked button can be recognised and ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.messages import Actions, Button, Choice, ChoiceOption, Context, Heading, Message, Paragraph
from bot.surveys.engine import format_answer, previous_question_id, progress
from bot.surveys.model import AnswerValue, Question, SurveyDefinition
from bot.text import escape_mrkdwn, format_day, format_moment, shorten

SUMMARY = "-"  # the question id a summary's buttons carry
SUMMARY_ANSWER_LIMIT = 300
# Per-answer Change buttons cost two blocks each; past this many, one compact list instead.
ROOMY_SUMMARY = 20
# Under every free-text question: answers go to HMPPS and the MoJ, and redaction can miss a name.
NO_NAMES_HINT = (
    "Please don't name anyone (staff, learners or prisoners). We hide the names we can spot, "
    "but may miss some."
)


@dataclass(frozen=True)
class Routing:
    invitation_id: int
    question_id: str
    version: int

    def encode(self) -> str:
        return f"{self.invitation_id}:{self.question_id}:{self.version}"

    @classmethod
    def decode(cls, value: str) -> Routing | None:
        parts = value.split(":")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
            return None
        return cls(int(parts[0]), parts[1], int(parts[2]))


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return format_moment(moment, zone)


def invitation_message(
    definition: SurveyDefinition, invitation_id: int, closes_at: datetime, zone: ZoneInfo
) -> Message:
    return Message(
        text=f"You're invited to a short survey: {definition.title}",
        blocks=(
            Heading(definition.title),
            Paragraph(escape_mrkdwn(definition.intro.strip())),
            Context(
                f"Open until *{_when(closes_at, zone)}*. We send the collated answers to HMPPS "
                f"and the MoJ by {format_day(definition.deadline, zone)}. You can stop at any "
                "point and carry on later."
            ),
            Actions(
                (
                    Button("Start", "survey.start", str(invitation_id), style="primary"),
                    Button("Not now", "survey.later", str(invitation_id)),
                    Button("No thanks", "survey.decline", str(invitation_id)),
                )
            ),
        ),
    )


def reminder_message(
    definition: SurveyDefinition,
    invitation_id: int,
    started: bool,
    closes_at: datetime,
    zone: ZoneInfo,
) -> Message:
    when = _when(closes_at, zone)
    if started:
        lead = (
            f"A gentle reminder: *{escape_mrkdwn(definition.title)}* closes on *{when}*. "
            "Your answers so far are saved; press Resume to carry on where you left off."
        )
        label = "Resume"
    else:
        lead = (
            f"A gentle reminder: *{escape_mrkdwn(definition.title)}* closes on *{when}*. "
            "It only takes a few minutes, and every answer helps."
        )
        label = "Start"
    return Message(
        text=f"Reminder: {definition.title} closes on {when}",
        blocks=(
            Paragraph(lead),
            Actions(
                (
                    Button(label, "survey.start", str(invitation_id), style="primary"),
                    Button("No thanks", "survey.decline", str(invitation_id)),
                )
            ),
        ),
    )


def _choice_options(question: Question) -> tuple[ChoiceOption, ...]:
    if question.kind == "yes_no":
        return (ChoiceOption("Yes", "yes"), ChoiceOption("No", "no"))
    if question.kind == "scale":
        labels = dict(question.scale_labels)
        return tuple(
            ChoiceOption(f"{p} – {labels[p]}" if p in labels else str(p), str(p))
            for p in range(1, 6)
        )
    return tuple(ChoiceOption(o.label, o.value) for o in question.options)


def _selected(value: AnswerValue | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(value)
    return (str(value),)


def question_message(
    definition: SurveyDefinition,
    question: Question,
    invitation_id: int,
    version: int,
    answers: Mapping[str, AnswerValue | None],
    note: str = "",
) -> Message:
    """A question with the input its kind needs, plus Back / Skip / Stop for now.

    `note` acknowledges what just happened ("Saved: Yes") above the question.
    """
    routing = Routing(invitation_id, question.id, version).encode()
    number, total = progress(definition, question.id, answers)
    blocks: list = []
    if note:
        blocks.append(Context(note))
    blocks.append(Context(f"{escape_mrkdwn(definition.title)} · question {number} of {total}"))
    blocks.append(Paragraph(f"*{escape_mrkdwn(question.text)}*"))
    hint = question.help
    if question.kind == "multiple_choice":
        hint = (hint + " " if hint else "") + "Tick all that apply, then press Next."
    if question.kind == "free_text":
        limit = question.max_length
        hint = (hint + " " if hint else "") + NO_NAMES_HINT
        hint += f" Up to {limit:,} characters." if limit else ""
    if hint.strip():
        blocks.append(Context(escape_mrkdwn(hint.strip())))
    current = answers.get(question.id)
    controls: list[Button] = []
    if question.kind == "free_text":
        if current:
            blocks.append(
                Paragraph(f"_Your answer so far:_ {escape_mrkdwn(shorten(str(current), 500))}")
            )
        blocks.append(
            Choice(
                action="survey.text",
                kind="text",
                value=routing,
                max_length=question.max_length,
                placeholder="Edit your answer" if current else "Type your answer",
            )
        )
    elif question.kind == "multiple_choice":
        blocks.append(
            Choice(
                action="survey.answer",
                kind="multiple",
                options=_choice_options(question),
                value=routing,
                selected=_selected(current),
            )
        )
        controls.append(Button("Next", "survey.answer", routing, style="primary"))
    else:
        blocks.append(
            Choice(
                action="survey.answer",
                kind="single",
                options=_choice_options(question),
                value=routing,
                selected=_selected(current),
                placeholder="Choose one",
            )
        )
    if previous_question_id(definition, question.id, answers) is not None:
        controls.append(Button("Back", "survey.back", routing))
    if not question.required and question.kind != "multiple_choice":
        controls.append(Button("Skip this one", "survey.answer", routing + "|"))
    controls.append(Button("Stop for now", "survey.stop", routing))
    blocks.append(Actions(tuple(controls)))
    return Message(text=f"{definition.title}: {question.text}", blocks=tuple(blocks))


def summary_message(
    definition: SurveyDefinition,
    invitation_id: int,
    version: int,
    answers: Mapping[str, AnswerValue | None],
    note: str = "",
) -> Message:
    """Every answer on the member's path with a way to change it, then Submit."""
    blocks: list = []
    if note:
        blocks.append(Context(note))
    blocks.append(Heading("Check your answers"))
    blocks.append(
        Paragraph(
            "Here is what you told us. Change anything you like, then press *Submit*. "
            "Nothing is sent until you do."
        )
    )
    rows = [(definition.question(qid), value) for qid, value in answers.items()]
    roomy = len(rows) <= ROOMY_SUMMARY
    compact: list[Button] = []
    for number, (question, value) in enumerate(rows, start=1):
        shown = escape_mrkdwn(shorten(format_answer(question, value), SUMMARY_ANSWER_LIMIT))
        routing = Routing(invitation_id, question.id, version).encode()
        if roomy:
            blocks.append(Paragraph(f"*{escape_mrkdwn(question.text)}*\n{shown}"))
            blocks.append(Actions((Button("Change", "survey.change", routing),)))
        else:
            blocks.append(Paragraph(f"*{number}. {escape_mrkdwn(question.text)}*\n{shown}"))
            compact.append(Button(f"Change {number}", "survey.change", routing))
    if compact:
        blocks.append(Actions(tuple(compact)))
    submit = Routing(invitation_id, SUMMARY, version).encode()
    if definition.anonymous:
        blocks.append(
            Context(
                "Your answers are anonymous: once submitted they are kept without your name, "
                "and your progress is deleted."
            )
        )
    blocks.append(
        Actions(
            (
                Button("Submit", "survey.submit", submit, style="primary"),
                Button("Stop for now", "survey.stop", submit),
            )
        )
    )
    return Message(text=f"{definition.title}: check your answers", blocks=tuple(blocks))


def note(text: str) -> Message:
    return Message(text=text, blocks=(Paragraph(text),))


def submitted_message(definition: SurveyDefinition, zone: ZoneInfo) -> Message:
    how = (
        "Your answers are anonymous: they are kept without your name and put together with "
        "everyone else's. "
        if definition.anonymous
        else ""
    )
    return note(
        f"Thank you – your answers to *{escape_mrkdwn(definition.title)}* have been sent. {how}"
        f"We'll share what we hear with HMPPS and the MoJ by "
        f"{format_day(definition.deadline, zone)}."
    )


def stopped_message(
    definition: SurveyDefinition, invitation_id: int, closes_at: datetime, zone: ZoneInfo
) -> Message:
    text = (
        f"No problem – your answers so far are saved. Carry on any time before "
        f"*{_when(closes_at, zone)}*: press Resume, or type `/dps-update survey`."
    )
    return Message(
        text=text,
        blocks=(
            Paragraph(text),
            Actions((Button("Resume", "survey.start", str(invitation_id), style="primary"),)),
        ),
    )


def closed_note(closed_at: datetime, zone: ZoneInfo) -> Message:
    return note(
        f"This survey closed on {_when(closed_at, zone)}, so nothing more can be saved. "
        "Thank you for your time."
    )
