"""Running a survey: open it to an audience, watch progress, close it, and collate the answers.

The coordinator's side; the member's side (answering) is in `conversation.py`. Both speak to the
database only through `storage.repositories.surveys`.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.directory import Directory, DirectoryError
from bot.outbox import Queued, enqueue_many
from bot.reports import ResponseRecord, write_report
from bot.services import Services
from bot.surveys.loader import LIBRARY_DIR, SurveyDefinitionError, load_library, load_survey_text
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
    responses_of,
    state_counts,
    survey_by_name,
)

LOOKUP_CONCURRENCY = 8  # users.info is Tier 4; a few at a time is polite and quick enough


class SurveyProblem(Exception):
    """Something a coordinator asked for that cannot be done; str() is one plain sentence."""


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


def library_survey(name: str, zone: ZoneInfo) -> tuple[SurveyDefinition, str]:
    """A shipped definition and its YAML text, or a SurveyProblem naming what is known."""
    try:
        library = load_library(zone)
    except SurveyDefinitionError as error:
        raise SurveyProblem(f"The survey library has a fault: {error}") from None
    definition = library.get(name)
    if definition is None:
        known = ", ".join(f"`{n}`" for n in sorted(library)) or "none"
        raise SurveyProblem(f"I don't know a survey called `{name}`. Known surveys: {known}.")
    text = (LIBRARY_DIR / f"{name}.yml").read_text(encoding="utf-8")
    return definition, text


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
) -> Opened:
    """Open `name` from the library (or add people to a run already open) and queue one
    invitation per new member, each timed for working hours where that member is."""
    zone = services.settings.timezone
    now = services.clock()
    people = list(dict.fromkeys(u for u in users if u))
    if not people:
        raise SurveyProblem("There is nobody to invite: the channel seems to be empty.")
    library_definition, text = library_survey(name, zone)
    zones = await _timezones(directory, people)
    async with services.sessions.begin() as session:
        survey = await survey_by_name(session, name)
        if survey is None:
            definition = library_definition
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
            f"No survey called `{name}` has been opened. `/dps-update survey list` shows them."
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

    @property
    def invited(self) -> int:
        return sum(self.counts.values())


async def survey_progress(services: Services, name: str) -> Progress:
    """Counts only: never who answered, never what."""
    async with services.sessions() as session:
        survey = await _require(await survey_by_name(session, name), name)
        counts = await state_counts(session, survey.id)
    return Progress(survey.title, survey.state, survey.closes_at, counts)


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
        records = [
            ResponseRecord(submitted_on=r.submitted_on, answers=r.answers)
            for r in await responses_of(session, survey.id)
        ]
        await record_action(
            session,
            actor=actor,
            action="survey.report",
            subject=f"survey:{name}",
            detail={"responses": len(records)},
        )
    if out_dir is not None:
        written = write_report(definition, records, out_dir, generated_at=now)
        paths = (written.csv_path, written.html_path)
        files = tuple((f"{name}-{p.name}", p.read_bytes()) for p in paths)
        return ReportBundle(survey.title, written.response_count, files)
    with tempfile.TemporaryDirectory(prefix="sectorbot-report-") as folder:
        written = write_report(definition, records, folder, generated_at=now)
        files = tuple(
            (f"{name}-{p.name}", p.read_bytes()) for p in (written.csv_path, written.html_path)
        )
    return ReportBundle(survey.title, written.response_count, files)
