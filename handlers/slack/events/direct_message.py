"""Messages typed in the bot's DM are read as commands (`budget`, `survey`, `help`...), as in
Teams, so a member who writes to the bot is answered rather than met with silence."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import parse_typed
from bot.dps_update import run_command
from bot.interactions import ActionResult, Caller
from bot.messages import SORRY_NOTHING_CHANGED, plain
from handlers.slack.deliver import deliver

SORRY = SORRY_NOTHING_CHANGED
FORMS_NEED_SLASH = (
    "That opens a form, which Slack only allows from a slash command: "
    "type `/dps-update {verb}` instead."
)


def is_person_in_dm(event: dict[str, Any]) -> bool:
    """A person's own new message in a DM: not an edit, a join, a file share or a bot."""
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and bool(event.get("user"))
    )


async def on_message(
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    logger: Logger,
) -> None:
    if not is_person_in_dm(event):
        return
    caller = Caller(
        platform="slack",
        team_id=body.get("team_id", ""),
        user_id=event["user"],
        channel_id=event.get("channel", ""),
    )
    command = parse_typed(event.get("text", ""))
    try:
        result = await run_command(context["services"], caller, command)
    except Exception:
        logger.exception("a DM command failed for user %s", caller.user_id)
        result = ActionResult(reply=plain(SORRY))
    if result.form is not None and result.reply is None:
        result = ActionResult(reply=plain(FORMS_NEED_SLASH.format(verb=command.name)))
    await deliver(result, caller, client, None, trigger_id=None, logger=logger)
