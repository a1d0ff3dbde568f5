"""What `/dps-update` does, whatever the platform: turns a parsed command into a Message."""

from __future__ import annotations

import logging

from bot.commands import COORDINATOR_USAGE, USAGE, ParsedCommand
from bot.interactions import ActionResult, Caller, command, command_handler
from bot.latest_cache import cached
from bot.messages import Message, Paragraph
from bot.services import Services
from bot.text import escape_mrkdwn, shorten
from bot.topics import MEMBER_FACING, resolve_topic
from bot.updates import latest_message
from storage.repositories.subscriptions import followed_topics
from storage.repositories.topics import all_topics
from storage.repositories.updates import latest_in_topic, latest_per_topic

log = logging.getLogger(__name__)


def usage_message(is_coordinator: bool, lead: str | None = None) -> Message:
    parts = [lead] if lead else []
    parts.append(USAGE)
    if is_coordinator:
        parts.append(COORDINATOR_USAGE)
    return Message(text=lead or "How to use /dps-update", blocks=tuple(Paragraph(p) for p in parts))


async def run_command(services: Services, caller: Caller, command: ParsedCommand) -> ActionResult:
    """Execute a member's command: built-in verbs here, the rest from feature registrations."""
    is_coordinator = services.settings.is_coordinator(caller.user_id)
    if command.name == "help":
        return ActionResult(reply=usage_message(is_coordinator))
    if command.name == "too-long":
        return ActionResult(
            reply=usage_message(is_coordinator, "That was too long to be a command.")
        )
    if command.name == "latest":
        return ActionResult(reply=await _latest(services, command, is_coordinator))
    handler = command_handler(command.name)
    if handler is not None:
        return await handler(services, caller, command)
    return ActionResult(
        reply=usage_message(
            is_coordinator, f"`{command.name}` is not available yet in this version of the bot."
        )
    )


async def _latest(services: Services, command: ParsedCommand, is_coordinator: bool) -> Message:
    word = command.args[0] if command.args else ""
    return await cached(
        (id(services), "latest", word, is_coordinator),
        services.clock(),
        lambda: _build_latest(services, command, is_coordinator),
    )


async def _build_latest(
    services: Services, command: ParsedCommand, is_coordinator: bool
) -> Message:
    zone = services.settings.timezone
    now = services.clock()
    async with services.sessions() as session:
        topics = {t.slug: t.title for t in await all_topics(session)}
        if not command.args:
            updates = await latest_per_topic(session, now)
            return latest_message(updates, topics, zone, "Latest sector updates")
        slug = resolve_topic(command.args[0], set(topics))
        if slug is None:
            word = escape_mrkdwn(shorten(command.args[0], 40))
            choices = ", ".join(f"`{t}`" for t in MEMBER_FACING)
            return usage_message(
                is_coordinator, f"I don't know the topic *{word}*. Try one of: {choices}."
            )
        updates = await latest_in_topic(session, slug, now)
        return latest_message(updates, topics, zone, f"Latest on {topics[slug]}")


@command("topics")
async def topics_command(
    services: Services, caller: Caller, _command: ParsedCommand
) -> ActionResult:
    return ActionResult(reply=await _topics(services, caller))


async def _topics(services: Services, caller: Caller) -> Message:
    async with services.sessions() as session:
        topics = await all_topics(session)
        followed = set(
            await followed_topics(session, caller.platform, caller.team_id, caller.channel_id)
        )
    lines = [
        f"• *{t.title}* (`{t.slug}`) – {t.description}"
        + (" ✓ _followed here_" if t.slug in followed else "")
        for t in topics
    ]
    if followed:
        names = ", ".join(t.title for t in topics if t.slug in followed)
        footer = f"This conversation follows: {names}. Stop with `/dps-update unsubscribe TOPIC`."
    else:
        footer = (
            "This conversation follows no topics yet. "
            "Follow one with `/dps-update subscribe TOPIC`."
        )
    text = "*Topics*\n" + "\n".join(lines) + "\n\n" + footer
    return Message(text="Topics", blocks=(Paragraph(text),))
