"""The outbox: every outgoing post is first a row with a unique key, so it is sent exactly once.

Producers (the update publisher, the digest, survey invitations and reminders) call `enqueue`
inside their own transaction; a sender (per platform, in `handlers/`) claims due rows, delivers
them, and records the platform's message id. A key already present means "already queued": the
second enqueue is a no-op, which is what makes a re-run of a scheduler job harmless.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import Message, to_dict
from storage.models import OutboxItem


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    conversation: str,
    message: Message,
    not_before: datetime,
    platform: str = "slack",
    ref: dict[str, Any] | None = None,
) -> bool:
    """Queue a post unless one with `key` exists; True when this call queued it.

    `ref` travels with the row to the sender (e.g. {"invitation_id": 7}) so that, once sent,
    the message id can be recorded where the feature needs it (to update the message later).
    """
    existing = await session.scalar(select(OutboxItem.id).where(OutboxItem.key == key))
    if existing is not None:
        return False
    payload: dict[str, Any] = {"message": to_dict(message)}
    if ref:
        payload["ref"] = ref
    try:
        async with session.begin_nested():
            session.add(
                OutboxItem(
                    key=key,
                    kind=kind,
                    platform=platform,
                    conversation=conversation,
                    payload=payload,
                    next_attempt_at=not_before,
                )
            )
    except IntegrityError:  # another instance queued the same key between our check and insert
        return False
    return True


SentHook = Callable[[AsyncSession, OutboxItem, str], Awaitable[None]]
_SENT_HOOKS: dict[str, SentHook] = {}


def on_sent(kind: str) -> Callable[[SentHook], SentHook]:
    """Register what to record once an item of `kind` is delivered (its platform message id),
    e.g. the invitation message a survey later updates. Runs in the sender's transaction."""

    def register(hook: SentHook) -> SentHook:
        _SENT_HOOKS[kind] = hook
        return hook

    return register


def sent_hook(kind: str) -> SentHook | None:
    return _SENT_HOOKS.get(kind)
