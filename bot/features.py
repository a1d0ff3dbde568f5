"""Explicit wiring: importing this registers every feature's commands, actions and forms.

Adapters import it once; there is no discovery or plugin magic, so what the bot can do is
exactly what is listed here.
"""

from __future__ import annotations

import bot.digest_job  # the weekly digest -> outbox
import bot.dps_update  # topics, help, latest
import bot.outbox  # the send-outbox job
import bot.publisher  # scheduled updates -> outbox
import bot.subscriptions  # noqa: F401  (subscribe, unsubscribe, digest on|off)
