"""Show a core ActionResult in Slack: replace the message, reply, or open a modal."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.interactions import ActionResult, Attachment, Caller
from bot.messages import Message
from handlers.slack.forms import render_modal
from handlers.slack.render import render


async def deliver(
    result: ActionResult,
    caller: Caller,
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    *,
    trigger_id: str | None,
    logger: Logger,
    container: dict[str, Any] | None = None,
) -> None:
    """`container` is the message the interaction came from (channel, ts, ephemeral or not).

    Replies are personal: in a DM they are ordinary messages; anywhere else only the person who
    acted sees them (ephemeral).
    """
    container = container or {}
    message_ts = container.get("message_ts")
    in_dm = caller.channel_id.startswith("D") or caller.channel_id == caller.user_id
    try:
        if result.form is not None and trigger_id:
            origin = {"channel": caller.channel_id, "ts": str(message_ts or "")}
            if container.get("is_ephemeral"):
                origin["eph"] = "1"
            await client.views_open(trigger_id=trigger_id, view=render_modal(result.form, origin))
        if result.replace is not None:
            if message_ts and not container.get("is_ephemeral"):
                await client.chat_update(
                    channel=container.get("channel_id") or caller.channel_id,
                    ts=message_ts,
                    **render(result.replace),
                )
            elif respond is not None:
                await respond(replace_original=True, **render(result.replace))
            else:  # from the Home tab or a modal over an ephemeral message: say it afresh
                await _personal(client, caller, result.replace, in_dm)
        if result.reply is not None:
            if respond is not None and not in_dm:
                await respond(
                    response_type="ephemeral", replace_original=False, **render(result.reply)
                )
            else:
                await _personal(client, caller, result.reply, in_dm)
        if result.files:
            await send_files(client, caller.user_id, result.files)
    except Exception:
        logger.exception(
            "could not show the result to user %s in channel %s", caller.user_id, caller.channel_id
        )


async def _personal(client: AsyncWebClient, caller: Caller, message: Message, in_dm: bool) -> None:
    """A message only the caller sees: in their DM, or ephemeral in the channel."""
    if in_dm:
        await client.chat_postMessage(channel=caller.channel_id, **render(message))
    else:
        await client.chat_postEphemeral(
            channel=caller.channel_id, user=caller.user_id, **render(message)
        )


async def send_files(client: AsyncWebClient, user_id: str, files: tuple[Attachment, ...]) -> None:
    """Files go to the person's DM only, never to the channel the command came from."""
    opened = await client.conversations_open(users=user_id)
    channel = (opened.get("channel") or {}).get("id") or user_id
    await client.files_upload_v2(
        channel=channel,
        file_uploads=[
            {"content": f.content, "filename": f.filename, "title": f.title or f.filename}
            for f in files
        ],
    )
