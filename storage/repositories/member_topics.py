"""Topics a member follows for themselves, by direct message (not their channels' topics)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Channel, Member, Subscription


async def topics_followed_by_dm(
    session: AsyncSession, platform: str, team_id: str, user_id: str
) -> Sequence[str]:
    """Slugs followed in the member's DM; the DM is known by its id or, before one was
    opened, by the member's user id (Slack posts to a user id land in the DM)."""
    dm_channel = await session.scalar(
        select(Member.dm_channel).where(
            Member.platform == platform, Member.team_id == team_id, Member.user_id == user_id
        )
    )
    conversations = {user_id, *([dm_channel] if dm_channel else [])}
    query = (
        select(Subscription.topic)
        .join(Channel, Channel.id == Subscription.channel_id)
        .where(Channel.platform == platform, Channel.channel_id.in_(conversations))
        .order_by(Subscription.topic)
        .distinct()
    )
    return (await session.scalars(query)).all()
