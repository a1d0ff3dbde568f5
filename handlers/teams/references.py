"""Remember where the bot can post in Teams: a conversation reference per channel or chat.

Teams lets a bot post unprompted only into a conversation it has a reference for (service URL,
conversation id, tenant, the bot's own id). We keep them in `channels` (platform "teams") on
install and on every message, so the outbox can post updates, digests and invitations later.
"""

from __future__ import annotations

import logging
from typing import Any

from microsoft_agents.activity import Activity, ConversationReference
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import Services
from handlers.teams.identity import PLATFORM, conversation_id, tenant_of, user_id
from storage.models import Channel, Member

log = logging.getLogger(__name__)


def reference_of(activity: Activity) -> dict[str, Any]:
    """A JSON-safe reference to the conversation (not to one message in it)."""
    reference = activity.get_conversation_reference()
    reference.activity_id = None
    if reference.conversation is not None:
        reference.conversation = reference.conversation.model_copy(
            update={"id": conversation_id(activity)}
        )
    return reference.model_dump(mode="json", by_alias=True, exclude_none=True)


def reference_from(data: dict[str, Any]) -> ConversationReference:
    return ConversationReference.model_validate(data)


def _name_of(activity: Activity) -> str | None:
    if activity.conversation and activity.conversation.name:
        return activity.conversation.name[:200]
    data = activity.channel_data
    if isinstance(data, dict):
        for key in ("channel", "team"):
            name = (data.get(key) or {}).get("name")
            if name:
                return str(name)[:200]
    return None


async def remember_conversation(services: Services, activity: Activity) -> None:
    """Insert or refresh the conversation's reference; in a personal chat, also the member's
    DM conversation. Writes only when something changed, so a busy chat costs one read.

    Best effort: a failure here is logged and the member's command still gets its answer."""
    if not activity.conversation or not activity.service_url:
        return
    try:
        await _remember(services, activity)
    except Exception:
        log.exception("could not store the Teams conversation reference")


async def _remember(services: Services, activity: Activity) -> None:
    assert activity.conversation is not None
    tenant = tenant_of(activity)
    conversation = conversation_id(activity)
    reference = reference_of(activity)
    async with services.sessions() as session:
        changed = await _upsert_channel(session, tenant, conversation, reference, activity)
        if activity.conversation.conversation_type == "personal" and user_id(activity):
            changed = await _upsert_member(session, tenant, conversation, activity) or changed
        if changed:
            try:
                await session.commit()
            except IntegrityError:  # another instance stored it at the same moment
                await session.rollback()


async def _upsert_channel(
    session: AsyncSession,
    tenant: str,
    conversation: str,
    reference: dict[str, Any],
    activity: Activity,
) -> bool:
    row = await session.scalar(
        select(Channel).where(
            Channel.platform == PLATFORM,
            Channel.team_id == tenant,
            Channel.channel_id == conversation,
        )
    )
    if row is None:
        session.add(
            Channel(
                platform=PLATFORM,
                team_id=tenant,
                channel_id=conversation,
                name=_name_of(activity),
                reference=reference,
            )
        )
        log.info("stored a Teams conversation reference for %s", conversation)
        return True
    if row.reference == reference:
        return False
    row.reference = reference
    return True


async def _upsert_member(
    session: AsyncSession, tenant: str, conversation: str, activity: Activity
) -> bool:
    person = user_id(activity)
    row = await session.scalar(
        select(Member).where(
            Member.platform == PLATFORM, Member.team_id == tenant, Member.user_id == person
        )
    )
    if row is None:
        name = activity.from_property.name if activity.from_property else None
        session.add(
            Member(
                platform=PLATFORM,
                team_id=tenant,
                user_id=person,
                display_name=(name or None) and name[:200],
                dm_channel=conversation,
            )
        )
        return True
    if row.dm_channel == conversation:
        return False
    row.dm_channel = conversation
    return True


async def stored_reference(
    session: AsyncSession, conversation: str
) -> ConversationReference | None:
    """The reference for a conversation id, whichever tenant stored it."""
    data = await session.scalar(
        select(Channel.reference).where(
            Channel.platform == PLATFORM, Channel.channel_id == conversation
        )
    )
    return reference_from(data) if data else None


async def teams_member(session: AsyncSession, user: str) -> Member | None:
    """The Teams member with this user id (an outbox item for a person names them by it)."""
    found = await session.scalars(
        select(Member).where(Member.platform == PLATFORM, Member.user_id == user).limit(1)
    )
    return found.first()


async def any_reference_in(session: AsyncSession, tenant: str) -> ConversationReference | None:
    """Some conversation the bot was installed in, in this tenant: its service URL and the
    bot's own account are what creating a new conversation there needs."""
    data = await session.scalar(
        select(Channel.reference)
        .where(Channel.platform == PLATFORM, Channel.team_id == tenant)
        .order_by(Channel.id)
        .limit(1)
    )
    return reference_from(data) if data else None


async def remember_personal(
    services: Services, member_pk: int, reference: ConversationReference
) -> None:
    """Keep a personal conversation the bot created: its reference, and the member's DM."""
    conversation = reference.conversation
    data = reference.model_dump(mode="json", by_alias=True, exclude_none=True)
    async with services.sessions.begin() as session:
        member = await session.get(Member, member_pk)
        if member is None:
            return
        member.dm_channel = conversation.id
        row = await session.scalar(
            select(Channel).where(
                Channel.platform == PLATFORM,
                Channel.team_id == member.team_id,
                Channel.channel_id == conversation.id,
            )
        )
        if row is None:
            session.add(
                Channel(
                    platform=PLATFORM,
                    team_id=member.team_id,
                    channel_id=conversation.id,
                    reference=data,
                )
            )
        else:
            row.reference = data
