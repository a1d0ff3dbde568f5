"""Installing the bot stores where it can post; removing it forgets that conversation."""

from __future__ import annotations

from sqlalchemy import select

from bot.services import Services
from storage.models import Channel, Member
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams import activities
from tests.teams.server import running_teams


async def _teams_channels(services: Services) -> list[Channel]:
    async with services.sessions() as session:
        return list(await session.scalars(select(Channel).where(Channel.platform == "teams")))


async def test_install_in_a_team_stores_the_reference_and_says_hello(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        answer = await client.post(activities.members_added(connector.service_url))
    assert answer.status == 202
    [row] = await _teams_channels(services)
    assert (row.team_id, row.channel_id) == (activities.TENANT, activities.CHANNEL)
    assert row.reference is not None
    assert row.reference["serviceUrl"] == connector.service_url
    assert row.reference["conversation"]["id"] == activities.CHANNEL
    assert row.reference["bot"]["id"] == activities.BOT_ID
    assert "activityId" not in row.reference
    [hello] = connector.posts()
    assert "I'm sectorbot" in hello.card_text


async def test_someone_else_joining_stores_nothing(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        await client.post(activities.members_added(connector.service_url, bot=False))
    assert await _teams_channels(services) == []
    assert connector.posts() == []


async def test_a_message_in_a_channel_thread_stores_the_channel_not_the_thread(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        await client.post(activities.message(connector.service_url, "help", in_channel=True))
        await client.post(activities.message(connector.service_url, "help", in_channel=True))
    [row] = await _teams_channels(services)
    assert row.channel_id == activities.CHANNEL


async def test_a_personal_chat_stores_the_members_dm_conversation(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        await client.post(activities.message(connector.service_url, "help"))
    async with services.sessions() as session:
        member = await session.scalar(select(Member).where(Member.platform == "teams"))
    assert member is not None
    assert member.user_id == activities.USER_AAD
    assert member.dm_channel == activities.PERSONAL


async def test_removing_the_bot_forgets_the_conversation(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        await client.post(activities.members_added(connector.service_url))
        assert len(await _teams_channels(services)) == 1
        await client.post(activities.members_removed(connector.service_url))
    assert await _teams_channels(services) == []
