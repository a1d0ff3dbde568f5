"""A Bot Connector client outside a turn: for listing a conversation's members and creating a
personal conversation with someone the bot has not talked to yet.

It comes from the adapter's own client factory, so it carries a token from the same connection
manager as replies and proactive posts (none in anonymous development mode).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import ClaimsIdentity
from microsoft_agents.hosting.core.authorization import AuthenticationConstants
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.config import Settings


def _identity(settings: Settings, adapter: CloudAdapter) -> tuple[ClaimsIdentity, str]:
    if settings.teams_dev_anonymous:
        # No claims: the SDK's anonymous caller, which sends no token.
        anonymous = ClaimsIdentity({}, authentication_type="anonymous")
        return anonymous, AuthenticationConstants.AGENTS_SDK_SCOPE
    identity = adapter.create_claims_identity(settings.teams_app_id or "")
    return identity, identity.get_token_audience()


@asynccontextmanager
async def connector_client(
    settings: Settings, adapter: CloudAdapter, service_url: str
) -> AsyncIterator[ConnectorClientBase]:
    identity, audience = _identity(settings, adapter)
    factory = adapter._channel_service_client_factory  # the adapter's own, for the same tokens
    client = await factory.create_connector_client(
        None, identity, service_url, audience, use_anonymous=identity.allow_anonymous
    )
    try:
        yield client
    finally:
        await client.close()
