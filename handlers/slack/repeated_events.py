"""Slack redelivers an event it thinks we missed (`X-Slack-Retry-Num`), and Bolt would act on it
again. The first delivery of an `event_id` is recorded; any later one is answered 200 and
dropped here, before a listener sees it.

A retry whose id we never recorded is handled: then the first delivery never reached us.
Recording waits at most RECORD_BUDGET seconds, so a slow database cannot push the ack past
Slack's 3 s (which would itself cause a retry); the record still completes in the background.
Ids this process has seen are also kept in memory (the last RECENT_IDS), so a retry that
arrives while that slow record is still queued is not handled a second time.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from logging import Logger
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.services import Services
from storage.repositories.processed_events import remember_event

Middleware = Callable[..., Awaitable[BoltResponse | None]]
RECORD_BUDGET = 1.5
RECENT_IDS = 10_000  # far more than Slack sends one process in the minutes retries span
_recording: set[asyncio.Future[bool]] = set()  # keeps slow records alive until they finish


async def _remember(services: Services, event_id: str) -> bool:
    async with services.sessions.begin() as session:
        return await remember_event(session, event_id, services.clock())


def skip_repeated_events(services: Services) -> Middleware:
    recent: OrderedDict[str, None] = OrderedDict()

    async def middleware(
        req: AsyncBoltRequest,
        body: dict[str, Any],
        next: Callable[[], Awaitable[None]],
        logger: Logger,
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not event_id:
            await next()
            return None
        if event_id in recent:
            first = False
        else:
            recent[event_id] = None
            if len(recent) > RECENT_IDS:
                recent.popitem(last=False)
            first = await _record_first(services, str(event_id), logger)
        if first:
            await next()
            return None
        retry = (req.headers.get("x-slack-retry-num") or ["-"])[0]
        logger.info("event %s already handled; skipping (retry %s)", event_id, retry)
        return BoltResponse(status=200, body="")

    return middleware


async def _record_first(services: Services, event_id: str, logger: Logger) -> bool:
    """True unless the database says another delivery of `event_id` came first."""
    record = asyncio.ensure_future(_remember(services, event_id))
    _recording.add(record)
    record.add_done_callback(_recording.discard)
    try:
        return await asyncio.wait_for(asyncio.shield(record), RECORD_BUDGET)
    except TimeoutError:
        logger.warning("recording event %s is slow; handling it without waiting", event_id)
        return True
    except Exception:  # better a rare double effect than a lost event
        logger.exception("could not record event %s; handling it anyway", event_id)
        return True
