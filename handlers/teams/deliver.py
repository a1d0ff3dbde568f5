"""Show a core result in Teams, inside the turn that asked for it.

`replace` updates the card the member pressed (its activity id is the submit's replyToId);
`reply` and `form` are new messages in the same conversation (in a channel, in the thread).
Teams has no private replies in channels as Slack has, so replies there are seen by the thread.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import CardFactory, TurnContext

from bot.interactions import ActionResult, Form, FormField
from bot.messages import SORRY_NOTHING_SAVED, Message
from handlers.teams.cards import fallback_text, render_card, render_form

log = logging.getLogger(__name__)

SORRY = SORRY_NOTHING_SAVED
FORM_SPEC = "spec"  # the form itself rides in its submit data, to re-show it with errors
FORM_ORIGIN = "origin"  # the card the form was opened from, for the result's `replace`


def card_activity(card: dict[str, Any], text: str) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        text=text,
        attachments=[CardFactory.adaptive_card(card)],
    )


def message_activity(message: Message) -> Activity:
    return card_activity(render_card(message), fallback_text(message))


def form_activity(form: Form, origin: str | None, errors: dict[str, str] | None = None) -> Activity:
    card = render_form(form, errors)
    data = card["body"][-1]["actions"][0]["data"]
    data[FORM_SPEC] = asdict(form)
    if origin:
        data[FORM_ORIGIN] = origin
    return card_activity(card, form.title)


def form_from_spec(spec: Any, values: dict[str, str]) -> Form | None:
    """Rebuild a submitted form with what the member typed, so errors do not wipe it."""
    if not isinstance(spec, dict):
        return None
    try:
        fields = tuple(
            FormField(
                **{
                    **field,
                    "options": tuple(tuple(o) for o in field.get("options", ())),
                    "initial": values.get(field["id"], field.get("initial", "")),
                }
            )
            for field in spec.get("fields", ())
        )
        return Form(**{**spec, "fields": fields})
    except (TypeError, KeyError):
        return None


async def replace_card(
    context: TurnContext, activity: Activity, card_id: str | None = None
) -> bool:
    """Update a card (by default the one the member acted on); False when there is none or
    Teams refuses it."""
    card_id = card_id or context.activity.reply_to_id
    if not card_id:
        return False
    activity.id = card_id
    try:
        await context.update_activity(activity)
    except Exception:
        log.warning("could not update card %s; sending a new message instead", card_id)
        return False
    return True


async def show(context: TurnContext, result: ActionResult) -> None:
    if result.replace is not None and not await replace_card(
        context, message_activity(result.replace)
    ):
        await context.send_activity(message_activity(result.replace))
    if result.form is not None:
        await context.send_activity(form_activity(result.form, context.activity.reply_to_id))
    if result.reply is not None:
        await context.send_activity(message_activity(result.reply))
