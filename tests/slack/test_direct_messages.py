"""Typing in the bot's DM: read as a command and answered there; other messages ignored."""

from __future__ import annotations

from typing import Any

import pytest

from bot.services import Services
from tests.conftest import SIGNING_SECRET
from tests.fakes.signing import event_body
from tests.slack.server import running_bot


def _dm(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "DMEMBER1",
        "user": "UMEMBER1",
        "text": text,
        "ts": "1700000000.000200",
        **extra,
    }


@pytest.mark.parametrize("text", ["help", "dps-update help", "/dps-update HELP"])
async def test_a_command_typed_in_the_dm_is_answered_there(
    services: Services, fake_slack: Any, text: str
) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        assert (await client.post(event_body(_dm(text)))).status == 200
        posts = await fake_slack.async_wait_for("chat.postMessage")
    assert posts[0].params["channel"] == "DMEMBER1"
    assert "How to use /dps-update" in str(posts[0].params["blocks"])


async def test_a_form_command_in_the_dm_says_to_use_the_slash_command(
    services: Services, fake_slack: Any
) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        event = _dm("new", user="UCOORD1")
        assert (await client.post(event_body(event))).status == 200
        posts = await fake_slack.async_wait_for("chat.postMessage")
    assert "type `/dps-update new` instead" in posts[0].params["text"]


@pytest.mark.parametrize(
    "extra",
    [{"bot_id": "BBOT"}, {"subtype": "message_changed"}, {"channel_type": "channel"}],
)
async def test_bots_edits_and_channel_messages_are_ignored(
    services: Services, fake_slack: Any, extra: dict[str, Any]
) -> None:
    async with running_bot(services, SIGNING_SECRET) as client:
        assert (await client.post(event_body(_dm("help", **extra)))).status == 200
        # A command after it is answered, and is the only answer: the first was ignored.
        assert (await client.post(event_body(_dm("help")))).status == 200
        posts = await fake_slack.async_wait_for("chat.postMessage")
    assert len(fake_slack.calls("chat.postMessage")) == 1
    assert posts[0].params["channel"] == "DMEMBER1"
