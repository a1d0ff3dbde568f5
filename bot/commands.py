"""The `/dps-update` grammar, shared by Slack, Teams (as a message) and the console."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text import clean_text, shorten

COMMAND = "/dps-update"

USAGE = """*How to use /dps-update*
• `/dps-update` – the latest update on each topic
• `/dps-update budget` · `commissioning` · `vetting` · `general` – the latest few on one topic
• `/dps-update topics` – topics, and what this channel follows
• `/dps-update subscribe TOPIC` · `unsubscribe TOPIC` – follow a topic in this channel
• `/dps-update survey` – start or resume a survey you were invited to
• `/dps-update report TEXT` – report a confusing message from a prison (no names, please)
• `/dps-update my-data` · `forget-me` – what the bot holds about you, and erasing it
• `/dps-update help` – this message"""

COORDINATOR_USAGE = """*For coordinators*
• `/dps-update new` – write an update (post now or schedule it)
• `/dps-update scheduled` – what is scheduled, with edit and withdraw
• `/dps-update digest on` · `digest off` – this channel gets the weekly digest (or stops)
• `/dps-update survey open NAME [#channel]` · `close` · `progress` · `report` · `list`
• `/dps-update concerns` – reported messages to raise"""

MAX_INPUT = 4000  # Slack caps slash-command text near this; anything longer is not a command


@dataclass(frozen=True)
class ParsedCommand:
    """`name` is the verb ("latest", "help"); `args` the words after it; `rest` the raw tail."""

    name: str
    args: tuple[str, ...] = ()
    rest: str = ""


KNOWN_VERBS = {
    "help",
    "topics",
    "subscribe",
    "unsubscribe",
    "follow",
    "unfollow",
    "survey",
    "report",
    "new",
    "scheduled",
    "concerns",
    "digest",
    "my-data",
    "forget-me",
}
_VERB_ALIASES = {
    "?": "help",
    "-h": "help",
    "--help": "help",
    "follow": "subscribe",
    "unfollow": "unsubscribe",
}


def parse(text: str) -> ParsedCommand:
    """Parse what followed the command. Unknown words become `latest` with a topic argument,
    and the executor decides whether that topic exists."""
    cleaned = clean_text(text or "").strip()
    if len(cleaned) > MAX_INPUT:
        return ParsedCommand("too-long", rest=shorten(cleaned, 40))
    if not cleaned:
        return ParsedCommand("latest")
    head, _, tail = cleaned.partition(" ")
    verb = head.lower()
    verb = _VERB_ALIASES.get(verb, verb)
    if verb in KNOWN_VERBS:
        tail = tail.strip()
        return ParsedCommand(verb, tuple(tail.split()), tail)
    return ParsedCommand("latest", (head,), tail.strip())


_TYPED_PREFIX = re.compile(r"^\s*/?dps-update\b", re.IGNORECASE)


def parse_typed(text: str) -> ParsedCommand:
    """A command typed as a message (a DM in Slack, a message in Teams): the same grammar,
    with the `dps-update` word optional."""
    return parse(_TYPED_PREFIX.sub("", text or "", count=1))
