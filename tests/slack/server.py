"""The bot's real aiohttp server on a loopback port, and a client that signs like Slack."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from bot.services import Services
from handlers.slack.app import build_app, build_client, slack_http_session
from handlers.web import build_web_app
from tests.fakes.signing import sign


@dataclass
class Reply:
    status: int
    body: str


class SlackClient:
    """Posts to /slack/events exactly as Slack does: signed raw body, form or JSON."""

    def __init__(self, session: aiohttp.ClientSession, url: str, secret: str) -> None:
        self.session = session
        self.url = url
        self.secret = secret

    async def post(
        self,
        body: str,
        *,
        timestamp: int | None = None,
        signed: bool = True,
        secret: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Reply:
        headers = sign(body, secret or self.secret, timestamp=timestamp or int(time.time()))
        if not signed:
            headers = {k: v for k, v in headers.items() if not k.lower().startswith("x-slack")}
        headers.update(extra_headers or {})
        async with self.session.post(self.url, data=body.encode(), headers=headers) as response:
            return Reply(response.status, await response.text())


@asynccontextmanager
async def running_bot(services: Services, secret: str) -> AsyncIterator[SlackClient]:
    """The Bolt app wired as `sectorbot run` wires it (one HTTP session for its Slack calls),
    behind the real aiohttp server."""
    slack_http = slack_http_session()
    web_app = build_web_app(build_app(services, build_client(services, slack_http)))
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as session:
            yield SlackClient(session, f"http://127.0.0.1:{port}/slack/events", secret)
    finally:
        await runner.cleanup()
        await slack_http.close()
