"""`respond()` over the bot's one HTTP session.

Bolt's own `respond()` builds a fresh webhook client, and with it a fresh aiohttp session, for
every call: against Slack that is a new TCP connection and TLS handshake to hooks.slack.com for
each `/dps-update` answer. This one sends through the session every Web API call shares (see
`slack_http_session`), so replies reuse kept-open connections.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient


class PooledRespond(AsyncRespond):
    """Bolt's `respond()` (same arguments), sending through `session`."""

    def __init__(self, response_url: str, session: aiohttp.ClientSession, **kwargs: Any) -> None:
        super().__init__(response_url=response_url, **kwargs)
        self.session = session

    async def __call__(
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[Any] | None = None,
        attachments: Sequence[Any] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        client = AsyncWebhookClient(
            url=str(self.response_url), session=self.session, proxy=self.proxy, ssl=self.ssl
        )
        if isinstance(text, dict):
            return await client.send_dict(text)
        message = {
            "text": text, "blocks": blocks, "attachments": attachments,
            "response_type": response_type, "replace_original": replace_original,
            "delete_original": delete_original, "unfurl_links": unfurl_links,
            "unfurl_media": unfurl_media, "thread_ts": thread_ts, "metadata": metadata,
        }  # fmt: skip
        return await client.send_dict({k: v for k, v in message.items() if v is not None})


def respond_over(
    session: aiohttp.ClientSession | None,
) -> Callable[..., Awaitable[None]]:
    """Middleware giving each request with a `response_url` a `PooledRespond` (none without
    a session: Bolt's own then stands)."""

    async def middleware(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        if session is not None and context.response_url:
            context["respond"] = PooledRespond(
                context.response_url, session, proxy=context.client.proxy, ssl=context.client.ssl
            )
        await next()

    return middleware
