"""A global shortcut is a command without a channel: replies go to the person's DM with the bot,
and a form it opens reports back there too."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import ParsedCommand
from bot.dps_update import run_command
from bot.interactions import ActionResult, Caller
from bot.messages import SORRY_NOTHING_CHANGED, plain
from handlers.slack.deliver import deliver

# callback_id (as in manifest.yml) -> the command it stands for.
SHORTCUT_COMMANDS: dict[str, ParsedCommand] = {"update.new": ParsedCommand("new")}

SORRY = SORRY_NOTHING_CHANGED


async def on_global_shortcut(
    ack: AsyncAck,
    shortcut: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    logger: Logger,
) -> None:
    await ack()
    user = shortcut.get("user") or {}
    caller = Caller(
        platform="slack",
        team_id=(shortcut.get("team") or {}).get("id") or user.get("team_id", ""),
        user_id=user.get("id", ""),
        channel_id=user.get("id", ""),  # no channel: answer in the DM
    )
    parsed = SHORTCUT_COMMANDS[shortcut.get("callback_id", "")]
    try:
        result = await run_command(context["services"], caller, parsed)
    except Exception:
        logger.exception("shortcut %s failed for user %s", parsed.name, caller.user_id)
        result = ActionResult(reply=plain(SORRY))
    await deliver(
        result, caller, client, None, trigger_id=shortcut.get("trigger_id"), logger=logger
    )
