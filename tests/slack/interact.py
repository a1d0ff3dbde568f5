"""What a member does in Slack, as signed requests: commands, buttons, modal submissions."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from bot.services import Services
from storage.models import AuditEntry, Concern, OutboxItem, Update
from tests.fakes.signing import (
    block_actions_body,
    block_actions_payload,
    slash_command_body,
    view_submission_body,
)
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack.server import Reply, SlackClient

# Input kinds of the update and concern forms' fields (block ids); the rest are text inputs.
KINDS = {"topic": "static_select", "deadline": "datepicker", "publish_at": "datetimepicker"}


async def run(client: SlackClient, fake: FakeSlackAPI, text: str, user: str = "UCOORD1") -> Reply:
    body = slash_command_body(text=text, user_id=user, response_url=fake.response_url("cmd"))
    reply = await client.post(body)
    assert reply.status == 200, reply.body
    return reply


async def press(
    client: SlackClient,
    fake: FakeSlackAPI,
    action: str,
    value: str,
    user: str = "UCOORD1",
    *,
    ephemeral: bool = True,
) -> Reply:
    """Press a button on a message (ephemeral, as replies to commands are)."""
    payload = block_actions_payload(
        f"{action}#0", value, user_id=user, response_url=fake.response_url("button")
    )
    payload["container"]["is_ephemeral"] = ephemeral
    reply = await client.post(block_actions_body(payload))
    assert reply.status == 200, reply.body
    return reply


def state(values: dict[str, str | None]) -> dict[str, Any]:
    """A view_submission's state for these field values, as Slack shapes each input."""
    result: dict[str, Any] = {}
    for field, value in values.items():
        kind = KINDS.get(field, "plain_text_input")
        element: dict[str, Any] = {"type": kind}
        if kind == "static_select":
            element["selected_option"] = {"value": value} if value else None
        elif kind == "datepicker":
            element["selected_date"] = value
        elif kind == "datetimepicker":
            element["selected_date_time"] = int(value) if value else None
        else:
            element["value"] = value
        result[field] = {"value": element}
    return result


async def submit(
    client: SlackClient,
    callback_id: str,
    values: dict[str, str | None],
    *,
    user: str = "UCOORD1",
    private_metadata: str | None = None,
    private: str = "",
) -> dict[str, Any]:
    """Submit a modal opened from `/dps-update` in channel C1 (unless `private_metadata` says
    otherwise); the ack's JSON body ({} when the modal just closes)."""
    if private_metadata is None:
        private_metadata = json.dumps({"p": private, "o": {"channel": "C1", "ts": ""}})
    body = view_submission_body(
        callback_id, state(values), user_id=user, private_metadata=private_metadata
    )
    reply = await client.post(body)
    assert reply.status == 200, reply.body
    return json.loads(reply.body) if reply.body.strip() else {}


async def opened_view(fake: FakeSlackAPI, count: int = 1) -> dict[str, Any]:
    calls = await fake.async_wait_for("views.open", count)
    view = calls[count - 1].params["view"]
    assert isinstance(view, dict)
    return view


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


async def counts(services: Services) -> dict[str, int]:
    """Rows in the tables a refused or invalid action must leave alone."""
    async with services.sessions() as session:
        return {
            model.__tablename__: int(
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
            for model in (Update, AuditEntry, Concern, OutboxItem)
        }


async def only_update(services: Services) -> Update:
    async with services.sessions() as session:
        updates = (await session.scalars(select(Update))).all()
    assert len(updates) == 1, updates
    return updates[0]


async def audit_actions(services: Services) -> list[str]:
    async with services.sessions() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
