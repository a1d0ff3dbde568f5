"""Outbox items for Teams are posted proactively through the stored conversation reference."""

from __future__ import annotations

from bot.messages import Heading, Message, Paragraph, to_dict
from bot.services import Services
from handlers.teams.sender import TeamsSender
from storage.models import OutboxItem
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams import activities
from tests.teams.server import TeamsClient, running_teams

DIGEST = Message(
    text="Weekly digest",
    blocks=(Heading("This week in the network"), Paragraph("*Vetting* clinic on Tuesday.")),
)


def _item(conversation: str = activities.CHANNEL) -> OutboxItem:
    return OutboxItem(
        key="digest:teams:2026-W48",
        kind="digest",
        platform="teams",
        conversation=conversation,
        payload={"message": to_dict(DIGEST)},
    )


async def _installed(client: TeamsClient, connector: FakeBotConnector) -> TeamsSender:
    await client.post(activities.members_added(connector.service_url))
    connector.calls.clear()  # forget the welcome message
    return TeamsSender(client.bot_services, client.bot.adapter)


async def test_a_digest_is_posted_to_the_channel_as_a_new_conversation_message(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        sender = await _installed(client, connector)
        outcome = await sender.deliver(_item())
    assert outcome.kind == "sent"
    [post] = connector.posts()
    assert post.path == f"/v3/conversations/{activities.CHANNEL}/activities"
    assert outcome.message_ts == connector.last_id
    assert "**Vetting** clinic on Tuesday." in post.card_text
    assert post.body["text"] == "Weekly digest"


async def test_rate_limits_and_server_errors_are_retried(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        sender = await _installed(client, connector)
        connector.answer_next(429, headers={"Retry-After": "7"})
        limited = await sender.deliver(_item())
        connector.answer_next(503)
        unavailable = await sender.deliver(_item())
    assert (limited.kind, limited.after) == ("retry", 7.0)
    assert "429" in limited.reason
    assert unavailable.kind == "retry"
    assert "503" in unavailable.reason


async def test_a_removed_bot_or_deleted_conversation_fails_with_advice(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        sender = await _installed(client, connector)
        connector.answer_next(403)
        forbidden = await sender.deliver(_item())
        connector.answer_next(404)
        gone = await sender.deliver(_item())
    for outcome in (forbidden, gone):
        assert outcome.kind == "failed"
        assert "Add the app there again" in outcome.advice
    # Nothing was said into the conversation about the failure.
    assert all(c.body.get("type") == "message" for c in connector.calls)
    assert len(connector.calls) == 2


async def test_a_conversation_without_a_reference_fails_without_calling_teams(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        sender = TeamsSender(client.bot_services, client.bot.adapter)
        outcome = await sender.deliver(_item("19:never-installed@thread.tacv2"))
    assert outcome.kind == "failed"
    assert "has not been added" in outcome.advice
    assert connector.calls == []
