"""Neutral forms to Slack modals, and a submitted modal's state back to plain values."""

from __future__ import annotations

import json
from typing import Any

from bot.interactions import Form, FormField
from bot.text import shorten

VALUE = "value"  # every input's action_id; its block_id is the field id
TITLE_LIMIT = 24


def _input_element(field: FormField) -> dict[str, Any]:
    if field.kind in ("text", "multiline"):
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": VALUE,
            "multiline": field.kind == "multiline",
        }
        if field.max_length:
            element["max_length"] = min(field.max_length, 3000)
        if field.initial:
            element["initial_value"] = field.initial[:3000]
        return element
    if field.kind == "date":
        element = {"type": "datepicker", "action_id": VALUE}
        if field.initial:
            element["initial_date"] = field.initial
        return element
    if field.kind == "datetime":
        element = {"type": "datetimepicker", "action_id": VALUE}
        if field.initial:
            element["initial_date_time"] = int(field.initial)
        return element
    options = [
        {"text": {"type": "plain_text", "text": shorten(label, 75)}, "value": value}
        for value, label in field.options
    ]
    if field.kind == "checkboxes":
        element = {"type": "checkboxes", "action_id": VALUE, "options": options[:10]}
        chosen = [o for o in options if o["value"] in field.initial.split(",")]
        if chosen:
            element["initial_options"] = chosen
        return element
    element = {"type": "static_select", "action_id": VALUE, "options": options[:100]}
    chosen = [o for o in options if o["value"] == field.initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def render_modal(form: Form, origin: dict[str, str]) -> dict[str, Any]:
    """A modal view; `origin` (channel, message ts) rides in private_metadata with the form's."""
    blocks: list[dict[str, Any]] = []
    for field in form.fields:
        block: dict[str, Any] = {
            "type": "input",
            "block_id": field.id,
            "optional": not field.required,
            "label": {"type": "plain_text", "text": shorten(field.label, 2000)},
            "element": _input_element(field),
        }
        if field.hint:
            block["hint"] = {"type": "plain_text", "text": shorten(field.hint, 2000)}
        blocks.append(block)
    metadata = json.dumps({"p": form.private, "o": origin}, separators=(",", ":"))
    if len(metadata) > 3000:
        raise ValueError("form private data too long for Slack's private_metadata")
    return {
        "type": "modal",
        "callback_id": form.action,
        "title": {"type": "plain_text", "text": shorten(form.title, TITLE_LIMIT)},
        "submit": {"type": "plain_text", "text": shorten(form.submit_label, TITLE_LIMIT)},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": metadata,
        "blocks": blocks[:100],
    }


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """Flatten a view_submission's state to field id -> string (lists joined by commas)."""
    values: dict[str, str] = {}
    for block_id, actions in (view.get("state", {}).get("values", {}) or {}).items():
        element: dict[str, Any] = actions.get(VALUE) or next(iter(actions.values()), {})
        kind = element.get("type")
        if kind == "plain_text_input":
            values[block_id] = element.get("value") or ""
        elif kind == "datepicker":
            values[block_id] = element.get("selected_date") or ""
        elif kind == "datetimepicker":
            stamp = element.get("selected_date_time")
            values[block_id] = str(stamp) if stamp is not None else ""
        elif kind == "checkboxes":
            values[block_id] = ",".join(o["value"] for o in element.get("selected_options") or [])
        else:
            option = element.get("selected_option") or {}
            values[block_id] = option.get("value", "")
    return values


def form_metadata(view: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The form's own private data and where it was opened from."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
        return str(data.get("p", "")), dict(data.get("o", {}))
    except (ValueError, TypeError, AttributeError):
        return "", {}
