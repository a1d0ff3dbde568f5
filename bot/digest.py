"""The weekly digest of one channel, as pure functions of data: when it is due, what it says,
and how it splits into messages within Block Kit's limits without dropping anything."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import WEEKDAYS
from bot.messages import Block, Context, Divider, Fields, Heading, Message, Paragraph
from bot.text import escape_mrkdwn, format_day, shorten

MAX_BLOCKS = 50
MAX_CHARS = 10_000  # Slack rejects a message past about 11,000-13,000 characters of blocks
SECTION_CHARS = 2_800  # under the 3,000 of a section, with room to spare
EXCERPT = 200
DEADLINE_DAYS = 14
_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")
_BARE = re.compile(r"<([^<>]+)>")


@dataclass(frozen=True)
class DigestUpdate:
    topic_title: str
    title: str
    body: str
    posted_at: datetime
    link: str | None = None
    deadline: date | None = None


@dataclass(frozen=True)
class DigestSurvey:
    title: str
    closes_at: datetime
    responses: int


@dataclass(frozen=True)
class DigestDeadline:
    day: date
    what: str


@dataclass(frozen=True)
class DigestData:
    since: datetime
    until: datetime
    updates: Sequence[DigestUpdate]  # in topic order, then oldest first
    surveys: Sequence[DigestSurvey]
    deadlines: Sequence[DigestDeadline]

    @property
    def empty(self) -> bool:
        return not (self.updates or self.surveys or self.deadlines)


def digest_moment(now: datetime, weekday: str, at: time, zone: ZoneInfo) -> datetime:
    """The latest digest time at or before `now`, on the local wall clock (DST-safe)."""
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - WEEKDAYS.index(weekday)) % 7)
    moment = datetime.combine(day, at, tzinfo=zone)
    if moment > now:
        moment = datetime.combine(day - timedelta(days=7), at, tzinfo=zone)
    return moment


def iso_week(moment: datetime, zone: ZoneInfo) -> str:
    year, week, _ = moment.astimezone(zone).date().isocalendar()
    return f"{year}-W{week:02d}"


def _excerpt(body: str) -> str:
    """The body's opening as plain words: links become their labels, so a cut can't break one."""
    flat = _BARE.sub(r"\1", _LINK.sub(r"\2", body)).replace("\n", " ")
    return escape_mrkdwn(shorten(" ".join(flat.split()), EXCERPT))


def _update_entry(update: DigestUpdate, zone: ZoneInfo) -> str:
    details = [format_day(update.posted_at, zone)]
    if update.deadline:
        details.append(f"deadline {format_day(update.deadline, zone)}")
    if update.link:
        details.append(f"<{update.link}|source>")
    return f"• *{escape_mrkdwn(update.title)}*\n{_excerpt(update.body)}\n_{' · '.join(details)}_"


def _sections(data: DigestData, zone: ZoneInfo) -> list[tuple[str, list[str]]]:
    """(heading, entries) in reading order; each entry is at most SECTION_CHARS long."""
    sections: list[tuple[str, list[str]]] = []
    if not data.updates:
        sections.append(("Updates", ["No new updates this week."]))
    for update in data.updates:
        if not sections or sections[-1][0] != update.topic_title:
            sections.append((update.topic_title, []))
        sections[-1][1].append(_update_entry(update, zone))
    if data.surveys:
        sections.append(
            (
                "Open surveys",
                [
                    f"• *{escape_mrkdwn(s.title)}*: closes {format_day(s.closes_at, zone)}, "
                    f"{s.responses} response{'s' if s.responses != 1 else ''} so far"
                    for s in data.surveys
                ],
            )
        )
    if data.deadlines:
        sections.append(
            (
                f"Deadlines in the next {DEADLINE_DAYS} days",
                [f"• *{format_day(d.day, zone)}*: {escape_mrkdwn(d.what)}" for d in data.deadlines],
            )
        )
    return [(h, [shorten(e, SECTION_CHARS) for e in entries]) for h, entries in sections]


def _bundle(entries: list[str]) -> list[str]:
    """Join entries into section texts of at most SECTION_CHARS, never splitting an entry."""
    chunks: list[str] = []
    for entry in entries:
        if chunks and len(chunks[-1]) + 2 + len(entry) <= SECTION_CHARS:
            chunks[-1] += "\n\n" + entry
        else:
            chunks.append(entry)
    return chunks


def _size(block: Block) -> int:
    if isinstance(block, Heading | Paragraph | Context):
        return len(block.text)
    if isinstance(block, Fields):
        return sum(len(k) + len(v) for k, v in block.pairs)
    return 0


def _pack(
    sections: list[tuple[str, list[str]]], room_blocks: int, room_chars: int
) -> list[list[Block]]:
    """Fill messages in order; a topic carried over repeats its heading, marked continued."""
    pages: list[list[Block]] = [[]]
    for heading, entries in sections:
        first = True
        for chunk in _bundle(entries):
            page = pages[-1]
            new_heading = Heading(heading if first else f"{heading} (continued)")
            need: list[Block] = [new_heading, Paragraph(chunk)] if first else [Paragraph(chunk)]
            used_blocks, used_chars = len(page), sum(_size(b) for b in page)
            if page and (
                used_blocks + len(need) > room_blocks
                or used_chars + sum(_size(b) for b in need) > room_chars
            ):
                pages.append([])
                need = [new_heading, Paragraph(chunk)]
            pages[-1].extend(need)
            first = False
    return pages


def build_digest(data: DigestData, zone: ZoneInfo, *, post_empty: bool = True) -> list[Message]:
    """The digest as one or more messages, each within Block Kit's limits; [] when there is
    nothing to say and empty digests are not wanted."""
    if data.empty and not post_empty:
        return []
    title = f"Weekly digest: {format_day(data.until, zone)}"
    summary = (
        f"{len(data.updates)} update{'s' if len(data.updates) != 1 else ''} "
        f"since {format_day(data.since, zone)}."
    )
    # Each page adds a title, a part label and (first page) a summary: 3 blocks, ~300 chars.
    pages = _pack(_sections(data, zone), MAX_BLOCKS - 3, MAX_CHARS - 300)
    messages: list[Message] = []
    for number, page in enumerate(pages, start=1):
        label = f" (part {number} of {len(pages)})" if len(pages) > 1 else ""
        head: list[Block] = [Heading(title + label)]
        if number == 1:
            head.append(Context(summary))
        messages.append(Message(text=f"{title}{label}. {summary}", blocks=(*head, *page)))
    return messages


def preview_text(messages: Sequence[Message]) -> str:
    """The digest as plain text for a terminal (`sectorbot digest preview`)."""
    lines: list[str] = []
    for message in messages:
        for block in message.blocks:
            if isinstance(block, Heading):
                lines += ["", block.text.upper()]
            elif isinstance(block, Paragraph | Context):
                lines.append(block.text)
            elif isinstance(block, Divider):
                lines.append("-" * 40)
        lines.append("")
    return "\n".join(lines).strip() + "\n"
