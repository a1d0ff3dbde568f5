"""Explicit wiring: importing this registers every feature's commands, actions and forms.

Adapters import it once; there is no discovery or plugin magic, so what the bot can do is
exactly what is listed here.
"""

from __future__ import annotations

import bot.dps_update
import bot.surveys.commands
import bot.surveys.conversation
import bot.surveys.jobs  # noqa: F401  (reminders, closing, invitation sent)
