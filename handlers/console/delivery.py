"""The console as a platform: its `Sender` for the outbox, and the conversations posts land in.

Producers (the update publisher, the weekly digest, survey invitations and reminders, notices to
coordinators) queue rows in the outbox exactly as in production, and the outbox's own job claims
them, paces them, records them and runs their sent-hooks. The console is only the last step:
where Slack would call chat.postMessage, `ConsoleSender.deliver` adds the post to the demo's
conversation history, and the session decides what to print (see `Conversations`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from bot.clock import Clock
from bot.delivery import DeliveryOutcome
from bot.demo_seed import Person
from bot.messages import Message, from_dict
from bot.services import Services
from handlers.console.world import Where, known_place, person_named
from storage.models import OutboxItem

log = logging.getLogger(__name__)

UNKNOWN_PLACE = (
    "that conversation is not part of the demo's network, so nothing was shown. Use one of the "
    "demo's channels."
)


@dataclass(frozen=True)
class Post:
    """One message the bot posted: where, when, and in what order."""

    number: int
    where: Where
    message: Message
    at: datetime
    kind: str


@dataclass
class Conversations:
    """Everything the bot has posted during this demo, and which posts the person at the
    keyboard has read: they play everyone, so a post is read once it has been printed."""

    _posts: list[Post] = field(default_factory=list)
    _read: set[int] = field(default_factory=set)
    _mentioned: set[int] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self._posts)

    def add(self, where: Where, message: Message, at: datetime, kind: str) -> Post:
        post = Post(len(self._posts) + 1, where, message, at, kind)
        self._posts.append(post)
        return post

    def unread(self, channel_id: str | None = None) -> list[Post]:
        """Unread posts, oldest first; only those in `channel_id` when given."""
        return [
            p
            for p in self._posts
            if p.number not in self._read and channel_id in (None, p.where.channel_id)
        ]

    def mark_read(self, posts: Iterable[Post]) -> None:
        self._read.update(p.number for p in posts)

    def unmentioned(self) -> list[Post]:
        """Unread posts not yet summarised, so each is summarised once, when it arrives."""
        fresh = [p for p in self.unread() if p.number not in self._mentioned]
        self._mentioned.update(p.number for p in fresh)
        return fresh


class ConsoleSender:
    """The outbox's Sender for the console: a post lands in a conversation of the demo."""

    def __init__(self, conversations: Conversations, clock: Clock) -> None:
        self._conversations = conversations
        self._clock = clock

    async def deliver(self, item: OutboxItem) -> DeliveryOutcome:
        where = known_place(item.conversation)
        if where is None:
            return DeliveryOutcome.failed(f"no conversation {item.conversation}", UNKNOWN_PLACE)
        try:
            message = from_dict(dict(item.payload["message"]))
        except (KeyError, TypeError, ValueError) as error:
            log.exception("outbox item %s could not be read", item.id)
            return DeliveryOutcome.failed(
                f"unreadable message: {error}", "This is a fault in the bot: please report it."
            )
        self._conversations.add(where, message, self._clock(), item.kind)
        return DeliveryOutcome.sent(f"console-{item.id}")


async def next_due(services: Services) -> datetime | None:
    """When the earliest pending post for a platform with a sender falls due, if any."""
    async with services.sessions() as session:
        return await session.scalar(  # aware UTC: min() keeps the column's type
            select(func.min(OutboxItem.next_attempt_at)).where(
                OutboxItem.state == "pending",
                OutboxItem.platform.in_(list(services.senders)),
            )
        )


def summary(posts: Sequence[Post]) -> str:
    """One line for posts delivered elsewhere, and how to read them, e.g. "Also delivered:
    4 DMs to Ben and Chidi; 1 post to #vetting-forum. /in #vetting-forum to read it;
    /as member Ben to read Ben's DMs."."""
    # Sorted: the sender delivers a batch concurrently, so arrival order is not stable.
    dms: Counter[Person] = Counter(
        sorted((p.where.dm_of for p in posts if p.where.dm_of is not None), key=lambda d: d.name)
    )
    channels: Counter[str] = Counter(sorted(p.where.label for p in posts if p.where.dm_of is None))
    parts: list[str] = []
    hints: list[str] = []
    if dms:
        parts.append(f"{_count(dms.total(), 'DM')} to {_and(p.name for p in dms)}")
    if channels:
        parts.append(f"{_count(channels.total(), 'post')} to {_and(channels)}")
        first, many = next(iter(channels.items()))
        hints.append(f"/in {first} to read {'them' if many > 1 else 'it'}")
    if dms:
        person = next(iter(dms))
        hints.append(f"/as {person_named(person)} to read {person.name}'s DMs")
    return f"Also delivered: {'; '.join(parts)}. {'; '.join(hints)}."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _and(names: Iterable[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
