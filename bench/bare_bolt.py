"""The baseline: a bare Bolt AsyncApp whose listener only acks, served by aiohttp the same way
as the bot (same adapter, same server), so the ratio isolates our own work."""

from __future__ import annotations

import os
import re

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from handlers.web import build_web_app


def main() -> None:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.command("/dps-update")
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    @app.action(re.compile(".*"))  # any block action: a member's answer click
    async def only_ack_action(ack: AsyncAck) -> None:
        await ack()

    web.run_app(
        build_web_app(app),
        host="127.0.0.1",
        port=int(os.environ["PORT"]),
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
