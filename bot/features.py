"""Explicit wiring: importing this registers every feature's commands, actions and forms.

Adapters import it once; there is no discovery or plugin magic, so what the bot can do is
exactly what is listed here.
"""

from __future__ import annotations

import bot.authoring  # write, preview, publish or schedule, edit, discard
import bot.concerns  # report a message; coordinators' list
import bot.digest_job  # the weekly digest -> outbox
import bot.dps_update  # topics, help, latest
import bot.outbox  # the send-outbox job
import bot.privacy  # my-data, forget-me, workspace removal, retention
import bot.processed_events  # forget handled event ids
import bot.publisher  # scheduled updates -> outbox
import bot.scheduled_updates  # /dps-update scheduled, withdraw
import bot.subscriptions  # subscribe, unsubscribe, digest on|off
import bot.surveys.commands  # /dps-update survey ...
import bot.surveys.conversation  # a member answering
import bot.surveys.home  # Home: your surveys; progress for coordinators
import bot.surveys.jobs  # noqa: F401  (reminders, closing, invitation sent)
