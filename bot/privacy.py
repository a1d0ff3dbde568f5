"""A member's data rights, a workspace leaving, and how long anything is kept.

`/dps-update my-data` shows a person what the bot holds about them; `forget-me` erases it after
a confirmation. The same erasure runs when a platform tells us a workspace removed the app, so
there is one definition of "everything about this person". Anonymous answers stay: they hold
nothing that names anyone, and the network's report to HMPPS depends on them.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.commands import ParsedCommand
from bot.interactions import ActionResult, Caller, action, command
from bot.jobs import periodic
from bot.messages import Actions, Block, Button, Context, Message, Paragraph, plain
from bot.services import Services
from bot.text import escape_mrkdwn
from storage.repositories.audit import record_action
from storage.repositories.privacy import (
    Erased,
    HeldData,
    clear_expired,
    erase_people,
    erase_workspace,
    held_about,
)
from storage.repositories.processed_events import forget_events_before

log = logging.getLogger(__name__)

FORGET = "privacy.forget"
KEEP = "privacy.keep"
STATE_WORDS = {
    "invited": "invited, not started",
    "in_progress": "started, not finished",
    "completed": "completed",
    "declined": "declined",
    "expired": "not finished before it closed",
}
ANONYMOUS_NOTE = (
    "Your answers to anonymous surveys are not listed because they hold nothing about you: "
    "no name, no user id, only the date they were sent. Nobody, including the bot, can tell "
    "which answers were yours."
)


def _own_dm(caller: Caller) -> tuple[str, ...]:
    """The conversation the command came from, when it is the person's DM with the bot."""
    return (caller.channel_id,) if caller.channel_id.startswith("D") else ()


@command("my-data")
async def my_data_command(
    services: Services, caller: Caller, _parsed: ParsedCommand
) -> ActionResult:
    async with services.sessions() as session:
        held = await held_about(session, caller.platform, caller.user_id, _own_dm(caller))
    return ActionResult(reply=my_data_message(held))


def my_data_message(held: HeldData) -> Message:
    """What we hold, in plain words, with the way to erase it."""
    lines: list[str] = []
    if held.known:
        lines.append(
            "• *About you:* "
            + "; ".join(
                [
                    f"name {_shown(held.display_name)}",
                    f"time zone {_shown(held.timezone)} (so invitations arrive in working hours)",
                    f"organisation {_shown(held.organisation)}",
                ]
            )
        )
    if held.dm_topics:
        topics = ", ".join(f"`{t}`" for t in held.dm_topics)
        lines.append(f"• *Topics you follow by direct message:* {topics}")
    for invitation in held.invitations:
        lines.append(
            f"• *Survey invitation:* {escape_mrkdwn(invitation.survey_title)} – "
            f"{STATE_WORDS.get(invitation.state, invitation.state)}"
        )
    if held.attributed_responses:
        lines.append(
            f"• *Named survey answers:* {held.attributed_responses} (surveys that said up front "
            "they were not anonymous)"
        )
    if held.queued_messages:
        lines.append(f"• *Messages to you, queued or recently sent:* {held.queued_messages}")
    if held.audit_entries:
        lines.append(
            f"• *As a coordinator:* {held.audit_entries} action(s) in the audit log. These stay "
            "if you are forgotten, so the network can always see who published what."
        )
    if not lines:
        lead = "The bot holds nothing about you."
    else:
        lead = "*What the bot holds about you*\n" + "\n".join(lines)
    blocks: list[Block] = [Paragraph(lead), Context(ANONYMOUS_NOTE)]
    if lines:
        blocks.append(Context("To have all of this deleted: `/dps-update forget-me`."))
    return Message(text="What the bot holds about you", blocks=tuple(blocks))


def _shown(value: str | None) -> str:
    return f"*{escape_mrkdwn(value)}*" if value else "not known"


@command("forget-me")
async def forget_me_command(
    services: Services, caller: Caller, _parsed: ParsedCommand
) -> ActionResult:
    """Nothing is deleted until the person presses "Yes, forget me"."""
    text = (
        "*Forget me?* The bot will delete what it holds about you: your member record, topics "
        "you follow by direct message, your survey invitations (finished ones too, so no "
        "reminders can reach you) and any half-finished answers, and messages waiting to be "
        "sent to you. Answers you already sent to anonymous surveys stay, because nothing in "
        "them says they were yours. This can't be undone."
    )
    buttons = (
        Button("Yes, forget me", FORGET, "confirm", style="danger"),
        Button("Cancel", KEEP, "cancel"),
    )
    return ActionResult(
        reply=Message(text="Forget me?", blocks=(Paragraph(text), Actions(buttons)))
    )


@action(FORGET)
async def forget_me(services: Services, caller: Caller, _value: str) -> ActionResult:
    """Erase the person who pressed the button (never anyone named in the value)."""
    erased = await forget_people(
        services, caller.platform, [caller.user_id], actor="member", extra=_own_dm(caller)
    )
    done = (
        "Done: the bot has forgotten you. "
        + (f"{erased.total} record(s) were deleted. " if erased.total else "")
        + "If you use /dps-update again, it will only know what you do from then on. "
        "Surveys you answered still count, anonymously."
    )
    return ActionResult(replace=plain(done))


@action(KEEP)
async def keep_me(services: Services, caller: Caller, _value: str) -> ActionResult:
    return ActionResult(replace=plain("Cancelled: nothing was deleted."))


async def forget_people(
    services: Services,
    platform: str,
    user_ids: Collection[str],
    *,
    actor: str,
    extra: Collection[str] = (),
) -> Erased:
    """Erase these people in one transaction, with an audit entry that does not name them."""
    async with services.sessions.begin() as session:
        erased = await erase_people(session, platform, user_ids, extra)
        await record_action(
            session,
            actor=actor,
            action="member.erase",
            detail={"platform": platform, "people": len(set(user_ids)), "removed": erased.counts},
        )
    return erased


async def forget_workspace(services: Services, platform: str, team_id: str, why: str) -> Erased:
    """A workspace removed the app (or revoked its token): forget its people and channels."""
    async with services.sessions.begin() as session:
        erased = await erase_workspace(session, platform, team_id)
        await record_action(
            session,
            actor=platform,
            action="workspace.erase",
            subject=f"{platform}:{team_id}",
            detail={"why": why, "removed": erased.counts},
        )
    return erased


RETENTION_EVERY = timedelta(hours=6)
# Per engine, last run (clock time): retention counts in days, so running it on every tick
# (every 30 s; every simulated hour in the demo's /clock) would be work for nothing.
_last_retention: WeakKeyDictionary[AsyncEngine, datetime] = WeakKeyDictionary()


@periodic("retention")
async def retention_tick(services: Services) -> None:
    now = services.clock()
    last = _last_retention.get(services.engine)
    if last is not None and last <= now < last + RETENTION_EVERY:
        return
    await apply_retention(services)
    _last_retention[services.engine] = now


async def apply_retention(services: Services) -> None:
    """Delete what only mattered while a survey ran or a post was on its way, once
    SECTORBOT_RETENTION_DAYS have passed. Idempotent, so two instances may both run it."""
    cutoff = services.clock() - timedelta(days=services.settings.retention_days)
    async with services.sessions.begin() as session:
        cleared = await clear_expired(session, cutoff)
        events = await forget_events_before(session, cutoff)
    if cleared.drafts or cleared.invitations or cleared.outbox or events:
        log.info(
            "retention: removed %d draft answer(s), %d invitation(s), %d finished post(s), "
            "%d event id(s) older than %d days",
            cleared.drafts,
            cleared.invitations,
            cleared.outbox,
            events,
            services.settings.retention_days,
        )
