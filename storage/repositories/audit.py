"""The audit log: every coordinator action, appended in the same transaction as the action."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


async def record_action(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(AuditEntry(actor=actor, action=action, subject=subject, detail=detail))


async def recent_actions(session: AsyncSession, limit: int = 50) -> Sequence[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    return (await session.scalars(query)).all()
