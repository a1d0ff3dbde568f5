"""A member answering a survey: start, answer, back, stop, change, submit.

The conversation lives in one message that is replaced in place at every step (the invitation
becomes question 1, then question 2, ..., then the summary), with a short "Saved: ..." line on
top acknowledging the last answer. One live message means a member never meets a stale copy of
a question further up the chat; and every button carries the invitation's version, so a double
click or an old button is recognised and ignored with a gentle note instead of saving twice.

Each step is one transaction; answers are saved the moment they are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.interactions import (
    ActionResult,
    Caller,
    Form,
    FormField,
    FormResult,
    action,
    form,
)
from bot.messages import Message
from bot.services import Services
from bot.surveys.engine import (
    InvalidAnswer,
    answers_on_path,
    format_answer,
    is_complete,
    path,
    previous_question_id,
    validate_answer,
)
from bot.surveys.messages import (
    SUMMARY,
    Routing,
    closed_note,
    note,
    question_message,
    stopped_message,
    submitted_message,
    summary_message,
)
from bot.surveys.model import AnswerValue, SurveyDefinition
from bot.surveys.service import definition_of
from bot.text import escape_mrkdwn, format_moment, shorten
from storage.models import Invitation, Member, Survey
from storage.repositories.surveys import (
    add_response,
    cancel_pending_posts,
    claim_version,
    delete_drafts,
    drafts_of,
    organisation_has_responded,
    record_organisation_response,
    save_draft,
    take_step,
)
from storage.repositories.surveys import invitation_with_member as load_invitation

STALE = (
    "That button is from an earlier step, so I didn't change anything. "
    "Please use the latest message."
)
NOT_YOURS = "That survey button belongs to someone else's invitation, so nothing was changed."
GONE = "I can't find that survey invitation any more. Type `/dps-update survey` to see yours."
ORGANISATION_DONE = (
    "Someone from your organisation has already answered this survey, and we only need one "
    "response per organisation, so yours wasn't sent. Thank you all the same – if you think "
    "something was missed, please tell your network coordinator."
)
TEXT_FIELD = "answer"


@dataclass(frozen=True)
class Turn:
    """One step's outcome: `show` replaces the conversation message, `say` is a new message,
    `error` belongs on the free-text form's field."""

    show: Message | None = None
    say: Message | None = None
    error: str | None = None

    def as_action(self) -> ActionResult:
        return ActionResult(replace=self.show, reply=self.say)

    def as_form(self) -> FormResult:
        if self.error:
            return FormResult(errors={TEXT_FIELD: self.error})
        return FormResult(replace=self.show, reply=self.say)


@dataclass
class Place:
    invitation: Invitation
    member: Member
    survey: Survey
    definition: SurveyDefinition


def _said(text: str) -> Turn:
    return Turn(say=note(text))


async def _place(
    session: AsyncSession, services: Services, caller: Caller, invitation_id: int
) -> Place | Turn:
    """The invitation behind a button, or the Turn that explains why nothing can happen."""
    found = await load_invitation(session, invitation_id)
    if found is None:
        return _said(GONE)
    invitation, member, survey = found
    if member.user_id != caller.user_id or member.platform != caller.platform:
        return _said(NOT_YOURS)
    zone = services.settings.timezone
    if survey.state == "closed" or services.clock() >= survey.closes_at:
        return Turn(show=closed_note(survey.closed_at or survey.closes_at, zone))
    if invitation.state == "completed":
        return Turn(show=note("You've already answered this survey – thank you."))
    if invitation.state == "expired":
        return Turn(show=closed_note(survey.closed_at or survey.closes_at, zone))
    return Place(invitation, member, survey, definition_of(survey, zone))


def _next_unanswered(
    definition: SurveyDefinition, after: str | None, answers: Mapping[str, Any]
) -> str | None:
    """The first question on the path after `after` that has no saved answer (None: all done).

    After a Back or a Change, this returns the member to where they had got to, not through
    answers they have already given; a changed answer that opens a new branch lands on it.
    """
    ids = path(definition, answers)
    start = ids.index(after) + 1 if after in ids else 0
    return next((qid for qid in ids[start:] if qid not in answers), None)


def _step(
    place: Place, question_id: str | None, version: int, answers: Mapping[str, Any], saved: str = ""
) -> Message:
    """The conversation message for `question_id` (None: the summary)."""
    invitation_id = place.invitation.id
    if question_id is None:
        return summary_message(
            place.definition,
            invitation_id,
            version,
            answers_on_path(place.definition, answers),
            note=saved,
        )
    question = place.definition.question(question_id)
    return question_message(place.definition, question, invitation_id, version, answers, saved)


async def _organisation_done(session: AsyncSession, place: Place) -> bool:
    organisation = place.member.organisation_id
    return (
        place.definition.response_per == "organisation"
        and organisation is not None
        and await organisation_has_responded(session, place.survey.id, organisation)
    )


async def start(services: Services, caller: Caller, invitation_id: int) -> Turn:
    """Start, or resume exactly where the member left off (also after a decline)."""
    async with services.sessions.begin() as session:
        place = await _place(session, services, caller, invitation_id)
        if isinstance(place, Turn):
            return place
        if await _organisation_done(session, place):
            return Turn(show=note(ORGANISATION_DONE))
        invitation = place.invitation
        answers = await drafts_of(session, invitation.id)
        if invitation.state != "in_progress" or invitation.current_question is None:
            current = _next_unanswered(place.definition, None, answers)
            invitation.state = "in_progress"
            invitation.current_question = current
        current = invitation.current_question
        return Turn(show=_step(place, current, invitation.version, answers))


async def not_now(services: Services, caller: Caller, invitation_id: int) -> Turn:
    async with services.sessions() as session:
        place = await _place(session, services, caller, invitation_id)
        if isinstance(place, Turn):
            return place
    when = format_moment(place.survey.closes_at, services.settings.timezone)
    return _said(
        f"No problem. It's open until *{when}*; press Start above whenever suits you, "
        "or type `/dps-update survey`."
    )


async def decline(services: Services, caller: Caller, invitation_id: int) -> Turn:
    """No reminders from now on; anything answered so far is deleted."""
    async with services.sessions.begin() as session:
        place = await _place(session, services, caller, invitation_id)
        if isinstance(place, Turn):
            return place
        invitation = place.invitation
        await claim_version(session, invitation.id, invitation.version)
        invitation.state = "declined"
        invitation.current_question = None
        await delete_drafts(session, [invitation.id])
        await cancel_pending_posts(session, f"survey:{place.survey.id}:remind:{invitation.id}:")
        when = format_moment(place.survey.closes_at, services.settings.timezone)
    return Turn(
        show=note(
            "Thanks for letting us know – you won't get any reminders about this survey. "
            f"If you change your mind before {when}, type `/dps-update survey`."
        )
    )


async def _claim(session: AsyncSession, place: Place, routing: Routing) -> bool:
    """Take this step if the button is the live one (else it is stale: a double click)."""
    return place.invitation.state == "in_progress" and await claim_version(
        session, routing.invitation_id, routing.version
    )


async def _claimed(
    services: Services, caller: Caller, routing: Routing, session: AsyncSession
) -> Place | Turn:
    place = await _place(session, services, caller, routing.invitation_id)
    if isinstance(place, Turn):
        return place
    return place if await _claim(session, place, routing) else _said(STALE)


async def answer(services: Services, caller: Caller, routing: Routing, raw: object) -> Turn:
    """Validate and save one answer, then show the next unanswered question or the summary.

    Four statements: two reads, then the version claim (which also records the next question)
    and the draft's upsert. A reply is on the member's screen only after this commits, so it is
    the path every click waits on; reading first keeps SQLite's write lock short.
    """
    async with services.sessions.begin() as session:
        place = await _place(session, services, caller, routing.invitation_id)
        if isinstance(place, Turn):
            return place
        if routing.question_id != place.invitation.current_question:
            return _said(STALE)
        question = place.definition.question(routing.question_id)
        try:
            value = validate_answer(question, raw)
        except InvalidAnswer as invalid:
            return Turn(say=note(invalid.message), error=invalid.message)
        # Drafts read before the claim are the claim's: every draft write holds a claim.
        answers = {**await drafts_of(session, place.invitation.id), question.id: value}
        following = _next_unanswered(place.definition, question.id, answers)
        if not await take_step(session, routing.invitation_id, routing.version, following):
            return _said(STALE)
        await save_draft(session, place.invitation.id, question.id, value, services.clock())
    # Escaped: a typed `<!channel>` must come back as text, never as a live mention.
    saved = f"✓ Saved: {escape_mrkdwn(shorten(format_answer(question, value), 150))}"
    return Turn(show=_step(place, following, routing.version + 1, answers, saved))


async def free_text_form(services: Services, caller: Caller, routing: Routing) -> ActionResult:
    """The form a free-text answer is typed into, holding what was saved before."""
    async with services.sessions() as session:
        place = await _place(session, services, caller, routing.invitation_id)
        if isinstance(place, Turn):
            return place.as_action()
        if place.invitation.version != routing.version:
            return _said(STALE).as_action()
        answers = await drafts_of(session, place.invitation.id)
    question = place.definition.question(routing.question_id)
    current = answers.get(question.id)
    return ActionResult(
        form=Form(
            action="survey.text",
            title="Your answer",
            fields=(
                FormField(
                    id=TEXT_FIELD,
                    label=question.text,
                    kind="multiline",
                    required=question.required,
                    initial=current if isinstance(current, str) else "",
                    max_length=question.max_length,
                    hint=question.help,
                ),
            ),
            submit_label="Save",
            private=routing.encode(),
        )
    )


async def back(services: Services, caller: Caller, routing: Routing) -> Turn:
    async with services.sessions.begin() as session:
        place = await _claimed(services, caller, routing, session)
        if isinstance(place, Turn):
            return place
        answers = await drafts_of(session, place.invitation.id)
        if routing.question_id == SUMMARY:
            on_path = path(place.definition, answers)
            previous: str | None = on_path[-1]
        else:
            previous = previous_question_id(place.definition, routing.question_id, answers)
            previous = previous or routing.question_id
        place.invitation.current_question = previous
        return Turn(show=_step(place, previous, routing.version + 1, answers))


async def change(services: Services, caller: Caller, routing: Routing) -> Turn:
    async with services.sessions.begin() as session:
        place = await _place(session, services, caller, routing.invitation_id)
        if isinstance(place, Turn):
            return place
        answers = await drafts_of(session, place.invitation.id)
        on_path = routing.question_id in path(place.definition, answers)
        if not on_path or not await _claim(session, place, routing):
            return _said(STALE)
        place.invitation.current_question = routing.question_id
        return Turn(show=_step(place, routing.question_id, routing.version + 1, answers))


async def stop(services: Services, caller: Caller, routing: Routing) -> Turn:
    """Everything stays saved; the message says how to carry on."""
    async with services.sessions.begin() as session:
        place = await _claimed(services, caller, routing, session)
        if isinstance(place, Turn):
            return place
        zone = services.settings.timezone
        return Turn(
            show=stopped_message(
                place.definition, place.invitation.id, place.survey.closes_at, zone
            )
        )


def _submitted_on(services: Services, now: datetime) -> date:
    """The day in the network's zone: never a time of day, which could name a respondent."""
    return now.astimezone(services.settings.timezone).date()


async def submit(services: Services, caller: Caller, routing: Routing) -> Turn:
    """One transaction: the response (anonymous: no member, no invitation, the day only), the
    drafts deleted, the invitation completed (no time recorded), one per organisation kept."""
    async with services.sessions.begin() as session:
        place = await _claimed(services, caller, routing, session)
        if isinstance(place, Turn):
            return place
        definition, invitation = place.definition, place.invitation
        answers = await drafts_of(session, invitation.id)
        if not is_complete(definition, answers):
            missing = _next_unanswered(definition, None, answers)
            invitation.current_question = missing
            return Turn(
                show=_step(
                    place,
                    missing,
                    routing.version + 1,
                    answers,
                    "This one still needs an answer before you can submit.",
                )
            )
        organisation = place.member.organisation_id
        if (
            definition.response_per == "organisation"
            and organisation is not None
            and not await record_organisation_response(session, place.survey.id, organisation)
        ):
            return Turn(show=note(ORGANISATION_DONE))
        kept: dict[str, AnswerValue | None] = answers_on_path(definition, answers)
        await add_response(
            session,
            survey_id=place.survey.id,
            submitted_on=_submitted_on(services, services.clock()),
            answers=kept,
            member_id=None if place.survey.anonymous else place.member.id,
        )
        await delete_drafts(session, [invitation.id])
        await cancel_pending_posts(session, f"survey:{place.survey.id}:remind:{invitation.id}:")
        invitation.state = "completed"
        invitation.current_question = None
        return Turn(show=submitted_message(definition, services.settings.timezone))


# -- registrations: buttons and the free-text form --------------------------------------------


def _routing_and_raw(value: str) -> tuple[Routing | None, str | None]:
    """`ROUTING|RAW` from a choice; a bare `ROUTING` (checkboxes never touched) has no raw."""
    head, bar, raw = value.partition("|")
    return Routing.decode(head), (raw if bar else None)


def _invitation_id(value: str) -> int | None:
    return int(value) if value.isdigit() else None


async def _by_invitation(value: str, run: Any, services: Services, caller: Caller) -> ActionResult:
    invitation_id = _invitation_id(value)
    if invitation_id is None:
        return _said(GONE).as_action()
    turn: Turn = await run(services, caller, invitation_id)
    return turn.as_action()


async def _by_routing(value: str, run: Any, services: Services, caller: Caller) -> ActionResult:
    routing, _raw = _routing_and_raw(value)
    if routing is None:
        return _said(STALE).as_action()
    turn: Turn = await run(services, caller, routing)
    return turn.as_action()


@action("survey.start")
async def on_start(services: Services, caller: Caller, value: str) -> ActionResult:
    return await _by_invitation(value, start, services, caller)


@action("survey.later")
async def on_later(services: Services, caller: Caller, value: str) -> ActionResult:
    return await _by_invitation(value, not_now, services, caller)


@action("survey.decline")
async def on_decline(services: Services, caller: Caller, value: str) -> ActionResult:
    return await _by_invitation(value, decline, services, caller)


@action("survey.answer")
async def on_answer(services: Services, caller: Caller, value: str) -> ActionResult:
    routing, raw = _routing_and_raw(value)
    if routing is None:
        return _said(STALE).as_action()
    return (await answer(services, caller, routing, raw or "")).as_action()


@action("survey.text")
async def on_text(services: Services, caller: Caller, value: str) -> ActionResult:
    """Slack sends the bare routing (open the form); platforms with an inline text box (Teams,
    the console) send `ROUTING|TEXT`, which is answered at once."""
    routing, raw = _routing_and_raw(value)
    if routing is None:
        return _said(STALE).as_action()
    if raw is not None:
        return (await answer(services, caller, routing, raw)).as_action()
    return await free_text_form(services, caller, routing)


@form("survey.text")
async def on_text_submitted(
    services: Services, caller: Caller, values: Mapping[str, str], private: str
) -> FormResult:
    routing = Routing.decode(private)
    if routing is None:
        return FormResult(reply=note(STALE))
    return (await answer(services, caller, routing, values.get(TEXT_FIELD, ""))).as_form()


@action("survey.back")
async def on_back(services: Services, caller: Caller, value: str) -> ActionResult:
    return await _by_routing(value, back, services, caller)


@action("survey.change")
async def on_change(services: Services, caller: Caller, value: str) -> ActionResult:
    return await _by_routing(value, change, services, caller)


@action("survey.stop")
async def on_stop(services: Services, caller: Caller, value: str) -> ActionResult:
    return await _by_routing(value, stop, services, caller)


@action("survey.submit")
async def on_submit(services: Services, caller: Caller, value: str) -> ActionResult:
    return await _by_routing(value, submit, services, caller)
