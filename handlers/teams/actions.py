"""Adaptive Card submits: buttons and choices to `dispatch_action`, forms to `dispatch_form`.

A form's field errors re-show the same card (updated in place) with the member's answers kept
and each problem under its field; on success the form card becomes a one-line receipt.
"""

from __future__ import annotations

import logging
from typing import Any

from microsoft_agents.hosting.core import TurnContext, TurnState

from bot.interactions import ActionResult, Caller, dispatch_action, dispatch_form
from bot.messages import Context, Message, plain
from bot.services import Services
from handlers.teams.deliver import (
    FORM_ORIGIN,
    FORM_SPEC,
    SORRY,
    form_activity,
    form_from_spec,
    message_activity,
    replace_card,
    show,
)
from handlers.teams.identity import caller_of
from handlers.teams.references import remember_conversation
from handlers.teams.submit import ActionSubmit, FormSubmit, read_submit

log = logging.getLogger(__name__)


async def on_submit(services: Services, context: TurnContext, _state: TurnState, data: Any) -> None:
    await remember_conversation(services, context.activity)
    caller = caller_of(context.activity)
    submitted = read_submit(data, services.settings.timezone)
    if isinstance(submitted, ActionSubmit):
        try:
            result = await dispatch_action(services, caller, submitted.name, submitted.value)
        except Exception:
            log.exception("action %s failed for user %s", submitted.name, caller.user_id)
            result = ActionResult(reply=plain(SORRY))
        await show(context, result)
        return
    await _on_form(services, context, caller, submitted, data)


async def _on_form(
    services: Services, context: TurnContext, caller: Caller, submitted: FormSubmit, data: Any
) -> None:
    try:
        result = await dispatch_form(
            services, caller, submitted.name, submitted.values, submitted.private
        )
    except Exception:
        log.exception("form %s failed for user %s", submitted.name, caller.user_id)
        await context.send_activity(message_activity(plain(SORRY)))
        return
    if result.errors:
        form = form_from_spec(data.get(FORM_SPEC), submitted.values)
        if form is None:
            problems = " ".join(result.errors.values())
            await context.send_activity(message_activity(plain(f"That was not saved: {problems}")))
            return
        again = form_activity(form, data.get(FORM_ORIGIN), dict(result.errors))
        if not await replace_card(context, again):
            await context.send_activity(
                form_activity(form, data.get(FORM_ORIGIN), dict(result.errors))
            )
        return
    title = str((data.get(FORM_SPEC) or {}).get("title") or "Form")
    receipt = Message(text=f"Sent: {title}", blocks=(Context(f"✓ Sent: {title}"),))
    await replace_card(context, message_activity(receipt))
    origin = data.get(FORM_ORIGIN)
    if result.replace is not None and not (
        origin and await replace_card(context, message_activity(result.replace), str(origin))
    ):
        await context.send_activity(message_activity(result.replace))
    if result.reply is not None:
        await context.send_activity(message_activity(result.reply))
