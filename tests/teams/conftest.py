"""Teams fixtures: settings in anonymous development mode, and the fake Bot Connector."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from tests.fakes.bot_connector import FakeBotConnector


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings (Slack on, a fresh database) with Teams in anonymous dev mode."""
    return dataclasses.replace(settings, host="127.0.0.1", teams_dev_anonymous=True)


@pytest.fixture
async def connector() -> AsyncIterator[FakeBotConnector]:
    async with FakeBotConnector() as fake:
        yield fake
