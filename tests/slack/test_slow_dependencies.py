"""Every listener acks within Slack's 3 seconds even when the database or the Web API is slow."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.services import Services
from tests.conftest import SIGNING_SECRET
from tests.fakes.signing import block_actions_body, block_actions_payload, slash_command_body
from tests.slack.server import running_bot
from tests.slack.slow import SlowSessions

pytestmark = pytest.mark.slow
DELAY = 5.0


async def test_command_acks_fast_with_a_slow_database(services: Services, fake_slack: Any) -> None:
    services.sessions = SlowSessions(services.sessions, DELAY)  # type: ignore[assignment]
    body = slash_command_body(text="budget", response_url=fake_slack.response_url("slow"))
    async with running_bot(services, SIGNING_SECRET) as client:
        started = time.perf_counter()
        reply = await client.post(body)
        ack = time.perf_counter() - started
        assert reply.status == 200
        assert ack < 3.0, f"ack took {ack:.2f}s"
        # The answer still arrives once the database does.
        answers = await fake_slack.async_wait_for_response(1, DELAY + 5, "slow")
    assert "Latest on DPS budget" in str(answers[0].body)


async def test_button_acks_fast_with_a_slow_web_api(services: Services, fake_slack: Any) -> None:
    fake_slack.delay("chat.postMessage", DELAY)
    payload = block_actions_payload("no.such.action#0", "x", channel_id="D1")
    async with running_bot(services, SIGNING_SECRET) as client:
        started = time.perf_counter()
        reply = await client.post(block_actions_body(payload))
        ack = time.perf_counter() - started
        assert reply.status == 200
        assert ack < 3.0, f"ack took {ack:.2f}s"
        await fake_slack.async_wait_for("chat.postMessage", 1, DELAY + 5)
