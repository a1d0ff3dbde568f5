"""The fake Slack Web API, driven by the real slack_sdk clients."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web import WebClient
from slack_sdk.web.async_client import AsyncWebClient

# The redundant alias marks a re-export, so ruff does not flag each test's argument (F811).
from tests.fakes.fixtures import fake_slack as fake_slack
from tests.fakes.signing import (
    block_actions_body,
    block_actions_payload,
    event_body,
    sign,
    slash_command_body,
    view_submission_body,
)
from tests.fakes.slack_api import FakeSlackAPI

TOKEN = "xoxb-test"
SECRET = "test-signing-secret"
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Hello*"}}]


def async_client(fake: FakeSlackAPI, **kwargs: object) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=fake.base_url, **kwargs)  # type: ignore[arg-type]


def sync_client(fake: FakeSlackAPI, **kwargs: object) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.base_url, **kwargs)  # type: ignore[arg-type]


async def test_post_message_is_recorded_with_decoded_blocks(fake_slack: FakeSlackAPI) -> None:
    client = async_client(fake_slack)

    first = await client.chat_postMessage(channel="C1", text="hi", blocks=BLOCKS)
    second = await client.chat_postMessage(channel="C1", text="again")

    [call, _] = fake_slack.calls("chat.postMessage")
    assert call.params["blocks"] == BLOCKS
    assert call.params["channel"] == "C1"
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert first["channel"] == "C1"
    assert first["message"]["blocks"] == BLOCKS
    assert first["ts"] == "1700000000.000100"
    assert float(second["ts"]) > float(first["ts"])


def test_sync_client_and_json_bodies_are_recorded(fake_slack: FakeSlackAPI) -> None:
    client = sync_client(fake_slack)

    auth = client.auth_test()
    view = client.views_open(trigger_id="t1", view={"type": "modal", "callback_id": "cb"})
    dm = client.conversations_open(users="U9")

    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == ("UBOT", "BBOT", "T0001")
    assert view["view"]["id"].startswith("V")
    assert view["view"]["callback_id"] == "cb"
    assert fake_slack.calls("views.open")[0].params["view"]["callback_id"] == "cb"
    assert dm["channel"]["id"] == "DU9"


def test_missing_token_is_not_authed(fake_slack: FakeSlackAPI) -> None:
    with pytest.raises(SlackApiError) as raised:
        WebClient(base_url=fake_slack.base_url).chat_postMessage(channel="C1", text="x")

    assert raised.value.response["error"] == "not_authed"


def test_rate_limited_then_success_with_sync_retry_handler(fake_slack: FakeSlackAPI) -> None:
    fake_slack.rate_limit_next("chat.postMessage", retry_after=1)
    client = sync_client(fake_slack, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])

    response = client.chat_postMessage(channel="C1", text="hi")

    assert response["ok"]
    assert [c.status for c in fake_slack.calls("chat.postMessage")] == [429, 200]


async def test_rate_limited_then_success_with_async_retry_handler(
    fake_slack: FakeSlackAPI,
) -> None:
    fake_slack.rate_limit_next("chat.postMessage", retry_after=1)
    handler = AsyncRateLimitErrorRetryHandler(max_retry_count=1)
    client = async_client(fake_slack, retry_handlers=[handler])

    response = await client.chat_postMessage(channel="C1", text="hi")

    assert response["ok"]
    assert [c.status for c in fake_slack.calls("chat.postMessage")] == [429, 200]


async def test_rate_limit_without_retry_handler_surfaces_retry_after(
    fake_slack: FakeSlackAPI,
) -> None:
    fake_slack.rate_limit_next("chat.postMessage", retry_after=7)

    with pytest.raises(SlackApiError) as raised:
        await async_client(fake_slack).chat_postMessage(channel="C1", text="hi")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert raised.value.response["error"] == "ratelimited"


async def test_fail_next_answers_the_error_then_recovers(fake_slack: FakeSlackAPI) -> None:
    fake_slack.fail_next("chat.postMessage", error="channel_not_found", times=2)
    client = async_client(fake_slack)

    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            await client.chat_postMessage(channel="C404", text="hi")
        assert raised.value.response["error"] == "channel_not_found"
    assert (await client.chat_postMessage(channel="C404", text="hi"))["ok"]
    assert [c.error for c in fake_slack.calls()] == ["channel_not_found"] * 2 + [None]


async def test_members_paginate_with_cursor(fake_slack: FakeSlackAPI) -> None:
    members = [f"U{i:03d}" for i in range(7)]
    fake_slack.set_members("C1", members)
    client = async_client(fake_slack)

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = await client.conversations_members(channel="C1", limit=3, cursor=cursor)
        seen += page["members"]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break

    assert seen == members
    assert pages == 3


def test_members_paginate_with_sync_iterator(fake_slack: FakeSlackAPI) -> None:
    fake_slack.set_members("C1", ["U1", "U2", "U3", "U4"])

    # SlackResponse iteration reuses one object, so copy each page as it comes.
    pages = [
        list(page["members"])
        for page in sync_client(fake_slack).conversations_members(channel="C1", limit=2)
    ]

    assert pages == [["U1", "U2"], ["U3", "U4"]]


async def test_configured_users_and_channels(fake_slack: FakeSlackAPI) -> None:
    fake_slack.set_user("U1", tz="America/New_York", tz_offset=-18000)
    fake_slack.set_channel("C1", name="general", is_member=False)
    client = async_client(fake_slack)

    user = (await client.users_info(user="U1"))["user"]
    default_user = (await client.users_info(user="U2"))["user"]
    before = (await client.conversations_info(channel="C1"))["channel"]
    await client.conversations_join(channel="C1")
    after = (await client.conversations_info(channel="C1"))["channel"]

    assert (user["tz"], user["tz_offset"]) == ("America/New_York", -18000)
    assert default_user["tz"] == "Europe/London"
    assert default_user["tz_offset"] in (0, 3600)
    assert (before["name"], before["is_member"], after["is_member"]) == ("general", False, True)


async def test_files_upload_v2_round_trip_async(fake_slack: FakeSlackAPI) -> None:
    response = await async_client(fake_slack).files_upload_v2(
        channel="C1", filename="report.csv", content="a,b\n1,2\n", title="Report"
    )

    assert response["file"]["name"] == "report.csv"
    assert response["file"]["title"] == "Report"
    [upload] = fake_slack.uploads
    assert (upload.filename, upload.data) == ("report.csv", b"a,b\n1,2\n")
    [complete] = fake_slack.calls("files.completeUploadExternal")
    assert complete.params["files"] == [{"id": upload.file_id, "title": "Report"}]
    assert complete.params["channel_id"] == "C1"


def test_files_upload_v2_round_trip_sync(fake_slack: FakeSlackAPI) -> None:
    response = sync_client(fake_slack).files_upload_v2(
        channel="C1", filename="data.bin", content=b"\x00\x01\x02"
    )

    assert response["file"]["size"] == 3
    assert fake_slack.uploads[0].data == b"\x00\x01\x02"


def test_wait_for_returns_calls_made_from_another_thread(fake_slack: FakeSlackAPI) -> None:
    client = sync_client(fake_slack)
    threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="later")).start()

    [call] = fake_slack.wait_for("chat.postMessage", timeout=5)

    assert call.params["text"] == "later"


def test_wait_for_timeout_lists_calls_seen(fake_slack: FakeSlackAPI) -> None:
    sync_client(fake_slack).auth_test()

    with pytest.raises(AssertionError, match=r"chat\.postMessage(.|\n)*auth\.test"):
        fake_slack.wait_for("chat.postMessage", timeout=0.1)


def test_wait_for_response_timeout_raises(fake_slack: FakeSlackAPI) -> None:
    with pytest.raises(AssertionError, match="response_url"):
        fake_slack.wait_for_response(timeout=0.1)


def test_response_url_records_json_posts(fake_slack: FakeSlackAPI) -> None:
    request = urllib.request.Request(
        fake_slack.response_url("cmd"),
        data=json.dumps({"text": "done", "response_type": "ephemeral"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200

    [response] = fake_slack.wait_for_response(name="cmd")
    assert response.body == {"text": "done", "response_type": "ephemeral"}


async def test_delay_slows_only_that_method(fake_slack: FakeSlackAPI) -> None:
    fake_slack.delay("users.info", 0.5)
    client = async_client(fake_slack)

    started = time.monotonic()
    await client.auth_test()
    fast = time.monotonic() - started
    await client.users_info(user="U1")
    slow = time.monotonic() - started - fast

    assert fast < 0.4
    assert slow >= 0.5


def _poster(fake_slack: FakeSlackAPI) -> Callable[[str], Awaitable[int]]:
    """Post to a channel; the HTTP status Slack answered (a 429 always says Retry-After)."""
    client = async_client(fake_slack)

    async def post(channel: str) -> int:
        try:
            await client.chat_postMessage(channel=channel, text="x")
            return 200
        except SlackApiError as error:
            assert error.response.headers["Retry-After"]
            return int(error.response.status_code)

    return post


async def test_channel_rate_enforcement_uses_token_bucket(fake_slack: FakeSlackAPI) -> None:
    now = [100.0]
    fake_slack.enforce_channel_rate(per_second=1.0, burst=2, clock=lambda: now[0])
    post = _poster(fake_slack)

    assert [await post("C1") for _ in range(3)] == [200, 200, 429]
    assert await post("C2") == 200
    assert fake_slack.calls("chat.postMessage")[2].error == "ratelimited"
    now[0] += 1.0
    assert [await post("C1"), await post("C1")] == [200, 429]


def test_reset_forgets_calls_and_scripts(fake_slack: FakeSlackAPI) -> None:
    client = sync_client(fake_slack)
    client.auth_test()
    fake_slack.fail_next("auth.test")

    fake_slack.reset()

    assert fake_slack.calls() == []
    assert client.auth_test()["ok"]


def test_sign_matches_slack_verifier() -> None:
    body = slash_command_body(text="hello world")

    headers = sign(body, SECRET, timestamp=1_700_000_000)

    verifier = SignatureVerifier(SECRET, clock=_FixedClock(1_700_000_010))
    assert verifier.is_valid_request(body, headers)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sign(event_body({"type": "app_mention"}), SECRET)["Content-Type"] == "application/json"


async def test_signed_requests_drive_bolt_against_the_fake(fake_slack: FakeSlackAPI) -> None:
    app = AsyncApp(client=async_client(fake_slack), signing_secret=SECRET)
    seen: list[str] = []

    @app.command("/dps-update")
    async def command(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any]) -> None:
        await ack()
        await respond(f"got {command['text']}")

    @app.action("approve")
    async def approve(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        seen.append(body["actions"][0]["value"])

    @app.view("survey")
    async def survey(ack: AsyncAck, view: dict[str, Any]) -> None:
        await ack()
        seen.append(view["state"]["values"]["b"]["a"]["value"])

    @app.event("app_mention")
    async def mention(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.chat_postMessage(channel=event["channel"], text="hello")

    bodies = [
        slash_command_body(text="now", response_url=fake_slack.response_url("cmd")),
        block_actions_body(block_actions_payload("approve", "yes")),
        view_submission_body("survey", {"b": {"a": {"type": "plain_text_input", "value": "42"}}}),
        event_body({"type": "app_mention", "channel": "C1", "user": "U1", "text": "hi"}),
    ]
    for body in bodies:
        headers: dict[str, str | Sequence[str]] = {**sign(body, SECRET)}
        response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
        assert response.status == 200, response.body

    # Bolt runs event listeners after the ack, on this loop: wait without blocking it.
    [reply] = await fake_slack.async_wait_for_response(name="cmd")
    [post] = await fake_slack.async_wait_for("chat.postMessage")
    assert reply.body["text"] == "got now"
    assert seen == ["yes", "42"]
    assert (post.params["channel"], post.params["text"]) == ("C1", "hello")


class _FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


async def test_workspace_rate_caps_posts_across_channels(fake_slack: FakeSlackAPI) -> None:
    now = [100.0]
    fake_slack.enforce_workspace_rate(per_second=2.0, clock=lambda: now[0])
    post = _poster(fake_slack)

    assert [await post(f"C{n}") for n in range(3)] == [200, 200, 429]
    now[0] += 0.5
    assert [await post("C7"), await post("C8")] == [200, 429]
