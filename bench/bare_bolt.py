"""The baselines: a bare Bolt AsyncApp served by aiohttp the same way as the bot (same adapter,
same server), so the ratio isolates our own work.

- `python -m bench.bare_bolt`: every listener only acks.
- `python -m bench.bare_bolt --reply`: a block action is acked and then its message is
  replaced with one chat.update, the least any bot must do to answer a click in place. Ours
  does that too, so against this baseline the ratio is what our own work costs beyond it.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.app import slack_http_session
from handlers.web import build_web_app


def build(reply: bool) -> AsyncApp:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.command("/dps-update")
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    @app.action(re.compile(".*"))  # any block action: a member's answer click
    async def on_click(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        if reply:
            container = body.get("container") or {}
            await client.chat_update(
                channel=container.get("channel_id", ""),
                ts=container.get("message_ts", ""),
                text="Saved",
            )

    return app


def main() -> None:
    app = build(reply="--reply" in sys.argv)

    async def share_connections(_web_app: web.Application) -> Any:
        # Kept open between calls, as the bot's own client does (handlers/slack/app.py).
        app.client.session = slack_http_session()
        yield
        await app.client.session.close()

    web_app = build_web_app(app)
    web_app.cleanup_ctx.append(share_connections)
    web.run_app(
        web_app, host="127.0.0.1", port=int(os.environ["PORT"]), print=None, access_log=None
    )


if __name__ == "__main__":
    main()
