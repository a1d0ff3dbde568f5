"""Shared fixtures: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set), the
services the bot runs on, the fake Slack Web API, and the real HTTP server under test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.clock import ManualClock
from bot.config import Settings
from bot.services import Services
from storage.db import create_engine
from tests.fakes.fixtures import fake_slack  # noqa: F401  (a fixture)

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
COORDINATOR = "UCOORD1"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def pytest_report_header() -> str:
    if POSTGRES_URL:
        return "databases: SQLite and PostgreSQL (TEST_DATABASE_URL)"
    return "databases: SQLite only; PostgreSQL variants skip (set TEST_DATABASE_URL to run them)"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "TEST_DATABASE_URL" in str(report.longrepr)
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} skipped: PostgreSQL not configured (set TEST_DATABASE_URL to run them)"
        )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs on PostgreSQL (needs TEST_DATABASE_URL)")


async def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL to run this on PostgreSQL")
    await _reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def settings(database_url: str, fake_slack) -> Settings:  # noqa: F811
    return Settings.from_env(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.base_url,
            "DATABASE_URL": database_url,
            "SECTORBOT_COORDINATORS": COORDINATOR,
        }
    )


@pytest.fixture
async def services(settings: Settings, clock: ManualClock) -> AsyncIterator[Services]:
    running = await Services.start(settings, clock=clock)
    yield running
    await running.close()


@pytest.fixture
def no_env_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Run from an empty folder so a developer's own .env cannot leak into a test."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
