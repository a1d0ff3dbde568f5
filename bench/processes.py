"""Start the servers under test as separate processes, each waiting until it answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BOT_TOKEN = "xoxb-bench-token"
SIGNING_SECRET = "bench-signing-secret"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    startup_seconds: float

    def rss_mib(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def base_env(slack_api_url: str, database_url: str, port: int) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api_url,
        "DATABASE_URL": database_url,
        "SECTORBOT_HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }


def _wait_listening(process: subprocess.Popen[bytes], port: int, timeout: float = 60) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.01)
    raise RuntimeError("server did not start listening in time")


@contextmanager
def serve(module_args: list[str], env: dict[str, str], cwd: Path) -> Iterator[Server]:
    port = int(env["PORT"])
    process = subprocess.Popen(
        [sys.executable, *module_args], env=env, cwd=cwd, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        startup = _wait_listening(process, port)
        yield Server(process, f"http://127.0.0.1:{port}/slack/events", startup)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class FakeSlack:
    """The fake Web API in its own process; `finish()` stops it and returns its post log."""

    def __init__(self, cwd: Path, workspace_rate: float = 0.0) -> None:
        args = ["--workspace-rate", str(workspace_rate)] if workspace_rate else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.fake_slack_server", *args], cwd=cwd,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip
        assert self.process.stdout is not None and self.process.stdin is not None
        self.url = self.process.stdout.readline().decode().strip()

    def finish(self) -> list[tuple[float, str, int]]:
        """Stop the server; every chat.postMessage it saw as (monotonic time, channel, status)."""
        assert self.process.stdout is not None and self.process.stdin is not None
        if not self.process.stdin.closed:
            self.process.stdin.close()
        line = self.process.stdout.readline().decode().strip()
        self.process.wait(timeout=30)
        return [(float(t), str(c), int(s)) for t, c, s in json.loads(line or "[]")]


@contextmanager
def fake_slack(cwd: Path, workspace_rate: float = 0.0) -> Iterator[FakeSlack]:
    fake = FakeSlack(cwd, workspace_rate)
    try:
        yield fake
    finally:
        if fake.process.poll() is None:
            fake.finish()
