"""Queue each network channel's weekly digest when it falls due (one set of rows a week).

The digest's outbox key names the channel and the ISO week, so re-runs and a second instance
queue nothing more; a late start (the bot was down at 09:00) still posts within a day.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest import (
    DEADLINE_DAYS,
    DigestData,
    DigestDeadline,
    DigestSurvey,
    DigestUpdate,
    build_digest,
    digest_moment,
    iso_week,
)
from bot.jobs import periodic
from bot.messages import Message
from bot.outbox import Queued, enqueue, enqueue_new
from bot.services import Services
from storage.models import Channel, OutboxItem
from storage.repositories.digest import (
    digest_histories,
    latest_digest_ref,
    open_surveys_with_counts,
    posted_between,
    update_deadlines_between,
)
from storage.repositories.subscriptions import (
    find_channel,
    find_channel_anywhere,
    network_channels,
)
from storage.repositories.topics import all_topics
from storage.writer import begin_writing

log = logging.getLogger(__name__)

LATE_GRACE = timedelta(days=1)  # past this, a missed digest waits for next week's


class _AlreadyQueued(Exception):
    """Another instance queued this digest first: roll back ours."""


async def digest_since(session: AsyncSession, channel_pk: int | None, now: datetime) -> datetime:
    """Where one channel's digest starts: at its previous digest, or 7 days back."""
    ref = await latest_digest_ref(session, channel_pk) if channel_pk is not None else None
    return datetime.fromisoformat(ref["covers_until"]) if ref else now - timedelta(days=7)


async def digest_data(
    session: AsyncSession,
    services: Services,
    channel_pk: int | None,
    now: datetime,
    since: datetime | None = None,
) -> DigestData:
    """What one channel's digest covers: since its previous digest, or the last 7 days."""
    zone = services.settings.timezone
    if since is None:
        since = await digest_since(session, channel_pk, now)
    titles = {t.slug: t.title for t in await all_topics(session)}
    updates = [
        DigestUpdate(
            topic_title=titles.get(u.topic, u.topic),
            title=u.title,
            body=u.body,
            posted_at=u.posted_at or u.publish_at,
            link=u.link,
            deadline=u.deadline,
        )
        for u in await posted_between(session, since, now)
    ]
    surveys = await open_surveys_with_counts(session, now)
    today = now.astimezone(zone).date()
    last = today + timedelta(days=DEADLINE_DAYS)
    deadlines = [
        DigestDeadline(u.deadline, u.title)
        for u in await update_deadlines_between(session, today, last)
        if u.deadline is not None
    ]
    deadlines += [
        DigestDeadline(s.closes_at.astimezone(zone).date(), f"survey closes: {s.title}")
        for s, _ in surveys
        if s.closes_at.astimezone(zone).date() <= last
    ]
    return DigestData(
        since=since,
        until=now,
        updates=updates,
        surveys=[DigestSurvey(s.title, s.closes_at, n) for s, n in surveys],
        deadlines=sorted(deadlines, key=lambda d: d.day),
    )


@dataclass(frozen=True)
class DigestPreview:
    messages: list[Message]
    known: bool  # False: the bot has no record of the channel; the last 7 days are shown
    gets_digest: bool  # the channel is a network channel (`/dps-update digest on`)


async def digest_preview(
    services: Services, channel_id: str, platform: str | None = None, team_id: str | None = None
) -> DigestPreview:
    """A channel's digest as it would be posted now, even when empty; nothing is queued.
    For `sectorbot digest preview` (any workspace) and the demo's `/digest`."""
    async with services.sessions() as session:
        if platform is None or team_id is None:
            channel = await find_channel_anywhere(session, channel_id)
        else:
            channel = await find_channel(session, platform, team_id, channel_id)
        pk = channel.id if channel is not None else None
        data = await digest_data(session, services, pk, services.clock())
        gets_digest = channel is not None and channel.is_network
    messages = build_digest(data, services.settings.timezone, post_empty=True)
    return DigestPreview(messages, known=pk is not None, gets_digest=gets_digest)


def digest_keys(channel_pk: int, week: str, parts: int) -> list[str]:
    base = f"digest:{channel_pk}:{week}"
    return [base] if parts == 1 else [f"{base}:part-{n}" for n in range(1, parts + 1)]


async def _queue_digest(
    session: AsyncSession,
    services: Services,
    channel: Channel,
    week: str,
    now: datetime,
    built: dict[datetime, list[Message]],
) -> int:
    prefix = f"digest:{channel.id}:{week}"
    done = await session.scalar(
        select(OutboxItem.id).where(
            (OutboxItem.key == prefix) | OutboxItem.key.like(f"{prefix}:part-%")
        )
    )
    if done is not None:
        return 0
    since = await digest_since(session, channel.id, now)
    messages = built.get(since)
    if messages is None:  # channels covering the same span (nearly all) share one build
        data = await digest_data(session, services, channel.id, now, since)
        messages = build_digest(
            data, services.settings.timezone, post_empty=services.settings.digest_post_empty
        )
        built[since] = messages
    ref = {"channel_pk": channel.id, "covers_until": now.isoformat(), "week": week}
    for key, message in zip(digest_keys(channel.id, week, len(messages)), messages, strict=True):
        queued = await enqueue(
            session,
            key=key,
            kind="digest",
            conversation=channel.channel_id,
            platform=channel.platform,
            message=message,
            not_before=now,
            ref=ref,
        )
        if not queued:
            raise _AlreadyQueued(key)
    return len(messages)


def _posts(channel: Channel, week: str, now: datetime, messages: list[Message]) -> list[Queued]:
    ref = {"channel_pk": channel.id, "covers_until": now.isoformat(), "week": week}
    keys = digest_keys(channel.id, week, len(messages))
    return [
        Queued(key, "digest", channel.channel_id, message, now, channel.platform, ref)
        for key, message in zip(keys, messages, strict=True)
    ]


async def _queue_all_at_once(
    session: AsyncSession, services: Services, channels: Sequence[Channel], week: str, now: datetime
) -> bool:
    """Every network channel's digest in a handful of queries: their histories read at once,
    one build per span covered (nearly all channels share one), one insert. False, with
    nothing queued, when another instance queued one of these digests meanwhile."""
    histories = await digest_histories(session)
    built: dict[datetime, list[Message]] = {}
    posts: list[Queued] = []
    queued = 0
    for channel in channels:
        history = histories.get(channel.id)
        if history is not None and week in history.weeks:
            continue
        ref = history.latest_ref if history is not None else None
        since = datetime.fromisoformat(ref["covers_until"]) if ref else now - timedelta(days=7)
        messages = built.get(since)
        if messages is None:
            data = await digest_data(session, services, channel.id, now, since)
            messages = build_digest(
                data, services.settings.timezone, post_empty=services.settings.digest_post_empty
            )
            built[since] = messages
        posts += _posts(channel, week, now, messages)
        queued += 1
    if not await enqueue_new(session, posts):
        return False
    if posts:
        log.info("queued the %s digest for %d channel(s), %d message(s)", week, queued, len(posts))
    return True


async def _queue_channel_by_channel(
    session: AsyncSession, services: Services, channels: Sequence[Channel], week: str, now: datetime
) -> None:
    """The slow path, when another instance is queueing too: each channel in its own savepoint,
    so a digest the other instance queued first is left whole and ours is dropped."""
    built: dict[datetime, list[Message]] = {}
    for channel in channels:
        try:
            async with session.begin_nested():
                parts = await _queue_digest(session, services, channel, week, now, built)
        except _AlreadyQueued:
            continue
        if parts:
            log.info("queued the %s digest for channel %s in %s part(s)", week, channel.id, parts)


@periodic("weekly-digest")
async def queue_weekly_digests(services: Services) -> None:
    settings = services.settings
    now = services.clock()
    moment = digest_moment(now, settings.digest_weekday, settings.digest_time, settings.timezone)
    if now - moment > LATE_GRACE:
        return
    week = iso_week(moment, settings.timezone)
    async with services.sessions.begin() as session:
        await begin_writing(session)
        channels = await network_channels(session)
        if not await _queue_all_at_once(session, services, channels, week, now):
            await _queue_channel_by_channel(session, services, channels, week, now)
