"""Who may call /api/messages, and how the bot gets tokens to answer: built from Settings.

With Entra credentials the SDK validates every incoming JWT against the bot's app id and
tenant, and MSAL fetches tokens for the Bot Connector. In anonymous development mode (refused
by `bot.config` unless the server listens on loopback) nothing is checked and no token is sent,
so the Teams app test tool or a test's fake connector can talk to the bot without Azure.
"""

from __future__ import annotations

from microsoft_agents.hosting.core import (
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    AuthTypes,
    ConnectionManager,
    Connections,
)
from microsoft_agents.hosting.core.security.outbound_host_validator import (
    OutboundHostValidator,
)

from bot.config import Settings

SERVICE_CONNECTION = "SERVICE_CONNECTION"  # the SDK's name for the default connection


def auth_configuration(settings: Settings) -> AgentAuthConfiguration:
    if settings.teams_dev_anonymous:
        return AgentAuthConfiguration(
            auth_type=AuthTypes.client_secret,
            connection_name=SERVICE_CONNECTION,
            anonymous_allowed=True,
        )
    return AgentAuthConfiguration(
        auth_type=AuthTypes.client_secret,
        client_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id,
        client_secret=settings.teams_app_password,
        connection_name=SERVICE_CONNECTION,
        anonymous_allowed=False,
    )


def connection_manager(settings: Settings, config: AgentAuthConfiguration) -> Connections:
    """The SDK (1.9) needs one for every adapter and application; MSAL only with credentials."""
    if settings.teams_dev_anonymous:
        return ConnectionManager(
            provider_factory=lambda _config: AnonymousTokenProvider(),
            connections_configurations={SERVICE_CONNECTION: config},
        )
    from microsoft_agents.authentication.msal import MsalConnectionManager

    return MsalConnectionManager(connections_configurations={SERVICE_CONNECTION: config})


def host_validator(settings: Settings) -> OutboundHostValidator:
    """In production only Microsoft's service URLs may be answered (a forged serviceUrl cannot
    make the bot send its token elsewhere); off in development, where the URL is loopback."""
    return OutboundHostValidator(enabled=not settings.teams_dev_anonymous)
