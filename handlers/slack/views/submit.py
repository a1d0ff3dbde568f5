"""A submitted modal: validate in the core, answer Slack with field errors or close it.

The form handler runs before the ack because Slack only shows field errors in the ack; if it
has not finished within ACK_BUDGET seconds the modal closes and the result follows as a message.
"""

from __future__ import annotations

import asyncio
from logging import Logger
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.interactions import ActionResult, Caller, FormResult, dispatch_form
from bot.messages import SORRY_NOTHING_SAVED, plain
from handlers.slack.deliver import deliver
from handlers.slack.forms import form_metadata, submitted_values

ACK_BUDGET = 2.0
SORRY = SORRY_NOTHING_SAVED


async def on_view_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    logger: Logger,
) -> None:
    private, origin = form_metadata(view)
    user = body.get("user") or {}
    caller = Caller(
        platform="slack",
        team_id=user.get("team_id", "") or (body.get("team") or {}).get("id", ""),
        user_id=user.get("id", ""),
        # Replies go to where the form was opened from, or to the member's DM.
        channel_id=origin.get("channel") or user.get("id", ""),
    )
    name = view.get("callback_id", "")
    work = asyncio.ensure_future(
        dispatch_form(context["services"], caller, name, submitted_values(view), private)
    )
    try:
        result: FormResult = await asyncio.wait_for(asyncio.shield(work), ACK_BUDGET)
    except TimeoutError:
        await ack()
        result = await _finish(work, name, caller, logger)
    except Exception:
        logger.exception("form %s failed for user %s", name, caller.user_id)
        await ack()
        result = FormResult(reply=plain(SORRY))
    else:
        if result.errors:
            await ack(response_action="errors", errors=dict(result.errors))
            return
        await ack()
    container: dict[str, Any] = {
        "channel_id": origin.get("channel", ""),
        "message_ts": origin.get("ts", ""),
        "is_ephemeral": origin.get("eph") == "1",
    }
    await deliver(
        ActionResult(replace=result.replace, reply=result.reply),
        caller,
        client,
        None,
        trigger_id=None,
        logger=logger,
        container=container if origin.get("ts") else {"message_ts": "", "channel_id": ""},
    )


async def _finish(
    work: asyncio.Future[FormResult], name: str, caller: Caller, logger: Logger
) -> FormResult:
    try:
        result = await work
    except Exception:
        logger.exception("form %s failed for user %s", name, caller.user_id)
        return FormResult(reply=plain(SORRY))
    if result.errors:
        problems = " ".join(result.errors.values())
        return FormResult(
            reply=plain(f"That was not saved: {problems} Please open the form again.")
        )
    return result
