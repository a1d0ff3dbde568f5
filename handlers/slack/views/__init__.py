"""Slack views listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    """Wire this kind's listeners; features add theirs here."""
