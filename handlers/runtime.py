"""Start the bot: database, Slack (HTTP or Socket Mode), Teams, the web server, until a signal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from aiohttp import web

from bot.config import Settings
from bot.delivery import Pace
from bot.scheduler import Ticker
from bot.services import Services
from handlers.web import build_web_app

log = logging.getLogger(__name__)

# Slack's answers that mean the token itself is wrong: no point starting.
BAD_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


class StartupError(Exception):
    """The bot cannot start; the message is one plain line for the operator."""


async def check_slack_token(client: Any) -> None:
    """Ask Slack who we are before saying "ready", so a wrong token fails at once, in one line,
    rather than when the first post fails. Slack being unreachable is only a warning."""
    from slack_sdk.errors import SlackApiError

    try:
        identity = await client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error", "")
        if code in BAD_TOKEN:
            raise StartupError(
                f"Slack refused SLACK_BOT_TOKEN ({code}). Copy the Bot User OAuth Token again "
                "from the app's OAuth & Permissions page."
            ) from None
        log.warning("Slack's auth.test answered %s; starting anyway", code)
    except Exception as error:  # network: Slack may be briefly unreachable
        log.warning("could not reach Slack to check the token (%s); starting anyway", error)
    else:
        log.info("Slack: signed in as %s in %s", identity.get("user"), identity.get("team"))


async def serve(settings: Settings, *, ready: asyncio.Event | None = None) -> None:
    services = await Services.start(settings)
    slack_app = None
    slack_http = None
    socket_handler = None
    if settings.slack_enabled:
        from handlers.slack.app import build_app, build_client, slack_http_session
        from handlers.slack.sender import SlackSender, build_sender_client

        slack_http = slack_http_session()
        slack_app = build_app(services, build_client(services, slack_http))
        try:
            await check_slack_token(slack_app.client)
        except StartupError:
            await slack_http.close()
            await services.close()
            raise
        pace = Pace(settings.slack_posts_per_second)
        services.senders["slack"] = SlackSender(build_sender_client(services, slack_http), pace)
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
    if not settings.coordinators and not settings.teams_coordinators:
        log.warning(
            "no coordinators are set (SECTORBOT_COORDINATORS): nobody can publish updates, "
            "run surveys or export reports"
        )
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
        if slack_http is not None:
            await slack_http.close()
        await services.close()
