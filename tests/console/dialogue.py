"""Drive `run_demo` with a script and read back the conversation as turns, and the database.

A scenario is a table of (what the person types, what the bot must say): add survey and
scheduling scenarios as more tables over the same helpers.
"""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console

from bot.config import Settings
from bot.demo_seed import PLATFORM
from bot.messages import Message
from bot.outbox import enqueue
from bot.services import Services
from handlers.console.demo import run_demo

# The Monday morning these dialogues were written for: the demo's story is told relative to its
# start, and pinning it keeps the dates they quote (and move the clock to) the same every run.
START = datetime(2026, 11, 23, 8, 30, tzinfo=ZoneInfo("Europe/London"))

PROMPT = re.compile(r"^(?P<role>member|coordinator) (?P<name>\S+) @ (?P<place>\S+) > (?P<said>.*)$")


@dataclass(frozen=True)
class Turn:
    role: str
    name: str
    place: str
    said: str
    answer: str  # everything printed after the line, up to the next prompt

    @property
    def flat(self) -> str:
        """The answer with whitespace runs as single spaces, for phrase checks."""
        return " ".join(self.answer.split())


@dataclass(frozen=True)
class DemoRun:
    status: int
    transcript: str
    database: Path

    def turns(self) -> list[Turn]:
        turns: list[Turn] = []
        current: dict[str, str] | None = None
        answer: list[str] = []
        for line in self.transcript.splitlines():
            match = PROMPT.match(line)
            if match:
                if current is not None:
                    turns.append(Turn(**current, answer="\n".join(answer)))
                current, answer = match.groupdict(), []
            elif current is not None:
                answer.append(line)
        if current is not None:
            turns.append(Turn(**current, answer="\n".join(answer)))
        return turns

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database) as connection:
            return connection.execute(sql, params).fetchall()

    def scalar(self, sql: str, *params: Any) -> Any:
        return self.rows(sql, *params)[0][0]


def demo_settings(**env: str) -> Settings:
    return Settings.from_env(env, dotenv_path=None)


def queue_post(database: Path, *, key: str, kind: str, conversation: str, message: Message) -> None:
    """Put a post in a demo database's outbox, for the console's sender, before the demo runs
    on it (as a feature would queue one), due at the demo's start."""

    async def queue() -> None:
        services = await Services.start(demo_settings(DATABASE_URL=f"sqlite:///{database}"))
        async with services.sessions.begin() as session:
            await enqueue(
                session,
                key=key,
                kind=kind,
                platform=PLATFORM,
                conversation=conversation,
                message=message,
                not_before=START,
            )
        await services.close()

    asyncio.run(queue())


def run_script(
    tmp_path: Path, script: str, settings: Settings | None = None, start: datetime | None = START
) -> DemoRun:
    """Run the demo on a kept database under tmp_path with `script` as the person's lines,
    its clock starting at `start` (None: where `sectorbot demo` starts it, this week)."""
    script_file = tmp_path / "script.txt"
    script_file.write_text(script, encoding="utf-8")
    database = tmp_path / "demo.db"
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=100, highlight=False)
    status = run_demo(
        settings or demo_settings(),
        db=str(database),
        script=str(script_file),
        console=console,
        start=start,
    )
    return DemoRun(status, out.getvalue(), database)


def check_dialogue(run: DemoRun, table: Sequence[tuple[str, Sequence[str]]]) -> None:
    """Each row: a line the person typed (in order) and phrases the answer to it must contain.
    A phrase starting with '!' must not appear."""
    turns = iter(run.turns())
    for said, phrases in table:
        turn = next((t for t in turns if t.said == said), None)
        assert turn is not None, f"no turn for {said!r} in:\n{run.transcript}"
        for phrase in phrases:
            if phrase.startswith("!"):
                assert phrase[1:] not in turn.flat, f"{said!r} answered {phrase[1:]!r}"
            else:
                assert phrase in turn.flat, f"{said!r} did not answer {phrase!r}:\n{turn.answer}"
