"""`/dps-update scheduled`: what is waiting to go out, with Edit and Withdraw.

Withdrawing a posted update is allowed on purpose: the channel messages stay (the bot cannot
take back what members have read), but it leaves `/dps-update`, the Home tab and later digests,
which is what a coordinator who spotted a mistake needs.
"""

from __future__ import annotations

from bot.authoring import EDIT, GONE, topic_title, update_id_of
from bot.commands import ParsedCommand
from bot.interactions import ActionResult, Caller, action, command, only_coordinators
from bot.messages import Actions, Block, Button, Context, Heading, Message, Paragraph, plain
from bot.services import Services
from bot.text import escape_mrkdwn, format_moment, shorten
from storage.repositories.audit import record_action
from storage.repositories.topics import all_topics
from storage.repositories.update_states import change_update, scheduled_updates, update_by_id

WITHDRAW = "update.withdraw"
SHOWN = 12  # two blocks each keeps the list far inside Block Kit's 50


@command("scheduled")
async def scheduled_command(
    services: Services, caller: Caller, _command: ParsedCommand
) -> ActionResult:
    refusal = only_coordinators(caller, services, "see or change scheduled updates")
    if refusal is not None:
        return refusal
    return ActionResult(reply=await scheduled_message(services))


async def scheduled_message(services: Services, lead: str | None = None) -> Message:
    zone = services.settings.timezone
    now = services.clock()
    async with services.sessions() as session:
        updates = await scheduled_updates(session, limit=SHOWN + 1)
        titles = {t.slug: t.title for t in await all_topics(session)}
    blocks: list[Block] = [Heading("Scheduled updates")]
    if lead:
        blocks.append(Paragraph(lead))
    if not updates:
        blocks.append(Paragraph("Nothing is scheduled. Write an update with `/dps-update new`."))
    for update in updates[:SHOWN]:
        due = (
            "going out now"
            if update.publish_at <= now
            else f"publishes {format_moment(update.publish_at, zone)}"
        )
        topic = titles.get(update.topic, update.topic)
        blocks.append(Paragraph(f"*{escape_mrkdwn(update.title)}*\n{topic} · {due}"))
        blocks.append(
            Actions(
                (
                    Button("Edit", EDIT, f"{update.id}:at"),
                    Button("Withdraw", WITHDRAW, str(update.id), style="danger"),
                )
            )
        )
    if len(updates) > SHOWN:
        blocks.append(Context("There are more, later on; they will show here as these go out."))
    blocks.append(Context(f"Times are {zone.key} time."))
    return Message(text=lead or "Scheduled updates", blocks=tuple(blocks))


@action(WITHDRAW)
async def withdraw(services: Services, caller: Caller, value: str) -> ActionResult:
    """Scheduled: it will not be posted. Posted: it leaves lists and digests (see module doc)."""
    refusal = only_coordinators(caller, services, "withdraw updates")
    if refusal is not None:
        return refusal
    update_id = update_id_of(value)
    if update_id is None:
        return ActionResult(reply=plain(GONE))
    zone = services.settings.timezone
    async with services.sessions.begin() as session:
        was = None
        for state in ("scheduled", "posted"):
            if await change_update(session, update_id, (state,), state="withdrawn"):
                was = state
                break
        update = await update_by_id(session, update_id)
        if update is None:
            return ActionResult(reply=plain(GONE))
        title = f"“{escape_mrkdwn(shorten(update.title, 80))}”"
        if was is None:
            if update.state == "draft":
                return ActionResult(
                    reply=plain(f"{title} is still a draft: use Discard on its preview.")
                )
            return ActionResult(reply=plain(f"{title} was already withdrawn. Nothing changed."))
        await record_action(
            session,
            actor=caller.user_id,
            action="update.withdraw",
            subject=f"update:{update.id}",
            detail={"topic": update.topic, "title": update.title, "was": was},
        )
        topic = await topic_title(session, update.topic)
    if was == "scheduled":
        lead = f"*Withdrawn.* {title} ({topic}) will not be posted."
        return ActionResult(replace=await scheduled_message(services, lead))
    posted = format_moment(update.posted_at or update.publish_at, zone)
    return ActionResult(
        reply=plain(
            f"{title} had already been posted, on {posted}, so it is in channels now and the "
            "bot can't take it back. We've taken it out of /dps-update, the Home tab and future "
            "digests. If the posted messages need to go, delete them in Slack."
        )
    )
