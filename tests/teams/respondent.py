"""Drive a Teams member through a card conversation: read the live card as the fake Bot
Connector saw it, press its Action.Submit buttons, pick from ChoiceSets, type into text inputs,
each posted to /api/messages as Teams posts a card submit (the card's data, inputs merged in)."""

from __future__ import annotations

from typing import Any

from handlers.teams.cards import VALUE
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams import activities
from tests.teams.server import TeamsClient


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(_walk(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_walk(item))
    return found


class TeamsRespondent:
    """One member's personal chat with the bot; `card` is the card they last saw."""

    def __init__(
        self, client: TeamsClient, connector: FakeBotConnector, card: dict[str, Any], card_id: str
    ) -> None:
        self.client, self.connector = client, connector
        self.card, self.card_id = card, card_id

    def _submits(self) -> list[dict[str, Any]]:
        return [n for n in _walk(self.card.get("body", [])) if n.get("type") == "Action.Submit"]

    def submit_data(self, title: str) -> dict[str, Any]:
        for submit in self._submits():
            if submit.get("title", "").removeprefix("✓ ") == title:
                return dict(submit["data"])
        titles = [s.get("title") for s in self._submits()]
        raise AssertionError(f"no button {title!r} in the card (it has {titles})")

    def _choice_set(self) -> dict[str, Any]:
        return next(n for n in _walk(self.card["body"]) if n.get("type") == "Input.ChoiceSet")

    async def press(self, title: str, inputs: dict[str, Any] | None = None) -> None:
        await self._send({**self.submit_data(title), **(inputs or {})})

    async def choose(self, value: str) -> None:
        """Answer a single choice: its button when it has one, else pick it and press Send."""
        for submit in self._submits():
            if str(submit["data"].get(VALUE, "")).endswith(f"|{value}"):
                await self._send(dict(submit["data"]))
                return
        choices = self._choice_set()
        assert value in [c["value"] for c in choices["choices"]], choices
        await self.press("Send", {choices["id"]: value})

    async def tick(self, *values: str) -> None:
        """Tick boxes of a multiple choice, then press Next."""
        choices = self._choice_set()
        assert choices["isMultiSelect"]
        await self.press("Next", {choices["id"]: ",".join(values)})

    async def type(self, text: str) -> None:
        box = next(n for n in _walk(self.card["body"]) if n.get("type") == "Input.Text")
        await self.press("Send", {box["id"]: text})

    @property
    def text(self) -> str:
        parts = [str(n.get("text", "")) for n in _walk(self.card.get("body", []))]
        return "\n".join(p for p in parts if p)

    async def _send(self, data: dict[str, Any]) -> None:
        seen = len(self.connector.calls)
        answer = await self.client.post(
            activities.card_submit(self.connector.service_url, data, card_id=self.card_id)
        )
        assert answer.status in (200, 202), answer
        new = self.connector.calls[seen:]
        updates = [c for c in new if c.method == "PUT" and c.path.endswith("/" + self.card_id)]
        if updates:
            self.card = updates[-1].card
            return
        posts = [c for c in new if c.method == "POST" and c.body.get("attachments")]
        assert posts, f"the bot answered nothing to {data!r}"
        self.card = posts[-1].card
