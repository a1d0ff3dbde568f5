"""Buttons and modals reach the core registry through the real Bolt app, and results show."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.interactions import ActionResult, Caller, Form, FormField, FormResult, action, form
from bot.messages import Message, plain
from bot.services import Services
from tests.conftest import SIGNING_SECRET
from tests.fakes.signing import block_actions_body, block_actions_payload, view_submission_body
from tests.slack.server import running_bot


@action("test.echo")
async def _echo(services: Services, caller: Caller, value: str) -> ActionResult:
    return ActionResult(
        replace=plain(f"You chose {value}"), reply=plain(f"Noted, {caller.user_id}")
    )


@action("test.ask")
async def _ask(services: Services, caller: Caller, value: str) -> ActionResult:
    fields = (FormField("name", "Organisation", max_length=50),)
    return ActionResult(
        form=Form(action="test.form", title="Tell us", fields=fields, private=value)
    )


@form("test.form")
async def _form(
    services: Services, caller: Caller, values: Mapping[str, str], private: str
) -> FormResult:
    if not values.get("name", "").strip():
        return FormResult(errors={"name": "Please give a name."})
    return FormResult(reply=Message(text=f"Thanks, {values['name']} ({private})"))


async def test_button_in_a_dm_replaces_the_message_and_replies(
    services: Services, fake_slack: Any
) -> None:
    payload = block_actions_payload(
        "test.echo#0", "option-b", channel_id="D123", message_ts="1700000000.000100"
    )
    async with running_bot(services, SIGNING_SECRET) as client:
        reply = await client.post(block_actions_body(payload))
        assert reply.status == 200
        updates = await fake_slack.async_wait_for("chat.update")
        posts = await fake_slack.async_wait_for("chat.postMessage")
    assert updates[0].params["ts"] == "1700000000.000100"
    assert updates[0].params["text"] == "You chose option-b"
    assert posts[0].params["channel"] == "D123"


async def test_unknown_button_gets_a_plain_sentence(services: Services, fake_slack: Any) -> None:
    payload = block_actions_payload("no.such.action#0", "x", channel_id="D1")
    async with running_bot(services, SIGNING_SECRET) as client:
        assert (await client.post(block_actions_body(payload))).status == 200
        posts = await fake_slack.async_wait_for("chat.postMessage")
    assert "no longer does anything" in posts[0].params["text"]


async def test_form_opens_then_field_errors_then_success(
    services: Services, fake_slack: Any
) -> None:
    payload = block_actions_payload("test.ask#0", "ctx-7", channel_id="D9")
    async with running_bot(services, SIGNING_SECRET) as client:
        assert (await client.post(block_actions_body(payload))).status == 200
        opened = await fake_slack.async_wait_for("views.open")
        view = opened[0].params["view"]
        assert view["callback_id"] == "test.form"
        assert view["blocks"][0]["element"]["max_length"] == 50
        metadata = view["private_metadata"]

        empty = {"name": {"value": {"type": "plain_text_input", "value": "  "}}}
        reply = await client.post(
            view_submission_body("test.form", empty, private_metadata=metadata)
        )
        assert reply.status == 200
        assert json.loads(reply.body) == {
            "response_action": "errors",
            "errors": {"name": "Please give a name."},
        }

        filled = {"name": {"value": {"type": "plain_text_input", "value": "Arts in Prisons"}}}
        reply = await client.post(
            view_submission_body("test.form", filled, private_metadata=metadata)
        )
        assert reply.status == 200 and reply.body == ""
        posts = await fake_slack.async_wait_for("chat.postMessage")
    assert posts[0].params["text"] == "Thanks, Arts in Prisons (ctx-7)"
    assert posts[0].params["channel"] == "D9"
