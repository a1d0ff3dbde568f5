"""Survey runs, invitations, draft answers and submitted responses.

Every write that could tell who answered what lives here, so the anonymity rules can be read
in one place: a submitted anonymous response carries no member, invitation or time of day.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    DraftAnswer,
    Invitation,
    Member,
    OrganisationResponse,
    OutboxItem,
    Survey,
    SurveyResponse,
)

UNFINISHED = ("invited", "in_progress")


async def survey_by_name(session: AsyncSession, name: str) -> Survey | None:
    return await session.scalar(select(Survey).where(Survey.name == name))


async def all_surveys(session: AsyncSession) -> Sequence[Survey]:
    return (await session.scalars(select(Survey).order_by(Survey.opens_at.desc()))).all()


async def open_surveys(session: AsyncSession) -> Sequence[Survey]:
    return (await session.scalars(select(Survey).where(Survey.state == "open"))).all()


async def member_for(session: AsyncSession, *, platform: str, team_id: str, user_id: str) -> Member:
    """The member row for a platform user, created if new. Matched on user id alone within a
    platform, so a CLI-invited member (no team id known) is the same person in Slack later."""
    member = await session.scalar(
        select(Member)
        .where(Member.platform == platform, Member.user_id == user_id)
        .order_by(Member.id)
        .limit(1)
    )
    if member is None:
        member = Member(platform=platform, team_id=team_id, user_id=user_id)
        session.add(member)
        await session.flush()
    elif team_id and not member.team_id:
        member.team_id = team_id
    return member


CHUNK = 500  # ids in one IN (...) list: well under every driver's parameter limit


async def members_for(
    session: AsyncSession, *, platform: str, team_id: str, user_ids: Sequence[str]
) -> dict[str, Member]:
    """`member_for` for many users at once: a query per CHUNK users and one insert for the new,
    instead of two round trips each (opening a survey to 10,000 members)."""
    found: dict[str, Member] = {}
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start : start + CHUNK]
        rows = await session.scalars(
            select(Member)
            .where(Member.platform == platform, Member.user_id.in_(chunk))
            .order_by(Member.id.desc())  # the oldest row wins, as in member_for
        )
        found.update({m.user_id: m for m in rows})
    new = [
        Member(platform=platform, team_id=team_id, user_id=u) for u in user_ids if u not in found
    ]
    session.add_all(new)
    await session.flush()
    for member in found.values():
        if team_id and not member.team_id:
            member.team_id = team_id
    found.update({m.user_id: m for m in new})
    return found


async def invited_members(
    session: AsyncSession, survey_id: int, member_ids: Sequence[int]
) -> set[int]:
    """Which of `member_ids` already have an invitation to the survey."""
    invited: set[int] = set()
    for start in range(0, len(member_ids), CHUNK):
        chunk = member_ids[start : start + CHUNK]
        rows = await session.scalars(
            select(Invitation.member_id).where(
                Invitation.survey_id == survey_id, Invitation.member_id.in_(chunk)
            )
        )
        invited.update(rows)
    return invited


async def invitation_of(session: AsyncSession, survey_id: int, member_id: int) -> Invitation | None:
    return await session.scalar(
        select(Invitation).where(
            Invitation.survey_id == survey_id, Invitation.member_id == member_id
        )
    )


# The statements every survey click runs are built once, here, not per call: building and
# fingerprinting a statement costs more than SQLite takes to run it.
_INVITATION_WITH_MEMBER = (
    select(Invitation, Member, Survey)
    .join(Member, Member.id == Invitation.member_id)
    .join(Survey, Survey.id == Invitation.survey_id)
    .where(Invitation.id == bindparam("invitation_id"))
)


async def invitation_with_member(
    session: AsyncSession, invitation_id: int
) -> tuple[Invitation, Member, Survey] | None:
    row = (await session.execute(_INVITATION_WITH_MEMBER, {"invitation_id": invitation_id})).first()
    return (row[0], row[1], row[2]) if row else None


async def invitations_of_user(
    session: AsyncSession, platform: str, user_id: str, states: Sequence[str]
) -> Sequence[tuple[Invitation, Survey]]:
    rows = await session.execute(
        select(Invitation, Survey)
        .join(Member, Member.id == Invitation.member_id)
        .join(Survey, Survey.id == Invitation.survey_id)
        .where(
            Member.platform == platform,
            Member.user_id == user_id,
            Survey.state == "open",
            Invitation.state.in_(states),
        )
        .order_by(Survey.closes_at)
    )
    return [(r[0], r[1]) for r in rows]


async def claim_version(session: AsyncSession, invitation_id: int, version: int) -> bool:
    """Move the invitation on one version if it is still at `version`: the compare-and-set that
    makes a double-clicked button a no-op (the row stays locked until the transaction ends)."""
    result = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.version == version)
        .values(version=Invitation.version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


_DRAFTS_OF = select(DraftAnswer.question_id, DraftAnswer.value).where(
    DraftAnswer.invitation_id == bindparam("invitation_id")
)


async def drafts_of(session: AsyncSession, invitation_id: int) -> dict[str, Any]:
    connection = await session.connection()  # Core: no ORM entities needed, so no ORM cost
    rows = await connection.execute(_DRAFTS_OF, {"invitation_id": invitation_id})
    return {qid: value for qid, value in rows}


_TAKE_STEP = (
    update(Invitation)
    .where(
        Invitation.id == bindparam("invitation_id"),
        Invitation.version == bindparam("from_version"),
        Invitation.state == "in_progress",
    )
    .values(version=Invitation.version + 1, current_question=bindparam("question_id"))
)


async def take_step(
    session: AsyncSession, invitation_id: int, version: int, current_question: str | None
) -> bool:
    """Move an in-progress invitation from `version` to the next one and to `current_question`
    in one compare-and-set (False: a stale button or a double click). On SQLite this first
    write is where the transaction takes the database's write lock, so the caller does its
    reads before it and keeps what follows short."""
    parameters = {
        "invitation_id": invitation_id,
        "from_version": version,
        "question_id": current_question,
    }
    result = await (await session.connection()).execute(_TAKE_STEP, parameters)
    return bool(getattr(result, "rowcount", 0) == 1)


def _draft_upsert(insert: Any) -> Any:
    statement = insert(DraftAnswer).values(
        invitation_id=bindparam("invitation_id"),
        question_id=bindparam("question_id"),
        value=bindparam("value", type_=DraftAnswer.value.type),
        answered_at=bindparam("answered_at", type_=DraftAnswer.answered_at.type),
    )
    return statement.on_conflict_do_update(
        index_elements=[DraftAnswer.invitation_id, DraftAnswer.question_id],
        set_={"value": statement.excluded.value, "answered_at": statement.excluded.answered_at},
    )


_DRAFT_UPSERT = {
    "postgresql": _draft_upsert(postgresql_insert),
    "sqlite": _draft_upsert(sqlite_insert),
}


async def save_draft(
    session: AsyncSession, invitation_id: int, question_id: str, value: Any, now: datetime
) -> None:
    """Insert or replace one draft answer in one statement (callers hold the invitation's
    version claim, so nobody else writes this row meanwhile)."""
    statement = _DRAFT_UPSERT[session.get_bind().dialect.name]
    parameters = {
        "invitation_id": invitation_id, "question_id": question_id, "value": value,
        "answered_at": now,
    }  # fmt: skip
    await (await session.connection()).execute(statement, parameters)


async def delete_drafts(session: AsyncSession, invitation_ids: Sequence[int]) -> None:
    if invitation_ids:
        await session.execute(
            delete(DraftAnswer).where(DraftAnswer.invitation_id.in_(list(invitation_ids)))
        )


async def add_response(
    session: AsyncSession,
    *,
    survey_id: int,
    submitted_on: date,
    answers: dict[str, Any],
    member_id: int | None,
) -> None:
    session.add(
        SurveyResponse(
            survey_id=survey_id, submitted_on=submitted_on, answers=answers, member_id=member_id
        )
    )
    await session.flush()


async def organisation_has_responded(
    session: AsyncSession, survey_id: int, organisation_id: int
) -> bool:
    found = await session.scalar(
        select(OrganisationResponse.id).where(
            OrganisationResponse.survey_id == survey_id,
            OrganisationResponse.organisation_id == organisation_id,
        )
    )
    return found is not None


async def record_organisation_response(
    session: AsyncSession, survey_id: int, organisation_id: int
) -> bool:
    """Mark the organisation as answered; False if a colleague got there first."""
    try:
        async with session.begin_nested():
            session.add(OrganisationResponse(survey_id=survey_id, organisation_id=organisation_id))
    except IntegrityError:
        return False
    return True


async def state_counts(session: AsyncSession, survey_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Invitation.state, func.count())
        .where(Invitation.survey_id == survey_id)
        .group_by(Invitation.state)
    )
    return {state: int(count) for state, count in rows}


async def response_count(session: AsyncSession, survey_id: int) -> int:
    query = select(func.count()).select_from(SurveyResponse)
    return int(await session.scalar(query.where(SurveyResponse.survey_id == survey_id)) or 0)


async def response_batches(
    session: AsyncSession, survey_id: int, *, size: int = 1000
) -> AsyncIterator[Sequence[tuple[date, dict[str, Any]]]]:
    """Each response's day and answers, and nothing else, `size` rows at a time, so a report
    over 100,000 responses holds neither ORM objects nor every raw row at once."""
    result = await session.stream(
        select(SurveyResponse.submitted_on, SurveyResponse.answers)
        .where(SurveyResponse.survey_id == survey_id)
        .execution_options(yield_per=size)
    )
    while rows := await result.fetchmany(size):
        yield [(day, answers) for day, answers in rows]


async def unfinished_invitations(
    session: AsyncSession, survey_id: int
) -> Sequence[tuple[Invitation, Member]]:
    rows = await session.execute(
        select(Invitation, Member)
        .join(Member, Member.id == Invitation.member_id)
        .where(Invitation.survey_id == survey_id, Invitation.state.in_(UNFINISHED))
        .order_by(Invitation.id)
    )
    return [(r[0], r[1]) for r in rows]


async def expire_in_progress(session: AsyncSession, survey_id: int) -> int:
    """At close: unfinished conversations end, and their drafts (which name a member) go."""
    ids = (
        await session.scalars(
            select(Invitation.id).where(
                Invitation.survey_id == survey_id, Invitation.state == "in_progress"
            )
        )
    ).all()
    await delete_drafts(session, ids)
    if ids:
        await session.execute(
            update(Invitation)
            .where(Invitation.id.in_(ids))
            .values(state="expired", current_question=None, version=Invitation.version + 1)
            .execution_options(synchronize_session=False)
        )
    return len(ids)


async def cancel_pending_posts(session: AsyncSession, key_prefix: str) -> int:
    """Withdraw queued, not yet claimed posts (a reminder to someone who has just finished)."""
    escaped = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    result = await session.execute(
        delete(OutboxItem)
        .where(OutboxItem.key.like(escaped + "%", escape="\\"), OutboxItem.state == "pending")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
