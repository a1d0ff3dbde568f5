"""Members report a confusing or conflicting message they received; coordinators raise it.

The reporter is never stored (the table has no column for it): a member who worries about
being identified to a prison should still feel safe telling us. Coordinators only ever see the
text redacted, and the coordinators' channel is told through the outbox, exactly once.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import timedelta
from os import PathLike

from bot.commands import ParsedCommand
from bot.interactions import (
    ActionResult,
    Caller,
    Form,
    FormField,
    FormResult,
    command,
    form,
    only_coordinators,
)
from bot.messages import Block, Context, Heading, Message, Paragraph, plain
from bot.outbox import enqueue
from bot.reports.redact import REDACTION_NOTE, escape_spreadsheet_cell, redact_free_text
from bot.services import Services
from bot.text import clean_text, escape_mrkdwn, format_day, shorten
from storage.models import Concern
from storage.repositories.audit import record_action
from storage.repositories.concerns import add_concern, recent_concerns
from storage.repositories.topics import all_topics

FORM = "concern.report"
TEXT_LIMIT = 3000
PLACE_LIMIT = 200
SHOWN = 15
RECENT = timedelta(days=30)  # "recent" on the coordinators' Home tab

THANKS = (
    "Thank you. We've recorded this without your name. The coordinators will look at it and "
    "may raise it with HMPPS, without saying who reported it. We hide the names we can spot "
    "in what you wrote, but may miss some, so please leave names out."
)
TOO_LONG = (
    "That is {length:,} characters; please keep it under {limit:,}. "
    "The main point is enough: what was said, and where. Nothing was recorded."
)


@command("report")
async def report_command(
    services: Services, caller: Caller, command_: ParsedCommand
) -> ActionResult:
    """With text: record it at once. Without: open the form (topic, place, what was said)."""
    text = clean_text(command_.rest).strip()
    if not text:
        return ActionResult(form=await concern_form(services))
    if len(text) > TEXT_LIMIT:
        return ActionResult(reply=plain(TOO_LONG.format(length=len(text), limit=TEXT_LIMIT)))
    await record_concern(services, text=text, topic=None, place=None, platform=caller.platform)
    return ActionResult(reply=plain(THANKS))


async def concern_form(services: Services) -> Form:
    async with services.sessions() as session:
        topics = tuple((t.slug, t.title) for t in await all_topics(session))
    return Form(
        action=FORM,
        title="Report a message",
        submit_label="Send",
        fields=(
            FormField("topic", "What is it about?", "select", required=False, options=topics),
            FormField(
                "place",
                "Prison or region",
                required=False,
                max_length=PLACE_LIMIT,
                hint="For example HMP Leeds, or the North West.",
            ),
            FormField(
                "text",
                "What was said",
                "multiline",
                max_length=TEXT_LIMIT,
                hint="Please leave out names: we don't need them, and we don't record yours.",
            ),
        ),
    )


@form(FORM)
async def submit_concern(
    services: Services, caller: Caller, values: Mapping[str, str], _private: str
) -> FormResult:
    text = clean_text(values.get("text", "")).strip()
    place = clean_text(values.get("place", "")).strip() or None
    topic = values.get("topic", "").strip() or None
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "Please tell us what was said."
    elif len(text) > TEXT_LIMIT:
        errors["text"] = TOO_LONG.format(length=len(text), limit=TEXT_LIMIT)
    if place is not None and len(place) > PLACE_LIMIT:
        errors["place"] = f"Please keep this under {PLACE_LIMIT} characters."
    async with services.sessions() as session:
        known = {t.slug for t in await all_topics(session)}
    if topic is not None and topic not in known:
        errors["topic"] = "Please choose one of the topics listed."
    if errors:
        return FormResult(errors=errors)
    await record_concern(services, text=text, topic=topic, place=place, platform=caller.platform)
    return FormResult(reply=plain(THANKS))


async def record_concern(
    services: Services,
    *,
    text: str,
    topic: str | None,
    place: str | None,
    platform: str = "slack",
) -> Concern:
    """Save the concern and queue the coordinators' notice in the same transaction, on the
    platform it was reported from (the coordinators' channel is in the same workspace)."""
    now = services.clock()
    channel = services.settings.coordinators_channel
    async with services.sessions.begin() as session:
        concern = await add_concern(session, text=text, topic=topic, place=place, at=now)
        if channel:
            await enqueue(
                session,
                key=f"concern:{concern.id}:notify",
                kind="concern.notify",
                conversation=channel,
                platform=platform,
                message=notice(concern),
                not_before=now,
            )
    return concern


def notice(concern: Concern) -> Message:
    """What the coordinators' channel sees: redacted, since a channel has many readers."""
    where = " · ".join(escape_mrkdwn(part) for part in (concern.topic, concern.place) if part)
    blocks: list[Block] = [Paragraph("*A member reported a confusing or conflicting message*")]
    blocks.append(Paragraph(_quoted(concern)))
    blocks.append(
        Context(
            f"{where + ' · ' if where else ''}Reported anonymously. {REDACTION_NOTE} "
            "See all: /dps-update concerns"
        )
    )
    return Message(
        text="A member reported a confusing or conflicting message", blocks=tuple(blocks)
    )


def _quoted(concern: Concern) -> str:
    text = escape_mrkdwn(shorten(redact_free_text(concern.text), 1500))
    return "\n".join(f"> {line}" for line in text.splitlines() or [""])


@command("concerns")
async def concerns_command(
    services: Services, caller: Caller, _command: ParsedCommand
) -> ActionResult:
    refusal = only_coordinators(caller, services, "see reported messages")
    if refusal is not None:
        return refusal
    zone = services.settings.timezone
    async with services.sessions.begin() as session:
        concerns = await recent_concerns(session, SHOWN)
        titles = {t.slug: t.title for t in await all_topics(session)}
        await record_action(
            session, actor=caller.user_id, action="concerns.view", detail={"shown": len(concerns)}
        )
    blocks: list[Block] = [Heading("Reported messages")]
    if not concerns:
        blocks.append(Paragraph("Nobody has reported anything yet."))
    for concern in concerns:
        details = [format_day(concern.created_at, zone)]
        if concern.topic:
            details.append(titles.get(concern.topic, concern.topic))
        if concern.place:
            details.append(escape_mrkdwn(redact_free_text(concern.place)))
        blocks.append(Paragraph(_quoted(concern)))
        blocks.append(Context(" · ".join(details)))
    blocks.append(Context(f"{REDACTION_NOTE} Export all: `sectorbot concerns export`."))
    return ActionResult(reply=Message(text="Reported messages", blocks=tuple(blocks)))


EXPORT_COLUMNS = ("id", "reported_on", "topic", "place", "what_was_said", "state")


def write_concerns_csv(
    concerns: Sequence[Concern], services: Services, path: str | PathLike[str]
) -> int:
    """Write every concern, redacted and safe to open in a spreadsheet; return the row count."""
    zone = services.settings.timezone
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:  # Excel reads the BOM
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for concern in concerns:
            row = (
                str(concern.id),
                concern.created_at.astimezone(zone).date().isoformat(),
                concern.topic or "",
                redact_free_text(concern.place or ""),
                redact_free_text(concern.text),
                concern.state,
            )
            writer.writerow([escape_spreadsheet_cell(cell) for cell in row])
    return len(concerns)
