"""`sectorbot demo`: the whole bot in a terminal, on an embedded SQLite database.

Composition only: choose where the database, log and reports go, start the same Services as
production on a ManualClock, register the console's directory and outbox sender for the demo's
platform, seed the demo's network, and hand the terminal to a DemoSession.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from rich.console import Console

from bot.clock import ManualClock, system_clock
from bot.config import Settings
from bot.demo_seed import COORDINATOR, COORDINATORS_CHANNEL, PLATFORM, demo_start, seed_demo
from bot.logs import RedactSecrets
from bot.services import Services
from handlers.console.delivery import ConsoleSender, Conversations
from handlers.console.directory import ConsoleDirectory
from handlers.console.lines import KeyboardLines, LineSource, ScriptLines
from handlers.console.screen import Screen
from handlers.console.session import DemoSession

log = logging.getLogger(__name__)

EXIT_USAGE = 2


@dataclass(frozen=True)
class DemoPaths:
    """Where the demo keeps its database, its log and the reports a coordinator exports."""

    database: Path
    log: Path
    reports: Path
    temporary: Path | None  # the folder to remove at the end, when nothing was asked to be kept

    @classmethod
    def choose(cls, db: str | None) -> DemoPaths:
        if db:
            database = Path(db).expanduser().resolve()
            return cls(
                database=database,
                log=database.with_suffix(".log"),
                reports=database.parent / f"{database.stem}-reports",
                temporary=None,
            )
        folder = Path(tempfile.mkdtemp(prefix="sectorbot-demo-"))
        return cls(folder / "demo.db", folder / "demo.log", folder / "reports", folder)

    def tidy(self) -> str:
        """Remove a temporary demo's files unless it wrote reports; say what was kept."""
        if self.temporary is None:
            return (
                f"Your demo database is kept at {self.database}: `sectorbot demo --db "
                f"{self.database}` carries on from here."
            )
        if self.reports.is_dir() and any(self.reports.iterdir()):
            for leftover in self.temporary.glob("demo.db*"):
                leftover.unlink(missing_ok=True)
            return f"The reports you exported are kept in {self.reports}."
        shutil.rmtree(self.temporary, ignore_errors=True)
        return ""


def demo_settings(settings: Settings, paths: DemoPaths) -> Settings:
    """The deployer's settings (time zone, digest day, log level), on the demo's database, with
    the demo's coordinator, and never any Slack credentials."""
    return replace(
        settings,
        database_url=f"sqlite:///{paths.database}",
        slack_bot_token=None,
        slack_signing_secret=None,
        slack_app_token=None,
        coordinators=settings.coordinators | {COORDINATOR.user_id},
        coordinators_channel=COORDINATORS_CHANNEL,
    )


def run_demo(
    settings: Settings,
    *,
    db: str | None = None,
    script: str | None = None,
    console: Console | None = None,
    start: datetime | None = None,
) -> int:
    """Run the demo until the person leaves (or the script ends); the exit status. Its clock
    starts at `start`, or else at 08:30 on this week's Monday (`demo_start`)."""
    console = console or Console(highlight=False)
    console.soft_wrap = not console.is_terminal  # a transcript keeps each message line whole
    if script is not None and not Path(script).is_file():
        print(f"sectorbot: there is no script file at {script}.", file=sys.stderr)
        return EXIT_USAGE
    paths = DemoPaths.choose(db)
    lines: LineSource = ScriptLines(script, console) if script else KeyboardLines(console)
    starts_at = start or demo_start(system_clock())
    with _logging_to(paths.log, settings.log_level):
        try:
            status = asyncio.run(
                _run(demo_settings(settings, paths), paths, console, lines, starts_at)
            )
        except KeyboardInterrupt:
            console.print()
            status = 130
    if status != EXIT_USAGE:
        farewell = paths.tidy()
        if farewell:
            console.print(farewell, style="dim", soft_wrap=True)
    return status


async def _run(
    settings: Settings, paths: DemoPaths, console: Console, lines: LineSource, start: datetime
) -> int:
    began = time.perf_counter()
    import bot.features  # noqa: F401  (registers every feature's commands, buttons and jobs)

    clock = ManualClock(start)
    try:
        services = await Services.start(settings, clock=clock)
    except Exception as error:  # a bad --db path or a file that is not a database
        log.exception("demo: could not open %s", paths.database)
        print(
            f"sectorbot: could not open the demo database at {paths.database}: {error}.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    services.directories[PLATFORM] = ConsoleDirectory(str(settings.timezone))
    conversations = Conversations()
    # The outbox's send-outbox job delivers the demo's posts through this, as it does Slack's.
    services.senders[PLATFORM] = ConsoleSender(conversations, clock)
    try:
        await seed_demo(services)
        log.info("demo ready in %.2fs", time.perf_counter() - began)
        screen = Screen(console)
        session = DemoSession(
            services, clock, screen, lines, conversations, paths.log, paths.reports
        )
        return await session.run()
    finally:
        await services.close()


@contextmanager
def _logging_to(path: Path, level: str) -> Iterator[None]:
    """Send logs to a file while the demo runs, so they never interleave with the chat."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    root.handlers[:] = [handler]
    root.setLevel(level)
    try:
        yield
    finally:
        root.handlers[:], level_before = saved
        root.setLevel(level_before)
        handler.close()
