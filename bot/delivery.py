"""What a platform's sender promises the outbox: deliver one item, say how it went.

Slack, Teams and the console each provide a `Sender`; the outbox decides what an outcome means
(record, retry later, give up and tell coordinators), so that policy is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from storage.models import OutboxItem


@dataclass(frozen=True)
class DeliveryOutcome:
    """`sent` with the platform's message id; `retry` after some seconds; `failed` for good.

    `maybe_delivered` marks a retry where the post may have landed (a dropped connection), so
    the next attempt checks before posting again. `advice` is a plain sentence for coordinators.
    """

    kind: Literal["sent", "retry", "failed"]
    message_ts: str | None = None
    after: float | None = None
    reason: str = ""
    maybe_delivered: bool = False
    advice: str = ""

    @classmethod
    def sent(cls, message_ts: str) -> DeliveryOutcome:
        return cls("sent", message_ts=message_ts)

    @classmethod
    def retry(
        cls, reason: str, after: float | None = None, *, maybe_delivered: bool = False
    ) -> DeliveryOutcome:
        return cls("retry", after=after, reason=reason, maybe_delivered=maybe_delivered)

    @classmethod
    def failed(cls, reason: str, advice: str = "") -> DeliveryOutcome:
        return cls("failed", reason=reason, advice=advice)


class Sender(Protocol):
    """Delivers outbox items on one platform."""

    async def deliver(self, item: OutboxItem) -> DeliveryOutcome: ...


def may_have_been_delivered(item: OutboxItem) -> bool:
    """True when an earlier attempt may have posted (lease expired mid-send, or a lost reply):
    the sender should look for the item's key before posting again."""
    return bool(item.payload.get("maybe_delivered"))
