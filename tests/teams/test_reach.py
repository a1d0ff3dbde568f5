"""Members the bot has not talked to: the channel roster from the Bot Connector, a personal
chat started for an invitation, and a plain failure when they cannot be reached."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.directory import DirectoryError
from bot.outbox import NOTICE_KIND, send_due
from bot.services import Services
from bot.surveys.service import open_survey
from handlers.teams.sender import TeamsSender
from storage.models import Channel, Member, OutboxItem
from tests.conftest import COORDINATOR
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams import activities
from tests.teams.server import TeamsClient, running_teams

NEWCOMER = "0b9c3c1e-0000-4000-8000-00000000beef"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, coordinators_channel=activities.CHANNEL)


async def _installed(client: TeamsClient, connector: FakeBotConnector) -> None:
    await client.post(activities.members_added(connector.service_url))
    connector.calls.clear()  # forget the welcome message


async def _invite_and_send(
    client: TeamsClient, connector: FakeBotConnector, refuse: int | None = None
) -> int:
    """Install in the channel, invite NEWCOMER (never talked to), run the outbox; `refuse`:
    the status Teams answers the first call after install (creating the chat) with."""
    await _installed(client, connector)
    await _invite(client.bot_services, NEWCOMER)
    if refuse is not None:
        connector.answer_next(refuse)
    return await send_due(
        client.bot_services, TeamsSender(client.bot_services, client.bot.adapter), "teams"
    )


async def _invite(services: Services, user: str) -> None:
    await open_survey(
        services,
        "dps-experience",
        [user],
        actor=COORDINATOR,
        platform="teams",
        team_id=activities.TENANT,
    )


async def test_the_directory_lists_a_channel_from_the_bot_connector(
    services: Services, connector: FakeBotConnector
) -> None:
    connector.set_members(
        activities.CHANNEL,
        [
            {"id": activities.BOT_ID, "name": "sectorbot"},
            {"id": "29:1alice", "aadObjectId": "aad-alice", "name": "Alice"},
            {"id": "29:1bobby", "aadObjectId": "aad-bobby", "name": "Bobby"},
        ],
    )
    async with running_teams(services) as client:
        await _installed(client, connector)
        directory = services.directories["teams"]
        members = await directory.channel_members(activities.CHANNEL)
        with pytest.raises(DirectoryError, match="has not been added"):
            await directory.channel_members("19:never-installed@thread.tacv2")
    assert members == ["aad-alice", "aad-bobby"]
    [call] = connector.calls
    assert (call.method, call.path) == ("GET", f"/v3/conversations/{activities.CHANNEL}/members")


async def test_an_invitation_starts_a_personal_chat_with_a_member_never_talked_to(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        sent = await _invite_and_send(client, connector)
        again = await TeamsSender(services, client.bot.adapter).deliver(
            await _invitation_item(services)
        )
    assert sent == 1 and again.kind == "sent"
    [create] = connector.creates()  # the second post reused the stored chat
    assert create.body["members"] == [{"id": NEWCOMER}]
    assert create.body["tenantId"] == activities.TENANT
    assert create.body["bot"]["id"] == activities.BOT_ID
    [created] = connector.created_ids
    first, second = connector.posts()
    assert first.path == second.path == f"/v3/conversations/{created}/activities"
    assert "survey.start" in str(first.card)  # the invitation, with its Start button
    async with services.sessions() as session:
        member = await session.scalar(select(Member).where(Member.user_id == NEWCOMER))
        stored = await session.scalar(select(Channel).where(Channel.channel_id == created))
    assert member is not None and member.dm_channel == created
    assert stored is not None and stored.reference["conversation"]["id"] == created


async def test_a_member_who_cannot_be_reached_fails_plainly_and_coordinators_hear(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        await _invite_and_send(client, connector, refuse=403)  # Teams refuses to create the chat
    item = await _invitation_item(services)
    assert item.state == "failed"
    assert "can't be reached in Teams" in (item.error or "")
    assert connector.posts()[0].path == f"/v3/conversations/{activities.CHANNEL}/activities"
    assert "couldn't post" in connector.posts()[0].card_text
    async with services.sessions() as session:
        notice = await session.scalar(select(OutboxItem).where(OutboxItem.kind == NOTICE_KIND))
    assert notice is not None and notice.state == "sent"


async def _invitation_item(services: Services) -> OutboxItem:
    async with services.sessions() as session:
        item = await session.scalar(select(OutboxItem).where(OutboxItem.kind == "survey.invite"))
    assert item is not None
    return item
