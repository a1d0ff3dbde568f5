"""What the bot holds about a person or a workspace, and erasing it.

Anonymous survey answers are not touched anywhere here: they hold nothing that names anyone.
Every delete is an explicit statement (not left to foreign-key cascades), so the same rows go
on SQLite and PostgreSQL and the counts we report are the rows that really went.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AuditEntry,
    Channel,
    DraftAnswer,
    Invitation,
    Member,
    Organisation,
    OutboxItem,
    Subscription,
    Survey,
    SurveyResponse,
)

SENDING = "sending"  # an outbox row a sender holds right now: it finishes; retention clears it


@dataclass(frozen=True)
class HeldInvitation:
    survey_title: str
    survey_state: str
    state: str


@dataclass(frozen=True)
class HeldData:
    """Everything the bot keeps that names one person on one platform."""

    display_name: str | None = None
    timezone: str | None = None
    organisation: str | None = None
    known: bool = False  # a member row exists
    dm_topics: tuple[str, ...] = ()
    invitations: tuple[HeldInvitation, ...] = ()
    attributed_responses: int = 0  # answers to surveys that were not anonymous
    queued_messages: int = 0
    audit_entries: int = 0  # actions they took as a coordinator


@dataclass
class Erased:
    """Rows removed, by kind: for the audit entry and the member's confirmation."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, rows: int) -> None:
        if rows:
            self.counts[kind] = self.counts.get(kind, 0) + rows

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _rows(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def members_of(
    session: AsyncSession, platform: str, user_ids: Collection[str]
) -> Sequence[Member]:
    """Matched on user id within a platform, as `member_for` creates them."""
    if not user_ids:
        return []
    query = select(Member).where(Member.platform == platform, Member.user_id.in_(list(user_ids)))
    return (await session.scalars(query)).all()


async def members_of_team(session: AsyncSession, platform: str, team_id: str) -> Sequence[Member]:
    """A workspace's members; those invited from the CLI have no team id yet, and with one
    workspace per deployment they belong to it too."""
    query = select(Member).where(Member.platform == platform, Member.team_id.in_([team_id, ""]))
    return (await session.scalars(query)).all()


async def conversations_of(session: AsyncSession, members: Sequence[Member]) -> set[str]:
    """Ids the bot uses to reach these people directly: user ids, DM ids, where invitations
    landed."""
    conversations: set[str] = set()
    for member in members:
        conversations.add(member.user_id)
        if member.dm_channel:
            conversations.add(member.dm_channel)
    ids = [m.id for m in members]
    if ids:
        landed = await session.scalars(
            select(Invitation.conversation).where(
                Invitation.member_id.in_(ids), Invitation.conversation.is_not(None)
            )
        )
        conversations.update(c for c in landed if c)
    return conversations


def _dm_channels(
    platform: str, conversations: Collection[str], user_ids: Collection[str]
) -> Select[int]:
    """Channel rows that are someone's direct messages: known DM ids, or a `D` conversation
    where only they could have subscribed (a DM has one human in it)."""
    made_by_them = exists().where(
        Subscription.channel_id == Channel.id, Subscription.created_by.in_(list(user_ids))
    )
    return select(Channel.id).where(
        Channel.platform == platform,
        or_(
            Channel.channel_id.in_(list(conversations)),
            Channel.channel_id.like("D%") & made_by_them,
        ),
    )


async def held_about(
    session: AsyncSession, platform: str, user_id: str, extra_conversations: Collection[str] = ()
) -> HeldData:
    members = await members_of(session, platform, [user_id])
    member = members[0] if members else None
    conversations = await conversations_of(session, members) | set(extra_conversations)
    conversations.add(user_id)
    dm_ids = _dm_channels(platform, conversations, [user_id])
    topics = await session.scalars(
        select(Subscription.topic)
        .where(Subscription.channel_id.in_(dm_ids))
        .distinct()
        .order_by(Subscription.topic)
    )
    invitations: list[HeldInvitation] = []
    attributed = 0
    organisation = None
    if member is not None:
        rows = await session.execute(
            select(Survey.title, Survey.state, Invitation.state)
            .join(Survey, Survey.id == Invitation.survey_id)
            .where(Invitation.member_id == member.id)
            .order_by(Survey.opens_at)
        )
        invitations = [HeldInvitation(t, s, i) for t, s, i in rows]
        attributed = int(
            await session.scalar(
                select(func.count())
                .select_from(SurveyResponse)
                .where(SurveyResponse.member_id == member.id)
            )
            or 0
        )
        if member.organisation_id is not None:
            organisation = await session.scalar(
                select(Organisation.name).where(Organisation.id == member.organisation_id)
            )
    queued = await session.scalar(
        select(func.count())
        .select_from(OutboxItem)
        .where(OutboxItem.platform == platform, OutboxItem.conversation.in_(list(conversations)))
    )
    audit = await session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.actor == user_id)
    )
    return HeldData(
        display_name=member.display_name if member else None,
        timezone=member.timezone if member else None,
        organisation=organisation,
        known=member is not None,
        dm_topics=tuple(topics),
        invitations=tuple(invitations),
        attributed_responses=attributed,
        queued_messages=int(queued or 0),
        audit_entries=int(audit or 0),
    )


async def erase_people(
    session: AsyncSession,
    platform: str,
    user_ids: Collection[str],
    extra_conversations: Collection[str] = (),
) -> Erased:
    """Forget these people: member rows and all that hangs off them.

    Gone: invitations in any state and their draft answers (a completed invitation holds only
    a state, and reminders can't go to someone the bot no longer knows), their DMs' topics,
    messages queued to them, their name on channel subscriptions they made. Kept: anonymous
    answers; answers to a named survey lose their link to the person.
    """
    erased = Erased()
    user_ids = set(user_ids)
    if not user_ids:
        return erased
    members = await members_of(session, platform, user_ids)
    conversations = await conversations_of(session, members) | set(extra_conversations) | user_ids
    member_ids = [m.id for m in members]
    if member_ids:
        invitation_ids = select(Invitation.id).where(Invitation.member_id.in_(member_ids))
        erased.add(
            "draft answers",
            _rows(
                await session.execute(
                    delete(DraftAnswer)
                    .where(DraftAnswer.invitation_id.in_(invitation_ids))
                    .execution_options(synchronize_session=False)
                )
            ),
        )
        erased.add(
            "survey invitations",
            _rows(
                await session.execute(
                    delete(Invitation)
                    .where(Invitation.member_id.in_(member_ids))
                    .execution_options(synchronize_session=False)
                )
            ),
        )
        await session.execute(
            update(SurveyResponse)
            .where(SurveyResponse.member_id.in_(member_ids))
            .values(member_id=None)
            .execution_options(synchronize_session=False)
        )
    erased.add(
        "followed topics",
        await _drop_channels(session, _dm_channels(platform, conversations, user_ids)),
    )
    await session.execute(
        update(Subscription)
        .where(Subscription.created_by.in_(list(user_ids)))
        .values(created_by=None)
        .execution_options(synchronize_session=False)
    )
    erased.add("queued messages", await _drop_outbox(session, platform, conversations))
    if member_ids:
        erased.add(
            "member records",
            _rows(
                await session.execute(
                    delete(Member)
                    .where(Member.id.in_(member_ids))
                    .execution_options(synchronize_session=False)
                )
            ),
        )
    return erased


async def erase_workspace(session: AsyncSession, platform: str, team_id: str) -> Erased:
    """A workspace removed the app: its people (as `erase_people`), its channels and what they
    follow, and every post still queued to any of them."""
    members = await members_of_team(session, platform, team_id)
    erased = await erase_people(session, platform, {m.user_id for m in members})
    in_team = select(Channel.id).where(
        Channel.platform == platform, Channel.team_id.in_([team_id, ""])
    )
    channel_ids = set(
        await session.scalars(select(Channel.channel_id).where(Channel.id.in_(in_team)))
    )
    erased.add("channels and their topics", await _drop_channels(session, in_team))
    erased.add("queued messages", await _drop_outbox(session, platform, channel_ids))
    return erased


async def _drop_channels(session: AsyncSession, channel_ids: Select[int]) -> int:
    ids = list(await session.scalars(channel_ids))
    if not ids:
        return 0
    await session.execute(
        delete(Subscription)
        .where(Subscription.channel_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(
        delete(Channel).where(Channel.id.in_(ids)).execution_options(synchronize_session=False)
    )
    return _rows(result)


async def _drop_outbox(session: AsyncSession, platform: str, conversations: Collection[str]) -> int:
    """Posts to these conversations: queued ones are cancelled; sent or failed ones hold only
    where they went, which is theirs too. One a sender holds right now is left to finish."""
    if not conversations:
        return 0
    result = await session.execute(
        delete(OutboxItem)
        .where(
            OutboxItem.platform == platform,
            OutboxItem.conversation.in_(list(conversations)),
            OutboxItem.state != SENDING,
        )
        .execution_options(synchronize_session=False)
    )
    return _rows(result)


@dataclass
class Cleared:
    drafts: int = 0
    invitations: int = 0
    outbox: int = 0


async def clear_expired(session: AsyncSession, cutoff: datetime) -> Cleared:
    """Retention: draft answers and invitations of surveys closed before `cutoff`, and outbox
    rows finished (sent or failed) before it."""
    closed = select(Survey.id).where(Survey.state == "closed", Survey.closed_at < cutoff)
    old_invitations = select(Invitation.id).where(Invitation.survey_id.in_(closed))
    drafts = await session.execute(
        delete(DraftAnswer)
        .where(DraftAnswer.invitation_id.in_(old_invitations))
        .execution_options(synchronize_session=False)
    )
    invitations = await session.execute(
        delete(Invitation)
        .where(Invitation.survey_id.in_(closed))
        .execution_options(synchronize_session=False)
    )
    finished = func.coalesce(OutboxItem.sent_at, OutboxItem.next_attempt_at, OutboxItem.created_at)
    outbox = await session.execute(
        delete(OutboxItem)
        .where(OutboxItem.state.in_(["sent", "failed"]), finished < cutoff)
        .execution_options(synchronize_session=False)
    )
    return Cleared(_rows(drafts), _rows(invitations), _rows(outbox))
