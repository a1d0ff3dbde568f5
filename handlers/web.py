"""The one HTTP server: Slack at /slack/events, Teams at /api/messages, a health check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

if TYPE_CHECKING:
    from handlers.teams.app import TeamsBot

MAX_BODY = 1024 * 1024  # Slack payloads are far smaller; refuse anything bigger early


def build_web_app(slack_app: AsyncApp | None, teams: TeamsBot | None = None) -> web.Application:
    web_app = web.Application(client_max_size=MAX_BODY)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    web_app.router.add_get("/healthz", healthz)
    if slack_app is not None:

        async def slack_events(request: web.Request) -> web.Response:
            # slack_sdk's verifier raises on a timestamp that isn't a number (a 500 and a
            # traceback per hostile request); it is simply unsigned, so refuse it as such.
            stamp = request.headers.get("X-Slack-Request-Timestamp")
            if stamp is not None and not stamp.strip().isdigit():
                return web.Response(status=401, text="")
            bolt_response = await slack_app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(bolt_response)

        web_app.router.add_post("/slack/events", slack_events)
    if teams is not None:
        teams.mount(web_app)  # its JWT check guards /api/messages only
    return web_app
