"""Settings: the documented variable names, defaults, and one-line errors naming the variable."""

from __future__ import annotations

import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, Settings


def test_defaults_need_nothing_set() -> None:
    settings = Settings.from_env({})
    assert not settings.slack_enabled
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert (settings.host, settings.port) == ("0.0.0.0", 3000)
    assert str(settings.timezone) == "Europe/London"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.digest_time == time(9, 0)


def test_reads_the_contract_names() -> None:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
            "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/test",
            "SECTORBOT_HOST": "127.0.0.1",
            "PORT": "8080",
            "SECTORBOT_COORDINATORS": "U01ABC, U02DEF",
            "SECTORBOT_TIMEZONE": "Europe/Dublin",
        }
    )
    assert settings.slack_enabled and not settings.socket_mode
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.port == 8080
    assert settings.coordinators == {"U01ABC", "U02DEF"}
    assert settings.is_coordinator("U01ABC") and not settings.is_coordinator("U99")


def test_app_token_means_socket_mode_without_signing_secret() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert settings.socket_mode


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "nope"}, "SLACK_APP_TOKEN"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"SECTORBOT_TIMEZONE": "Mars/Olympus"}, "SECTORBOT_TIMEZONE"),
        ({"SECTORBOT_COORDINATORS": "alice,bob"}, "SECTORBOT_COORDINATORS"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"SLACK_API_URL": "not a url"}, "SLACK_API_URL"),
        ({"SECTORBOT_DIGEST_TIME": "25:00"}, "SECTORBOT_DIGEST_TIME"),
        ({"SECTORBOT_DIGEST_DAY": "someday"}, "SECTORBOT_DIGEST_DAY"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_invalid_settings_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env(env)
    assert error.value.variable == variable
    assert str(error.value).startswith(variable)


def test_env_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=4000\nSECTORBOT_HOST=127.0.0.1\n")
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.setenv("SECTORBOT_HOST", "::1")
    merged = Settings.from_env(dotenv_path=env_file)
    assert merged.port == 4000
    assert merged.host == "::1"


def test_describe_masks_database_password() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgresql://bot:hunter2@db/prod"})
    assert "hunter2" not in str(settings.describe())


def test_cli_reports_bad_config_in_one_line_with_status_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "updates", "list"],
        env={"PORT": "nope", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path.cwd())},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "sectorbot: configuration error: PORT: must be a whole number, got 'nope'"
    ]
    assert "Traceback" not in result.stderr
