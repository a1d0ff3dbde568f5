"""Teams' JWT check guards /api/messages only: Slack's route and the health check are untouched,
and anonymous development mode is refused off loopback."""

from __future__ import annotations

import dataclasses
import time

import pytest

from bot.config import ConfigError, Settings
from bot.services import Services
from tests.conftest import SIGNING_SECRET
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.signing import sign, slash_command_body
from tests.teams import activities
from tests.teams.server import running_teams

APP_ID = "5b1f4c2e-1111-4222-8333-944455556666"
TENANT = activities.TENANT


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Real Entra settings (no network is needed to refuse a request without a valid token)."""
    return dataclasses.replace(
        settings,
        host="0.0.0.0",
        teams_dev_anonymous=False,
        teams_app_id=APP_ID,
        teams_app_password="not-a-real-secret",
        teams_tenant_id=TENANT,
    )


@pytest.mark.parametrize("token", [None, "not-a-jwt", "eyJhbGciOiJub25lIn0.e30."])
async def test_api_messages_refuses_requests_without_a_valid_token(
    services: Services, connector: FakeBotConnector, token: str | None
) -> None:
    async with running_teams(services, with_slack=True) as client:
        answer = await client.post(
            activities.message(connector.service_url, "dps-update help"), token=token
        )
    assert answer.status == 401
    assert connector.calls == []


async def test_slack_events_and_healthz_still_work_beside_the_teams_check(
    services: Services, fake_slack: object, connector: FakeBotConnector
) -> None:
    body = slash_command_body(text="help")
    async with running_teams(services, with_slack=True) as client:
        headers = sign(body, SIGNING_SECRET, timestamp=int(time.time()))
        async with client.session.post(
            client.root + "/slack/events", data=body.encode(), headers=headers
        ) as response:
            assert response.status == 200
        async with client.session.get(client.root + "/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"ok": True}
        refused = await client.post(activities.message(connector.service_url, "help"))
    assert refused.status == 401


def _env(**extra: str) -> dict[str, str]:
    return {"DATABASE_URL": "sqlite:///x.db", **extra}


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_anonymous_mode_is_allowed_on_loopback(host: str) -> None:
    settings = Settings.from_env(_env(SECTORBOT_TEAMS_DEV_ANONYMOUS="true", SECTORBOT_HOST=host))
    assert settings.teams_enabled and settings.teams_dev_anonymous


@pytest.mark.parametrize("host", [None, "0.0.0.0", "10.0.0.5", "bot.example.org"])
def test_anonymous_mode_is_refused_anywhere_else(host: str | None) -> None:
    env = _env(SECTORBOT_TEAMS_DEV_ANONYMOUS="true")
    if host is not None:
        env["SECTORBOT_HOST"] = host
    with pytest.raises(ConfigError) as refused:
        Settings.from_env(env)
    assert refused.value.variable == "SECTORBOT_TEAMS_DEV_ANONYMOUS"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"TEAMS_APP_ID": APP_ID, "TEAMS_TENANT_ID": TENANT}, "TEAMS_APP_PASSWORD"),
        ({"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "s"}, "TEAMS_TENANT_ID"),
        (
            {"TEAMS_APP_ID": "my-bot", "TEAMS_APP_PASSWORD": "s", "TEAMS_TENANT_ID": TENANT},
            "TEAMS_APP_ID",
        ),
        ({"SECTORBOT_TEAMS_COORDINATORS": "U123"}, "SECTORBOT_TEAMS_COORDINATORS"),
    ],
)
def test_teams_settings_name_the_variable_at_fault(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.from_env(_env(**env))
    assert refused.value.variable == variable


def test_teams_and_slack_can_be_on_together_and_teams_coordinators_count() -> None:
    settings = Settings.from_env(
        _env(
            SLACK_BOT_TOKEN="xoxb-1",
            SLACK_SIGNING_SECRET="s",
            TEAMS_APP_ID=APP_ID,
            TEAMS_APP_PASSWORD="s",
            TEAMS_TENANT_ID=TENANT,
            SECTORBOT_TEAMS_COORDINATORS=activities.USER_AAD.upper(),
        )
    )
    assert settings.slack_enabled and settings.teams_enabled
    assert settings.is_coordinator(activities.USER_AAD)
    assert "not-a-real" not in str(settings.describe())
