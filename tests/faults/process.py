"""The real bot as a child process (`python -m bot.cli run`) against the fake Web API, one
database shared with the test, and the checks every crash test ends with."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select, update

from bot.config import Settings
from bot.services import Services
from storage.models import OutboxItem
from tests.conftest import BOT_TOKEN, COORDINATOR, SIGNING_SECRET
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack.server import SlackClient
from tests.surveys.definitions import shipped_survey_file
from tests.surveys.driver import Respondent

START_TIMEOUT = 30.0
_RUNNING: set[subprocess.Popen[bytes]] = set()  # every bot started and not yet seen to end


_PRCTL = ctypes.CDLL(None).prctl if sys.platform.startswith("linux") else None
_PR_SET_PDEATHSIG = 1


def _die_with_the_test_run() -> None:
    """In the child, before exec: ask Linux to SIGKILL it when the test process dies, so a
    killed or crashed pytest leaves no bot polling a shared test database (a stray bot once
    claimed the next run's outbox rows and failed it). Looked up before the fork: the child
    only makes the call. Elsewhere it is a no-op."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


def kill_leftover_bots() -> None:
    """Kill every bot a test started and left running (a failed assertion mid-test)."""
    for process in list(_RUNNING):
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        _RUNNING.discard(process)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_env(
    database_url: str, fake: FakeSlackAPI, extra: dict[str, str] | None = None
) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.base_url,
        "DATABASE_URL": database_url,
        "SECTORBOT_HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "SECTORBOT_TICK_SECONDS": "1",
        "SECTORBOT_COORDINATORS": COORDINATOR,
        "LOG_LEVEL": "INFO",
    }
    env.update(extra or {})
    return env


def run_cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    """A one-off `sectorbot ...` command (its own process), returning what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def open_survey(env: dict[str, str], cwd: Path, name: str, channel: str) -> str:
    """`sectorbot survey open NAME --channel CHANNEL` as a child process, which runs on the real
    clock: so the shipped questions go in as a file of their own with dates relative to now."""
    survey = shipped_survey_file(cwd, name)
    return run_cli(env, cwd, "survey", "open", name, "--file", str(survey), "--channel", channel)


@dataclass
class BotProcess:
    """One `sectorbot run`; start() may be called again after kill() (a restart)."""

    env: dict[str, str]
    cwd: Path
    name: str = "bot"
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    logs: list[Path] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.env["PORT"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> BotProcess:
        self.starts += 1
        log_path = self.cwd / f"{self.name}-{self.starts}.log"
        self.logs.append(log_path)
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run"],
                env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_the_test_run,
            )  # fmt: skip
        _RUNNING.add(self.process)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited at start:\n{self.log_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)  # waiting for the process to listen, not timing behaviour
        raise AssertionError(f"{self.name} did not listen within {START_TIMEOUT}s")

    def kill(self) -> None:
        """kill -9: no shutdown code runs, whatever was in flight is cut off."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.logs if p.exists())

    def assert_clean_logs(self) -> None:
        """No token anywhere; no traceback while serving. (A cancelled database ping can
        still be logged during a graceful stop on PostgreSQL: a known, separate issue.)"""
        text = self.log_text()
        assert BOT_TOKEN not in text
        for path in self.logs:
            serving = path.read_text(errors="replace").partition("sectorbot stopping")[0]
            assert "Traceback" not in serving, serving[-4000:]


@asynccontextmanager
async def database_of(database_url: str, fake: FakeSlackAPI) -> AsyncIterator[Services]:
    """The test's own connection to the bot's database (creating the schema if need be)."""
    settings = Settings.from_env(bot_env(database_url, fake))
    services = await Services.start(settings)
    try:
        yield services
    finally:
        await services.close()


@asynccontextmanager
async def slack_client(url: str) -> AsyncIterator[SlackClient]:
    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(connector=connector) as session:
        yield SlackClient(session, url, SIGNING_SECRET)


async def expire_leases(services: Services) -> int:
    """What five minutes after a crash looks like: the dead worker's claims have lapsed."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    async with services.sessions.begin() as session:
        result = await session.execute(
            update(OutboxItem)
            .where(OutboxItem.state == "sending")
            .values(claimed_until=past)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)


async def make_due_now(services: Services) -> None:
    """Invitations wait for working hours where the member is; the test can't wait for 09:00."""
    now = datetime.now(UTC)
    async with services.sessions.begin() as session:
        await session.execute(
            update(OutboxItem)
            .where(OutboxItem.state == "pending")
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )


async def outbox_states(services: Services) -> Counter[str]:
    async with services.sessions() as session:
        rows = await session.execute(
            select(OutboxItem.state, func.count()).group_by(OutboxItem.state)
        )
        return Counter({state: int(n) for state, n in rows.all()})


async def sent_keys(services: Services) -> set[str]:
    async with services.sessions() as session:
        keys = await session.scalars(select(OutboxItem.key).where(OutboxItem.state == "sent"))
        return set(keys.all())


async def wait_until(
    check: Callable[[], Any], timeout: float, what: str, interval: float = 0.1
) -> None:
    """Poll an async or plain condition until it holds (a bounded wait, not a timing sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)


async def all_sent(services: Services, expected: int) -> bool:
    states = await outbox_states(services)
    return (
        states.get("sent", 0) >= expected
        and states.get("pending", 0) == 0
        and (states.get("sending", 0) == 0)
    )


def delivered_keys(fake: FakeSlackAPI) -> Counter[tuple[str, str]]:
    """(channel, outbox key) of every post Slack accepted, counted: any count above 1 is a
    duplicate a member would see."""
    seen: Counter[tuple[str, str]] = Counter()
    for call in fake.calls("chat.postMessage"):
        if call.status != 200 or call.error is not None:
            continue
        metadata = call.params.get("metadata") or {}
        key = (metadata.get("event_payload") or {}).get("key", "?")
        seen[(str(call.params.get("channel")), str(key))] += 1
    return seen


def duplicates(fake: FakeSlackAPI) -> dict[tuple[str, str], int]:
    return {where: n for where, n in delivered_keys(fake).items() if n > 1}


def choice_payload(member: Respondent, label: str) -> dict[str, Any]:
    """The request a member's pick of `label` sends (a button, or an option of a select)."""
    for block in member.blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("type") == "static_select":
                option = next(o for o in element["options"] if o["text"]["text"] == label)
                return member._payload(
                    element["action_id"],
                    None,
                    block_id=block["block_id"],
                    action_type="static_select",
                    action={"selected_option": option},
                )
    return member.payload_for(label)
