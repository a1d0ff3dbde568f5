"""Translate a Slack block action to a core action call, and show its result.

Value conventions (shared with `handlers/slack/render.py`):
- a button carries its value as is;
- a choice's buttons carry `ROUTING|OPTION`;
- a select or checkbox group sits in a block whose id is `choice-N|ROUTING`; a select answers at
  once with `ROUTING|OPTION`; checkbox toggles are only state, and a button whose value is
  `ROUTING` later sends `ROUTING|OPT1,OPT2` read from the message's state.
"""

from __future__ import annotations

import asyncio
from logging import Logger
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.interactions import ActionResult, Caller, dispatch_action
from bot.messages import SORRY_NOTHING_SAVED, plain
from handlers.slack.deliver import deliver
from handlers.slack.render import action_of

ACK_BUDGET = 2.0  # as for view submissions: leaves a second of Slack's 3 s for the reply
SORRY = SORRY_NOTHING_SAVED


def _checked_in_state(body: dict[str, Any], routing: str) -> str | None:
    for block_id, elements in (body.get("state", {}).get("values", {}) or {}).items():
        if not block_id.endswith("|" + routing):
            continue
        for element in elements.values():
            if element.get("type") == "checkboxes":
                return ",".join(o["value"] for o in element.get("selected_options") or [])
    return None


def action_value(action: dict[str, Any], body: dict[str, Any]) -> str | None:
    """The value the core sees, or None for pure state changes (checkbox toggles)."""
    kind = action.get("type")
    if kind == "checkboxes":
        return None
    if kind == "static_select":
        routing = action.get("block_id", "").partition("|")[2]
        return f"{routing}|{(action.get('selected_option') or {}).get('value', '')}"
    value = str(action.get("value", ""))
    checked = _checked_in_state(body, value) if value else None
    return f"{value}|{checked}" if checked is not None else value


def caller_of(body: dict[str, Any]) -> Caller:
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    user_id = (body.get("user") or {}).get("id", "")
    if container.get("type") == "view" and not channel:
        # The Home tab (or a modal) has no channel: answer in the member's DM with the bot,
        # which chat.postMessage reaches through their user id.
        channel = user_id
    return Caller(
        platform="slack",
        team_id=(body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id", ""),
        user_id=user_id,
        channel_id=channel,
    )


async def on_block_action(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
    logger: Logger,
) -> None:
    value = action_value(action, body)
    if value is None or action.get("url"):  # link buttons need nothing from us
        await ack()
        return
    caller = caller_of(body)
    name = action_of(action.get("action_id", ""))
    # The ack tells the member their answer is saved, so it follows the save: a process killed
    # after the ack must not lose the answer. Past ACK_BUDGET we ack anyway (Slack's 3 s).
    work = asyncio.ensure_future(dispatch_action(context["services"], caller, name, value))
    try:
        result = await asyncio.wait_for(asyncio.shield(work), ACK_BUDGET)
    except TimeoutError:
        await ack()
        try:
            result = await work
        except Exception:
            logger.exception("action %s failed for user %s", name, caller.user_id)
            result = ActionResult(reply=plain(SORRY))
    except Exception:
        await ack()
        logger.exception("action %s failed for user %s", name, caller.user_id)
        result = ActionResult(reply=plain(SORRY))
    else:
        await ack()
    await deliver(
        result,
        caller,
        client,
        respond if body.get("response_url") else None,  # none on the Home tab
        trigger_id=body.get("trigger_id"),
        logger=logger,
        container=body.get("container"),
    )
