"""Who is in a channel, and where in the world they are: asked of the platform, answered by an
adapter, so the core can build a survey's audience without knowing any platform's API."""

from __future__ import annotations

from typing import Protocol


class DirectoryError(Exception):
    """The platform could not answer (unknown channel, bot not a member); str() is one plain
    sentence a coordinator can act on."""


class Directory(Protocol):
    async def channel_members(self, channel: str) -> list[str]:
        """User ids of the people in `channel` (not the bot itself)."""
        ...

    async def user_timezone(self, user: str) -> str | None:
        """The IANA time zone the person set, or None when unknown."""
        ...
