"""Explicit wiring: importing this registers every feature's commands, actions and forms.

Adapters import it once; there is no discovery or plugin magic, so what the bot can do is
exactly what is listed here.
"""

from __future__ import annotations

import bot.dps_update  # noqa: F401  (topics, help, latest)
