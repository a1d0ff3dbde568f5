"""`/dps-update subscribe|unsubscribe TOPIC` and `digest on|off`: what a channel receives."""

from __future__ import annotations

from bot.commands import ParsedCommand
from bot.interactions import ActionResult, Caller, command, only_coordinators
from bot.messages import Message, Paragraph
from bot.services import Services
from bot.text import escape_mrkdwn, shorten
from bot.topics import MEMBER_FACING, resolve_topic
from storage.repositories.audit import record_action
from storage.repositories.subscriptions import ensure_channel, subscribe, unsubscribe
from storage.repositories.topics import all_topics

INVITE_HINT = (
    "I can only post in channels I'm in: if I'm not in this one yet, type `/invite @sectorbot`."
)


def _say(text: str) -> ActionResult:
    return ActionResult(reply=Message(text=text, blocks=(Paragraph(text),)))


def in_dm(caller: Caller) -> bool:
    return caller.channel_id.startswith("D")


def _unknown_topic(word: str) -> ActionResult:
    choices = ", ".join(f"`{t}`" for t in MEMBER_FACING)
    if not word:
        return _say(
            f"Which topic? Try one of: {choices}. For example `/dps-update subscribe budget`."
        )
    shown = escape_mrkdwn(shorten(word, 40))
    return _say(f"I don't know the topic *{shown}*, so nothing has changed. Try one of: {choices}.")


async def _change(
    services: Services, caller: Caller, parsed: ParsedCommand, following: bool
) -> ActionResult:
    word = parsed.args[0] if parsed.args else ""
    async with services.sessions.begin() as session:
        topics = {t.slug: t.title for t in await all_topics(session)}
        slug = resolve_topic(word, set(topics)) if word else None
        if slug is None or slug not in topics:
            return _unknown_topic(word)
        channel = await ensure_channel(session, caller.platform, caller.team_id, caller.channel_id)
        if following:
            changed = await subscribe(session, channel, slug, caller.user_id)
        else:
            changed = await unsubscribe(session, channel, slug)
        if changed and services.settings.is_coordinator(caller.user_id):
            await record_action(
                session,
                actor=caller.user_id,
                action="subscription.add" if following else "subscription.remove",
                subject=f"channel:{caller.channel_id}",
                detail={"topic": slug},
            )
    title = topics[slug]
    where = "to you by direct message" if in_dm(caller) else "in this channel"
    if following and not changed:
        return _say(f"This conversation already follows *{title}*. Nothing has changed.")
    if following:
        hint = "" if in_dm(caller) else f"\n{INVITE_HINT}"
        return _say(f"Done: new *{title}* updates will be posted {where}.{hint}")
    if not changed:
        return _say(f"This conversation wasn't following *{title}*, so nothing has changed.")
    return _say(f"Done: *{title}* updates will no longer be posted {where}.")


@command("subscribe")
async def subscribe_command(
    services: Services, caller: Caller, parsed: ParsedCommand
) -> ActionResult:
    return await _change(services, caller, parsed, following=True)


@command("unsubscribe")
async def unsubscribe_command(
    services: Services, caller: Caller, parsed: ParsedCommand
) -> ActionResult:
    return await _change(services, caller, parsed, following=False)


@command("digest")
async def digest_command(services: Services, caller: Caller, parsed: ParsedCommand) -> ActionResult:
    refusal = only_coordinators(caller, services, "turn the weekly digest on or off")
    if refusal is not None:
        return refusal
    choice = parsed.args[0].lower() if parsed.args else ""
    if choice not in ("on", "off"):
        return _say("Use `/dps-update digest on` or `/dps-update digest off` in the channel.")
    if in_dm(caller):
        return _say("The weekly digest is for channels: run this in the network's channel.")
    turn_on = choice == "on"
    async with services.sessions.begin() as session:
        channel = await ensure_channel(session, caller.platform, caller.team_id, caller.channel_id)
        changed = channel.is_network != turn_on
        channel.is_network = turn_on
        if changed:
            await record_action(
                session,
                actor=caller.user_id,
                action="digest.on" if turn_on else "digest.off",
                subject=f"channel:{caller.channel_id}",
            )
    if not turn_on:
        return _say("Done: this channel will no longer get the weekly digest.")
    settings = services.settings
    day = {
        "mon": "Monday",
        "tue": "Tuesday",
        "wed": "Wednesday",
        "thu": "Thursday",
        "fri": "Friday",
        "sat": "Saturday",
        "sun": "Sunday",
    }[settings.digest_weekday]
    return _say(
        f"Done: this channel will get the weekly digest every {day} at "
        f"{settings.digest_time:%H:%M}. It sums up the whole network's week (every topic, open "
        f"surveys and coming deadlines), whatever topics this channel follows.\n{INVITE_HINT}"
    )
