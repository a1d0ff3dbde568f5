"""Channels the bot posts to, which topics they follow, and which get the weekly digest."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Channel, Subscription


async def find_channel(
    session: AsyncSession, platform: str, team_id: str, channel_id: str
) -> Channel | None:
    query = select(Channel).where(
        Channel.platform == platform, Channel.team_id == team_id, Channel.channel_id == channel_id
    )
    return await session.scalar(query)


async def find_channel_anywhere(session: AsyncSession, channel_id: str) -> Channel | None:
    """A channel by its platform id alone (for the CLI, where the workspace is implied)."""
    query = select(Channel).where(Channel.channel_id == channel_id).order_by(Channel.id).limit(1)
    return await session.scalar(query)


async def ensure_channel(
    session: AsyncSession, platform: str, team_id: str, channel_id: str
) -> Channel:
    """The channel's row, created on first use (tolerating a concurrent first use)."""
    channel = await find_channel(session, platform, team_id, channel_id)
    if channel is not None:
        return channel
    try:
        async with session.begin_nested():
            channel = Channel(platform=platform, team_id=team_id, channel_id=channel_id)
            session.add(channel)
    except IntegrityError:
        channel = await find_channel(session, platform, team_id, channel_id)
        assert channel is not None
    return channel


async def subscribe(session: AsyncSession, channel: Channel, topic: str, by: str) -> bool:
    """Follow `topic`; False when the channel already did."""
    existing = await session.scalar(
        select(Subscription.id).where(
            Subscription.channel_id == channel.id, Subscription.topic == topic
        )
    )
    if existing is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(Subscription(channel_id=channel.id, topic=topic, created_by=by))
    except IntegrityError:
        return False
    return True


async def unsubscribe(session: AsyncSession, channel: Channel, topic: str) -> bool:
    """Stop following `topic`; False when the channel did not follow it."""
    result = await session.execute(
        delete(Subscription).where(
            Subscription.channel_id == channel.id, Subscription.topic == topic
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def followed_topics(
    session: AsyncSession, platform: str, team_id: str, channel_id: str
) -> list[str]:
    query = (
        select(Subscription.topic)
        .join(Channel, Channel.id == Subscription.channel_id)
        .where(
            Channel.platform == platform,
            Channel.team_id == team_id,
            Channel.channel_id == channel_id,
        )
        .order_by(Subscription.topic)
    )
    return list((await session.scalars(query)).all())


async def channels_following(session: AsyncSession, topic: str) -> Sequence[Channel]:
    query = (
        select(Channel)
        .join(Subscription, Subscription.channel_id == Channel.id)
        .where(Subscription.topic == topic)
        .order_by(Channel.id)
    )
    return (await session.scalars(query)).all()


async def network_channels(session: AsyncSession) -> Sequence[Channel]:
    """Channels that get the weekly digest."""
    query = select(Channel).where(Channel.is_network.is_(True)).order_by(Channel.id)
    return (await session.scalars(query)).all()
