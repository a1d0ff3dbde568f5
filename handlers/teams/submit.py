"""A card's submitted data back to what the core expects: the same values Slack would send.

Teams merges every input of the card into the submit's data, keyed by input id; the ids are
prefixed (`cards.FORM_INPUT_PREFIX`...) so they never collide with our own keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from handlers.teams.cards import (
    ACTION,
    CHOICE_INPUT_PREFIX,
    FORM,
    FORM_INPUT_PREFIX,
    KIND,
    PRIVATE,
    TEXT_INPUT_PREFIX,
    VALUE,
)


@dataclass(frozen=True)
class ActionSubmit:
    name: str
    value: str


@dataclass(frozen=True)
class FormSubmit:
    name: str
    values: dict[str, str]
    private: str


def is_ours(data: Any) -> bool:
    return isinstance(data, Mapping) and (
        (isinstance(data.get(ACTION), str) and bool(data.get(ACTION))) or bool(data.get(FORM))
    )


def read_submit(data: Mapping[str, Any], zone: ZoneInfo) -> ActionSubmit | FormSubmit:
    if data.get(FORM):
        return FormSubmit(str(data[FORM]), form_values(data, zone), str(data.get(PRIVATE, "")))
    return ActionSubmit(str(data.get(ACTION, "")), action_value(data))


def action_value(data: Mapping[str, Any]) -> str:
    value = str(data.get(VALUE, ""))
    kind = data.get(KIND)
    if kind == "single":
        return f"{value}|{_text(data.get(CHOICE_INPUT_PREFIX + value))}"
    if kind == "text":
        return f"{value}|{_text(data.get(TEXT_INPUT_PREFIX + value)).strip()}"
    ticked = data.get(CHOICE_INPUT_PREFIX + value) if value else None
    if ticked is not None:  # a button beside a multiple choice with this routing, as in Slack
        return f"{value}|{_text(ticked)}"
    return value


def form_values(data: Mapping[str, Any], zone: ZoneInfo) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, raw in data.items():
        if not key.startswith(FORM_INPUT_PREFIX) or key.endswith(":time"):
            continue
        field_id = key[len(FORM_INPUT_PREFIX) :]
        values[field_id] = _text(raw)
        clock = data.get(key + ":time")
        if clock is not None:
            values[field_id] = _epoch(values[field_id], _text(clock), zone)
    return values


def _epoch(day: str, clock: str, zone: ZoneInfo) -> str:
    """Join a date and a time picked in the network's zone into epoch seconds (as Slack gives)."""
    if not day:
        return ""
    try:
        moment = datetime.combine(
            date.fromisoformat(day), time.fromisoformat(clock or "09:00"), tzinfo=zone
        )
    except ValueError:
        return ""
    return str(int(moment.timestamp()))


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, list):
        return ",".join(str(item) for item in raw)
    return str(raw)
