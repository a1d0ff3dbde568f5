"""Typed SQLAlchemy models: what the bot remembers.

Privacy rules live in the shape of the tables: `survey_responses` has no column that can name a
person (no member id, no invitation id, only the date) for anonymous surveys.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Member(Base):
    """A person as one platform knows them; the same person on Slack and Teams is two rows."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("platform", "team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20), default="slack")
    team_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    dm_channel: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Channel(Base):
    """A conversation the bot posts to: a Slack channel, a Teams channel or chat, a DM."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("platform", "team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20), default="slack")
    team_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(200))
    # Network channels get the weekly digest.
    is_network: Mapped[bool] = mapped_column(Boolean, default=False)
    # Platform-specific routing (a Teams conversation reference, say).
    reference: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Topic(Base):
    __tablename__ = "topics"

    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Subscription(Base):
    """A channel (or a member, by DM) following a topic."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("channel_id", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(ForeignKey("topics.slug", ondelete="CASCADE"))
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Update(Base):
    """A sector update; state is draft, scheduled, posted or withdrawn."""

    __tablename__ = "updates"
    __table_args__ = (Index("ix_updates_state_publish_at", "state", "publish_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(ForeignKey("topics.slug"))
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    deadline: Mapped[date | None] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default="scheduled")
    publish_at: Mapped[datetime] = mapped_column(default=utcnow)
    posted_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Survey(Base):
    """A survey run: its definition (YAML text, so a run keeps the wording it was asked in)."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="draft")  # draft, open, closed
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    opens_at: Mapped[datetime] = mapped_column()
    closes_at: Mapped[datetime] = mapped_column()
    deadline: Mapped[datetime] = mapped_column()
    opened_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    results_released: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invitation(Base):
    """One member's place in one survey: invited, in_progress, completed, declined, expired."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("survey_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20), default="invited")
    current_question: Mapped[str | None] = mapped_column(String(80))
    invite_after: Mapped[datetime] = mapped_column(default=utcnow)
    invited_at: Mapped[datetime | None] = mapped_column()
    reminder_rounds_sent: Mapped[int] = mapped_column(Integer, default=0)
    conversation: Mapped[str | None] = mapped_column(String(255))
    message_ts: Mapped[str | None] = mapped_column(String(255))
    # Bumped on every answer: a stale (double-clicked) button carries an old version.
    version: Mapped[int] = mapped_column(Integer, default=0)
    # No completion time here on purpose: with the response's date it could name a respondent.


class DraftAnswer(Base):
    """An in-progress answer, linked to its invitation so the member can resume; deleted on
    submission of an anonymous survey."""

    __tablename__ = "draft_answers"
    __table_args__ = (UniqueConstraint("invitation_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyResponse(Base):
    """A submitted response. For an anonymous survey: no member, no invitation, a date only."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    submitted_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Attributed surveys only; always NULL on anonymous ones.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class OrganisationResponse(Base):
    """Marks that an organisation has answered a one-per-organisation survey (not which answer)."""

    __tablename__ = "organisation_responses"
    __table_args__ = (UniqueConstraint("survey_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))


class OutboxItem(Base):
    """A post to make, exactly once: its unique key says what it is (update x channel, ...)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "state", "next_attempt_at", "id"),
        Index("ix_outbox_conversation", "platform", "conversation", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    platform: Mapped[str] = mapped_column(String(20), default="slack")
    conversation: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending -> sending (claimed) -> sent | failed
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[datetime | None] = mapped_column()
    message_ts: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class AuditEntry(Base):
    """Who did what, for every coordinator action."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Concern(Base):
    """A confusing or conflicting message a member reported; the reporter is not stored."""

    __tablename__ = "concerns"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str | None] = mapped_column(String(40))
    place: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="new")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessedEvent(Base):
    """Slack event ids already handled, so a retried delivery has no second effect."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchedulerLock(Base):
    """Lease rows for jobs that must run on one instance at a time."""

    __tablename__ = "scheduler_locks"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(80))
    until: Mapped[datetime | None] = mapped_column()
