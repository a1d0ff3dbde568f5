"""A fake Bot Connector (the service behind an activity's serviceUrl) on 127.0.0.1.

Records every call the bot makes (send, reply, update, create a conversation, list members)
and answers as the real service does: `{"id": ...}` for posts and new conversations, the roster
set with `set_members` for `GET /v3/conversations/{id}/members`; a test can script the next
answers (429 with Retry-After, 403, 500...) and wait
for a number of calls without sleeping.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass
from typing import Any, Self

from aiohttp import web


@dataclass(frozen=True)
class ConnectorCall:
    method: str
    path: str
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def card(self) -> dict[str, Any]:
        """The first Adaptive Card the activity carries."""
        for attachment in self.body.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return dict(attachment["content"])
        raise AssertionError(f"no Adaptive Card in {self.body!r}")

    @property
    def card_text(self) -> str:
        """Every TextBlock and fact of the card, joined: what a member would read."""
        parts: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("type") == "TextBlock":
                    parts.append(str(node.get("text", "")))
                if node.get("type") == "FactSet":
                    parts.extend(f"{f['title']}: {f['value']}" for f in node.get("facts", []))
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.card.get("body", []))
        return "\n".join(parts)


@dataclass(frozen=True)
class _Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class FakeBotConnector:
    def __init__(self) -> None:
        self.calls: list[ConnectorCall] = []
        self._script: deque[_Answer] = deque()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._next = 0
        self.last_id = ""  # the id of the last activity the fake accepted
        self.members: dict[str, list[dict[str, Any]]] = {}
        self.created_ids: list[str] = []  # conversations made by POST /v3/conversations
        self.port = 0

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def answer_next(self, status: int, *, headers: dict[str, str] | None = None) -> None:
        """The next call gets this status (and an error body) instead of success."""
        body = {"error": {"code": "Scripted", "message": f"scripted {status}"}}
        self._script.append(_Answer(status, body, headers or {}))

    def set_members(self, conversation: str, members: list[dict[str, Any]]) -> None:
        """The roster `GET /v3/conversations/{conversation}/members` answers (Teams accounts:
        `id`, `aadObjectId`, `name`...); an unknown conversation answers 404."""
        self.members[conversation] = members

    def creates(self) -> list[ConnectorCall]:
        return [c for c in self.calls if c.method == "POST" and c.path == "/v3/conversations"]

    def posts(self) -> list[ConnectorCall]:
        return [c for c in self.calls if c.method == "POST" and c.body.get("type") == "message"]

    def updates(self) -> list[ConnectorCall]:
        return [c for c in self.calls if c.method == "PUT"]

    async def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[ConnectorCall]:
        """Wait until at least `count` calls have arrived; fail the test after `timeout`."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.calls) >= count), timeout
            )
        return list(self.calls)

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body = json.loads(raw) if raw else {}
        call = ConnectorCall(request.method, request.path, body, dict(request.headers))
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        if self._script:
            answer = self._script.popleft()
            return web.json_response(answer.body, status=answer.status, headers=answer.headers)
        self._next += 1
        if request.method == "GET" and request.path.endswith("/members"):
            conversation = request.path.split("/")[-2]
            if conversation not in self.members:
                return web.json_response({"error": {"code": "NotFound"}}, status=404)
            return web.json_response(self.members[conversation])
        if request.method == "POST" and request.path == "/v3/conversations":
            created = f"a:created-{self._next}"
            self.created_ids.append(created)
            return web.json_response({"id": created}, status=201)
        self.last_id = f"activity-{self._next}"
        return web.json_response({"id": self.last_id})
