"""Drive a member through a survey in Slack: read the live message's blocks, press its
buttons, pick from selects, tick boxes, type into the free-text modal, all as signed requests."""

from __future__ import annotations

import itertools
import json
from typing import Any

from tests.fakes.signing import (
    block_actions_body,
    block_actions_payload,
    view_submission_body,
)
from tests.fakes.slack_api import FakeSlackAPI, async_wait_until
from tests.slack.server import Reply, SlackClient

_triggers = itertools.count(1)
WATCHED = ("chat.update", "chat.postMessage", "views.open")


def block_text(blocks: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(text.get("text", ""))
        for element in block.get("elements", []) or []:
            if isinstance(element.get("text"), dict):
                parts.append(element["text"].get("text", ""))
            elif isinstance(element.get("text"), str):
                parts.append(element["text"])
        for field in block.get("fields", []) or []:
            parts.append(field.get("text", ""))
    return "\n".join(parts)


class Respondent:
    """One member's DM with the bot, as the fake Slack API saw it."""

    def __init__(
        self, client: SlackClient, fake: FakeSlackAPI, user: str, ts: str, blocks: list[Any]
    ) -> None:
        self.client, self.fake, self.user = client, fake, user
        self.channel = "D" + user
        self.ts = ts
        self.blocks = blocks
        self.replies: list[str] = []
        self.last_ack: Reply | None = None

    @property
    def text(self) -> str:
        return block_text(self.blocks)

    # -- finding things in the live message ---------------------------------------------------

    def _elements(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return [
            (block, element)
            for block in self.blocks
            if block.get("type") == "actions"
            for element in block.get("elements", [])
        ]

    def button(self, label: str) -> tuple[dict[str, Any], dict[str, Any]]:
        for block, element in self._elements():
            if element.get("type") == "button" and element["text"]["text"] == label:
                return block, element
        raise AssertionError(f"no button {label!r} in:\n{self.text}")

    def has_button(self, label: str) -> bool:
        try:
            self.button(label)
        except AssertionError:
            return False
        return True

    # -- acting ----------------------------------------------------------------------------------

    def _relevant(self, start: int) -> list[Any]:
        return [
            c
            for c in self.fake.calls()[start:]
            if c.method in WATCHED
            and (c.params.get("channel") in (self.channel, self.user) or c.method == "views.open")
            and (c.method != "views.open" or c.params.get("trigger_id", "").startswith(self.user))
        ]

    async def _send(self, payload: dict[str, Any], *, expect: bool = True) -> list[Any]:
        start = len(self.fake.calls())
        self.last_ack = await self.client.post(block_actions_body(payload))
        assert self.last_ack.status == 200, self.last_ack.body
        if not expect:
            return []
        assert await async_wait_until(self.fake, lambda: bool(self._relevant(start)))
        return self._absorb(start)

    def _absorb(self, start: int) -> list[Any]:
        calls = self._relevant(start)
        for call in calls:
            if call.method == "chat.update" and call.params.get("ts") == self.ts:
                self.blocks = call.params.get("blocks") or []
            elif call.method == "chat.postMessage":
                self.replies.append(block_text(call.params.get("blocks") or []))
        return calls

    def _payload(self, action_id: str, value: str | None, **extra: Any) -> dict[str, Any]:
        return block_actions_payload(
            action_id,
            value,
            user_id=self.user,
            channel_id=self.channel,
            message_ts=self.ts,
            trigger_id=f"{self.user}-{next(_triggers)}",
            **extra,
        )

    def payload_for(self, label: str) -> dict[str, Any]:
        """The exact request a click on `label` sends (to replay it: a double click)."""
        block, element = self.button(label)
        return self._payload(
            element["action_id"], element.get("value"), block_id=block.get("block_id", "b")
        )

    async def press(self, label: str, state: dict[str, Any] | None = None) -> list[Any]:
        block, element = self.button(label)
        return await self._send(
            self._payload(
                element["action_id"],
                element.get("value"),
                block_id=block.get("block_id", "b"),
                state_values=state,
            )
        )

    async def replay(self, payload: dict[str, Any]) -> list[Any]:
        return await self._send(payload)

    async def choose(self, label: str) -> list[Any]:
        """A single choice: a button, or an option of a select menu."""
        for block, element in self._elements():
            if element.get("type") == "static_select":
                option = next(o for o in element["options"] if o["text"]["text"] == label)
                return await self._send(
                    self._payload(
                        element["action_id"],
                        None,
                        block_id=block["block_id"],
                        action_type="static_select",
                        action={"selected_option": option},
                    )
                )
        return await self.press(label)

    async def tick(self, labels: list[str]) -> list[Any]:
        """Tick checkboxes, then press Next (Slack sends the ticks as the message's state)."""
        for block, element in self._elements():
            if element.get("type") == "checkboxes":
                chosen = [o for o in element["options"] if o["text"]["text"] in labels]
                state = {
                    block["block_id"]: {
                        element["action_id"]: {"type": "checkboxes", "selected_options": chosen}
                    }
                }
                return await self.press("Next", state)
        raise AssertionError(f"no checkboxes in:\n{self.text}")

    async def type(self, text: str, button: str | None = None) -> Reply:
        """Open the free-text form and submit `text`; returns Slack's ack of the submission."""
        label = button or next(
            e["text"]["text"]
            for _b, e in self._elements()
            if e.get("type") == "button" and e.get("style") == "primary"
        )
        calls = await self.press(label)
        view = next(c for c in calls if c.method == "views.open").params["view"]
        start = len(self.fake.calls())
        body = view_submission_body(
            view["callback_id"],
            {"answer": {"value": {"type": "plain_text_input", "value": text}}},
            user_id=self.user,
            private_metadata=view["private_metadata"],
        )
        reply = await self.client.post(body)
        assert reply.status == 200, reply.body
        if reply.body and json.loads(reply.body or "{}").get("response_action") == "errors":
            return reply
        assert await async_wait_until(self.fake, lambda: bool(self._relevant(start)))
        self._absorb(start)
        return reply
