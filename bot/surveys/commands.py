"""`/dps-update survey ...`: members list and resume their surveys; coordinators open, close,
follow and collate them. The same words work from any platform."""

from __future__ import annotations

import re

from bot.commands import ParsedCommand
from bot.directory import DirectoryError
from bot.interactions import ActionResult, Attachment, Caller, command, only_coordinators
from bot.messages import Actions, Button, Message, Paragraph
from bot.services import Services
from bot.surveys.messages import note
from bot.surveys.service import (
    CHAT,
    SurveyProblem,
    audience_of_channels,
    close_survey,
    library_survey,
    open_survey,
    survey_progress,
    survey_report,
    surveys_overview,
)
from bot.text import escape_mrkdwn, format_day, format_moment, shorten
from storage.repositories.surveys import invitations_of_user

CHANNEL_LINK = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
COORDINATOR_VERBS = {
    "open": "open a survey",
    "close": "close a survey",
    "progress": "see a survey's progress",
    "report": "export a survey's results",
    "list": "list surveys",
}
SURVEY_USAGE = (
    "Try `/dps-update survey open NAME #channel`, `survey close NAME`, `survey progress NAME`, "
    "`survey report NAME` or `survey list`."
)


def parse_channels(words: tuple[str, ...]) -> list[str]:
    """Channel ids from `<#C123|name>` links (what Slack sends) or bare ids."""
    channels: list[str] = []
    for word in words:
        link = CHANNEL_LINK.match(word)
        if link:
            channels.append(link[1])
        elif CHANNEL_ID.match(word):
            channels.append(word)
        else:
            shown = escape_mrkdwn(shorten(word, 40))
            raise SurveyProblem(
                f"I couldn't tell which channel {shown} is. Pick it from Slack's list as you "
                "type, so it becomes a link, or give its id (like C0123ABCD)."
            )
    return channels


@command("survey")
async def survey_command(services: Services, caller: Caller, parsed: ParsedCommand) -> ActionResult:
    if not parsed.args:
        return ActionResult(reply=await my_surveys(services, caller))
    verb = parsed.args[0].lower()
    if verb not in COORDINATOR_VERBS:
        return ActionResult(
            reply=note(f"I don't know `survey {escape_mrkdwn(verb)}`. " + SURVEY_USAGE)
        )
    refusal = only_coordinators(caller, services, COORDINATOR_VERBS[verb])
    if refusal is not None:
        return refusal
    words = parsed.args[1:]
    try:
        if verb == "list":
            return ActionResult(reply=await _list(services))
        if not words:
            raise SurveyProblem(f"Which survey? {SURVEY_USAGE}")
        name = words[0].lower()
        if verb == "open":
            return ActionResult(reply=await _open(services, caller, name, words[1:]))
        if verb == "close":
            survey, expired = await close_survey(services, name, actor=caller.user_id)
            return ActionResult(
                reply=note(
                    f"Closed *{escape_mrkdwn(survey.title)}*. Nothing more will be saved; "
                    f"{expired} unfinished conversation(s) ended. "
                    f"`/dps-update survey report {name}` collates the answers."
                )
            )
        if verb == "progress":
            return ActionResult(reply=await _progress(services, name))
        return await _report(services, caller, name)
    except SurveyProblem as problem:
        return ActionResult(reply=note(problem.worded(CHAT)))


async def _open(services: Services, caller: Caller, name: str, words: tuple[str, ...]) -> Message:
    source = library_survey(name, services.settings.timezone)  # an unknown name is said first
    channels = parse_channels(words) or [caller.channel_id]
    directory = services.directories.get(caller.platform)
    if directory is None:
        raise SurveyProblem("I can't see who is in channels on this platform yet.")
    try:
        users = await audience_of_channels(directory, channels)
    except DirectoryError as error:
        raise SurveyProblem(str(error)) from None
    if not users:
        raise SurveyProblem("There is nobody to invite: the channel seems to be empty.")
    opened = await open_survey(
        services,
        name,
        users,
        actor=caller.user_id,
        platform=caller.platform,
        team_id=caller.team_id,
        directory=directory,
        source=source,
    )
    when = format_moment(opened.closes_at, services.settings.timezone)
    return note(
        f"*{escape_mrkdwn(opened.title)}* is open until {when}. Invitations to "
        f"{opened.invited} member(s) are on their way, each in working hours where they are"
        + (f"; {opened.already} had already been invited." if opened.already else ".")
    )


async def _progress(services: Services, name: str) -> Message:
    progress = await survey_progress(services, name)
    c = progress.counts
    started = c.get("in_progress", 0)
    lines = [
        f"*{escape_mrkdwn(progress.title)}* ({progress.state}, closes "
        f"{format_moment(progress.closes_at, services.settings.timezone)})",
        f"• Invited: {progress.invited}",
        f"• Started, not finished: {started}",
        f"• Completed: {progress.completed}",
        f"• Declined: {c.get('declined', 0)}",
    ]
    if c.get("expired"):
        lines.append(f"• Ran out of time: {c['expired']}")
    if progress.forgotten:
        lines.append(
            f"• Of those who completed it, {progress.forgotten} are no longer known to the bot "
            "(they asked to be forgotten, or their details were cleared after the survey "
            "closed); their anonymous answers still count"
        )
    lines.append("_Counts only: the bot never shows who said what._")
    return Message(text=f"Progress of {progress.title}", blocks=(Paragraph("\n".join(lines)),))


async def _report(services: Services, caller: Caller, name: str) -> ActionResult:
    bundle = await survey_report(services, name, actor=caller.user_id)
    files = tuple(Attachment(filename, content, filename) for filename, content in bundle.files)
    return ActionResult(
        reply=note(
            f"The collated answers to *{escape_mrkdwn(bundle.title)}* "
            f"({bundle.responses} response(s)) are in our direct messages: a CSV for analysis "
            "and a report to read or print. Small groups are withheld, and contact details and "
            "names we could spot are hidden; please check the free text before sharing."
        ),
        files=files,
    )


async def _list(services: Services) -> Message:
    surveys = await surveys_overview(services)
    zone = services.settings.timezone
    if not surveys:
        return note("No surveys have been opened yet. `/dps-update survey open NAME` opens one.")
    lines = [
        f"• `{s.name}` – {escape_mrkdwn(s.title)} ({s.state}; closes "
        f"{format_moment(s.closes_at, zone)})"
        for s in surveys
    ]
    return Message(text="Surveys", blocks=(Paragraph("*Surveys*\n" + "\n".join(lines)),))


async def my_surveys(services: Services, caller: Caller) -> Message:
    """The member's open invitations, each with Start or Resume."""
    zone = services.settings.timezone
    now = services.clock()
    async with services.sessions() as session:
        rows = await invitations_of_user(
            session, caller.platform, caller.user_id, ("invited", "in_progress", "declined")
        )
    rows = [(i, s) for i, s in rows if s.closes_at > now]
    if not rows:
        return note("You have no surveys waiting for you right now. Thank you!")
    blocks: list = [Paragraph("*Your surveys*")]
    for invitation, survey in rows:
        label = "Resume" if invitation.state == "in_progress" else "Start"
        blocks.append(
            Paragraph(
                f"*{escape_mrkdwn(survey.title)}* – open until "
                f"{format_moment(survey.closes_at, zone)} (answers go to HMPPS by "
                f"{format_day(survey.deadline, zone)})"
            )
        )
        blocks.append(
            Actions((Button(label, "survey.start", str(invitation.id), style="primary"),))
        )
    return Message(text="Your surveys", blocks=tuple(blocks))
