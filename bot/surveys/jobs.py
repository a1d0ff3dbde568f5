"""Scheduled survey work: reminders before the close, and the close itself.

Both read what is due from the database and are safe to run twice or on two instances: a
reminder round is counted on the invitation and keyed in the outbox, and a closed survey is no
longer open.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.jobs import periodic
from bot.outbox import CHUNK, enqueue, on_sent
from bot.services import Services
from bot.surveys.messages import reminder_message
from bot.surveys.service import close_run, definition_of, remind_key, rounds_due
from bot.surveys.timing import next_working_moment, zone_or
from storage.models import Invitation, OutboxItem
from storage.repositories.surveys import open_surveys, unfinished_invitations


@periodic("surveys.remind")
async def send_reminders(services: Services) -> None:
    """Queue the latest due round for each member who has not finished (nor declined)."""
    now = services.clock()
    zone = services.settings.timezone
    async with services.sessions.begin() as session:
        for survey in await open_surveys(session):
            if now >= survey.closes_at:
                continue
            definition = definition_of(survey, zone)
            due = rounds_due(definition, survey.closes_at, now)
            if due == 0:
                continue
            for invitation, member in await unfinished_invitations(session, survey.id):
                if invitation.reminder_rounds_sent >= due or invitation.invite_after > now:
                    continue
                when = next_working_moment(now, zone_or(member.timezone, zone))
                if when >= survey.closes_at:
                    when = now  # late at night beats never: the survey closes before morning
                await enqueue(
                    session,
                    key=remind_key(survey.id, invitation.id, due),
                    kind="survey.remind",
                    platform=member.platform,
                    conversation=member.user_id,
                    message=reminder_message(
                        definition,
                        invitation.id,
                        invitation.state == "in_progress",
                        survey.closes_at,
                        zone,
                    ),
                    not_before=when,
                    ref={"invitation_id": invitation.id},
                )
                invitation.reminder_rounds_sent = due


@periodic("surveys.close")
async def close_due_surveys(services: Services) -> None:
    now = services.clock()
    async with services.sessions.begin() as session:
        for survey in await open_surveys(session):
            if survey.closes_at <= now:
                await close_run(session, survey, now)


@on_sent("survey.invite")
async def invitations_sent(session: AsyncSession, items: Sequence[OutboxItem]) -> None:
    """Remember where each invitation landed, so it can be found (and updated) later."""
    by_invitation = {
        int(ref["invitation_id"]): item
        for item in items
        if (ref := item.payload.get("ref") or {}).get("invitation_id")
    }
    for start in range(0, len(by_invitation), CHUNK):
        ids = list(by_invitation)[start : start + CHUNK]
        for invitation in await session.scalars(select(Invitation).where(Invitation.id.in_(ids))):
            item = by_invitation[invitation.id]
            invitation.message_ts = item.message_ts
            invitation.conversation = item.conversation
            invitation.invited_at = item.sent_at
