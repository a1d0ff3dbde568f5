"""The bot added to (or removed from) a team, a chat or someone's personal scope.

Added: keep the conversation reference so the outbox can post there, and say hello with the
usage. Removed: forget the conversation (and its subscriptions), as uninstalling should.
"""

from __future__ import annotations

import logging

from microsoft_agents.hosting.core import TurnContext, TurnState
from sqlalchemy import delete

from bot.dps_update import usage_message
from bot.services import Services
from handlers.teams.deliver import message_activity
from handlers.teams.identity import PLATFORM, caller_of, conversation_id, tenant_of
from handlers.teams.references import remember_conversation
from storage.models import Channel

log = logging.getLogger(__name__)

WELCOME = (
    "Hello! I'm sectorbot. I keep you up to date on DPS commissioning, budgets and vetting, "
    "and I'll ask now and then about your experience in short anonymous surveys."
)


def _includes_bot(context: TurnContext, removed: bool) -> bool:
    activity = context.activity
    members = (activity.members_removed if removed else activity.members_added) or []
    bot_id = activity.recipient.id if activity.recipient else None
    return any(member.id == bot_id for member in members)


async def on_members_added(services: Services, context: TurnContext, _state: TurnState) -> None:
    if not _includes_bot(context, removed=False):
        return
    await remember_conversation(services, context.activity)
    caller = caller_of(context.activity)
    is_coordinator = services.settings.is_coordinator(caller.user_id)
    await context.send_activity(message_activity(usage_message(is_coordinator, WELCOME)))


async def on_members_removed(services: Services, context: TurnContext, _state: TurnState) -> None:
    if not _includes_bot(context, removed=True):
        return
    activity = context.activity
    async with services.sessions() as session:
        await session.execute(
            delete(Channel).where(
                Channel.platform == PLATFORM,
                Channel.team_id == tenant_of(activity),
                Channel.channel_id == conversation_id(activity),
            )
        )
        await session.commit()
    log.info("the bot was removed from Teams conversation %s", conversation_id(activity))
