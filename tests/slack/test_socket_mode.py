"""Socket Mode: the same listeners, reached through Bolt's socket-mode request path.

A live websocket to Slack is not possible here; what Socket Mode adds on top of this path is
slack_sdk's own client, which we do not reimplement.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.config import Settings
from bot.services import Services
from handlers.slack.app import build_app
from tests.conftest import BOT_TOKEN
from tests.fakes.signing import slash_command_body


async def test_slash_command_over_socket_mode(services: Services, fake_slack: Any) -> None:
    services.settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": "xapp-test",
            "SLACK_API_URL": fake_slack.base_url,
            "DATABASE_URL": services.settings.database_url,
        }
    )
    app = build_app(services)
    payload = dict(
        parse_qsl(slash_command_body(text="help", response_url=fake_slack.response_url("sock")))
    )
    request = SocketModeRequest(type="slash_commands", envelope_id="env-1", payload=payload)
    response = await run_async_bolt_app(app, request)
    assert response.status == 200  # no signature in Socket Mode, and none is asked for
    answers = await fake_slack.async_wait_for_response(1, 5.0, "sock")
    assert "How to use /dps-update" in str(answers[0].body)
