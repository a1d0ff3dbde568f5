"""Sector updates: what makes one valid, and how it reads as a message."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.messages import Block, Context, Divider, Heading, Message, Paragraph
from bot.text import clean_text, escape_mrkdwn, format_day, shorten
from storage.models import Update

TITLE_LIMIT = 150
BODY_LIMIT = 2800  # fits one Block Kit section (3,000) with room for the title line
LINK_LIMIT = 500
_URL = re.compile(r"^https://[^\s<>|]+$")  # https only: members follow these links


class InvalidUpdate(ValueError):
    """An update a coordinator wrote that cannot be saved; the message says why, plainly.

    `field` names the part at fault (topic, title, body, link, deadline, publish_at), so a form
    can show the sentence beside it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class UpdateDraft:
    topic: str
    title: str
    body: str
    link: str | None = None
    deadline: date | None = None


def check_draft(draft: UpdateDraft, known_topics: set[str]) -> tuple[UpdateDraft, dict[str, str]]:
    """The cleaned draft and every problem with it, by field (empty when it can be saved)."""
    problems: dict[str, str] = {}
    if draft.topic not in known_topics:
        names = ", ".join(sorted(known_topics))
        problems["topic"] = f"Unknown topic '{shorten(draft.topic, 40)}'. Topics: {names}."
    title = clean_text(draft.title).strip()
    body = clean_text(draft.body).strip()
    if not title:
        problems["title"] = "The title is empty."
    elif len(title) > TITLE_LIMIT:
        problems["title"] = f"The title is {len(title):,} characters; the limit is {TITLE_LIMIT}."
    if not body:
        problems["body"] = "The body is empty."
    elif len(body) > BODY_LIMIT:
        problems["body"] = (
            f"The body is {len(body):,} characters; the limit is {BODY_LIMIT:,}. "
            "Shorten it or link to the full text."
        )
    link = (draft.link or "").strip() or None
    if link is not None and (len(link) > LINK_LIMIT or not _URL.match(link)):
        problems["link"] = "The source link must be a web address starting with https://."
    return UpdateDraft(draft.topic, title, body, link, draft.deadline), problems


def validate_draft(draft: UpdateDraft, known_topics: set[str]) -> UpdateDraft:
    """Clean and check a draft; raise InvalidUpdate with a sentence naming the field."""
    cleaned, problems = check_draft(draft, known_topics)
    for field, problem in problems.items():
        raise InvalidUpdate(problem, field)
    return cleaned


def parse_deadline(raw: str) -> date:
    """Accept 2026-12-11 (what the CLI and date pickers give)."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidUpdate(
            f"'{shorten(raw, 40)}' is not a date; use YYYY-MM-DD.", "deadline"
        ) from None


def parse_publish_at(raw: str, zone: ZoneInfo) -> datetime:
    """An ISO time; one without an offset is read in the network's time zone."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidUpdate(
            f"'{shorten(raw, 40)}' is not a date and time; use YYYY-MM-DDTHH:MM.", "publish_at"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


LATEST_SCHEDULE = timedelta(days=366)
PAST_GRACE = timedelta(minutes=2)  # the time it takes to fill in the form and press Schedule


def check_publish_window(moment: datetime, now: datetime) -> None:
    """A publish time must be now or later, and within a year (a typo of the year, otherwise)."""
    if moment < now - PAST_GRACE:
        raise InvalidUpdate(
            "That time has already passed. Leave it empty to publish now, or pick a later time.",
            "publish_at",
        )
    if moment > now + LATEST_SCHEDULE:
        raise InvalidUpdate(
            "That is more than a year away. Pick a time within a year.", "publish_at"
        )


def update_blocks(update: Update, topic_title: str, zone: ZoneInfo) -> list[Block]:
    """One update as blocks: title and body, then date, topic, source and deadline."""
    body = shorten(update.body, BODY_LIMIT)
    blocks: list[Block] = [Paragraph(f"*{escape_mrkdwn(update.title)}*\n{body}")]
    details = [f"{topic_title} · {format_day(update.publish_at, zone)}"]
    if update.deadline:
        details.append(f"Deadline: *{format_day(update.deadline, zone)}*")
    if update.link:
        details.append(f"<{update.link}|Source>")
    blocks.append(Context(" · ".join(details)))
    return blocks


def latest_message(
    updates: Sequence[Update], topic_titles: dict[str, str], zone: ZoneInfo, heading: str
) -> Message:
    """A list of updates, newest first, within Block Kit's 50-block limit."""
    if not updates:
        return Message(
            text=f"{heading}: nothing posted yet.",
            blocks=(Heading(heading), Paragraph("Nothing has been posted here yet.")),
        )
    blocks: list[Block] = [Heading(heading)]
    for update in updates[:15]:  # 3 blocks each: stays well under 50
        blocks.extend(update_blocks(update, topic_titles.get(update.topic, update.topic), zone))
        blocks.append(Divider())
    titles = "; ".join(u.title for u in updates[:5])
    return Message(text=shorten(f"{heading}: {titles}", 3000), blocks=tuple(blocks[:-1]))
