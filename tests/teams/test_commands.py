"""Commands typed in Teams reach the core over /api/messages and come back as Adaptive Cards."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from bot.services import Services
from storage.repositories.updates import add_update
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams import activities
from tests.teams.server import running_teams


async def _posted_update(services: Services, title: str) -> None:
    async with services.sessions.begin() as session:
        await add_update(
            session,
            topic="dps-budget",
            title=title,
            body="Indicative *budgets* are out: see <https://example.org/b|the table>.",
            author="U1",
            publish_at=services.clock() - timedelta(days=1),
            state="posted",
        )


async def test_help_in_a_personal_chat_is_answered_as_a_card(
    services: Services, connector: FakeBotConnector
) -> None:
    incoming = activities.message(connector.service_url, "dps-update help")
    async with running_teams(services) as client:
        answer = await client.post(incoming)
    assert answer.status == 202
    [reply] = connector.posts()
    assert reply.path == (f"/v3/conversations/{activities.PERSONAL}/activities/{incoming['id']}")
    assert reply.body["replyToId"] == incoming["id"]
    assert "**How to use dps-update**" in reply.card_text
    assert "/dps-update" not in reply.card_text  # Teams has no slash commands
    assert reply.body["text"]  # the plain fallback for notifications


async def test_words_are_case_insensitive_and_the_prefix_optional_in_a_personal_chat(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        await client.post(activities.message(connector.service_url, "HELP"))
        await client.post(activities.message(connector.service_url, "Dps-Update TOPICS"))
    help_reply, topics_reply = connector.posts()
    assert "How to use dps-update" in help_reply.card_text
    assert "**Topics**" in topics_reply.card_text


async def test_in_a_channel_the_mention_is_stripped_and_the_reply_is_threaded(
    services: Services, connector: FakeBotConnector
) -> None:
    await _posted_update(services, "Indicative budgets for 2027-28")
    incoming = activities.message(connector.service_url, "dps-update budget", in_channel=True)
    async with running_teams(services) as client:
        assert (await client.post(incoming)).status == 202
    [reply] = connector.posts()
    assert reply.path.startswith(f"/v3/conversations/{activities.CHANNEL};messageid=")
    assert reply.path.endswith(f"/activities/{incoming['id']}")
    text = reply.card_text
    assert "Indicative budgets for 2027-28" in text
    assert "[the table](https://example.org/b)" in text
    assert "**budgets**" in text


async def test_unknown_topic_is_a_plain_sentence_with_usage(
    services: Services, connector: FakeBotConnector
) -> None:
    async with running_teams(services) as client:
        await client.post(activities.message(connector.service_url, "dps-update weather"))
    [reply] = connector.posts()
    assert "I don't know the topic **weather**" in reply.card_text


async def test_expect_replies_returns_the_card_in_the_response_without_a_connector(
    services: Services, connector: FakeBotConnector
) -> None:
    incoming = activities.message(
        connector.service_url, "dps-update help", deliveryMode="expectReplies"
    )
    async with running_teams(services) as client:
        answer = await client.post(incoming)
    assert answer.status == 200
    [activity] = answer.body["activities"]
    card = activity["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    assert connector.calls == []


async def test_a_failing_command_gets_a_plain_sentence_not_a_traceback(
    services: Services, connector: FakeBotConnector
) -> None:
    async with services.engine.begin() as connection:  # the next query will fail
        await connection.execute(text("ALTER TABLE topics RENAME TO topics_elsewhere"))
    async with running_teams(services) as client:
        answer = await client.post(activities.message(connector.service_url, "dps-update budget"))
    assert answer.status == 202
    replies = [c.body.get("text", "") for c in connector.posts()]
    assert any("something went wrong on our side" in text for text in replies)
    assert not any("Traceback" in text or "Error" in text for text in replies)
