"""Every listener acks within Slack's 3 seconds even when the database or the Web API is slow."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.services import Services
from tests.conftest import SIGNING_SECRET
from tests.fakes.signing import (
    block_actions_body,
    block_actions_payload,
    event_body,
    slash_command_body,
)
from tests.slack.server import SlackClient, running_bot
from tests.slack.slow import SlowSessions

pytestmark = pytest.mark.slow
DELAY = 3.5  # past Slack's 3 s: a listener that waited for the database could not ack in time


async def _acks_in_time(client: SlackClient, body: str) -> None:
    started = time.perf_counter()
    reply = await client.post(body)
    ack = time.perf_counter() - started
    assert reply.status == 200
    assert ack < 3.0, f"ack took {ack:.2f}s"


async def test_command_acks_fast_with_a_slow_database(services: Services, fake_slack: Any) -> None:
    services.sessions = SlowSessions(services.sessions, DELAY)  # type: ignore[assignment]
    body = slash_command_body(text="budget", response_url=fake_slack.response_url("slow"))
    async with running_bot(services, SIGNING_SECRET) as client:
        await _acks_in_time(client, body)
        # The answer still arrives once the database does.
        answers = await fake_slack.async_wait_for_response(1, DELAY + 5, "slow")
    assert "Latest on DPS budget" in str(answers[0].body)


async def test_button_acks_fast_with_a_slow_web_api(services: Services, fake_slack: Any) -> None:
    fake_slack.delay("chat.postMessage", DELAY)
    payload = block_actions_payload("no.such.action#0", "x", channel_id="D1")
    async with running_bot(services, SIGNING_SECRET) as client:
        await _acks_in_time(client, block_actions_body(payload))
        await fake_slack.async_wait_for("chat.postMessage", 1, DELAY + 5)


async def test_event_acks_fast_with_a_slow_database(services: Services, fake_slack: Any) -> None:
    services.sessions = SlowSessions(services.sessions, DELAY)  # type: ignore[assignment]
    event = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"}
    async with running_bot(services, SIGNING_SECRET) as client:
        await _acks_in_time(client, event_body(event))
        # Home sections each wait for the database; the page still arrives.
        await fake_slack.async_wait_for("views.publish", 1, 4 * DELAY)
