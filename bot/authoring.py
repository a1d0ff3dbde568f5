"""Coordinators write sector updates: a form, a preview as members will see it, then confirm.

Nothing reaches members until the coordinator presses Publish or Schedule: the form saves a
draft, the preview renders it with `update_blocks` (the code that posts it), and the publisher
job only picks up updates in state "scheduled". Every change is a conditional UPDATE on the
state, so an edit cannot overwrite an update the publisher posted in the meantime.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import ParsedCommand
from bot.interactions import (
    ActionResult,
    Caller,
    Form,
    FormField,
    FormResult,
    action,
    command,
    form,
    only_coordinators,
)
from bot.messages import Actions, Block, Button, Context, Divider, Message, Paragraph, plain
from bot.services import Services
from bot.text import escape_mrkdwn, format_moment, shorten
from bot.updates import (
    BODY_LIMIT,
    TITLE_LIMIT,
    InvalidUpdate,
    UpdateDraft,
    check_draft,
    check_publish_window,
    parse_deadline,
    parse_publish_at,
    update_blocks,
)
from storage.models import Update
from storage.repositories.audit import record_action
from storage.repositories.topics import all_topics, topic_by_slug
from storage.repositories.update_states import change_update, discard_draft, update_by_id
from storage.repositories.updates import add_update

FORM = "update.write"
NEW = "update.new"
PUBLISH = "update.publish"
SCHEDULE = "update.schedule"
EDIT = "update.edit"
DISCARD = "update.discard"

WRITE = "write or change sector updates"
GONE = "That update no longer exists: it may have been discarded. Nothing was changed."
EDITABLE = ("draft", "scheduled")
# A time picked a moment ago may pass while the form is filled in; only refuse clear slips.

Mode = Literal["now", "at"]


@command("new")
async def new_command(services: Services, caller: Caller, _command: ParsedCommand) -> ActionResult:
    return await open_new_form(services, caller, "")


@action(NEW)
async def open_new_form(services: Services, caller: Caller, _value: str) -> ActionResult:
    """The blank form, from `/dps-update new`, the global shortcut or the Home tab's button."""
    refusal = only_coordinators(caller, services, WRITE)
    if refusal is not None:
        return refusal
    return ActionResult(form=await update_form(services, None, keep_time=False))


async def update_form(services: Services, update: Update | None, *, keep_time: bool) -> Form:
    """The update form, prefilled from `update` when editing one."""
    async with services.sessions() as session:
        topics = tuple((t.slug, t.title) for t in await all_topics(session))
    when = ""
    if update is not None and keep_time:
        # Slack's datetime picker takes a Unix time; it shows it in the viewer's own zone.
        when = str(int(update.publish_at.timestamp()))
    fields = (
        FormField("topic", "Topic", "select", options=topics, initial=_initial(update, "topic")),
        FormField("title", "Title", max_length=TITLE_LIMIT, initial=_initial(update, "title")),
        FormField(
            "body",
            "What members need to know",
            "multiline",
            max_length=BODY_LIMIT,
            initial=_initial(update, "body"),
            hint="Slack formatting works: *bold*, _italic_, <https://example.org|link text>.",
        ),
        FormField(
            "link",
            "Source link",
            required=False,
            initial=_initial(update, "link"),
            hint="Where members can read the original, starting https://",
        ),
        FormField(
            "deadline",
            "Deadline",
            "date",
            required=False,
            initial=update.deadline.isoformat() if update and update.deadline else "",
            hint="Only if members need to act by a date.",
        ),
        FormField(
            "publish_at",
            "Publish at",
            "datetime",
            required=False,
            initial=when,
            hint="Leave empty to publish as soon as you confirm.",
        ),
    )
    return Form(
        action=FORM,
        title="Edit update" if update else "New update",
        fields=fields,
        submit_label="Preview",
        private=f"update:{update.id}" if update else "",
    )


def _initial(update: Update | None, name: str) -> str:
    value = getattr(update, name, None) if update is not None else None
    return str(value) if value else ""


def read_publish_at(raw: str, services: Services) -> datetime | None:
    """None for "as soon as confirmed"; a Unix time (Slack's picker) or an ISO time read in the
    network's zone (the console); refuse a time already past or more than a year away."""
    raw = raw.strip()
    if not raw:
        return None
    if raw.isdigit():
        try:
            moment = datetime.fromtimestamp(int(raw), UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidUpdate("That is not a date and time we can use.", "publish_at") from None
    else:
        moment = parse_publish_at(raw, services.settings.timezone)
    check_publish_window(moment, services.clock())
    return moment


@form(FORM)
async def submit_update(
    services: Services, caller: Caller, values: Mapping[str, str], private: str
) -> FormResult:
    """Check every field; save a new draft (or the edit) and show the preview."""
    refusal = only_coordinators(caller, services, WRITE)
    if refusal is not None:
        return FormResult(reply=refusal.reply)
    async with services.sessions.begin() as session:
        known = {t.slug for t in await all_topics(session)}
        draft, problems = check_draft(
            UpdateDraft(
                topic=values.get("topic", ""),
                title=values.get("title", ""),
                body=values.get("body", ""),
                link=values.get("link") or None,
            ),
            known,
        )
        deadline = publish_at = None
        try:
            raw_deadline = values.get("deadline", "").strip()
            deadline = parse_deadline(raw_deadline) if raw_deadline else None
        except InvalidUpdate as error:
            problems["deadline"] = str(error)
        try:
            publish_at = read_publish_at(values.get("publish_at", ""), services)
        except InvalidUpdate as error:
            problems["publish_at"] = str(error)
        if problems:
            return FormResult(errors=problems)
        mode: Mode = "now" if publish_at is None else "at"
        fields: dict[str, Any] = {
            "topic": draft.topic,
            "title": draft.title,
            "body": draft.body,
            "link": draft.link,
            "deadline": deadline,
            "publish_at": publish_at or services.clock(),
        }
        update_id = _target(private)
        if update_id is None:
            update = await add_update(session, author=caller.user_id, state="draft", **fields)
            action_name = "update.draft"
        else:
            existing = await update_by_id(session, update_id)
            if existing is None:
                return FormResult(reply=plain(GONE))
            if existing.state not in EDITABLE or not await change_update(
                session, update_id, (existing.state,), **fields
            ):
                current = await update_by_id(session, update_id)
                return FormResult(reply=plain(cannot_change(current, services)))
            edited = await update_by_id(session, update_id)
            assert edited is not None
            update = edited
            action_name = "update.edit"
        await _audit(session, caller, action_name, update)
        title_of_topic = await topic_title(session, update.topic)
    if update.state == "draft":
        return FormResult(reply=preview(update, title_of_topic, services, mode))
    return FormResult(reply=saved_scheduled(update, title_of_topic, services))


def _target(private: str) -> int | None:
    kind, _, raw = private.partition(":")
    return int(raw) if kind == "update" and raw.isdigit() else None


async def topic_title(session: AsyncSession, slug: str) -> str:
    topic = await topic_by_slug(session, slug)
    return topic.title if topic is not None else slug


async def _audit(session: AsyncSession, caller: Caller, name: str, update: Update) -> None:
    await record_action(
        session,
        actor=caller.user_id,
        action=name,
        subject=f"update:{update.id}",
        detail={
            "topic": update.topic,
            "title": update.title,
            "state": update.state,
            "publish_at": update.publish_at.isoformat(),
        },
    )


def preview(update: Update, topic_name: str, services: Services, mode: Mode) -> Message:
    """The draft as members will see it, with the buttons that confirm, edit or discard it."""
    zone = services.settings.timezone
    if mode == "now":
        confirm = Button("Publish now", PUBLISH, str(update.id), style="primary")
    else:
        when = format_moment(update.publish_at, zone)
        confirm = Button(f"Schedule for {when}", SCHEDULE, str(update.id), style="primary")
    blocks: list[Block] = [
        Context("*Preview*: this is how members will see it. Nothing has been sent yet."),
        Divider(),
        *update_blocks(update, topic_name, zone),
        Divider(),
        Actions(
            (
                confirm,
                Button("Edit", EDIT, f"{update.id}:{mode}"),
                Button("Discard", DISCARD, str(update.id), style="danger"),
            )
        ),
    ]
    return Message(text=shorten(f"Preview: {update.title}", 300), blocks=tuple(blocks))


def saved_scheduled(update: Update, topic_name: str, services: Services) -> Message:
    """After editing an update that was already confirmed: it stays scheduled, changed."""
    when = format_moment(update.publish_at, services.settings.timezone)
    blocks: list[Block] = [
        Paragraph(f"*Saved.* It is still scheduled, for {when}. Members will see this:"),
        Divider(),
        *update_blocks(update, topic_name, services.settings.timezone),
        Divider(),
        Actions((Button("Edit again", EDIT, f"{update.id}:at"),)),
    ]
    return Message(text=f"Saved: {shorten(update.title, 200)}", blocks=tuple(blocks))


def cannot_change(update: Update | None, services: Services) -> str:
    """Why an update can no longer be edited, confirmed or discarded, as one sentence."""
    if update is None:
        return GONE
    title = f"“{escape_mrkdwn(shorten(update.title, 80))}”"
    zone = services.settings.timezone
    if update.state == "posted":
        when = format_moment(update.posted_at or update.publish_at, zone)
        return (
            f"{title} was posted on {when} while you were working on it, so it can't be "
            "changed now. Nothing was saved. If it needs correcting, write a new update."
        )
    if update.state == "withdrawn":
        return f"{title} has been withdrawn, so it can't be changed. Nothing was saved."
    if update.state == "scheduled":
        when = format_moment(update.publish_at, zone)
        return f"{title} is already confirmed and scheduled for {when}. See /dps-update scheduled."
    return f"{title} is still a draft. Nothing was changed."


def update_id_of(value: str) -> int | None:
    head = value.partition(":")[0]
    return int(head) if head.isdigit() else None


@action(PUBLISH)
async def publish_now(services: Services, caller: Caller, value: str) -> ActionResult:
    return await _confirm(services, caller, value, now=True)


@action(SCHEDULE)
async def schedule(services: Services, caller: Caller, value: str) -> ActionResult:
    return await _confirm(services, caller, value, now=False)


async def _confirm(services: Services, caller: Caller, value: str, *, now: bool) -> ActionResult:
    """Draft to scheduled: at once (the publisher posts it on its next tick) or at its time."""
    refusal = only_coordinators(caller, services, "publish or schedule updates")
    if refusal is not None:
        return refusal
    update_id = update_id_of(value)
    if update_id is None:
        return ActionResult(reply=plain(GONE))
    zone = services.settings.timezone
    async with services.sessions.begin() as session:
        update = await update_by_id(session, update_id)
        if update is None or update.state != "draft":
            return ActionResult(reply=plain(cannot_change(update, services)))
        publish_at = services.clock() if now else update.publish_at
        if not now and publish_at <= services.clock():
            when = format_moment(publish_at, zone)
            return ActionResult(
                reply=plain(
                    f"The time you chose, {when}, has passed, so nothing was scheduled. "
                    "Press Edit to pick a new time, or leave the time empty to publish now."
                )
            )
        if not await change_update(
            session, update_id, ("draft",), state="scheduled", publish_at=publish_at
        ):
            current = await update_by_id(session, update_id)
            return ActionResult(reply=plain(cannot_change(current, services)))
        update = await update_by_id(session, update_id)
        assert update is not None
        await _audit(session, caller, "update.publish" if now else "update.schedule", update)
        title_of_topic = await topic_title(session, update.topic)
    title = f"“{escape_mrkdwn(shorten(update.title, 150))}”"
    if now:
        lead = (
            f"*Published.* {title} goes to the channels following *{title_of_topic}* "
            "within the next minute or two."
        )
        buttons: tuple[Button, ...] = ()
    else:
        when = format_moment(publish_at, zone)
        lead = (
            f"*Scheduled.* {title} goes to the channels following *{title_of_topic}* on {when} "
            f"({zone.key} time)."
        )
        buttons = (Button("Edit", EDIT, f"{update.id}:at"),)
    blocks: list[Block] = [Paragraph(lead), Context("See or withdraw it: /dps-update scheduled")]
    if buttons:
        blocks.append(Actions(buttons))
    return ActionResult(replace=Message(text=lead.replace("*", ""), blocks=tuple(blocks)))


@action(EDIT)
async def edit(services: Services, caller: Caller, value: str) -> ActionResult:
    """Reopen the form prefilled; refused once the update has been posted or withdrawn."""
    refusal = only_coordinators(caller, services, WRITE)
    if refusal is not None:
        return refusal
    update_id = update_id_of(value)
    if update_id is None:
        return ActionResult(reply=plain(GONE))
    async with services.sessions() as session:
        update = await update_by_id(session, update_id)
    if update is None or update.state not in EDITABLE:
        return ActionResult(reply=plain(cannot_change(update, services)))
    keep_time = update.state == "scheduled" or value.endswith(":at")
    return ActionResult(form=await update_form(services, update, keep_time=keep_time))


@action(DISCARD)
async def discard(services: Services, caller: Caller, value: str) -> ActionResult:
    """Delete a draft nobody has seen; a confirmed update is withdrawn instead, elsewhere."""
    refusal = only_coordinators(caller, services, WRITE)
    if refusal is not None:
        return refusal
    update_id = update_id_of(value)
    if update_id is None:
        return ActionResult(reply=plain(GONE))
    async with services.sessions.begin() as session:
        update = await update_by_id(session, update_id)
        if update is None:
            return ActionResult(
                replace=plain("That draft was already discarded. Nothing was sent.")
            )
        if update.state != "draft" or not await discard_draft(session, update_id):
            current = await update_by_id(session, update_id)
            message = cannot_change(current, services)
            if current is not None and current.state == "scheduled":
                message += " To stop it going out, withdraw it there."
            return ActionResult(reply=plain(message))
        await _audit(session, caller, "update.discard", update)
    return ActionResult(replace=plain("Draft discarded. Nothing was sent."))
