"""Slack events listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.events.app_home import on_app_home_opened


def register(app: AsyncApp) -> None:
    """Wire this kind's listeners; features add theirs here."""
    app.event("app_home_opened")(on_app_home_opened)
