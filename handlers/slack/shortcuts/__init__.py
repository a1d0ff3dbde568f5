"""Global shortcuts (the lightning-bolt menu): each runs a `/dps-update` verb."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.shortcuts.run import SHORTCUT_COMMANDS, on_global_shortcut


def register(app: AsyncApp) -> None:
    for callback_id in SHORTCUT_COMMANDS:
        app.shortcut(callback_id)(on_global_shortcut)
