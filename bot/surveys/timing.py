"""When to knock on someone's door: invitations and reminders arrive in working hours where
the member is, not at 3 a.m. because the coordinator is in another time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WORKDAY_START = time(9, 0)
WORKDAY_END = time(18, 0)


def zone_or(name: str | None, fallback: ZoneInfo) -> ZoneInfo:
    """The member's zone when Slack told us a valid one, else the network's."""
    if not name:
        return fallback
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def next_working_moment(now: datetime, zone: ZoneInfo) -> datetime:
    """`now` if it is 09:00-18:00 on a weekday in `zone`, else the next 09:00 on a weekday there."""
    local = now.astimezone(zone)
    if local.weekday() < 5 and WORKDAY_START <= local.time() < WORKDAY_END:
        return now
    day = local.date() if local.time() < WORKDAY_START else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, WORKDAY_START, tzinfo=zone).astimezone(now.tzinfo)
