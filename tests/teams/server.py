"""The bot's real aiohttp server (Slack and Teams on one app) on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from bot.services import Services
from handlers.slack.app import build_app
from handlers.teams.app import TeamsBot, build_teams
from handlers.web import build_web_app


@dataclass
class Answer:
    status: int
    body: Any


class TeamsClient:
    """Posts activities to /api/messages as the Bot Connector does (JSON, optional bearer)."""

    def __init__(
        self, session: aiohttp.ClientSession, root: str, bot: TeamsBot, services: Services
    ) -> None:
        self.session = session
        self.root = root
        self.bot = bot
        self.bot_services = services

    async def post(self, activity: dict[str, Any], *, token: str | None = None) -> Answer:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.session.post(
            self.root + "/api/messages", json=activity, headers=headers
        ) as response:
            text = await response.text()
            body: Any = await response.json() if text and "json" in response.content_type else text
            return Answer(response.status, body)


@asynccontextmanager
async def running_teams(
    services: Services, *, with_slack: bool = False
) -> AsyncIterator[TeamsClient]:
    bot = build_teams(services)
    web_app = build_web_app(build_app(services) if with_slack else None, bot)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as session:
            yield TeamsClient(session, f"http://127.0.0.1:{port}", bot, services)
    finally:
        await runner.cleanup()
