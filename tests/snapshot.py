"""Every row of every table, to prove a refused or hostile request changed nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.services import Services
from storage.models import Base

Snapshot = dict[str, list[tuple[Any, ...]]]


async def snapshot(
    services: Services, *, ignore: tuple[str, ...] = ("processed_events",)
) -> Snapshot:
    """Rows per table, sorted; `processed_events` (event ids Slack sent) is left out by default
    because every request that carries an event id adds one by design."""
    result: Snapshot = {}
    async with services.sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in ignore:
                continue
            rows = (await session.execute(select(table))).all()
            result[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return result


def changed_tables(before: Snapshot, after: Snapshot) -> set[str]:
    return {name for name in before if before[name] != after.get(name)}
