"""What a platform's sender promises the outbox: deliver one item, say how it went.

Slack, Teams and the console each provide a `Sender`; the outbox decides what an outcome means
(record, retry later, give up and tell coordinators), so that policy is written once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
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


class Pace:
    """A token bucket: at most `per_second` sends on average, `burst` at once (default half a
    second's worth: under the platform's own burst allowance, so jitter in flight is no 429).

    The sender waits on it before each post, so a fan-out runs at the platform's workspace rate
    instead of running into 429s (which cost a round trip and a Retry-After each). Shared by
    every task of one process; several instances each pace themselves.
    """

    def __init__(
        self,
        per_second: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.per_second = per_second
        self.burst = max(1.0, burst if burst is not None else per_second / 2)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.per_second)
        self._updated = now

    async def wait(self) -> None:
        """Take one token, sleeping until one is free. Tokens are taken in call order: a waiter
        reserves its token (the balance goes negative) before it sleeps, so none overtakes."""
        self._refill()
        self._tokens -= 1.0
        if self._tokens < 0:
            await self._sleep(-self._tokens / self.per_second)


def paced_rate(sender: object) -> float | None:
    """Posts a second the sender keeps to (its `pace`), or None when it doesn't pace itself;
    the outbox sizes how far it claims ahead, and how many posts it has in flight, from it."""
    pace = getattr(sender, "pace", None)
    return pace.per_second if isinstance(pace, Pace) else None
