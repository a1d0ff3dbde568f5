"""`sectorbot`: run the bot, try it locally, migrate, and coordinator commands.

This is the composition root: the only core module allowed to reach into `handlers/`, and only
lazily inside the commands that start a platform.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from bot.concerns import write_concerns_csv
from bot.config import ConfigError, Settings
from bot.directory import Directory
from bot.logs import configure_logging
from bot.members import MemberListError, import_members, read_member_list
from bot.reports.redact import REDACTION_NOTE
from bot.services import Services
from bot.surveys.cli import SurveyCommandError, add_survey_parser, run_survey_command, validate_file
from bot.text import format_moment
from bot.topics import resolve_topic
from bot.updates import (
    InvalidUpdate,
    UpdateDraft,
    check_publish_window,
    parse_deadline,
    parse_publish_at,
    validate_draft,
)
from storage.repositories.audit import record_action
from storage.repositories.concerns import all_concerns
from storage.repositories.topics import all_topics
from storage.repositories.updates import add_update, all_updates

log = logging.getLogger("sectorbot")

EXIT_USAGE = 2


class CommandError(Exception):
    """A coordinator's mistake on the command line: printed as one line, exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sectorbot",
        description="Keeps a voluntary-sector network informed and hears back from it.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("run", help="run the bot (Slack over HTTP or Socket Mode)")
    demo = sub.add_parser("demo", help="try the bot in this terminal, no workspace needed")
    demo.add_argument("--db", help="SQLite file to keep (default: a temporary one)")
    demo.add_argument("--script", help="read the user's lines from FILE instead of the keyboard")
    demo.add_argument(
        "--start",
        metavar="MOMENT",
        help="start the demo's clock here (e.g. 2026-11-23T08:30) instead of this week's Monday "
        "08:30, so a script that moves it to fixed dates runs the same every time",
    )

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="apply migrations (also done at start-up)")

    updates = sub.add_parser("updates", help="add and list sector updates")
    up_sub = updates.add_subparsers(dest="updates_command", metavar="ACTION", required=True)
    add = up_sub.add_parser("add", help="add an update (published now unless --publish-at)")
    add.add_argument("--topic", required=True, help="budget, commissioning, vetting or general")
    add.add_argument("--title", required=True)
    add.add_argument(
        "--body-file", required=True, help="file with the body (Slack markdown); - for stdin"
    )
    add.add_argument("--link", help="source link (https://...)")
    add.add_argument("--deadline", help="YYYY-MM-DD")
    add.add_argument(
        "--publish-at", help="YYYY-MM-DDTHH:MM (network time zone unless an offset is given)"
    )
    up_sub.add_parser("list", help="list updates, newest first")

    digest = sub.add_parser("digest", help="the weekly digest")
    digest_sub = digest.add_subparsers(dest="digest_command", metavar="ACTION", required=True)
    preview = digest_sub.add_parser("preview", help="print a channel's digest as of now")
    preview.add_argument("channel", metavar="CHANNEL_ID", help="e.g. C0123ABCD")
    add_survey_parser(sub)

    members = sub.add_parser("members", help="members' organisations")
    mem_sub = members.add_subparsers(dest="members_command", metavar="ACTION", required=True)
    imp = mem_sub.add_parser(
        "import",
        help="link members to organisations from a CSV: platform,user_id,organisation,kind,region",
    )
    imp.add_argument("file", metavar="FILE.csv")

    concerns = sub.add_parser("concerns", help="messages members reported")
    con_sub = concerns.add_subparsers(dest="concerns_command", metavar="ACTION", required=True)
    export = con_sub.add_parser("export", help="write every concern, redacted, to a CSV file")
    export.add_argument("--out", required=True, help="the CSV file to write")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"sectorbot: configuration error: {error}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level)
    command = args.command or (
        "run" if settings.slack_enabled or settings.teams_enabled else "demo"
    )
    try:
        if command == "run":
            return _run(settings)
        if command == "demo":
            return _demo(settings, args)
        if command == "db":
            return _async(_db_upgrade(settings))
        if command == "updates" and args.updates_command == "add":
            return _async(_updates_add(settings, args))
        if command == "updates":
            return _async(_updates_list(settings))
        if command == "digest":
            return _async(_digest_preview(settings, args.channel))
        if command == "survey" and args.survey_command == "validate":
            return validate_file(args.file, settings.timezone)
        if command == "survey":
            return _async(_survey(settings, args))
        if command == "members":
            return _async(_members_import(settings, Path(args.file)))
        if command == "concerns":
            return _async(_concerns_export(settings, args.out))
    except (CommandError, SurveyCommandError) as error:
        print(f"sectorbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return EXIT_USAGE


def _async(work: Awaitable[int]) -> int:
    async def wrapper() -> int:
        return await work

    return asyncio.run(wrapper())


def _run(settings: Settings) -> int:
    if not settings.slack_enabled and not settings.teams_enabled:
        print(
            "sectorbot: no Slack or Teams credentials. Set SLACK_BOT_TOKEN and "
            "SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode), or TEAMS_APP_ID, "
            "TEAMS_APP_PASSWORD and TEAMS_TENANT_ID, in .env, or try `sectorbot demo`.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from handlers.runtime import StartupError, serve

    try:
        asyncio.run(serve(settings))
    except StartupError as error:
        print(f"sectorbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    try:
        from handlers.console.demo import run_demo
    except ImportError:
        print(
            "sectorbot: the local demo is not built yet. To run in Slack, set SLACK_BOT_TOKEN "
            "and SLACK_SIGNING_SECRET (see .env.example).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    start = None
    if getattr(args, "start", None):
        try:
            start = parse_publish_at(args.start, settings.timezone)
        except InvalidUpdate as error:
            print(f"sectorbot: --start: {error}", file=sys.stderr)
            return EXIT_USAGE
    runner: Callable[..., int] = run_demo
    return runner(
        settings,
        db=getattr(args, "db", None),
        script=getattr(args, "script", None),
        start=start,
    )


async def _with_services(settings: Settings, work: Callable[[Services], Awaitable[int]]) -> int:
    services = await Services.start(settings)
    try:
        return await work(services)
    finally:
        await services.close()


async def _db_upgrade(settings: Settings) -> int:
    async def done(_services: Services) -> int:
        print("Database is up to date.")
        return 0

    return await _with_services(settings, done)


def _read_body(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"cannot read --body-file {path!r}: {error}") from None


async def _updates_add(settings: Settings, args: argparse.Namespace) -> int:
    body = _read_body(args.body_file)

    async def add(services: Services) -> int:
        async with services.sessions.begin() as session:
            known = {t.slug for t in await all_topics(session)}
            slug = resolve_topic(args.topic, known) or args.topic
            try:
                draft = validate_draft(
                    UpdateDraft(
                        topic=slug,
                        title=args.title,
                        body=body,
                        link=args.link,
                        deadline=parse_deadline(args.deadline) if args.deadline else None,
                    ),
                    known,
                )
                now = services.clock()
                publish_at = (
                    parse_publish_at(args.publish_at, settings.timezone) if args.publish_at else now
                )
                check_publish_window(publish_at, now)
                if draft.deadline and draft.deadline < now.astimezone(settings.timezone).date():
                    raise InvalidUpdate("The deadline has already passed.", "deadline")
            except InvalidUpdate as error:
                raise CommandError(str(error)) from None
            actor = f"cli:{getpass.getuser()}"
            update = await add_update(
                session,
                topic=draft.topic,
                title=draft.title,
                body=draft.body,
                link=draft.link,
                deadline=draft.deadline,
                author=actor,
                publish_at=publish_at,
            )
            await record_action(
                session,
                actor=actor,
                action="update.add",
                subject=f"update:{update.id}",
                detail={"topic": draft.topic, "publish_at": publish_at.isoformat()},
            )
        when = format_moment(publish_at, settings.timezone)
        print(f"Added update {update.id} ({draft.topic}): {draft.title!r}, publishing {when}.")
        return 0

    return await _with_services(settings, add)


async def _updates_list(settings: Settings) -> int:
    async def show(services: Services) -> int:
        async with services.sessions() as session:
            updates = await all_updates(session)
        if not updates:
            print("No updates yet. Add one with `sectorbot updates add`.")
        for u in updates:
            when = format_moment(u.publish_at, settings.timezone)
            print(f"{u.id:>5}  {u.state:<10} {when:<24} {u.topic:<18} {u.title}")
        return 0

    return await _with_services(settings, show)


async def _digest_preview(settings: Settings, channel_id: str) -> int:
    from bot.digest import preview_text
    from bot.digest_job import digest_preview

    async def show(services: Services) -> int:
        preview = await digest_preview(services, channel_id)
        if not preview.known:
            print(f"(The bot has no record of {channel_id}; showing the last 7 days.)")
        elif not preview.gets_digest:
            print(f"({channel_id} does not get the digest: `/dps-update digest on` there.)")
        print(preview_text(preview.messages), end="")
        return 0

    return await _with_services(settings, show)


def _slack_directory(services: Services) -> Directory | None:
    """The Web API directory when a bot token is set (lazily: the core stays platform-free)."""
    if not services.settings.slack_enabled:
        return None
    from handlers.slack.app import build_client
    from handlers.slack.directory import SlackDirectory

    return SlackDirectory(build_client(services))


async def _survey(settings: Settings, args: argparse.Namespace) -> int:
    async def work(services: Services) -> int:
        return await run_survey_command(services, args, _slack_directory)

    return await _with_services(settings, work)


async def _members_import(settings: Settings, path: Path) -> int:
    try:
        rows = read_member_list(path)
    except MemberListError as error:
        raise CommandError(str(error)) from None

    async def work(services: Services) -> int:
        async with services.sessions.begin() as session:
            members, organisations = await import_members(session, rows)
            await record_action(
                session,
                actor=f"cli:{getpass.getuser()}",
                action="members.import",
                detail={"members": members, "organisations": organisations},
            )
        print(f"Linked {members} member(s) to {organisations} organisation(s).")
        return 0

    return await _with_services(settings, work)


async def _concerns_export(settings: Settings, out: str) -> int:
    async def export(services: Services) -> int:
        actor = f"cli:{getpass.getuser()}"
        async with services.sessions.begin() as session:
            concerns = await all_concerns(session)
            try:
                count = write_concerns_csv(concerns, services, out)
            except OSError as error:
                raise CommandError(f"cannot write {out!r}: {error.strerror or error}") from None
            await record_action(
                session, actor=actor, action="concerns.export", detail={"rows": count}
            )
        print(f"Wrote {count} concern(s) to {out}. {REDACTION_NOTE}")
        return 0

    return await _with_services(settings, export)


if __name__ == "__main__":
    sys.exit(main())
