"""Neutral messages and forms to Adaptive Cards (and a plain-text fallback) for Teams.

Values on submit mirror Slack's (`handlers/slack/render.py`), so the same core handlers work:
a button sends its value as is; a single choice sends `ROUTING|OPTION`; a multiple choice is an
input whose ticks ride on any button whose value is `ROUTING`, giving `ROUTING|A,B`; free text
sends `ROUTING|TEXT`. `handlers/teams/submit.py` reads them back.
"""

from __future__ import annotations

import re
from typing import Any

from bot.interactions import Form, FormField
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

CARD_VERSION = "1.5"  # what Teams desktop, web and mobile all render
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
# Teams refuses a message over about 28 KB; keep the card's text well under that.
TEXT_BUDGET = 20_000
MAX_BUTTON_ROW = 6  # Teams shows at most six actions in a row before "..."
BUTTONS_FOR_SINGLE = 5  # up to this many options: one tap each, as in Slack
TEXT_INPUT_LIMIT = 4000

# Keys of the submit data (inputs are merged in beside them by the client).
ACTION = "action"
VALUE = "value"
FORM = "form"
PRIVATE = "private"
KIND = "kind"
FORM_INPUT_PREFIX = "field:"
CHOICE_INPUT_PREFIX = "choice:"
TEXT_INPUT_PREFIX = "text:"

JsonObject = dict[str, Any]

_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>\s]+)(?:\|([^>]+))?>")
_SLACK_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_SLACK_STRIKE = re.compile(r"(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])")
_SLASH_COMMAND = re.compile(r"(?<![\w/])/dps-update\b")


def teams_markdown(text: str) -> str:
    """Slack mrkdwn to the markdown a Teams TextBlock renders.

    `*bold*` becomes `**bold**`, `<url|label>` becomes `[label](url)`, Slack's escapes are
    undone, and `/dps-update` reads `dps-update` because Teams has no slash commands. Single
    newlines are doubled since a TextBlock joins lines that are not a paragraph apart.
    """
    text = _SLASH_COMMAND.sub("dps-update", text)
    text = _SLACK_LINK.sub(lambda m: f"[{m[2] or m[1]}]({m[1]})", text)
    text = _SLACK_BOLD.sub(r"**\1**", text)
    text = _SLACK_STRIKE.sub(r"~~\1~~", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"(?<!\n)\n(?!\n)", "\n\n", text)


def plain_text(text: str) -> str:
    """Slack mrkdwn as plain words (for notifications and the text fallback)."""
    text = _SLASH_COMMAND.sub("dps-update", text)
    text = _SLACK_LINK.sub(lambda m: f"{m[2]} ({m[1]})" if m[2] else m[1], text)
    text = _SLACK_BOLD.sub(r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text_block(text: str, **style: Any) -> JsonObject:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _submit(title: str, data: JsonObject, style: str | None = None) -> JsonObject:
    action: JsonObject = {"type": "Action.Submit", "title": shorten(title, 60), "data": data}
    if style == "primary":
        action["style"] = "positive"
    elif style == "danger":
        action["style"] = "destructive"
    return action


def _button(button: Button) -> JsonObject:
    if button.url:
        return {"type": "Action.OpenUrl", "title": shorten(button.label, 60), "url": button.url}
    return _submit(button.label, {ACTION: button.action, VALUE: button.value}, button.style)


def _action_rows(actions: list[JsonObject]) -> list[JsonObject]:
    return [
        {"type": "ActionSet", "actions": actions[i : i + MAX_BUTTON_ROW]}
        for i in range(0, len(actions), MAX_BUTTON_ROW)
    ]


def _choice_set(input_id: str, choice: Choice, multiple: bool) -> JsonObject:
    element: JsonObject = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "style": "expanded" if multiple else "compact",
        "isMultiSelect": multiple,
        "choices": [{"title": shorten(o.label, 200), "value": o.value} for o in choice.options],
    }
    if choice.placeholder and not multiple:
        element["placeholder"] = choice.placeholder
    if choice.selected:
        element["value"] = ",".join(choice.selected if multiple else choice.selected[:1])
    return element


def _choice(choice: Choice, answered_by_button: bool) -> list[JsonObject]:
    if choice.kind == "single" and len(choice.options) <= BUTTONS_FOR_SINGLE:
        buttons = [
            _submit(
                ("✓ " if o.value in choice.selected else "") + o.label,
                {ACTION: choice.action, VALUE: f"{choice.value}|{o.value}"},
                "primary" if o.value in choice.selected else None,
            )
            for o in choice.options
        ]
        return _action_rows(buttons)
    if choice.kind == "single":
        input_id = CHOICE_INPUT_PREFIX + choice.value
        submit = {ACTION: choice.action, VALUE: choice.value, KIND: "single"}
        return [_choice_set(input_id, choice, False), *_action_rows([_submit("Send", submit)])]
    if choice.kind == "multiple":
        rendered = [_choice_set(CHOICE_INPUT_PREFIX + choice.value, choice, True)]
        if not answered_by_button:  # Slack relies on a Next button; give one if there is none
            rendered += _action_rows(
                [_submit("Next", {ACTION: choice.action, VALUE: choice.value})]
            )
        return rendered
    text_input: JsonObject = {
        "type": "Input.Text",
        "id": TEXT_INPUT_PREFIX + choice.value,
        "isMultiline": True,
        "maxLength": min(choice.max_length or TEXT_INPUT_LIMIT, TEXT_INPUT_LIMIT),
        "placeholder": choice.placeholder or "Type your answer",
    }
    submit = {ACTION: choice.action, VALUE: choice.value, KIND: "text"}
    return [text_input, *_action_rows([_submit("Send", submit, "primary")])]


def _button_values(message: Message) -> set[str]:
    return {
        b.value for block in message.blocks if isinstance(block, Actions) for b in block.buttons
    }


def render_block(block: Block, button_values: set[str]) -> list[JsonObject]:
    if isinstance(block, Heading):
        return [_text_block(shorten(block.text, 300), size="Large", weight="Bolder")]
    if isinstance(block, Paragraph):
        return [_text_block(teams_markdown(block.text))]
    if isinstance(block, Fields):
        facts = [{"title": shorten(k, 200), "value": teams_markdown(v)} for k, v in block.pairs]
        return [{"type": "FactSet", "facts": facts}]
    if isinstance(block, Context):
        return [_text_block(teams_markdown(block.text), size="Small", isSubtle=True)]
    if isinstance(block, Divider):
        return [{"type": "Container", "separator": True, "spacing": "Medium", "items": []}]
    if isinstance(block, Actions):
        return _action_rows([_button(b) for b in block.buttons])
    return _choice(block, block.value in button_values)


def _card(body: list[JsonObject]) -> JsonObject:
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }


def _within_budget(body: list[JsonObject]) -> list[JsonObject]:
    """Stop before the text budget and say so, rather than have Teams refuse the whole post."""
    kept: list[JsonObject] = []
    used = 0
    for element in body:
        used += len(str(element))
        if used > TEXT_BUDGET:
            kept.append(_text_block("…more not shown.", size="Small", isSubtle=True))
            break
        kept.append(element)
    return kept


def render_card(message: Message) -> JsonObject:
    values = _button_values(message)
    body: list[JsonObject] = []
    for block in message.blocks:
        body.extend(render_block(block, values))
    if not body:
        body.append(_text_block(teams_markdown(message.text)))
    return _card(_within_budget(body))


def fallback_text(message: Message) -> str:
    """What a notification or a client without cards shows."""
    return shorten(plain_text(message.text), 1000)


def _form_input(field: FormField, error: str | None) -> list[JsonObject]:
    input_id = FORM_INPUT_PREFIX + field.id
    common: JsonObject = {
        "id": input_id,
        "label": shorten(field.label, 200),
        "isRequired": field.required,
        "errorMessage": error or f"Please fill in {field.label.lower()}.",
    }
    element: JsonObject
    if field.kind in ("text", "multiline"):
        element = {"type": "Input.Text", "isMultiline": field.kind == "multiline", **common}
        if field.max_length:
            element["maxLength"] = min(field.max_length, TEXT_INPUT_LIMIT)
    elif field.kind == "date":
        element = {"type": "Input.Date", **common}
    elif field.kind == "datetime":
        # The core speaks epoch seconds for date-times (as Slack's picker does); Teams has no
        # combined picker, so ask for the date and time and join them on submit.
        element = {"type": "Input.Date", **common}
        time_input: JsonObject = {
            "type": "Input.Time",
            "id": input_id + ":time",
            "label": "Time",
            "isRequired": field.required,
        }
        rendered = [element, time_input]
        return [*_hint(field), *rendered, *_error(error)]
    else:
        element = {
            "type": "Input.ChoiceSet",
            "style": "expanded" if field.kind == "checkboxes" else "compact",
            "isMultiSelect": field.kind == "checkboxes",
            "choices": [{"title": shorten(label, 200), "value": v} for v, label in field.options],
            **common,
        }
    if field.initial and field.kind != "datetime":
        element["value"] = field.initial
    return [*_hint(field), element, *_error(error)]


def _hint(field: FormField) -> list[JsonObject]:
    return [_text_block(field.hint, size="Small", isSubtle=True)] if field.hint else []


def _error(error: str | None) -> list[JsonObject]:
    return [_text_block(error, color="Attention", size="Small")] if error else []


def render_form(form: Form, errors: dict[str, str] | None = None) -> JsonObject:
    """A card with the form's inputs; its submit carries the form's action and private data."""
    errors = errors or {}
    body: list[JsonObject] = [_text_block(form.title, size="Medium", weight="Bolder")]
    if errors:
        body.append(_text_block("Please check the answers marked below.", color="Attention"))
    for field in form.fields:
        body.extend(_form_input(field, errors.get(field.id)))
    submit = _submit(
        form.submit_label, {ACTION: "", FORM: form.action, PRIVATE: form.private}, "primary"
    )
    body.extend(_action_rows([submit]))
    return _card(body)
