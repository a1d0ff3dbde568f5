"""Neutral messages to Block Kit, kept inside Slack's limits so a post never fails on size."""

from __future__ import annotations

from typing import Any

from bot.messages import (
    Actions,
    Block,
    Button,
    Choice,
    Context,
    Divider,
    Fields,
    Heading,
    Message,
    Paragraph,
)
from bot.text import shorten

MAX_BLOCKS = 50
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
FIELD_LIMIT = 2000
TEXT_LIMIT = 3000  # fallback text: Slack allows 40,000, but notifications show the start only

JsonBlock = dict[str, Any]


def action_id(action: str, index: int) -> str:
    """Slack wants unique action ids within a message; listeners match on the prefix."""
    return f"{action}#{index}"


def action_of(action_id_: str) -> str:
    return action_id_.split("#", 1)[0]


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split at paragraph, then line, then word boundaries; never drops a character."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut <= limit // 2:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    chunks.append(rest)
    return [c for c in chunks if c] or [""]


def _mrkdwn(text: str) -> JsonBlock:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str, limit: int) -> JsonBlock:
    return {"type": "plain_text", "text": shorten(text, limit), "emoji": True}


def _button(button: Button, index: int) -> JsonBlock:
    rendered: JsonBlock = {
        "type": "button",
        "text": _plain(button.label, BUTTON_TEXT_LIMIT),
        "action_id": action_id(button.action, index),
    }
    if button.value:
        rendered["value"] = button.value[:2000]
    if button.style:
        rendered["style"] = button.style
    if button.url:
        rendered["url"] = button.url
    return rendered


def _choice(choice: Choice, index: int) -> list[JsonBlock]:
    options = [{"text": _plain(o.label, 75), "value": o.value} for o in choice.options]
    if choice.kind == "single" and len(choice.options) <= 5:
        buttons = [
            {
                "type": "button",
                "text": _plain(o.label, BUTTON_TEXT_LIMIT),
                "action_id": action_id(choice.action, i),
                "value": f"{choice.value}|{o.value}",
                **({"style": "primary"} if o.value in choice.selected else {}),
            }
            for i, o in enumerate(choice.options)
        ]
        return [{"type": "actions", "block_id": f"choice-{index}", "elements": buttons}]
    if choice.kind == "single":
        element: JsonBlock = {
            "type": "static_select",
            "action_id": action_id(choice.action, 0),
            "placeholder": _plain(choice.placeholder or "Choose one", 150),
            "options": options[:100],
        }
        initial = [o for o in options if o["value"] in choice.selected]
        if initial:
            element["initial_option"] = initial[0]
        return [
            {"type": "actions", "block_id": f"choice-{index}|{choice.value}", "elements": [element]}
        ]
    if choice.kind == "multiple":
        element = {
            "type": "checkboxes",
            "action_id": action_id(choice.action, 0),
            "options": options[:10],
        }
        initial = [o for o in options if o["value"] in choice.selected]
        if initial:
            element["initial_options"] = initial
        return [
            {"type": "actions", "block_id": f"choice-{index}|{choice.value}", "elements": [element]}
        ]
    # Free text: a button that opens a modal with the text input (adapters own the modal).
    return [
        {
            "type": "actions",
            "block_id": f"choice-{index}",
            "elements": [
                {
                    "type": "button",
                    "text": _plain(choice.placeholder or "Type your answer", BUTTON_TEXT_LIMIT),
                    "action_id": action_id(choice.action, 0),
                    "value": choice.value,
                    "style": "primary",
                }
            ],
        }
    ]


def render_block(block: Block, index: int) -> list[JsonBlock]:
    if isinstance(block, Heading):
        return [{"type": "header", "text": _plain(block.text, HEADER_LIMIT)}]
    if isinstance(block, Paragraph):
        return [{"type": "section", "text": _mrkdwn(part)} for part in split_text(block.text)]
    if isinstance(block, Fields):
        fields = [_mrkdwn(shorten(f"*{k}*\n{v}", FIELD_LIMIT)) for k, v in block.pairs]
        return [
            {"type": "section", "fields": fields[i : i + 10]} for i in range(0, len(fields), 10)
        ]
    if isinstance(block, Context):
        return [{"type": "context", "elements": [_mrkdwn(shorten(block.text, SECTION_LIMIT))]}]
    if isinstance(block, Divider):
        return [{"type": "divider"}]
    if isinstance(block, Actions):
        buttons = [_button(b, i) for i, b in enumerate(block.buttons)]
        return [
            {"type": "actions", "elements": buttons[i : i + 25]} for i in range(0, len(buttons), 25)
        ]
    return _choice(block, index)


def render_blocks(message: Message, max_blocks: int = MAX_BLOCKS) -> list[JsonBlock]:
    """Render, and if the message would exceed the block limit, end it with a note saying so
    (callers that must not drop anything, such as the digest, split before rendering)."""
    rendered: list[JsonBlock] = []
    for index, block in enumerate(message.blocks):
        rendered.extend(render_block(block, index))
    if len(rendered) > max_blocks:
        rendered = rendered[: max_blocks - 1]
        rendered.append({"type": "context", "elements": [_mrkdwn("…more not shown.")]})
    return rendered


def render(message: Message) -> dict[str, Any]:
    """Keyword arguments for chat.postMessage / respond()."""
    return {"text": shorten(message.text, TEXT_LIMIT), "blocks": render_blocks(message)}
