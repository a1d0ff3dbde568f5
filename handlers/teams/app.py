"""The Teams bot: an AgentApplication on the Microsoft 365 Agents SDK, served at /api/messages.

Built once at start-up from Services; its listeners are plain functions (`commands`, `actions`,
`install`) bound to those services. Only `/api/messages` checks Teams' JWT: Slack's route and the
health check share the server but not the check.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from microsoft_agents.hosting.aiohttp import (
    CloudAdapter,
    jwt_authorization_decorator,
    start_agent_process,
)
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    ApplicationOptions,
    MessageFactory,
    TurnContext,
    TurnState,
)

from bot.services import Services
from handlers.teams import actions, commands, install
from handlers.teams.auth import auth_configuration, connection_manager, host_validator
from handlers.teams.cards import ACTION, FORM
from handlers.teams.deliver import SORRY
from handlers.teams.directory import TeamsDirectory
from handlers.teams.identity import PLATFORM
from handlers.teams.state import NoTurnState

log = logging.getLogger(__name__)

ROUTE = "/api/messages"
_AUTHENTICATED = web.RequestKey("sectorbot_teams_authenticated", bool)
_ANY = re.compile(r"[\s\S]+")  # any non-empty action name: the core registry decides


@dataclass
class TeamsBot:
    application: AgentApplication[TurnState]
    adapter: CloudAdapter
    auth: AgentAuthConfiguration

    async def handle(self, request: web.Request) -> web.StreamResponse:
        request[_AUTHENTICATED] = True
        response = await start_agent_process(request, self.application, self.adapter)
        return response if response is not None else web.Response(status=202)

    def mount(self, web_app: web.Application) -> None:
        """Serve /api/messages on `web_app`, behind the SDK's JWT check for that route only."""
        with warnings.catch_warnings():  # the SDK looks the configuration up by this string
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            web_app["agent_configuration"] = self.auth
        checked = jwt_authorization_decorator(self.handle)

        async def guarded(request: web.Request) -> web.StreamResponse:
            # The SDK's check raises (a 500) on some malformed tokens, a JWT without a key id
            # for one; a token that cannot be read is a refusal, not a fault of ours.
            try:
                return await checked(request)
            except Exception:
                if request.get(_AUTHENTICATED):
                    raise
                log.warning("refused a Teams request whose token could not be checked")
                return web.json_response({"error": "Invalid token."}, status=401)

        web_app.router.add_post(ROUTE, guarded)


def build_teams(services: Services) -> TeamsBot:
    settings = services.settings
    auth = auth_configuration(settings)
    connections = connection_manager(settings, auth)
    adapter = CloudAdapter(connection_manager=connections, host_validator=host_validator(settings))
    adapter.on_turn_error = _on_turn_error
    application = AgentApplication[TurnState](
        ApplicationOptions(
            storage=NoTurnState(),
            bot_app_id=settings.teams_app_id or "",
            start_typing_timer=False,  # answers take milliseconds; typing would be noise
        ),
        connection_manager=connections,
    )
    _register(application, services)
    services.directories.setdefault(PLATFORM, TeamsDirectory(services, adapter))
    application.error(_on_turn_error)
    return TeamsBot(application=application, adapter=adapter, auth=auth)


def _register(application: AgentApplication[TurnState], services: Services) -> None:
    for key in (ACTION, FORM):
        application.adaptive_card.action_submit(_ANY, submit_filter=key)(
            _bind(actions.on_submit, services)
        )
    application.conversation_update("membersAdded")(_bind(install.on_members_added, services))
    application.conversation_update("membersRemoved")(_bind(install.on_members_removed, services))
    application.message()(_bind(commands.on_command, services))


def _bind(
    handler: Callable[..., Awaitable[None]], services: Services
) -> Callable[..., Awaitable[None]]:
    """A listener with our services bound; named, because the SDK logs handlers by name."""

    async def bound(context: TurnContext, state: TurnState, *rest: Any) -> None:
        await handler(services, context, state, *rest)

    bound.__name__ = bound.__qualname__ = handler.__name__
    return bound


async def _on_turn_error(context: TurnContext, error: Exception) -> None:
    """Log the fault with its context; the member gets a plain sentence, never the exception."""
    activity: Any = context.activity
    log.error(
        "Teams turn failed (%s in conversation %s)",
        getattr(activity, "type", "?"),
        getattr(getattr(activity, "conversation", None), "id", "?"),
        exc_info=error,
    )
    try:
        await context.send_activity(MessageFactory.text(SORRY))
    except Exception:
        log.warning("could not tell the member about the failure")
