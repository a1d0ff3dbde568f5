"""`sectorbot survey ...`: validate a definition, list runs, open one, export its report.

`bot/cli.py` wires these in and supplies the platform Directory (it is the composition root).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.directory import Directory, DirectoryError
from bot.services import Services
from bot.surveys.loader import check_survey_file
from bot.surveys.service import (
    COMMAND_LINE,
    SurveyProblem,
    audience_of_channels,
    close_survey,
    file_survey,
    library_survey,
    open_survey,
    survey_report,
    surveys_overview,
)
from bot.text import format_day, format_moment

DirectoryFactory = Callable[[Services], Directory | None]


EXIT_FAULTS = 2
NO_AUDIENCE = "Say who to invite: --channel CHANNEL_ID and/or --user USER_ID."


class SurveyCommandError(Exception):
    """Printed as one line with exit status 2."""


def add_survey_parser(sub: Any) -> None:
    survey = sub.add_parser("survey", help="validate, open, close and report on surveys")
    actions = survey.add_subparsers(dest="survey_command", metavar="ACTION", required=True)
    validate = actions.add_parser("validate", help="check a survey definition (YAML) file")
    validate.add_argument("file")
    actions.add_parser("list", help="surveys opened so far, with state and dates")
    opening = actions.add_parser("open", help="open a survey and invite people")
    opening.add_argument("name")
    opening.add_argument(
        "--file",
        metavar="PATH",
        help="open your own definition (YAML, named NAME.yml) instead of a shipped one",
    )
    opening.add_argument(
        "--channel", action="append", default=[], metavar="CHANNEL_ID", help="invite its members"
    )
    opening.add_argument(
        "--user", action="append", default=[], metavar="USER_ID", help="invite this user"
    )
    closing = actions.add_parser("close", help="close a survey now")
    closing.add_argument("name")
    report = actions.add_parser("report", help="write the anonymised CSV and HTML report")
    report.add_argument("name")
    report.add_argument("--out", required=True, help="folder to write into (created if needed)")


def validate_file(path: str, services_zone: Any) -> int:
    """Check a definition and print every fault, one line each (exit 2 if any), so a
    coordinator can fix them all before running it again; warnings do not fail it."""
    checked = check_survey_file(path, services_zone)
    for fault in checked.faults:
        print(f"sectorbot: {fault}", file=sys.stderr)
    for warning in checked.warnings:
        print(f"sectorbot: {warning.file}: warning: {warning.fault}", file=sys.stderr)
    definition = checked.definition
    if definition is None:
        return EXIT_FAULTS
    print(
        f"{Path(path).name}: OK – {definition.name}: {definition.title!r}, "
        f"{len(definition.questions)} questions, open "
        f"{format_day(definition.opens_at, services_zone)} to "
        f"{format_moment(definition.closes_at, services_zone)}."
    )
    return 0


async def run_survey_command(
    services: Services, args: argparse.Namespace, directory_for: DirectoryFactory
) -> int:
    actor = f"cli:{getpass.getuser()}"
    zone = services.settings.timezone

    async def listing() -> int:
        surveys = await surveys_overview(services)
        if not surveys:
            print("No surveys opened yet. Open one with `sectorbot survey open NAME`.")
        for s in surveys:
            print(
                f"{s.name:<24} {s.state:<7} opens {format_day(s.opens_at, zone):<16} "
                f"closes {format_moment(s.closes_at, zone):<24} {s.title}"
            )
        return 0

    async def opening() -> int:
        # The cheapest mistakes first: which survey, then who to invite, then the Slack token.
        name = args.name.lower()
        source = (
            file_survey(name, Path(args.file), zone) if args.file else library_survey(name, zone)
        )
        if not args.channel and not args.user:
            raise SurveyCommandError(NO_AUDIENCE)
        directory = directory_for(services)
        users = list(args.user)
        if args.channel:
            if directory is None:
                raise SurveyCommandError(
                    "--channel needs SLACK_BOT_TOKEN to see who is in it; use --user instead."
                )
            try:
                users += await audience_of_channels(directory, args.channel)
            except DirectoryError as error:
                raise SurveyCommandError(str(error)) from None
        if not any(u.strip() for u in users):
            raise SurveyCommandError(
                "There is nobody to invite: the channel has no members the bot can see."
                if args.channel
                else NO_AUDIENCE
            )
        opened = await open_survey(
            services, name, users, actor=actor, directory=directory, source=source
        )
        print(
            f"Opened {name}: {opened.invited} invitation(s) queued"
            + (f", {opened.already} already invited" if opened.already else "")
            + f"; closes {format_moment(opened.closes_at, zone)}."
        )
        return 0

    async def closing() -> int:
        survey, expired = await close_survey(services, args.name, actor=actor)
        print(f"Closed {survey.name}; {expired} unfinished conversation(s) ended.")
        return 0

    async def reporting() -> int:
        out = Path(args.out)
        bundle = await survey_report(services, args.name, actor=actor, out_dir=out)
        print(
            f"Wrote the report of {bundle.responses} response(s) to {out}. "
            "Names we could spot are hidden; please check the free text before sharing."
        )
        return 0

    work: dict[str, Callable[[], Awaitable[int]]] = {
        "list": listing,
        "open": opening,
        "close": closing,
        "report": reporting,
    }
    try:
        return await work[args.survey_command]()
    except SurveyProblem as problem:
        raise SurveyCommandError(problem.worded(COMMAND_LINE)) from None
