"""Start the bot: database, Slack (HTTP or Socket Mode), Teams, the web server, until a signal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiohttp import web

from bot.config import Settings
from bot.delivery import Pace
from bot.scheduler import Ticker
from bot.services import Services
from handlers.web import build_web_app

log = logging.getLogger(__name__)


async def serve(settings: Settings, *, ready: asyncio.Event | None = None) -> None:
    services = await Services.start(settings)
    slack_app = None
    socket_handler = None
    if settings.slack_enabled:
        from handlers.slack.app import build_app
        from handlers.slack.sender import SlackSender, build_sender_client

        slack_app = build_app(services)
        pace = Pace(settings.slack_posts_per_second)
        services.senders["slack"] = SlackSender(build_sender_client(services), pace)
    teams = None
    if settings.teams_enabled:
        from handlers.teams.app import build_teams
        from handlers.teams.sender import TeamsSender

        teams = build_teams(services)
        services.senders["teams"] = TeamsSender(services, teams.adapter)
    web_app = build_web_app(slack_app if not settings.socket_mode else None, teams)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    if slack_app is not None and settings.socket_mode:
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        socket_handler = AsyncSocketModeHandler(slack_app, settings.slack_app_token)
        await socket_handler.connect_async()
    ticker = Ticker(services)
    ticker.start()
    log.info("sectorbot ready: %s", settings.describe())
    if ready is not None:
        ready.set()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not available off the main thread or off Unix: Ctrl-C still ends the process there.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("sectorbot stopping")
        await ticker.stop()
        if socket_handler is not None:
            await socket_handler.close_async()
        await runner.cleanup()
        await services.close()
