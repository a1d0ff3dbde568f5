"""Commands typed as messages: `dps-update budget`, or just `budget`, routed to the core.

Teams has no slash commands for bots; the manifest's command list suggests the same words
(`dps-update help`...). A bot only hears a channel or group chat when @mentioned, so anything it
hears is addressed to it: the prefix is optional everywhere, and the mention is already
stripped by the SDK (`remove_recipient_mention`).
"""

from __future__ import annotations

import html
import logging
import re

from microsoft_agents.hosting.core import TurnContext, TurnState

from bot.commands import ParsedCommand, parse_typed
from bot.dps_update import run_command
from bot.interactions import ActionResult
from bot.messages import plain
from bot.services import Services
from handlers.teams.actions import on_submit
from handlers.teams.deliver import SORRY, show
from handlers.teams.identity import caller_of
from handlers.teams.references import remember_conversation
from handlers.teams.submit import is_ours

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def command_text(text: str) -> str:
    """The words after the command: HTML entities and other people's mentions gone, spaces
    collapsed (the core drops the optional `dps-update` word)."""
    text = _TAG.sub(" ", _MENTION.sub(" ", text))
    return " ".join(html.unescape(text).split())


def parse_message(text: str) -> ParsedCommand:
    return parse_typed(command_text(text))


async def on_command(services: Services, context: TurnContext, state: TurnState) -> None:
    activity = context.activity
    if is_ours(activity.value):  # a card submit that also carried text
        await on_submit(services, context, state, activity.value)
        return
    await remember_conversation(services, activity)
    if not (activity.text or "").strip():
        return  # a sticker, an image or an empty card submit: nothing to answer
    caller = caller_of(activity)
    command = parse_message(activity.text or "")
    try:
        result = await run_command(services, caller, command)
    except Exception:
        log.exception("command %s failed for user %s", command.name, caller.user_id)
        result = ActionResult(reply=plain(SORRY))
    await show(context, result)
