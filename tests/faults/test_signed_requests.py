"""What reaches a listener: only requests signed with our secret, within five minutes, once.

Every kind of request Slack sends (slash command, block action, view submission, event) is
refused with 401 before any listener runs when its signature is missing, wrong, made for
another body, or its timestamp is more than five minutes off either way; and an event Slack
redelivers (`X-Slack-Retry-Num`), even while the first delivery is still being handled, has
one effect and is answered 200 each time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services import Services
from storage.models import ProcessedEvent
from tests.conftest import SIGNING_SECRET
from tests.fakes.signing import (
    block_actions_body,
    block_actions_payload,
    event_body,
    retry_headers,
    sign,
    slash_command_body,
    view_submission_body,
)
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack.server import SlackClient, running_bot


def _home_opened(user: str) -> dict[str, Any]:
    return {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}


def _command(fake: FakeSlackAPI) -> str:
    return slash_command_body(text="help", response_url=fake.response_url("refused"))


def _action(fake: FakeSlackAPI) -> str:
    payload = block_actions_payload("survey.start", "999", user_id="U1", channel_id="DU1")
    payload["response_url"] = fake.response_url("refused")
    return block_actions_body(payload)


def _view(_fake: FakeSlackAPI) -> str:
    values = {"text": {"value": {"type": "plain_text_input", "value": ""}}}
    return view_submission_body("concern.report", values, user_id="U1")


def _event(_fake: FakeSlackAPI) -> str:
    return event_body(_home_opened("U1"))


KINDS: dict[str, Callable[[FakeSlackAPI], str]] = {
    "command": _command,
    "action": _action,
    "view": _view,
    "event": _event,
}
FAULTS = ["wrong-secret", "unsigned", "stale", "future", "other-body", "bad-timestamp"]


async def _post_faulty(client: SlackClient, body: str, fault: str) -> int:
    now = int(time.time())
    if fault == "other-body":  # a valid signature, lifted onto a different request
        headers = sign(body.replace("U1", "U2"), SIGNING_SECRET)
    elif fault == "bad-timestamp":
        headers = {**sign(body, SIGNING_SECRET), "X-Slack-Request-Timestamp": "soon"}
    else:
        headers = sign(
            body,
            "not-our-secret" if fault == "wrong-secret" else SIGNING_SECRET,
            timestamp={"stale": now - 301, "future": now + 301}.get(fault, now),
        )
        if fault == "unsigned":
            headers = {k: v for k, v in headers.items() if not k.startswith("X-Slack")}
    async with client.session.post(client.url, data=body.encode(), headers=headers) as reply:
        return reply.status


async def _nothing_happened(services: Services, fake: FakeSlackAPI) -> None:
    assert [c.method for c in fake.calls() if c.method != "auth.test"] == []
    assert fake.responses() == []
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedEvent)) == 0


@pytest.mark.parametrize("kind", list(KINDS))
async def test_a_badly_signed_request_is_refused_before_any_listener(
    services: Services, fake_slack: FakeSlackAPI, kind: str
) -> None:
    body = KINDS[kind](fake_slack)
    async with running_bot(services, SIGNING_SECRET) as client:
        statuses = {fault: await _post_faulty(client, body, fault) for fault in FAULTS}
        await _nothing_happened(services, fake_slack)
        # The same request signed properly does reach a listener: the refusals meant something.
        good = await client.post(body)
    assert statuses == dict.fromkeys(FAULTS, 401)
    assert good.status == 200
    if kind == "view":
        assert "errors" in good.body  # the form's own check answered
    else:
        assert await _some_effect(fake_slack)


async def _some_effect(fake: FakeSlackAPI) -> bool:
    def seen() -> bool:
        return bool(fake.responses() or [c for c in fake.calls() if c.method != "auth.test"])

    deadline = time.monotonic() + 10.0
    while not seen() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return seen()


async def test_retries_of_an_event_in_flight_have_one_effect(
    services: Services, fake_slack: FakeSlackAPI
) -> None:
    """Slack retries when the first delivery is slow, so the copies may overlap it."""
    fake_slack.delay("views.publish", 0.3)
    body = event_body(_home_opened("U7"), event_id="EvRETRIED01")
    async with running_bot(services, SIGNING_SECRET) as client:
        replies = await asyncio.gather(
            client.post(body),
            *(client.post(body, extra_headers=retry_headers(n)) for n in (1, 2, 3)),
        )
        await fake_slack.async_wait_for("views.publish", 1, timeout=10.0)
        # Later, once the first has finished, one more retry: still nothing new.
        late = await client.post(body, extra_headers=retry_headers(3, "http_error"))
        fake_slack.delay("views.publish", 0)
        other = await client.post(event_body(_home_opened("U8"), event_id="EvOTHER0002"))
        await fake_slack.async_wait_for("views.publish", 2, timeout=10.0)
    assert [r.status for r in (*replies, late, other)] == [200] * 6
    assert [c.params["user_id"] for c in fake_slack.calls("views.publish")] == ["U7", "U8"]
