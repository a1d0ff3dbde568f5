"""`app_home_opened`: build the member's Home in the core and publish it."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.home import build_home
from bot.interactions import Caller
from handlers.slack.render import render_blocks

HOME_BLOCK_LIMIT = 100


async def on_app_home_opened(
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    logger: Logger,
) -> None:
    if event.get("tab", "home") != "home":  # the Messages tab needs nothing from us
        return
    user_id = event.get("user", "")
    caller = Caller(
        platform="slack",
        team_id=body.get("team_id", ""),
        user_id=user_id,
        channel_id=event.get("channel", ""),
    )
    try:
        home = await build_home(context["services"], caller)
        view = {"type": "home", "blocks": render_blocks(home, max_blocks=HOME_BLOCK_LIMIT)}
        await client.views_publish(user_id=user_id, view=view)
    except Exception:
        logger.exception("could not publish the Home tab for user %s", user_id)
