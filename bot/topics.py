"""Topic names as members type them ("budget") mapped to the stored slugs ("dps-budget")."""

from __future__ import annotations

DEFAULT_TOPICS = ("dps-budget", "dps-commissioning", "vetting", "general")

ALIASES = {
    "budget": "dps-budget",
    "budgets": "dps-budget",
    "dps-budget": "dps-budget",
    "commissioning": "dps-commissioning",
    "dps-commissioning": "dps-commissioning",
    "call-outs": "dps-commissioning",
    "itt": "dps-commissioning",
    "vetting": "vetting",
    "general": "general",
}

# Shown in help and in the Slack manifest's usage hint.
MEMBER_FACING = ("budget", "commissioning", "vetting", "general")


def resolve_topic(word: str, known: set[str] | None = None) -> str | None:
    """The slug a member meant, or None. `known` adds topics coordinators created later."""
    key = word.strip().lower()
    if key in ALIASES:
        return ALIASES[key]
    if known and key in known:
        return key
    return None
