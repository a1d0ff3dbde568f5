"""Build the Bolt app: one place that wires the client, the signing secret and the listeners."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

import bot.features  # noqa: F401  (registers the core's commands, actions and forms)
from bot.services import Services
from handlers.slack import actions, commands, events, shortcuts, views
from handlers.slack.directory import SlackDirectory
from handlers.slack.repeated_events import skip_repeated_events
from handlers.slack.respond import respond_over

log = logging.getLogger(__name__)


def build_client(
    services: Services, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """A Web API client that retries connection errors and honours 429 Retry-After, bounded.
    With `session` its connections are kept open between calls (see `slack_http_session`)."""
    return AsyncWebClient(
        token=services.settings.slack_bot_token,
        base_url=services.settings.slack_api_url,
        session=session,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def slack_http_session() -> aiohttp.ClientSession:
    """One HTTP session for every Web API call the running bot makes. Without it slack_sdk opens
    a new connection (TCP and TLS) per call; every click's reply is such a call. The timeout is
    slack_sdk's own default, which it applies only to the sessions it makes itself."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))


class _SkipTokenUnusedWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and warns that the client we pass
    (with retry handlers) wins; that is intended, so the warning is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_BOLT_LOG = logging.getLogger("sectorbot.slack")
_BOLT_LOG.addFilter(_SkipTokenUnusedWarning())


def build_app(services: Services, client: AsyncWebClient | None = None) -> AsyncApp:
    """The Slack app for `services`; HTTP and Socket Mode share every listener."""
    settings = services.settings
    client = client or build_client(services)
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret or "socket-mode-has-no-signing-secret",
        # Socket Mode requests arrive over an authenticated websocket and carry no signature.
        request_verification_enabled=not settings.socket_mode,
        logger=_BOLT_LOG,
    )

    @app.middleware
    async def inject_services(context: AsyncBoltContext, next: Any) -> Any:
        context["services"] = services
        return await next()

    services.directories.setdefault("slack", SlackDirectory(app.client))
    app.middleware(respond_over(client.session))
    app.middleware(skip_repeated_events(services))
    commands.register(app)
    events.register(app)
    actions.register(app)
    views.register(app)
    shortcuts.register(app)
    return app
