"""Running a survey: open it to an audience, watch progress, close it, and collate the answers.

The coordinator's side; the member's side (answering) is in `conversation.py`. Both speak to the
database only through `storage.repositories.surveys`.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory import Directory, DirectoryError
from bot.outbox import Queued, enqueue_many
from bot.reports import ResponseRecord, write_report
from bot.services import Services
from bot.surveys.loader import (
    LIBRARY_DIR,
    SurveyDefinitionError,
    check_survey_file,
    check_survey_text,
    load_library,
    load_survey_text,
    with_dates,
)
from bot.surveys.messages import invitation_message
from bot.surveys.model import SurveyDefinition
from bot.surveys.timing import next_working_moment, zone_or
from bot.text import format_moment
from storage.models import Invitation, Survey
from storage.repositories.audit import record_action
from storage.repositories.surveys import (
    all_surveys,
    cancel_pending_posts,
    expire_in_progress,
    invited_members,
    members_for,
    response_batches,
    response_count,
    state_counts,
    survey_by_name,
)

LOOKUP_CONCURRENCY = 8  # users.info is Tier 4; a few at a time is polite and quick enough


@dataclass(frozen=True)
class Surface:
    """Where a coordinator is working, so a message names the next command the way they type
    it there: `/dps-update survey list` in chat, `sectorbot survey list` in a terminal."""

    prefix: str
    markdown: bool  # Slack-style `code` marks are kept only where they render

    def command(self, words: str) -> str:
        return f"`{self.prefix} {words}`"

    def finish(self, text: str) -> str:
        return text if self.markdown else text.replace("`", "")


CHAT = Surface("/dps-update", markdown=True)
COMMAND_LINE = Surface("sectorbot", markdown=False)


class SurveyProblem(Exception):
    """Something a coordinator asked for that cannot be done, in one or two plain sentences.

    Give a function of the Surface when the wording depends on where it is read; str() is the
    chat wording, `worded(COMMAND_LINE)` the terminal's.
    """

    def __init__(self, message: str | Callable[[Surface], str]) -> None:
        self._message = message
        super().__init__(self.worded(CHAT))

    def worded(self, surface: Surface) -> str:
        text = self._message(surface) if callable(self._message) else self._message
        return surface.finish(text)


@lru_cache(maxsize=64)
def _parse(text: str, zone: str) -> SurveyDefinition:
    return load_survey_text(text, "stored survey", zone)


def definition_of(survey: Survey, zone: ZoneInfo) -> SurveyDefinition:
    """The wording this run was opened with (the library file may have changed since)."""
    return _parse(survey.definition, str(zone))


def invite_key(survey_id: int, invitation_id: int) -> str:
    return f"survey:{survey_id}:invite:{invitation_id}"


def remind_key(survey_id: int, invitation_id: int, round_: int) -> str:
    return f"survey:{survey_id}:remind:{invitation_id}:{round_}"


def rounds_due(definition: SurveyDefinition, closes_at: datetime, now: datetime) -> int:
    """How many reminder rounds (earliest first: 7 days before, then 1 day) are due by `now`."""
    offsets = sorted(definition.reminders, reverse=True)
    return sum(1 for offset in offsets if closes_at - offset <= now)


@dataclass(frozen=True)
class SurveySource:
    """A definition to open, with the YAML it came from (stored with the run, so later edits to
    the file do not change the wording of a survey already under way)."""

    definition: SurveyDefinition
    text: str

    def rescheduled(
        self,
        zone: ZoneInfo,
        *,
        opens_at: date | datetime,
        closes_at: date | datetime,
        deadline: date | datetime,
    ) -> SurveySource:
        """The same survey as if its file gave these dates (checked as a file is), so a shipped
        definition can run again: the demo and the benchmark open them relative to their clock."""
        source = self.definition.source or self.definition.name
        try:
            text = with_dates(
                self.text, opens_at=opens_at, closes_at=closes_at, deadline=deadline, source=source
            )
            definition = check_survey_text(text, source, zone).usable()
        except SurveyDefinitionError as error:
            raise SurveyProblem(str(error)) from None
        return SurveySource(definition, text)


def library_survey(name: str, zone: ZoneInfo) -> SurveySource:
    """A shipped definition, or a SurveyProblem naming the surveys that are known."""
    try:
        library = load_library(zone)
    except SurveyDefinitionError as error:
        raise SurveyProblem(f"The survey library has a fault: {error}") from None
    definition = library.get(name)
    if definition is None:
        known = ", ".join(f"`{n}`" for n in sorted(library)) or "none"

        def unknown(surface: Surface) -> str:
            own = "" if surface.markdown else " To open your own definition, add --file PATH."
            return f"I don't know a survey called `{name}`. Known surveys: {known}.{own}"

        raise SurveyProblem(unknown)
    return SurveySource(definition, (LIBRARY_DIR / f"{name}.yml").read_text(encoding="utf-8"))


def file_survey(name: str, path: Path, zone: ZoneInfo) -> SurveySource:
    """A coordinator's own definition, checked as `sectorbot survey validate` checks it."""
    checked = check_survey_file(path, zone)
    if checked.definition is None:
        more = len(checked.faults) - 1
        rest = (
            f" (and {more} more: `sectorbot survey validate {path}` lists them all)" if more else ""
        )
        raise SurveyProblem(f"{checked.faults[0]}{rest}")
    if checked.definition.name != name:
        raise SurveyProblem(
            f"{path.name} defines the survey `{checked.definition.name}`, not `{name}`."
        )
    return SurveySource(checked.definition, checked.text)


async def audience_of_channels(directory: Directory, channels: Sequence[str]) -> list[str]:
    """Everyone in the channels, each once, in the order first seen."""
    seen: dict[str, None] = {}
    for channel in channels:
        for user in await directory.channel_members(channel):
            seen.setdefault(user, None)
    return list(seen)


async def _timezones(directory: Directory | None, users: Sequence[str]) -> dict[str, str | None]:
    if directory is None:
        return {}
    gate = asyncio.Semaphore(LOOKUP_CONCURRENCY)

    async def one(user: str) -> str | None:
        async with gate:
            try:
                return await directory.user_timezone(user)
            except DirectoryError:
                return None

    zones = await asyncio.gather(*(one(u) for u in users))
    return dict(zip(users, zones, strict=True))


@dataclass(frozen=True)
class Opened:
    survey_id: int
    title: str
    closes_at: datetime
    invited: int
    already: int


async def open_survey(
    services: Services,
    name: str,
    users: Sequence[str],
    *,
    actor: str,
    platform: str = "slack",
    team_id: str = "",
    directory: Directory | None = None,
    source: SurveySource | None = None,
) -> Opened:
    """Open `name` (from `source`, or else the library), or add people to a run already open,
    and queue one invitation per new member, each timed for working hours where they are."""
    zone = services.settings.timezone
    now = services.clock()
    source = source or library_survey(name, zone)
    if source.definition.name != name:
        raise SurveyProblem(f"That definition is `{source.definition.name}`, not `{name}`.")
    people = list(dict.fromkeys(u for u in users if u))
    if not people:
        raise SurveyProblem("There is nobody to invite.")
    text = source.text
    zones = await _timezones(directory, people)
    async with services.sessions.begin() as session:
        survey = await survey_by_name(session, name)
        if survey is None:
            definition = source.definition
            if definition.closes_at <= now:
                raise SurveyProblem(
                    f"`{name}` closed on {format_moment(definition.closes_at, zone)}. "
                    "Change its dates in the definition before opening it."
                )
            survey = Survey(
                name=name,
                title=definition.title,
                definition=text,
                state="open",
                anonymous=definition.anonymous,
                opens_at=definition.opens_at,
                closes_at=definition.closes_at,
                deadline=definition.deadline,
                opened_at=now,
                results_released=definition.results_visible_before_close,
            )
            session.add(survey)
            await session.flush()
        elif survey.state == "closed":
            raise SurveyProblem(
                f"`{name}` closed on {format_moment(survey.closed_at or survey.closes_at, zone)} "
                "and cannot be opened again."
            )
        else:
            definition = definition_of(survey, zone)
            survey.state = "open"
            survey.opened_at = survey.opened_at or now
        start = max(now, survey.opens_at)
        members = await members_for(session, platform=platform, team_id=team_id, user_ids=people)
        for user, member in members.items():
            if zones.get(user):
                member.timezone = zones[user]
        invited_already = await invited_members(
            session, survey.id, [m.id for m in members.values()]
        )
        new = [(u, m) for u, m in members.items() if m.id not in invited_already]
        already = len(people) - len(new)
        invitations = []
        for _user, member in new:
            when = next_working_moment(start, zone_or(member.timezone, zone))
            invitations.append(
                Invitation(
                    survey_id=survey.id,
                    member_id=member.id,
                    invite_after=when,
                    # Rounds already due at invitation time would only repeat the invitation.
                    reminder_rounds_sent=rounds_due(definition, survey.closes_at, when),
                )
            )
        session.add_all(invitations)
        await session.flush()
        await enqueue_many(
            session,
            [
                Queued(
                    key=invite_key(survey.id, invitation.id),
                    kind="survey.invite",
                    platform=platform,
                    conversation=user,
                    message=invitation_message(definition, invitation.id, survey.closes_at, zone),
                    not_before=invitation.invite_after,
                    ref={"invitation_id": invitation.id},
                )
                for (user, _member), invitation in zip(new, invitations, strict=True)
            ],
        )
        invited = len(new)
        await record_action(
            session,
            actor=actor,
            action="survey.open",
            subject=f"survey:{name}",
            detail={"invited": invited, "already_invited": already},
        )
        return Opened(survey.id, survey.title, survey.closes_at, invited, already)


async def _require(session_survey: Survey | None, name: str) -> Survey:
    if session_survey is None:
        raise SurveyProblem(
            lambda surface: (
                f"No survey called `{name}` has been opened. "
                f"{surface.command('survey list')} shows them."
            )
        )
    return session_survey


async def close_survey(services: Services, name: str, *, actor: str) -> tuple[Survey, int]:
    """Close now: nothing more is saved, unfinished conversations expire (their drafts go)."""
    async with services.sessions.begin() as session:
        survey = await _require(await survey_by_name(session, name), name)
        if survey.state == "closed":
            raise SurveyProblem(f"`{name}` is already closed.")
        expired = await close_run(session, survey, services.clock())
        await record_action(session, actor=actor, action="survey.close", subject=f"survey:{name}")
        return survey, expired


async def close_run(session: AsyncSession, survey: Survey, now: datetime) -> int:
    """The one way a run closes (by command or at closes_at): state, time, expiry, no more posts."""
    survey.state = "closed"
    survey.closed_at = now
    expired = await expire_in_progress(session, survey.id)
    await cancel_pending_posts(session, f"survey:{survey.id}:")
    return expired


@dataclass(frozen=True)
class Progress:
    title: str
    state: str
    closes_at: datetime
    counts: dict[str, int]
    responses: int = 0

    @property
    def forgotten(self) -> int:
        """Respondents whose invitations are gone (they asked to be forgotten, or retention
        cleared them) while their anonymous answers still count."""
        return max(0, self.responses - self.counts.get("completed", 0))

    @property
    def completed(self) -> int:
        return self.counts.get("completed", 0) + self.forgotten

    @property
    def invited(self) -> int:
        return sum(self.counts.values()) + self.forgotten


async def survey_progress(services: Services, name: str) -> Progress:
    """Counts only: never who answered, never what."""
    async with services.sessions() as session:
        survey = await _require(await survey_by_name(session, name), name)
        counts = await state_counts(session, survey.id)
        responses = await response_count(session, survey.id)
    return Progress(survey.title, survey.state, survey.closes_at, counts, responses)


async def surveys_overview(services: Services) -> Sequence[Survey]:
    async with services.sessions() as session:
        return await all_surveys(session)


@dataclass(frozen=True)
class ReportBundle:
    title: str
    responses: int
    files: tuple[tuple[str, bytes], ...]  # (file name, content)


def results_hidden(survey: Survey, now: datetime) -> bool:
    return survey.state != "closed" and now < survey.closes_at and not survey.results_released


async def survey_report(
    services: Services, name: str, *, actor: str, out_dir: Path | None = None
) -> ReportBundle:
    """Collate the responses into CSV + HTML; hidden until the survey closes unless released.

    Written to a private temporary folder (removed afterwards) unless `out_dir` is given.
    """
    zone = services.settings.timezone
    now = services.clock()
    async with services.sessions.begin() as session:
        survey = await _require(await survey_by_name(session, name), name)
        if results_hidden(survey, now):
            raise SurveyProblem(
                f"Results of `{name}` stay hidden until it closes on "
                f"{format_moment(survey.closes_at, zone)}, so early answers don't sway later ones."
            )
        definition = definition_of(survey, zone)
        closed_at = survey.closed_at
        records = [
            ResponseRecord(submitted_on=day, answers=answers)
            async for rows in response_batches(session, survey.id)
            for day, answers in rows
        ]
        await record_action(
            session,
            actor=actor,
            action="survey.report",
            subject=f"survey:{name}",
            detail={"responses": len(records)},
        )
    if out_dir is not None:
        written = write_report(
            definition, records, out_dir, generated_at=now, closed_at=closed_at, zone=zone
        )
        paths = (written.csv_path, written.html_path)
        files = tuple((f"{name}-{p.name}", p.read_bytes()) for p in paths)
        return ReportBundle(survey.title, written.response_count, files)
    with tempfile.TemporaryDirectory(prefix="sectorbot-report-") as folder:
        written = write_report(
            definition, records, folder, generated_at=now, closed_at=closed_at, zone=zone
        )
        files = tuple(
            (f"{name}-{p.name}", p.read_bytes()) for p in (written.csv_path, written.html_path)
        )
    return ReportBundle(survey.title, written.response_count, files)
