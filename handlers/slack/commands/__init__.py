"""Slash-command listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands import COMMAND
from handlers.slack.commands.dps_update import dps_update


def register(app: AsyncApp) -> None:
    app.command(COMMAND)(dps_update)
