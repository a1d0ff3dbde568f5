"""Platform-neutral interactions: buttons, choices and forms, routed to core handlers.

A feature registers what its buttons do (`@action("survey.start")`) and what its forms do
(`@form("update.new")`); every platform adapter (Slack actions and modals, Teams card submits,
the console's numbered choices and prompts) calls `dispatch_action` / `dispatch_form`. So a
conversation is written once, in the core, and behaves the same everywhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from bot.messages import Message
from bot.services import Services

if TYPE_CHECKING:
    from bot.commands import ParsedCommand


@dataclass(frozen=True)
class Caller:
    """Who acted, and where: enough for permission checks and channel-scoped commands."""

    platform: str
    team_id: str
    user_id: str
    channel_id: str


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    kind: Literal["text", "multiline", "select", "date", "datetime", "checkboxes"] = "text"
    required: bool = True
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    initial: str = ""
    max_length: int | None = None
    hint: str = ""


@dataclass(frozen=True)
class Form:
    """A modal in Slack, a card in Teams, a run of prompts in the console."""

    action: str  # the form handler's name
    title: str  # Slack caps modal titles at 24 characters: keep it short
    fields: tuple[FormField, ...]
    submit_label: str = "Submit"
    private: str = ""  # routing data handed back on submit (ids, versions); never shown


@dataclass(frozen=True)
class Attachment:
    """A file for the person who acted (a report), sent privately by the adapter."""

    filename: str
    content: bytes
    title: str = ""


@dataclass(frozen=True)
class ActionResult:
    """What to show after a button or choice.

    `replace`: the message that carried the button becomes this (the answered form of a
    question, say). `reply`: a new message to the same person. `form`: open this form.
    `files`: send these to the person privately (in their direct messages).
    """

    replace: Message | None = None
    reply: Message | None = None
    form: Form | None = None
    files: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class FormResult:
    """`errors` (field id -> plain sentence) keeps the form open; otherwise it closes and
    `reply` (if any) goes to the person, `replace` to the message the form came from."""

    errors: Mapping[str, str] = field(default_factory=dict)
    reply: Message | None = None
    replace: Message | None = None


ActionHandler = Callable[[Services, Caller, str], Awaitable[ActionResult]]
CommandHandler = Callable[[Services, Caller, "ParsedCommand"], Awaitable[ActionResult]]
FormHandler = Callable[[Services, Caller, Mapping[str, str], str], Awaitable[FormResult]]

_COMMANDS: dict[str, CommandHandler] = {}
_ACTIONS: dict[str, ActionHandler] = {}
_FORMS: dict[str, FormHandler] = {}


def command(verb: str) -> Callable[[CommandHandler], CommandHandler]:
    """Register the handler for `/dps-update VERB ...` (and the same words in Teams and the
    console)."""

    def register(handler: CommandHandler) -> CommandHandler:
        _COMMANDS[verb] = handler
        return handler

    return register


def command_handler(verb: str) -> CommandHandler | None:
    return _COMMANDS.get(verb)


def action(name: str) -> Callable[[ActionHandler], ActionHandler]:
    """Register the handler for buttons/choices whose action is `name`."""

    def register(handler: ActionHandler) -> ActionHandler:
        _ACTIONS[name] = handler
        return handler

    return register


def form(name: str) -> Callable[[FormHandler], FormHandler]:
    """Register the handler for forms whose action is `name`."""

    def register(handler: FormHandler) -> FormHandler:
        _FORMS[name] = handler
        return handler

    return register


def only_coordinators(caller: Caller, services: Services, doing: str) -> ActionResult | None:
    """The refusal a non-coordinator gets, or None when the caller may go ahead."""
    if services.settings.is_coordinator(caller.user_id):
        return None
    return ActionResult(
        reply=Message(
            text=f"Only coordinators can {doing}. Nothing was changed. "
            "If you think you should be one, ask your network's coordinator."
        )
    )


def known_commands() -> set[str]:
    return set(_COMMANDS)


def known_actions() -> set[str]:
    return set(_ACTIONS)


def known_forms() -> set[str]:
    return set(_FORMS)


UNKNOWN = ActionResult(
    reply=Message(text="That button no longer does anything. Try /dps-update help.")
)


async def dispatch_action(
    services: Services, caller: Caller, name: str, value: str
) -> ActionResult:
    handler = _ACTIONS.get(name)
    if handler is None:
        return UNKNOWN
    return await handler(services, caller, value)


async def dispatch_form(
    services: Services, caller: Caller, name: str, values: Mapping[str, str], private: str
) -> FormResult:
    handler = _FORMS.get(name)
    if handler is None:
        return FormResult(reply=Message(text="That form has expired. Please start again."))
    return await handler(services, caller, values, private)
