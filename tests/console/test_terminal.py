"""`sectorbot demo` at a real (pseudo-)terminal: colour, readline prompts and Ctrl-D."""

from __future__ import annotations

import os
import re
import select
import sys
import time
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x01\x02]")


class Terminal:
    """The demo in a child process on a pseudo-terminal; waits for text, never for a time."""

    def __init__(self, cwd: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
        env.update(TERM="xterm-256color", TMPDIR=str(cwd), COLUMNS="100")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the demo
            os.chdir(cwd)
            os.execve(sys.executable, [sys.executable, "-m", "bot.cli", "demo"], env)
        self.raw = ""

    def expect(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.plain:
            left = deadline - time.monotonic()
            assert left > 0, f"waited for {text!r}; the terminal shows:\n{self.plain[-1500:]}"
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    self.raw += os.read(self.fd, 65536).decode(errors="replace")
                except OSError:  # the child has gone
                    break
        assert text in self.plain

    @property
    def plain(self) -> str:
        return ANSI.sub("", self.raw).replace("\r", "")

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def exit_status(self) -> int:
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


@pytest.mark.slow
def test_the_demo_at_a_terminal(tmp_path: Path) -> None:
    term = Terminal(tmp_path)
    term.expect("member Asha @ #network-news > ")
    assert "\x1b[" in term.raw  # colour at a terminal

    term.type("/dps-update vetting\r")
    term.expect("Latest on Security vetting")
    term.type("/in dm\r")
    term.expect("member Asha @ DM > ")
    term.type("\x04")  # Ctrl-D: goodbye
    term.expect("Goodbye, and thank you for trying sectorbot.")

    assert term.exit_status() == 0
    assert "Traceback" not in term.plain
    assert not list(tmp_path.glob("sectorbot-demo-*"))
