"""Formatting helpers shared by every message the core builds."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """Drop control characters (keeping newlines and tabs) and normalise to NFC."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text))


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as control sequences in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def format_day(value: date | datetime, zone: ZoneInfo) -> str:
    """`Mon 23 Nov 2026` in the network's time zone."""
    if isinstance(value, datetime):
        value = value.astimezone(zone).date()
    return f"{value:%a} {value.day} {value:%b %Y}"


def format_moment(value: datetime, zone: ZoneInfo) -> str:
    local = value.astimezone(zone)
    return f"{format_day(local, zone)}, {local:%H:%M}"
