"""A short-lived cache of the "latest updates" answers, the most asked-for thing the bot does.

Most of a `/dps-update` answer's cost is the database query; the answer only changes when an
update is written or falls due. Entries are keyed on a per-process write counter (bumped by any
flush that touches updates or topics, so this process never serves a stale answer after its
own write) and on a 5-second bucket of the bot's clock (so a scheduled update falling due, or
another instance's write, shows within 5 seconds).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.messages import Message
from storage.models import Topic, Update

BUCKET_SECONDS = 5
MAX_ENTRIES = 64

_version = 0
_entries: dict[tuple[Any, ...], Message] = {}


@event.listens_for(Session, "after_flush")
def _updates_written(session: Session, _context: Any) -> None:
    global _version
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Update | Topic):
            _version += 1
            _entries.clear()
            return


async def cached(
    key: tuple[Any, ...], now: datetime, build: Callable[[], Awaitable[Message]]
) -> Message:
    """The answer for `key` at `now`, built at most once per write and 5-second bucket."""
    full_key = (*key, _version, int(now.timestamp()) // BUCKET_SECONDS)
    message = _entries.get(full_key)
    if message is None:
        version = _version
        message = await build()
        if version == _version:  # nothing was written while we built it
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[full_key] = message
    return message


def reset() -> None:
    """Forget everything (a new database was opened in this process)."""
    global _version
    _version += 1
    _entries.clear()
