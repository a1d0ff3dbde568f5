"""The weekly digest reaches a Teams network channel through the outbox and the Teams sender."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.digest_job import queue_weekly_digests
from bot.outbox import send_due
from bot.services import Services
from handlers.teams.sender import TeamsSender
from storage.models import Channel, OutboxItem
from storage.repositories.updates import add_update
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams import activities
from tests.teams.server import running_teams


async def test_the_weekly_digest_is_posted_to_a_teams_network_channel(
    services: Services, connector: FakeBotConnector
) -> None:
    now = services.clock()
    async with running_teams(services) as client:
        await client.post(activities.members_added(connector.service_url))  # stores the reference
        connector.calls.clear()
        async with services.sessions.begin() as session:
            channel = await session.scalar(
                select(Channel).where(
                    Channel.platform == "teams", Channel.channel_id == activities.CHANNEL
                )
            )
            assert channel is not None and channel.reference
            channel.is_network = True
            update = await add_update(
                session,
                topic="vetting",
                title="Vetting clinic on Tuesday",
                body="Bring your questions about clearance times.",
                author="UCOORD1",
                publish_at=now - timedelta(days=2),
                state="posted",
            )
            update.posted_at = update.publish_at
        await queue_weekly_digests(services)
        sent = await send_due(services, TeamsSender(services, client.bot.adapter), "teams")
    assert sent == 1
    [post] = connector.posts()
    assert post.path == f"/v3/conversations/{activities.CHANNEL}/activities"
    assert "Vetting clinic on Tuesday" in post.card_text
    async with services.sessions() as session:
        item = await session.scalar(select(OutboxItem).where(OutboxItem.kind == "digest"))
    assert item is not None and item.platform == "teams"
    assert (item.state, item.message_ts) == ("sent", connector.last_id)
