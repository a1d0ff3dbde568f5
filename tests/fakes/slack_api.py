"""A fake Slack Web API on 127.0.0.1 that records calls and answers like Slack.

Real HTTP (not a patched client), so the sync and async slack_sdk clients, Bolt's
``respond()`` and sub-processes all reach it the same way.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"
TEAM_NAME = "Test workspace"
DEFAULT_TZ = "Europe/London"

# Form-encoded calls carry these as JSON strings; tests want the objects.
_JSON_FIELDS = frozenset(
    {
        "attachments",
        "blocks",
        "files",
        "inputs",
        "metadata",
        "option_groups",
        "options",
        "outputs",
        "unfurls",
        "user_auth_blocks",
        "view",
    }
)
# Methods Slack serves without a bearer token.
_NO_AUTH_METHODS = frozenset({"api.test", "oauth.access", "oauth.v2.access", "oauth.v2.exchange"})

JSON = dict[str, Any]


@dataclass(frozen=True)
class RecordedCall:
    """One Web API call as the fake received it; ``headers`` keys are lower-case."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    error: str | None = None  # the error the fake answered with, if any


@dataclass(frozen=True)
class RecordedResponse:
    """One POST to a ``response_url`` (what Bolt's ``respond()`` sends)."""

    name: str
    body: Any
    headers: dict[str, str]


@dataclass(frozen=True)
class RecordedUpload:
    """File bytes posted to an upload URL from ``files.getUploadURLExternal``."""

    file_id: str
    filename: str | None
    data: bytes


@dataclass
class _Answer:
    status: int
    body: JSON
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class _ChannelRate:
    per_second: float
    burst: float
    clock: Callable[[], float]
    buckets: dict[str, _Bucket] = field(default_factory=dict)

    def take(self, channel: str) -> float | None:
        """Spend a token for ``channel``; None if allowed, else seconds until one is free."""
        now = self.clock()
        bucket = self.buckets.setdefault(channel, _Bucket(tokens=self.burst, updated=now))
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.per_second)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return (1.0 - bucket.tokens) / self.per_second


@dataclass
class _Channel:
    name: str | None = None
    is_member: bool = True


@dataclass
class _User:
    tz: str = DEFAULT_TZ
    tz_offset: int | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a delayed handler must not hold up stop()
    request_queue_size = 128  # socketserver's 5 drops concurrent connects (1 s SYN retries)
    fake: FakeSlackAPI

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client closing a kept-open connection is normal, not an error to print."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeSlackAPI:
    """Fake Slack Web API: ``with FakeSlackAPI() as fake: WebClient(base_url=fake.base_url)``."""

    def __init__(self, host: str = "127.0.0.1", *, keep_alive: bool = False) -> None:
        """`keep_alive`: serve HTTP/1.1 and keep connections open between requests, as Slack
        does (the benchmarks); tests keep the default, one request per connection."""
        self._host = host
        self._keep_alive = keep_alive
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = _Server((self._host, 0), _KeepAliveHandler if self._keep_alive else _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"FakeSlackAPI:{server.server_address[1]}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlackAPI is not started")
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Web API base for slack_sdk clients (trailing slash included)."""
        return f"{self.root_url}/api/"

    def response_url(self, name: str = "default") -> str:
        """A ``response_url`` on this server; POSTs to it show up in ``responses(name)``."""
        return f"{self.root_url}/respond/{name}"

    # -- scripting ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget recorded traffic, scripts, configuration and counters."""
        with self._cond:
            self._calls: list[RecordedCall] = []
            self._responses: list[RecordedResponse] = []
            self._uploads: list[RecordedUpload] = []
            self._scripted: dict[str, deque[_Answer]] = {}
            self._delays: dict[str, float] = {}
            self._members: dict[str, list[str]] = {}
            self._channels: dict[str, _Channel] = {}
            self._users: dict[str, _User] = {}
            self._pending_files: dict[str, JSON] = {}
            self._channel_rate: _ChannelRate | None = None
            self._workspace_rate: _ChannelRate | None = None
            self._history: dict[str, list[JSON]] = {}
            self._channel_errors: dict[str, str] = {}
            self._ts_counter = 0
            self._id_counter = 0
            self._connections = 0
            self._cond.notify_all()

    def fail_next(self, method: str, error: str = "channel_not_found", times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``{"ok": false, "error": error}``."""
        answer = _Answer(200, {"ok": False, "error": error})
        self._script(method, answer, times)

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP 429 and ``Retry-After``."""
        headers = {"Retry-After": str(retry_after)}
        answer = _Answer(429, {"ok": False, "error": "ratelimited"}, headers)
        self._script(method, answer, times)

    def delay(self, method: str, seconds: float) -> None:
        """Make every later call of ``method`` take ``seconds`` before answering (0 to undo)."""
        with self._cond:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def set_members(self, channel: str, members: list[str]) -> None:
        with self._cond:
            self._members[channel] = list(members)

    def set_user(self, user_id: str, tz: str = DEFAULT_TZ, tz_offset: int | None = None) -> None:
        """``tz_offset`` defaults to the zone's current UTC offset in seconds."""
        with self._cond:
            self._users[user_id] = _User(tz=tz, tz_offset=tz_offset)

    def set_channel(self, channel_id: str, name: str | None = None, is_member: bool = True) -> None:
        with self._cond:
            self._channels[channel_id] = _Channel(name=name, is_member=is_member)

    def enforce_channel_rate(
        self,
        per_second: float = 1.0,
        burst: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Answer 429 when ``chat.postMessage`` to one channel beats a token bucket."""
        if per_second <= 0 or burst < 1:
            raise ValueError("per_second must be > 0 and burst >= 1")
        with self._cond:
            self._channel_rate = _ChannelRate(per_second=per_second, burst=burst, clock=clock)

    def stop_enforcing_channel_rate(self) -> None:
        with self._cond:
            self._channel_rate = None

    def enforce_workspace_rate(
        self,
        per_second: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Answer 429 when ``chat.postMessage`` across all channels beats a token bucket
        (``burst`` defaults to one second's worth); checked before the per-channel bucket."""
        burst = per_second if burst is None else burst
        if per_second <= 0 or burst < 1:
            raise ValueError("per_second must be > 0 and burst >= 1")
        with self._cond:
            self._workspace_rate = _ChannelRate(per_second=per_second, burst=burst, clock=clock)

    def fail_for_channel(self, channel: str, error: str = "not_in_channel") -> None:
        """Answer every ``chat.postMessage`` to ``channel`` with ``error`` (until reset)."""
        with self._cond:
            self._channel_errors[channel] = error

    def history(self, channel: str) -> list[JSON]:
        """Messages posted to ``channel``, oldest first."""
        with self._cond:
            return list(self._history.get(channel, []))

    def _script(self, method: str, answer: _Answer, times: int) -> None:
        with self._cond:
            self._scripted.setdefault(method, deque()).extend([answer] * times)

    # -- inspection --------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def responses(self, name: str | None = None) -> list[RecordedResponse]:
        with self._cond:
            return [r for r in self._responses if name is None or r.name == name]

    @property
    def connections(self) -> int:
        """TCP connections accepted so far (with `keep_alive`, a client that keeps its
        connections open makes one, not one per call)."""
        with self._cond:
            return self._connections

    @property
    def uploads(self) -> list[RecordedUpload]:
        with self._cond:
            return list(self._uploads)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """Block until ``method`` was called ``count`` times; return those calls so far."""
        if not self._wait(lambda: len(self.calls(method)) >= count, timeout):
            seen = "\n".join(f"  {c.method} {c.status} {_short(c.params)}" for c in self.calls())
            raise AssertionError(
                f"expected {count} call(s) of {method} within {timeout}s, "
                f"got {len(self.calls(method))}; calls seen:\n{seen or '  (none)'}"
            )
        return self.calls(method)

    def wait_for_response(
        self, count: int = 1, timeout: float = 5.0, name: str | None = None
    ) -> list[RecordedResponse]:
        """Block until ``count`` response_url POSTs arrived (for ``name``, if given)."""
        if not self._wait(lambda: len(self.responses(name)) >= count, timeout):
            seen = "\n".join(f"  {r.name}: {_short(r.body)}" for r in self.responses())
            raise AssertionError(
                f"expected {count} response_url post(s)"
                f"{f' to {name}' if name else ''} within {timeout}s, "
                f"got {len(self.responses(name))}; responses seen:\n{seen or '  (none)'}\n"
                f"API calls seen: {[c.method for c in self.calls()]}"
            )
        return self.responses(name)

    async def async_wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0
    ) -> list[RecordedCall]:
        """``wait_for`` for async tests: waits in a worker thread so the event loop runs on."""
        return await asyncio.to_thread(self.wait_for, method, count, timeout)

    async def async_wait_for_response(
        self, count: int = 1, timeout: float = 5.0, name: str | None = None
    ) -> list[RecordedResponse]:
        """``wait_for_response`` for async tests, without blocking the event loop."""
        return await asyncio.to_thread(self.wait_for_response, count, timeout, name)

    def said(self) -> list[str]:
        """Everything the bot showed people, as text: response_url posts and chat.* calls
        (fallback text and block text), in arrival order per kind."""
        texts = [_message_text(r.body) for r in self.responses() if isinstance(r.body, dict)]
        for method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            texts.extend(_message_text(c.params) for c in self.calls(method))
        return texts

    async def async_wait_for_text(self, needle: str, timeout: float = 5.0) -> list[str]:
        """Wait (off the event loop) until some message the bot showed contains ``needle``."""

        def seen() -> bool:
            return any(needle in text for text in self.said())

        if not await asyncio.to_thread(self._wait, seen, timeout):
            raise AssertionError(f"nobody was shown {needle!r} within {timeout}s: {self.said()}")
        return self.said()

    def _wait(self, done: Callable[[], bool], timeout: float) -> bool:
        with self._cond:  # re-entrant use of calls() is fine: Condition wraps an RLock
            return self._cond.wait_for(done, timeout=timeout)

    # -- request handling (server threads) ---------------------------------------------------

    def _handle_api(
        self, method: str, params: dict[str, Any], headers: dict[str, str]
    ) -> tuple[_Answer, float]:
        with self._cond:
            answer = self._decide(method, params, headers)
            error = answer.body.get("error") if not answer.body.get("ok", True) else None
            self._calls.append(RecordedCall(method, params, headers, answer.status, error))
            self._cond.notify_all()
            return answer, self._delays.get(method, 0.0)

    def _decide(self, method: str, params: dict[str, Any], headers: dict[str, str]) -> _Answer:
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        if method not in _NO_AUTH_METHODS:
            if not headers.get("authorization", "").startswith("Bearer ") or not token:
                return _Answer(200, {"ok": False, "error": "not_authed"})
            if not token.startswith("xox"):
                return _Answer(200, {"ok": False, "error": "invalid_auth"})
        scripted = self._scripted.get(method)
        if scripted:
            return scripted.popleft()
        if method == "chat.postMessage" and self._workspace_rate is not None:
            wait = self._workspace_rate.take("")
            if wait is not None:
                return _Answer(
                    429,
                    {"ok": False, "error": "ratelimited"},
                    {"Retry-After": str(max(1, math.ceil(wait)))},
                )
        if method == "chat.postMessage" and self._channel_rate is not None:
            wait = self._channel_rate.take(str(params.get("channel", "")))
            if wait is not None:
                return _Answer(
                    429,
                    {"ok": False, "error": "ratelimited"},
                    {"Retry-After": str(max(1, math.ceil(wait)))},
                )
        handler = _METHODS.get(method)
        body = handler(self, params) if handler else {"ok": True}
        return _Answer(200, body)

    def _record_response(self, name: str, body: Any, headers: dict[str, str]) -> None:
        with self._cond:
            self._responses.append(RecordedResponse(name, body, headers))
            self._cond.notify_all()

    def _record_upload(self, file_id: str, data: bytes) -> bool:
        with self._cond:
            pending = self._pending_files.get(file_id)
            if pending is None:
                return False
            pending["size"] = len(data)
            self._uploads.append(RecordedUpload(file_id, pending.get("name"), data))
            self._cond.notify_all()
            return True

    # -- default answers (called with the lock held) -----------------------------------------

    def _next_ts(self) -> str:
        self._ts_counter += 1
        micros = 1_700_000_000_000_000 + self._ts_counter * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        self._id_counter += 1
        return f"{prefix}{self._id_counter:08d}"

    def _auth_test(self, params: JSON) -> JSON:
        return {
            "ok": True,
            "url": "https://test-workspace.slack.com/",
            "team": TEAM_NAME,
            "user": "sectorbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _post_message(self, params: JSON) -> JSON:
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not any(params.get(k) for k in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        if channel[:1] in ("U", "W"):  # posting to a user id lands in the DM
            channel = "D" + channel
        if channel in self._channel_errors:
            return {"ok": False, "error": self._channel_errors[channel]}
        ts = self._next_ts()
        message: JSON = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": params.get("text", ""),
            "ts": ts,
            "team": TEAM_ID,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if params.get(key):
                message[key] = params[key]
        self._history.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _conversation_history(self, params: JSON) -> JSON:
        """Newest first; metadata only with ``include_all_metadata``, as Slack does."""
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        limit = int(params.get("limit") or 100)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in reversed(self._history.get(channel, []))
        ][:limit]
        return {"ok": True, "messages": messages, "has_more": False}

    def _post_ephemeral(self, params: JSON) -> JSON:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("user"):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _update(self, params: JSON) -> JSON:
        channel, ts = params.get("channel"), params.get("ts")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        message = {"text": params.get("text", ""), "user": BOT_USER_ID, "bot_id": BOT_ID}
        if params.get("blocks"):
            message["blocks"] = params["blocks"]
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": message,
        }

    def _delete(self, params: JSON) -> JSON:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": params["channel"], "ts": params.get("ts")}

    def _open(self, params: JSON) -> JSON:
        if params.get("channel"):
            return {"ok": True, "channel": {"id": params["channel"]}}
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(users)
        return {"ok": True, "channel": {"id": channel_id, "is_im": len(users) == 1}}

    def _conversation_members(self, params: JSON) -> JSON:
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        members = self._members.get(channel, [])
        limit = int(params.get("limit") or 100)
        cursor = str(params.get("cursor") or "")
        try:
            start = int(cursor.removeprefix("next:")) if cursor else 0
        except ValueError:
            return {"ok": False, "error": "invalid_cursor"}
        end = start + max(1, limit)
        page = members[start:end]
        next_cursor = f"next:{end}" if end < len(members) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _channel_info(self, params: JSON) -> JSON:
        channel_id = str(params.get("channel") or "")
        if not channel_id:
            return {"ok": False, "error": "channel_not_found"}
        channel = self._channels.get(channel_id, _Channel())
        return {
            "ok": True,
            "channel": {
                "id": channel_id,
                "name": channel.name or f"channel-{channel_id.lower()}",
                "is_channel": channel_id.startswith("C"),
                "is_im": channel_id.startswith("D"),
                "is_private": channel_id.startswith("G"),
                "is_archived": False,
                "is_member": channel.is_member,
                "num_members": len(self._members.get(channel_id, [])),
            },
        }

    def _join(self, params: JSON) -> JSON:
        channel_id = str(params.get("channel") or "")
        if not channel_id:
            return {"ok": False, "error": "channel_not_found"}
        channel = self._channels.setdefault(channel_id, _Channel())
        already = channel.is_member
        channel.is_member = True
        info = self._channel_info({"channel": channel_id})
        if already:
            info["warning"] = "already_in_channel"
        return info

    def _user_info(self, params: JSON) -> JSON:
        user_id = str(params.get("user") or "")
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        user = self._users.get(user_id, _User())
        offset = user.tz_offset
        if offset is None:
            utcoffset = datetime.now(ZoneInfo(user.tz)).utcoffset()
            offset = int(utcoffset.total_seconds()) if utcoffset else 0
        return {
            "ok": True,
            "user": {
                "id": user_id,
                "team_id": TEAM_ID,
                "name": user_id.lower(),
                "real_name": f"User {user_id}",
                "deleted": False,
                "is_bot": user_id == BOT_USER_ID,
                "tz": user.tz,
                "tz_label": user.tz,
                "tz_offset": offset,
                "profile": {"real_name": f"User {user_id}", "display_name": user_id.lower()},
            },
        }

    def _view(self, params: JSON) -> JSON:
        view = params.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = str(params.get("view_id") or "") or self._next_id("V")
        answer = {
            "id": view_id,
            "team_id": TEAM_ID,
            "app_id": "A0001",
            "bot_id": BOT_ID,
            "hash": self._next_id("hash-"),
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            **view,
        }
        if params.get("external_id"):
            answer["external_id"] = params["external_id"]
        return {"ok": True, "view": answer}

    def _get_upload_url(self, params: JSON) -> JSON:
        if not params.get("filename") or not params.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._next_id("F")
        self._pending_files[file_id] = {"id": file_id, "name": params["filename"], "size": None}
        return {"ok": True, "upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, params: JSON) -> JSON:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        uploaded = {u.file_id for u in self._uploads}
        answer: list[JSON] = []
        for item in files:
            file_id = item.get("id") if isinstance(item, dict) else None
            if file_id not in uploaded:
                return {"ok": False, "error": "file_not_found"}
            pending = self._pending_files[file_id]
            shared = [params["channel_id"]] if params.get("channel_id") else []
            answer.append(
                {
                    "id": file_id,
                    "name": pending["name"],
                    "title": item.get("title") or pending["name"],
                    "size": pending["size"],
                    "user": BOT_USER_ID,
                    "channels": shared,
                    "permalink": f"https://test-workspace.slack.com/files/{BOT_USER_ID}/{file_id}",
                }
            )
        return {"ok": True, "files": answer}


_METHODS: dict[str, Callable[[FakeSlackAPI, JSON], JSON]] = {
    "auth.test": FakeSlackAPI._auth_test,
    "chat.postMessage": FakeSlackAPI._post_message,
    "chat.postEphemeral": FakeSlackAPI._post_ephemeral,
    "chat.update": FakeSlackAPI._update,
    "chat.delete": FakeSlackAPI._delete,
    "conversations.open": FakeSlackAPI._open,
    "conversations.members": FakeSlackAPI._conversation_members,
    "conversations.history": FakeSlackAPI._conversation_history,
    "conversations.info": FakeSlackAPI._channel_info,
    "conversations.join": FakeSlackAPI._join,
    "users.info": FakeSlackAPI._user_info,
    "views.open": FakeSlackAPI._view,
    "views.update": FakeSlackAPI._view,
    "views.publish": FakeSlackAPI._view,
    "views.push": FakeSlackAPI._view,
    "files.getUploadURLExternal": FakeSlackAPI._get_upload_url,
    "files.completeUploadExternal": FakeSlackAPI._complete_upload,
}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # HTTP/1.0: one request per connection, so no keep-alive socket outlives stop().
    protocol_version = "HTTP/1.0"

    def setup(self) -> None:
        super().setup()
        with self.server.fake._cond:
            self.server.fake._connections += 1

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        body = self._read_body()
        parts = url.path.strip("/").split("/", 1)
        if len(parts) != 2 or not parts[1]:
            self._send(404, {"ok": False, "error": "unknown_path"})
            return
        kind, name = parts
        if kind == "api":
            # The async client puts form params in the query string, the sync one in the body.
            params = _decode_query(url.query)
            params.update(_decode_body(body, headers.get("content-type", "")))
            params = {k: _decode_json_field(k, v) for k, v in params.items()}
            answer, delay = fake._handle_api(name, params, headers)
            if delay:
                time.sleep(delay)
            self._send(answer.status, answer.body, answer.headers)
        elif kind == "respond" and self.command == "POST":
            fake._record_response(name, _decode_response_body(body), headers)
            self._send(200, {"ok": True})
        elif kind == "upload" and self.command == "POST":
            if fake._record_upload(name, body):
                self._send_text(200, f"OK - {len(body)}")
            else:
                self._send_text(404, "file_not_found")
        else:
            self._send(404, {"ok": False, "error": "unknown_path"})

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: JSON, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def _send_text(self, status: int, text: str) -> None:
        payload = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _KeepAliveHandler(_Handler):
    protocol_version = "HTTP/1.1"


def _decode_query(query: str) -> dict[str, Any]:
    return _flatten(parse_qs(query, keep_blank_values=True)) if query else {}


def _decode_body(body: bytes, content_type: str) -> dict[str, Any]:
    if not body:
        return {}
    mime = content_type.split(";")[0].strip().lower()
    if mime == "application/json":
        data = json.loads(body)
        params = data if isinstance(data, dict) else {"_json": data}
    elif mime == "multipart/form-data":
        params = _decode_multipart(body, content_type)
    else:  # slack_sdk's default: application/x-www-form-urlencoded
        params = _flatten(parse_qs(body.decode(), keep_blank_values=True))
    return params


def _decode_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = part.get_payload(decode=True)
        raw = data if isinstance(data, bytes) else b""
        params[name] = raw if part.get_filename() else raw.decode()
    return params


def _decode_response_body(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body.decode(errors="replace")


def _flatten(parsed: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


def _decode_json_field(key: str, value: Any) -> Any:
    if key in _JSON_FIELDS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _message_text(message: dict[str, Any]) -> str:
    """The fallback text and every text inside the blocks, one per line."""
    parts = [str(message.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                if isinstance(value, dict | list):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    blocks = message.get("blocks")
    walk(blocks if isinstance(blocks, list) else [])
    return "\n".join(parts)


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _wait_until(fake: FakeSlackAPI, done: Callable[[], bool], timeout: float) -> bool:
    return fake._wait(done, timeout)


async def async_wait_until(
    fake: FakeSlackAPI, done: Callable[[], bool], timeout: float = 5.0
) -> bool:
    """Wait (in a worker thread) until `done()` holds for the recorded traffic."""
    return await asyncio.to_thread(_wait_until, fake, done, timeout)
