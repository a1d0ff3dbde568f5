"""`/clock` arguments: `+7d`, `+2h`, `+1d6h`, `+30m`, `+2w`, or a moment like 2026-12-01T09:00."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

_SHIFT = re.compile(r"^\+((?:\d+[wdhm])+)$")
_PART = re.compile(r"(\d+)([wdhm])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
LIMIT = timedelta(days=366)


def example_moment(now: datetime, zone: ZoneInfo) -> str:
    """A moment to suggest: 09:00 eight days on, so it is ahead of the demo's clock in any year."""
    return f"{(now.astimezone(zone) + timedelta(days=8)):%Y-%m-%d}T09:00"


def usage(now: datetime, zone: ZoneInfo) -> str:
    return (
        "Move the clock on with /clock +7d, +2h, +1d6h, +30m, "
        f"or /clock {example_moment(now, zone)}."
    )


class BadShift(ValueError):
    """Not a way to move the clock; str() is a sentence for the person."""


def target_time(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """Where `/clock TEXT` moves the clock from `now`; only forwards, at most a year."""
    raw = text.strip().lower().replace(" ", "")
    if raw.startswith("-"):
        raise BadShift("The demo's clock only moves forwards. " + usage(now, zone))
    match = _SHIFT.match(raw)
    if match:
        delta = timedelta()
        for amount, unit in _PART.findall(match[1]):
            delta += timedelta(**{_UNITS[unit]: int(amount)})
        target = now + delta
    else:
        target = _moment(text.strip(), now, zone)
    if target <= now:
        raise BadShift("The demo's clock only moves forwards. " + usage(now, zone))
    if target - now > LIMIT:
        raise BadShift("That is more than a year ahead; try a shorter step.")
    return target


def _moment(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise BadShift(usage(now, zone)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)
