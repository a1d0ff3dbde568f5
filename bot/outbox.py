"""The outbox: every outgoing post is first a row with a unique key, so it is sent exactly once.

Producers (the update publisher, the digest, survey invitations and reminders) call `enqueue`
inside their own transaction; a sender (per platform, in `handlers/`) claims due rows, delivers
them, and records the platform's message id. A key already present means "already queued": the
second enqueue is a no-op, which is what makes a re-run of a scheduler job harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import DeliveryOutcome, Sender, paced_rate
from bot.jobs import periodic, tick_started
from bot.messages import Message, Paragraph, to_dict
from bot.services import Services
from bot.text import escape_mrkdwn, shorten
from storage.models import OutboxItem
from storage.writer import begin_writing

log = logging.getLogger(__name__)

CHUNK = 500  # keys in one IN (...) list
INSERT_CHUNK = 200  # rows in one multi-row insert; each may carry a long message


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
    post = Queued(key, kind, conversation, message, not_before, platform, ref)
    try:
        async with session.begin_nested():
            session.add(_row(post))
    except IntegrityError:  # another instance queued the same key between our check and insert
        return False
    return True


@dataclass(frozen=True)
class Queued:
    """One post for `enqueue_many`; the fields mean what `enqueue`'s arguments mean."""

    key: str
    kind: str
    conversation: str
    message: Message
    not_before: datetime
    platform: str = "slack"
    ref: dict[str, Any] | None = None


async def enqueue_many(session: AsyncSession, posts: Sequence[Queued]) -> int:
    """`enqueue` for many posts: one query for the keys already present per CHUNK and one
    insert for the rest; returns how many this call queued. If another instance queues one of
    the keys between the check and the insert, it falls back to `enqueue` one by one."""
    present: set[str] = set()
    keys = [p.key for p in posts]
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        present.update(
            await session.scalars(select(OutboxItem.key).where(OutboxItem.key.in_(chunk)))
        )
    fresh = [p for p in dict((p.key, p) for p in posts).values() if p.key not in present]
    if not await enqueue_new(session, fresh):
        queued = 0
        for p in fresh:
            queued += await enqueue(
                session, key=p.key, kind=p.kind, conversation=p.conversation, message=p.message,
                not_before=p.not_before, platform=p.platform, ref=p.ref,
            )  # fmt: skip
        return queued
    return len(fresh)


async def enqueue_new(session: AsyncSession, posts: Sequence[Queued]) -> bool:
    """Queue posts whose keys the caller found absent, all in one savepoint; False, with none
    of them queued, when another instance queued one of the keys since the caller looked."""
    try:
        async with session.begin_nested():
            # Core inserts a chunk at a time: a week's digests for 500 channels are thousands
            # of large payloads, which as ORM objects would all stay in the session till commit.
            for start in range(0, len(posts), INSERT_CHUNK):
                chunk = posts[start : start + INSERT_CHUNK]
                await session.execute(insert(OutboxItem), [_values(p) for p in chunk])
    except IntegrityError:
        return False
    return True


def _values(post: Queued) -> dict[str, Any]:
    payload: dict[str, Any] = {"message": to_dict(post.message)}
    if post.ref:
        payload["ref"] = post.ref
    return {
        "key": post.key,
        "kind": post.kind,
        "platform": post.platform,
        "conversation": post.conversation,
        "payload": payload,
        "next_attempt_at": post.not_before,
    }


def _row(post: Queued) -> OutboxItem:
    return OutboxItem(**_values(post))


SentHook = Callable[[AsyncSession, Sequence[OutboxItem]], Awaitable[None]]
_SENT_HOOKS: dict[str, SentHook] = {}


def on_sent(kind: str) -> Callable[[SentHook], SentHook]:
    """Register what to record once items of `kind` are delivered (each item's `message_ts`
    is the platform's message id), e.g. the invitation message a survey later updates.
    Runs in the sender's transaction, once for all the items of `kind` it records: a fan-out
    records dozens at once, so load what they refer to in one query, not one each."""

    def register(hook: SentHook) -> SentHook:
        _SENT_HOOKS[kind] = hook
        return hook

    return register


def sent_hook(kind: str) -> SentHook | None:
    return _SENT_HOOKS.get(kind)


# -- sending ------------------------------------------------------------------------------------

LEASE = timedelta(minutes=5)  # far beyond an HTTP timeout: an expired lease means a crash
PACING = timedelta(seconds=1)  # Slack's chat.postMessage: about one a second per channel
MAX_ATTEMPTS = 10
BATCH = 20
MAX_BATCHES = 25  # without a budget, one run sends at most BATCH x MAX_BATCHES
SEND_CONCURRENCY = 8  # posts in flight at once (each to a different conversation)
# With a paced sender: claim about this many seconds of posts (at its rate) ahead of sending,
# and allow enough posts in flight for a round trip of this long, so the pace never starves.
CLAIM_AHEAD_SECONDS = 1.0
ROUND_TRIP_SECONDS = 0.5
LINGER = timedelta(seconds=5)  # with a budget, wait this long at most for the next due item
MIN_WAIT = 0.02
POLL = 0.1  # seconds between claims while posts are in flight and nothing else is claimable
RECORD_DELAY = 0.1  # seconds a delivered post waits at most to be recorded with others
TICK_MARGIN = 0.5  # seconds: a sending run ends this long before the next tick is due
NOTICE_KIND = "notice"

_KIND_WORDS = {"update": "a sector update", "digest": "the weekly digest"}


def backoff(attempts: int) -> timedelta:
    """15 s, 30 s, 1 min, ... capped at an hour: transient faults get time to clear."""
    return timedelta(seconds=min(3600, 15 * 2 ** max(0, attempts - 1)))


async def claim_due(
    session: AsyncSession,
    worker: str,
    now: datetime,
    limit: int = BATCH,
    platform: str | None = None,
) -> list[OutboxItem]:
    """Claim up to `limit` due items, at most one per conversation (pacing), for `worker`.

    Due means pending with its time come, or claimed by a worker whose lease ran out (it
    crashed mid-send); the two are asked for separately so that each reads an index in order
    and stops at the limit, instead of sorting every pending row (and its payload) per claim.
    PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint rows
    without waiting. SQLite: the claim starts as the single writer (`begin_writing`), so a
    second worker waits for the first to commit and then sees its rows as taken.
    A claimed item is "sending" with a lease; if its worker dies, it is due again when the
    lease expires and is marked maybe-delivered so the sender checks before posting.
    """
    await begin_writing(session)
    busy = select(OutboxItem.conversation).where(
        OutboxItem.state == "sending", OutboxItem.claimed_until >= now
    )
    abandoned = (OutboxItem.state == "sending") & (OutboxItem.claimed_until < now)
    pending = (OutboxItem.state == "pending") & (OutboxItem.next_attempt_at <= now)
    rows: list[OutboxItem] = []
    kinds = ((abandoned, OutboxItem.claimed_until), (pending, OutboxItem.next_attempt_at))
    for due, order in kinds:
        query = (
            select(OutboxItem)
            .where(due, OutboxItem.conversation.not_in(busy))
            .order_by(order, OutboxItem.id)
            .limit(limit * 4)
            .with_for_update(skip_locked=True)
        )
        if platform is not None:
            query = query.where(OutboxItem.platform == platform)
        rows.extend((await session.scalars(query)).all())
    claimed: list[OutboxItem] = []
    conversations: set[tuple[str, str]] = set()
    for item in rows:
        where = (item.platform, item.conversation)
        if where in conversations:
            continue  # its turn comes after this one is sent, a second later
        conversations.add(where)
        if item.state == "sending":
            log.warning("outbox item %s: lease of %s expired mid-send", item.id, item.claimed_by)
            item.payload = {**item.payload, "maybe_delivered": True}
        item.state = "sending"
        item.claimed_by = worker
        item.claimed_until = now + LEASE
        item.attempts += 1
        claimed.append(item)
        if len(claimed) >= limit:
            break
    await session.flush()
    return claimed


async def send_due(
    services: Services,
    sender: Sender,
    platform: str | None = None,
    *,
    budget: float | None = None,
) -> int:
    """Claim, deliver and record due items; returns how many were sent. Delivery happens
    outside any transaction, so no lock waits on the network.

    Without `budget`, one run sends at most BATCH x MAX_BATCHES and the next tick does the rest.
    With `budget` (seconds), it goes on while anything is due within the budget, waiting for a
    conversation's pacing to let its next post go, so a survey fan-out runs at the platform's
    rate (the sender's `Pace`) instead of 500 posts a tick.
    Claiming, sending and recording overlap: while posts are in flight, the next ones are
    claimed and the finished ones recorded, so the database's time is not taken from the
    platform's rate. Items in flight are in different conversations (one claim per
    conversation, and a conversation with a claimed item is not claimed again until that item
    is recorded, which holds its next post for PACING).
    """
    return await _SendingRun(services, sender, platform, budget).run()


class _SendingRun:
    """One `send_due`: a database loop claims ahead and records what finished, in one
    transaction each (one task, so a run never waits on its own lock); sender tasks take the
    claimed items and deliver them, each to a different conversation."""

    def __init__(
        self, services: Services, sender: Sender, platform: str | None, budget: float | None
    ) -> None:
        self.services = services
        self.sender = sender
        self.platform = platform
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.deadline = None if budget is None else time.monotonic() + budget
        self.rate = rate = paced_rate(sender)
        # Sized from the sender's rate: a second's worth claimed ahead, enough in flight.
        self.ahead = BATCH if rate is None else max(BATCH, math.ceil(rate * CLAIM_AHEAD_SECONDS))
        in_flight = SEND_CONCURRENCY if rate is None else math.ceil(rate * ROUND_TRIP_SECONDS)
        self.concurrency = max(1, min(self.ahead, max(SEND_CONCURRENCY, in_flight)))
        self.cap = BATCH * MAX_BATCHES if budget is None else None  # items claimed in one run
        self.claimed = 0
        self.outstanding = 0  # claimed and not yet recorded
        self.unsent = 0  # claimed and not yet delivered (waiting for a sender, or in flight)
        self.ready: asyncio.Queue[OutboxItem] = asyncio.Queue()
        self.finished: list[tuple[OutboxItem, DeliveryOutcome]] = []
        self.first_finished = 0.0  # when the oldest of `finished` finished (time.monotonic())
        self.record_batch = max(1, self.ahead // 4)
        self.changed = asyncio.Event()  # a delivery finished
        self.sent = 0

    async def run(self) -> int:
        tasks = [asyncio.create_task(self._claim_and_record())]
        tasks += [asyncio.create_task(self._deliver_claimed()) for _ in range(self.concurrency)]
        try:
            # The database loop ends the run; a sender task only ends by dying (the process
            # going down mid-post, as the fault tests simulate), which ends the run with it.
            done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            task.result()  # re-raises what ended it, if anything
        return self.sent

    async def _deliver_claimed(self) -> None:
        while True:
            item = await self.ready.get()
            try:
                outcome = await self.sender.deliver(item)
            except Exception as error:  # a sender bug must not wedge the queue
                log.exception("outbox item %s: the sender raised", item.id)
                reason = f"unexpected {type(error).__name__}"
                outcome = DeliveryOutcome.retry(reason, maybe_delivered=True)
            self.unsent -= 1
            if not self.finished:
                self.first_finished = time.monotonic()
            self.finished.append((item, outcome))
            self.changed.set()

    async def _claim_and_record(self) -> None:
        claiming = True
        while True:
            if claiming and self._out_of_time():
                claiming = False
                await self._release_unstarted()
            if claiming and self.cap is not None and self.claimed >= self.cap:
                claiming = False
            # Keeping the senders fed comes first: recording can lag behind a little.
            limit = self._claim_limit() if claiming else 0
            if limit > 0 and await self._claim(limit):
                continue
            # Record a batch at a time, unless recording may make more claimable now.
            if self.finished and (limit > 0 or not claiming or self._record_due()):
                await self._record_finished()
                continue
            if limit > 0:  # nothing claimable now
                if self.outstanding == 0:
                    # Nothing in flight: wait for the next due item, if any, within the budget.
                    claiming = await self._linger()
                    continue
                # Wait for what is in flight (once recorded, its conversation's next post, or
                # a notice about a failure, may be claimable) or for more to fall due.
                await self._wait_for_deliveries(POLL)
                continue
            if not claiming and self.outstanding == 0:
                return
            timeout = self._time_left()
            if self.finished:
                wait = RECORD_DELAY - (time.monotonic() - self.first_finished)
                timeout = wait if timeout is None else min(timeout, wait)
            await self._wait_for_deliveries(timeout)

    def _record_due(self) -> bool:
        """Enough has finished to record it as a batch, or the oldest has waited long enough."""
        waited = time.monotonic() - self.first_finished
        return len(self.finished) >= self.record_batch or waited >= RECORD_DELAY

    def _claim_limit(self) -> int:
        """How many to claim now: none while more than half of what was claimed ahead is still
        to be sent (a claim is a transaction: a few large ones, not one per post), then up to
        the lookahead, the cap, and, with a rate and a budget, what the rate can send in the
        time left (so that the run ends on time rather than running into the next tick)."""
        if self.unsent > self.ahead // 2:
            return 0
        limit = self.ahead - self.unsent
        if self.cap is not None:
            limit = min(limit, self.cap - self.claimed)
        left = self._time_left()
        if self.rate is not None and left is not None:
            limit = min(limit, math.ceil(self.rate * left) - self.unsent)
        return limit

    def _out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def _time_left(self) -> float | None:
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    async def _wait_for_deliveries(self, timeout: float | None) -> None:
        self.changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.changed.wait(), timeout)

    async def _claim(self, limit: int) -> bool:
        async with self.services.sessions.begin() as session:
            items = await claim_due(
                session, self.worker, self.services.clock(), limit, self.platform
            )
        self.claimed += len(items)
        self.outstanding += len(items)
        self.unsent += len(items)
        for item in items:
            self.ready.put_nowait(item)
        return bool(items)

    async def _linger(self) -> bool:
        """Sleep until the next item falls due, within the budget; False: the run is over."""
        if self.deadline is None:
            return False
        wait = await _next_due_in(self.services, self.platform)
        if wait is None or time.monotonic() + wait >= self.deadline:
            return False
        before = self.services.clock()
        await asyncio.sleep(max(wait, MIN_WAIT))
        # A clock that doesn't follow real time (a test's): don't wait on it.
        return not self.services.clock() - before < timedelta(seconds=wait / 2)

    async def _record_finished(self) -> None:
        """One transaction records all that finished since the last: a commit per post costs
        an fsync each on SQLite. Should it fail, the leases lapse and the next attempt checks
        the conversation's history first, so nothing is posted twice."""
        finished, self.finished = self.finished, []
        async with self.services.sessions.begin() as session:
            await begin_writing(session)
            self.sent += await _record(self.services, session, finished, self.worker)
        self.outstanding -= len(finished)

    async def _release_unstarted(self) -> None:
        """The budget is spent: hand back claimed items no sender has started, so they are due
        again at once (for the next run or another instance) instead of when the lease ends."""
        unstarted: list[OutboxItem] = []
        while not self.ready.empty():
            unstarted.append(self.ready.get_nowait())
        if not unstarted:
            return
        async with self.services.sessions.begin() as session:
            await begin_writing(session)
            await session.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.id.in_([item.id for item in unstarted]),
                    OutboxItem.state == "sending",
                    OutboxItem.claimed_by == self.worker,
                )
                .values(
                    state="pending",
                    claimed_by=None,
                    claimed_until=None,
                    attempts=OutboxItem.attempts - 1,
                )
                .execution_options(synchronize_session=False)
            )
        self.outstanding -= len(unstarted)
        self.unsent -= len(unstarted)


async def _next_due_in(services: Services, platform: str | None) -> float | None:
    """Seconds until the earliest pending item falls due (None: nothing pending soon)."""
    now = services.clock()
    query = select(func.min(OutboxItem.next_attempt_at)).where(OutboxItem.state == "pending")
    if platform is not None:
        query = query.where(OutboxItem.platform == platform)
    async with services.sessions() as session:
        earliest = await session.scalar(query)
    if earliest is None:
        return None
    if earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=now.tzinfo)
    wait = (earliest - now).total_seconds()
    return max(0.0, wait) if wait <= LINGER.total_seconds() else None


async def _record(
    services: Services,
    session: AsyncSession,
    finished: Sequence[tuple[OutboxItem, DeliveryOutcome]],
    worker: str,
) -> int:
    """Save what happened to each item, in `session`; returns how many are now sent. The rows
    are read (and locked) in one query, and the conversations of the sent ones held in one
    UPDATE per platform: a round trip per post would cost more than the post."""
    now = services.clock()
    ids = sorted(item.id for item, _outcome in finished)
    rows: dict[int, OutboxItem] = {}
    for start in range(0, len(ids), CHUNK):
        query = (
            select(OutboxItem)
            .where(OutboxItem.id.in_(ids[start : start + CHUNK]))
            .order_by(OutboxItem.id)
            .with_for_update()
        )
        rows.update((row.id, row) for row in (await session.scalars(query)).all())
    sent: list[OutboxItem] = []
    for item, outcome in finished:
        row = rows.get(item.id)
        if row is None or row.state == "sent":
            continue
        if outcome.kind == "sent" and outcome.message_ts:
            row.state = "sent"
            row.message_ts = outcome.message_ts
            row.sent_at = now
            row.claimed_until = None
            row.error = None
            sent.append(row)
            continue
        await _record_unsent(services, session, row, worker, outcome, now)
    await _hold_conversations(session, sent, now + PACING)
    by_kind: dict[str, list[OutboxItem]] = {}
    for row in sent:
        by_kind.setdefault(row.kind, []).append(row)
    for kind, rows_of_kind in by_kind.items():
        hook = sent_hook(kind)
        if hook is not None:
            await hook(session, rows_of_kind)
    return len(sent)


async def _record_unsent(
    services: Services,
    session: AsyncSession,
    item: OutboxItem,
    worker: str,
    outcome: DeliveryOutcome,
    now: datetime,
) -> None:
    """A retry (later, holding the conversation) or a failure (telling coordinators)."""
    if item.state != "sending" or item.claimed_by != worker:
        return  # our lease lapsed and another worker owns it now
    if outcome.kind == "retry" and item.attempts < MAX_ATTEMPTS:
        delay = (
            timedelta(seconds=outcome.after)
            if outcome.after is not None
            else backoff(item.attempts)
        )
        item.state = "pending"
        item.next_attempt_at = now + delay
        await _hold_conversations(session, [item], now + delay)  # keeps its posts in order
        item.claimed_until = None
        item.error = outcome.reason[:500]
        if outcome.maybe_delivered:
            item.payload = {**item.payload, "maybe_delivered": True}
        log.info("outbox item %s: retry in %s (%s)", item.id, delay, outcome.reason)
        return
    reason = outcome.reason or "no reason given"
    if outcome.kind == "retry":
        reason = f"gave up after {item.attempts} attempts: {reason}"
    item.state = "failed"
    item.claimed_until = None
    item.error = reason[:500]
    log.warning("outbox item %s (%s) failed: %s", item.id, item.key, reason)
    await _tell_coordinators(services, session, item, outcome.advice or reason, now)


async def _hold_conversations(
    session: AsyncSession, items: Sequence[OutboxItem], until: datetime
) -> None:
    """Make the other pending posts in these items' conversations wait until `until`: pacing
    without sleeping, and a 429's Retry-After applies to the channel, not just the one post."""
    by_platform: dict[str, list[OutboxItem]] = {}
    for item in items:
        by_platform.setdefault(item.platform, []).append(item)
    for platform, group in by_platform.items():
        for start in range(0, len(group), CHUNK):
            chunk = group[start : start + CHUNK]
            await session.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.platform == platform,
                    OutboxItem.conversation.in_({item.conversation for item in chunk}),
                    OutboxItem.state == "pending",
                    OutboxItem.id.not_in([item.id for item in chunk]),
                    OutboxItem.next_attempt_at < until,
                )
                .values(next_attempt_at=until)
            )


async def _tell_coordinators(
    services: Services, session: AsyncSession, item: OutboxItem, why: str, now: datetime
) -> None:
    """Queue a plain notice to the coordinators' channel; never about a notice (no loops)."""
    channel = services.settings.coordinators_channel
    if not channel or item.kind == NOTICE_KIND:
        return
    what = _KIND_WORDS.get(item.kind, "a message")
    title = shorten(str(item.payload.get("message", {}).get("text", "")), 120)
    # Slack renders <#C…> as the channel's name; elsewhere say which platform's conversation.
    slack_like = item.platform in ("slack", "console")  # the console renders Slack markup
    if slack_like and item.conversation[:1] in ("C", "G"):
        where = f"<#{item.conversation}>"
    elif slack_like and item.conversation[:1] in ("U", "W"):
        where = f"the DM with <@{item.conversation}>"
    else:
        where = f"{item.platform} conversation {shorten(item.conversation, 40)}"
    text = (
        f"I couldn't post {what} to {where}: {why}\n"
        f"It was: _{escape_mrkdwn(title)}_. Nothing else is affected."
    )
    await enqueue(
        session,
        key=f"notice:failed:{item.id}",
        kind=NOTICE_KIND,
        conversation=channel,
        message=Message(text=f"I couldn't post {what}", blocks=(Paragraph(text),)),
        not_before=now,
        platform=item.platform,
    )


@periodic("send-outbox", order=100)
async def send_outbox(services: Services) -> None:
    """Each platform's sender delivers what is due on that platform, going on sending until
    just before the next tick is due (the scheduler skips a tick that finds this one running)."""
    started = tick_started.get() or time.monotonic()
    for platform, sender in services.senders.items():
        left = services.settings.tick_seconds - TICK_MARGIN - (time.monotonic() - started)
        await send_due(services, sender, platform, budget=max(0.0, left))
