"""`/dps-update`: ack at once, then answer through response_url (ephemeral)."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import parse
from bot.dps_update import Caller, run_command
from bot.interactions import ActionResult
from bot.messages import plain
from handlers.slack.deliver import deliver

SORRY = (
    "Sorry, something went wrong on our side and nothing was changed. "
    "Please try again in a minute; if it keeps happening, tell a coordinator."
)


async def dps_update(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    logger: Logger,
) -> None:
    await ack()  # within Slack's 3 s, whatever the database does next
    caller = Caller(
        platform="slack",
        team_id=command.get("team_id", ""),
        user_id=command.get("user_id", ""),
        channel_id=command.get("channel_id", ""),
    )
    try:
        result = await run_command(context["services"], caller, parse(command.get("text", "")))
    except Exception:
        logger.exception(
            "/dps-update failed for user %s in channel %s", caller.user_id, caller.channel_id
        )
        result = ActionResult(reply=plain(SORRY))
    await deliver(
        result, caller, client, respond, trigger_id=command.get("trigger_id"), logger=logger
    )
