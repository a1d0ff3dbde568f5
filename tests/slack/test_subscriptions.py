"""subscribe / unsubscribe / topics / digest on|off through signed /dps-update requests."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select

from bot.services import Services
from storage.models import AuditEntry, Channel, Subscription
from tests.conftest import COORDINATOR, SIGNING_SECRET
from tests.fakes.signing import slash_command_body
from tests.slack.server import SlackClient, running_bot


async def _ask(
    client: SlackClient, fake_slack: Any, text: str, user: str = "U1", channel: str = "C1"
) -> str:
    before = len(fake_slack.responses())
    body = slash_command_body(
        text=text, user_id=user, channel_id=channel, response_url=fake_slack.response_url("cmd")
    )
    started = time.perf_counter()
    reply = await client.post(body)
    assert reply.status == 200 and time.perf_counter() - started < 3.0
    responses = await fake_slack.async_wait_for_response(before + 1)
    answer = responses[before].body
    return "\n".join([answer["text"], *(b["text"]["text"] for b in answer.get("blocks", []))])


async def _subscriptions(services: Services) -> list[tuple[str, str]]:
    async with services.sessions() as session:
        rows = await session.execute(
            select(Channel.channel_id, Subscription.topic)
            .join(Subscription, Subscription.channel_id == Channel.id)
            .order_by(Channel.channel_id, Subscription.topic)
        )
        return [(c, t) for c, t in rows.all()]


async def _count(services: Services, model: type) -> int:
    async with services.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_subscribe_topics_unsubscribe(services: Services, fake_slack: Any) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        said = await _ask(client, fake_slack, "subscribe budget")
        assert "Done: new *" in said and "updates will be posted in this channel" in said
        assert "/invite @sectorbot" in said
        assert await _subscriptions(services) == [("C1", "dps-budget")]

        again = await _ask(client, fake_slack, "follow dps-budget")
        assert "already follows" in again
        assert await _subscriptions(services) == [("C1", "dps-budget")]

        topics = await _ask(client, fake_slack, "topics")
        assert "This conversation follows:" in topics and "followed here" in topics
        elsewhere = await _ask(client, fake_slack, "topics", channel="C2")
        assert "follows no topics yet" in elsewhere

        gone = await _ask(client, fake_slack, "unsubscribe budget")
        assert "no longer be posted in this channel" in gone
        assert await _subscriptions(services) == []
        not_followed = await _ask(client, fake_slack, "unfollow vetting")
        assert "wasn't following" in not_followed


async def test_unknown_topic_changes_nothing(services: Services, fake_slack: Any) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        said = await _ask(client, fake_slack, "subscribe <!channel>")
        bare = await _ask(client, fake_slack, "subscribe")
    assert "I don't know the topic *&lt;!channel&gt;*, so nothing has changed" in said
    assert "`budget`" in said and "`vetting`" in said
    assert "Which topic?" in bare
    assert await _subscriptions(services) == []
    assert await _count(services, Channel) == 0


async def test_a_dm_subscription_is_the_member_following_by_dm(
    services: Services, fake_slack: Any
) -> None:
    body = slash_command_body(text="subscribe vetting", channel_id="D123")
    async with running_bot(services, SIGNING_SECRET) as client:
        assert (await client.post(body)).status == 200
        [reply] = await fake_slack.async_wait_for("chat.postMessage")  # a DM reply is a message
    said = str(reply.params["blocks"])
    assert reply.params["channel"] == "D123"
    assert "to you by direct message" in said and "/invite" not in said
    assert await _subscriptions(services) == [("D123", "vetting")]


async def test_digest_on_off_is_for_coordinators_and_audited(
    services: Services, fake_slack: Any
) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        refused = await _ask(client, fake_slack, "digest on", user="U1")
        assert "Only coordinators" in refused
        assert await _count(services, Channel) == 0
        on = await _ask(client, fake_slack, "digest on", user=COORDINATOR)
        assert "every Monday at 09:00" in on
        async with services.sessions() as session:
            channel = await session.scalar(select(Channel))
            assert channel is not None and channel.is_network
        off = await _ask(client, fake_slack, "digest off", user=COORDINATOR)
        assert "no longer get the weekly digest" in off
    async with services.sessions() as session:
        actions = [
            (a.actor, a.action, a.subject) for a in await session.scalars(select(AuditEntry))
        ]
    assert actions == [
        (COORDINATOR, "digest.on", "channel:C1"),
        (COORDINATOR, "digest.off", "channel:C1"),
    ]
