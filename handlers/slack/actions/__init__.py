"""Block actions: every button and choice goes to the core's action registry."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from handlers.slack.actions.route import on_block_action


def register(app: AsyncApp) -> None:
    app.action(re.compile(r".*"))(on_block_action)
