"""The App Home: one page per member, built from sections that features contribute.

A section is an async function of (services, viewer) returning blocks; register it with
`@home_section(name, order)`. The surveys feature adds "Open surveys" (Start or Resume) the same
way, with no change here. A section that fails is replaced by a sentence, so one broken part
never blanks the whole page.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from bot.interactions import Caller
from bot.messages import Actions, Block, Button, Context, Divider, Heading, Message, Paragraph
from bot.services import Services
from bot.text import escape_mrkdwn, format_moment
from bot.updates import update_blocks
from storage.repositories.concerns import count_concerns_since
from storage.repositories.member_topics import topics_followed_by_dm
from storage.repositories.topics import all_topics
from storage.repositories.update_states import count_scheduled, scheduled_updates
from storage.repositories.updates import latest_per_topic

log = logging.getLogger(__name__)

HomeSection = Callable[[Services, Caller], Awaitable[Sequence[Block]]]
_SECTIONS: dict[str, tuple[int, HomeSection]] = {}

BROKEN = "This part couldn't load just now. Please look again in a minute."
COORDINATOR_SCHEDULED_SHOWN = 5
RECENT_CONCERNS = timedelta(days=30)


def home_section(name: str, order: int) -> Callable[[HomeSection], HomeSection]:
    """Add a section to everyone's Home; lower `order` shows higher up the page.

    Orders in use: 10 latest updates, 20 followed topics, 30 (free for surveys), 90 coordinators.
    """

    def register(section: HomeSection) -> HomeSection:
        _SECTIONS[name] = (order, section)
        return section

    return register


async def build_home(services: Services, viewer: Caller) -> Message:
    blocks: list[Block] = []
    for name, (_order, section) in sorted(_SECTIONS.items(), key=lambda item: item[1][0]):
        try:
            part = list(await section(services, viewer))
        except Exception:
            log.exception("home section %s failed for user %s", name, viewer.user_id)
            part = [Context(BROKEN)]
        if part:
            blocks.extend(part)
            blocks.append(Divider())
    return Message(text="sectorbot home", blocks=tuple(blocks[:-1]))


@home_section("latest-updates", 10)
async def latest_updates(services: Services, viewer: Caller) -> Sequence[Block]:
    zone = services.settings.timezone
    async with services.sessions() as session:
        updates = await latest_per_topic(session, services.clock())
        titles = {t.slug: t.title for t in await all_topics(session)}
    blocks: list[Block] = [Heading("Latest on each topic")]
    if not updates:
        blocks.append(Paragraph("Nothing has been posted yet. Updates will show here."))
    for update in updates[:10]:
        blocks.extend(update_blocks(update, titles.get(update.topic, update.topic), zone))
    return blocks


@home_section("followed-topics", 20)
async def followed_topics(services: Services, viewer: Caller) -> Sequence[Block]:
    async with services.sessions() as session:
        slugs = await topics_followed_by_dm(
            session, viewer.platform, viewer.team_id, viewer.user_id
        )
        titles = {t.slug: t.title for t in await all_topics(session)}
    if not slugs:
        text = (
            "You don't follow any topics yourself yet. In your messages with me, type "
            "`/dps-update subscribe budget` (or commissioning, vetting, general)."
        )
    else:
        names = ", ".join(f"*{escape_mrkdwn(titles.get(s, s))}*" for s in slugs)
        text = f"You get these by direct message: {names}."
    return [Heading("Topics you follow"), Paragraph(text)]


@home_section("coordinators", 90)
async def coordinator_desk(services: Services, viewer: Caller) -> Sequence[Block]:
    """Only coordinators see this: what is scheduled, and how many concerns came in lately."""
    if not services.settings.is_coordinator(viewer.user_id):
        return []
    zone = services.settings.timezone
    now = services.clock()
    async with services.sessions() as session:
        total = await count_scheduled(session)
        soonest = await scheduled_updates(session, limit=COORDINATOR_SCHEDULED_SHOWN)
        concerns = await count_concerns_since(session, now - RECENT_CONCERNS)
    lines = [f"• {format_moment(u.publish_at, zone)}: {escape_mrkdwn(u.title)}" for u in soonest]
    scheduled = f"*Scheduled updates: {total}*"
    if lines:
        scheduled += "\n" + "\n".join(lines)
    if total > len(lines):
        scheduled += f"\n…and {total - len(lines)} more. See `/dps-update scheduled`."
    reported = "concern" if concerns == 1 else "concerns"
    return [
        Heading("For coordinators"),
        Paragraph(scheduled),
        Paragraph(
            f"*{concerns} {reported} reported in the last 30 days.* See `/dps-update concerns`."
        ),
        Actions((Button("Write an update", "update.new", style="primary"),)),
    ]
