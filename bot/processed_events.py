"""Forget handled platform event ids once no retry can still arrive (Slack stops at ~5 min)."""

from __future__ import annotations

from datetime import timedelta

from bot.jobs import periodic
from bot.services import Services
from storage.repositories.processed_events import forget_events_before

KEEP = timedelta(hours=1)


@periodic("processed-events.prune")
async def prune_processed_events(services: Services) -> None:
    async with services.sessions.begin() as session:
        await forget_events_before(session, services.clock() - KEEP)
