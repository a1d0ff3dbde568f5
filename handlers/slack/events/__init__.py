"""Slack events listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.events.app_home import on_app_home_opened
from handlers.slack.events.direct_message import on_message
from handlers.slack.events.uninstall import on_app_uninstalled, on_tokens_revoked


def register(app: AsyncApp) -> None:
    """Wire this kind's listeners; features add theirs here."""
    app.event("app_home_opened")(on_app_home_opened)
    app.event("app_uninstalled")(on_app_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)
    app.event("message")(on_message)
