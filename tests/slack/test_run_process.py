"""`sectorbot run` as a real process in HTTP mode, against the fake Web API."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.fakes.signing import sign, slash_command_body

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def bot_process(tmp_path: Path, fake_slack: Any) -> Iterator[str]:
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.base_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "SECTORBOT_HOST": "127.0.0.1",
        "PORT": str(port),
    }
    body = tmp_path / "body.md"
    body.write_text("Indicative budgets for HMP Example: £120,000 for 2027-28.")
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "updates", "add", "--topic", "budget",
         "--title", "Indicative budgets 2027-28", "--body-file", str(body)],
        env=env, cwd=tmp_path, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    log = (tmp_path / "bot.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], env=env, cwd=tmp_path, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError((tmp_path / "bot.log").read_text())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)  # waiting for a process to listen, not timing behaviour
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()
        assert "xoxb-test-token" not in (tmp_path / "bot.log").read_text()


async def test_process_acks_signed_command_fast_and_answers(
    bot_process: str, fake_slack: Any
) -> None:
    body = slash_command_body(text="budget", response_url=fake_slack.response_url("proc"))
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{bot_process}/healthz") as health:
            assert health.status == 200
        started = time.perf_counter()
        async with session.post(
            f"{bot_process}/slack/events", data=body.encode(), headers=sign(body, SIGNING_SECRET)
        ) as reply:
            ack_seconds = time.perf_counter() - started
            assert reply.status == 200
        stale = sign(body, SIGNING_SECRET, timestamp=int(time.time()) - 600)
        async with session.post(
            f"{bot_process}/slack/events", data=body.encode(), headers=stale
        ) as r:
            assert r.status == 401
    assert ack_seconds < 1.0
    responses = await asyncio.to_thread(fake_slack.wait_for_response, 1, 10.0, "proc")
    assert "Indicative budgets 2027-28" in str(responses[0].body)


def test_a_token_slack_refuses_stops_the_bot_in_one_line(tmp_path: Path, fake_slack: Any) -> None:
    fake_slack.fail_next("auth.test", "invalid_auth")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.base_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "SECTORBOT_HOST": "127.0.0.1",
        "PORT": str(_free_port()),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in result.stderr
    assert "Traceback" not in result.stderr
    assert BOT_TOKEN not in result.stderr
