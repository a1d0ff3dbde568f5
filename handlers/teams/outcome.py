"""How one delivery went, in the shape the outbox's `Sender` protocol expects.

Stands in for `bot.delivery.DeliveryOutcome`, which is being written on another branch with the
same fields and constructors; when both are merged this module becomes that import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class DeliveryOutcome:
    """`sent` with the platform's message id; `retry` after some seconds; `failed` for good."""

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
