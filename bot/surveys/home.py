"""The surveys' part of the App Home: a member's surveys with Start or Resume, and for
coordinators the progress of each open survey (counts only, never who said what)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.home import home_section
from bot.interactions import Caller
from bot.messages import Block, Heading, Paragraph
from bot.services import Services
from bot.surveys.commands import my_surveys
from bot.text import escape_mrkdwn, format_moment
from storage.repositories.surveys import open_surveys, state_counts


@home_section("open-surveys", 30)
async def open_surveys_for_member(services: Services, viewer: Caller) -> Sequence[Block]:
    mine = await my_surveys(services, viewer)
    return [Heading("Your surveys"), *mine.blocks[1:]] if len(mine.blocks) > 1 else []


@home_section("survey-progress", 95)
async def survey_progress_for_coordinators(services: Services, viewer: Caller) -> Sequence[Block]:
    if not services.settings.is_coordinator(viewer.user_id):
        return []
    zone = services.settings.timezone
    lines = []
    async with services.sessions() as session:
        for survey in await open_surveys(session):
            counts = await state_counts(session, survey.id)
            invited = sum(counts.values())
            closes = format_moment(survey.closes_at, zone)
            closes = format_moment(survey.closes_at, zone)
            lines.append(
                f"• *{escape_mrkdwn(survey.title)}* (closes {closes}): {invited} invited, "
                f"{counts.get('in_progress', 0)} started, {counts.get('completed', 0)} completed, "
                f"{counts.get('declined', 0)} declined"
            )
    if not lines:
        return []
    return [Heading("Survey progress"), Paragraph("\n".join(lines))]
