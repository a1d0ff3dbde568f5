"""Settings: the one place that reads the environment (and `.env`).

Every name here is a contract with deployers and tools, so each is documented in `.env.example`.
Invalid values raise `ConfigError` naming the variable; the CLI turns that into one line and
exit status 2.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///data/sectorbot.db"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
ENTRA_ID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$", re.IGNORECASE)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ConfigError(Exception):
    """A setting is missing or invalid; the message names the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "0.0.0.0"
    port: int = 3000
    coordinators: frozenset[str] = field(default_factory=frozenset)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    tick_seconds: int = 30
    slack_posts_per_second: int = 5
    digest_weekday: str = "mon"
    digest_time: time = time(9, 0)
    digest_post_empty: bool = True
    coordinators_channel: str | None = None
    log_level: str = "INFO"
    # How long data that only mattered while a survey ran or a post was sent is kept.
    retention_days: int = 90
    # Microsoft Teams (Entra app registration of the Azure Bot); see handlers/teams/.
    teams_app_id: str | None = None
    teams_app_password: str | None = None
    teams_tenant_id: str | None = None
    teams_dev_anonymous: bool = False
    teams_coordinators: frozenset[str] = field(default_factory=frozenset)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def teams_enabled(self) -> bool:
        return bool(self.teams_app_id) or self.teams_dev_anonymous

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    def is_coordinator(self, user_id: str) -> bool:
        return user_id in self.coordinators or user_id.lower() in self.teams_coordinators

    def secrets(self) -> tuple[str, ...]:
        """Values that must never be logged (see bot.logs.protect_secrets)."""
        password = re.search(r"://[^:/@]+:([^@]+)@", self.database_url)
        values = (
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_app_token,
            self.teams_app_password,
            password[1] if password else None,
        )
        return tuple(v for v in values if v)

    def describe(self) -> dict[str, str]:
        """A loggable view with every secret masked."""
        return {
            "slack": "on" if self.slack_enabled else "off",
            "teams": (
                "anonymous (development)"
                if self.teams_dev_anonymous
                else ("on" if self.teams_enabled else "off")
            ),
            "mode": "socket" if self.socket_mode else "http",
            "slack_api_url": self.slack_api_url,
            "database": _mask_url(self.database_url),
            "listen": f"{self.host}:{self.port}",
            "coordinators": str(len(self.coordinators)),
            "timezone": str(self.timezone),
        }

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, dotenv_path: str | Path | None = ".env"
    ) -> Settings:
        """Read settings from `env` (default: the process environment over `.env`)."""
        if env is None:
            merged: dict[str, str] = {}
            if dotenv_path is not None and Path(dotenv_path).is_file():
                merged.update(
                    {k: v for k, v in dotenv_values(dotenv_path).items() if v is not None}
                )
            merged.update(os.environ)
            env = merged
        return _parse(env)


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _parse(env: Mapping[str, str]) -> Settings:
    bot_token = _get(env, "SLACK_BOT_TOKEN")
    signing_secret = _get(env, "SLACK_SIGNING_SECRET")
    app_token = _get(env, "SLACK_APP_TOKEN")
    if bot_token is not None and not bot_token.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN", "must be a bot token starting with 'xoxb-'")
    if app_token is not None and not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN", "must be an app-level token starting with 'xapp-'")
    if app_token and not bot_token:
        raise ConfigError("SLACK_BOT_TOKEN", "is required when SLACK_APP_TOKEN is set")
    if bot_token and not app_token and not signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET", "is required in HTTP mode (no SLACK_APP_TOKEN)")

    api_url = _get(env, "SLACK_API_URL") or DEFAULT_SLACK_API_URL
    if not re.match(r"^https?://[^/\s]+", api_url):
        raise ConfigError("SLACK_API_URL", f"must be an http(s) URL, got {api_url!r}")
    if not api_url.endswith("/"):
        api_url += "/"

    host = _get(env, "SECTORBOT_HOST") or "0.0.0.0"
    teams = _teams(env, host)

    return Settings(
        slack_bot_token=bot_token,
        slack_signing_secret=signing_secret,
        slack_app_token=app_token,
        slack_api_url=api_url,
        database_url=_database_url(_get(env, "DATABASE_URL")),
        host=host,
        port=_int(env, "PORT", 3000, 1, 65535),
        coordinators=_coordinators(_get(env, "SECTORBOT_COORDINATORS")),
        timezone=_zone(_get(env, "SECTORBOT_TIMEZONE") or "Europe/London"),
        tick_seconds=_int(env, "SECTORBOT_TICK_SECONDS", 30, 1, 3600),
        slack_posts_per_second=_int(env, "SECTORBOT_SLACK_POSTS_PER_SECOND", 5, 1, 1000),
        digest_weekday=_weekday(_get(env, "SECTORBOT_DIGEST_DAY") or "mon"),
        digest_time=_clock_time(_get(env, "SECTORBOT_DIGEST_TIME") or "09:00"),
        digest_post_empty=_bool(env, "SECTORBOT_DIGEST_POST_EMPTY", True),
        coordinators_channel=_get(env, "SECTORBOT_COORDINATORS_CHANNEL"),
        log_level=_log_level(_get(env, "LOG_LEVEL") or "INFO"),
        retention_days=_int(env, "SECTORBOT_RETENTION_DAYS", 90, 1, 3650),
        **teams,
    )


def _teams(env: Mapping[str, str], host: str) -> dict[str, Any]:
    """Teams settings. Anonymous mode accepts unsigned requests, so it is for a developer's own
    machine only: refused unless the server listens on loopback."""
    app_id = _get(env, "TEAMS_APP_ID")
    password = _get(env, "TEAMS_APP_PASSWORD")
    tenant = _get(env, "TEAMS_TENANT_ID")
    anonymous = _bool(env, "SECTORBOT_TEAMS_DEV_ANONYMOUS", False)
    if anonymous and host not in LOOPBACK_HOSTS:
        raise ConfigError(
            "SECTORBOT_TEAMS_DEV_ANONYMOUS",
            "accepts unauthenticated requests, so it is allowed only when SECTORBOT_HOST is "
            f"127.0.0.1, localhost or ::1 (it is {host!r})",
        )
    if anonymous and app_id:
        raise ConfigError(
            "SECTORBOT_TEAMS_DEV_ANONYMOUS", "cannot be used together with TEAMS_APP_ID"
        )
    if app_id is not None:
        if not ENTRA_ID.match(app_id):
            raise ConfigError("TEAMS_APP_ID", "must be the bot's Entra application (client) id")
        if password is None:
            raise ConfigError("TEAMS_APP_PASSWORD", "is required when TEAMS_APP_ID is set")
        if tenant is None:
            raise ConfigError("TEAMS_TENANT_ID", "is required when TEAMS_APP_ID is set")
    if tenant is not None and not ENTRA_ID.match(tenant):
        raise ConfigError("TEAMS_TENANT_ID", "must be your Entra tenant (directory) id")
    return {
        "teams_app_id": app_id,
        "teams_app_password": password,
        "teams_tenant_id": tenant,
        "teams_dev_anonymous": anonymous,
        "teams_coordinators": _teams_coordinators(_get(env, "SECTORBOT_TEAMS_COORDINATORS")),
    }


def _teams_coordinators(raw: str | None) -> frozenset[str]:
    ids = [part.strip().lower() for part in (raw or "").split(",") if part.strip()]
    for object_id in ids:
        if not ENTRA_ID.match(object_id):
            raise ConfigError(
                "SECTORBOT_TEAMS_COORDINATORS",
                f"{object_id!r} is not an Entra object id "
                "(like 00000000-0000-0000-0000-000000000000)",
            )
    return frozenset(ids)


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = _get(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(name, f"must be between {low} and {high}, got {value}")
    return value


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError("LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return level


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _get(env, name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(name, f"must be true or false, got {raw!r}")


def _coordinators(raw: str | None) -> frozenset[str]:
    if raw is None:
        return frozenset()
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    for user_id in ids:
        if not _SLACK_USER_ID.match(user_id):
            raise ConfigError(
                "SECTORBOT_COORDINATORS",
                f"{user_id!r} is not a Slack user id (like U012AB3CD); separate ids with commas",
            )
    return frozenset(ids)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            "SECTORBOT_TIMEZONE",
            f"unknown time zone {name!r} (use an IANA name like Europe/London)",
        ) from None


def _weekday(raw: str) -> str:
    day = raw.strip().lower()[:3]
    if day not in WEEKDAYS:
        raise ConfigError(
            "SECTORBOT_DIGEST_DAY", f"must be a weekday like mon or monday, got {raw!r}"
        )
    return day


def _clock_time(raw: str) -> time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError("SECTORBOT_DIGEST_TIME", f"must be HH:MM (24-hour), got {raw!r}")
    return time(int(match[1]), int(match[2]))


def _database_url(raw: str | None) -> str:
    url = raw or DEFAULT_DATABASE_URL
    known = ("sqlite", "postgresql", "postgres")
    if url.split(":", 1)[0].split("+", 1)[0] not in known:
        raise ConfigError(
            "DATABASE_URL",
            "must be sqlite:///path or postgresql+psycopg://user@host/db",
        )
    return url


def _mask_url(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)
