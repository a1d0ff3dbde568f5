"""Who is in the demo's channels, for the core's survey audiences (`survey open NAME #channel`).

The demo's network is small and fixed: everyone is in the member channels, only the coordinator
in #coordinators, and everyone works in the network's time zone.
"""

from __future__ import annotations

from bot.demo_seed import COORDINATOR, COORDINATORS_CHANNEL, MEMBERS, PEOPLE, PLACES
from bot.directory import DirectoryError


class ConsoleDirectory:
    def __init__(self, timezone: str) -> None:
        self._timezone = timezone

    async def channel_members(self, channel: str) -> list[str]:
        if channel == COORDINATORS_CHANNEL:
            return [COORDINATOR.user_id]
        if any(place.channel_id == channel for place in PLACES):
            return [person.user_id for person in MEMBERS]
        dm_owner = next((p for p in PEOPLE if channel == p.dm), None)
        if dm_owner is not None:
            return [dm_owner.user_id]
        raise DirectoryError("I can't see that channel. Name one of the demo's channels.")

    async def user_timezone(self, user: str) -> str | None:
        return self._timezone if any(p.user_id == user for p in PEOPLE) else None
