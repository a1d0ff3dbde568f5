"""Where the person's lines come from: the keyboard (with readline) or a script file.

A script is how tests and walkthroughs drive the demo: its lines are typed for you, echoed
after the prompt so the printed conversation reads as if someone had typed them.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from rich.console import Console
from rich.text import Text

CANCEL = "/cancel"


class LineSource(Protocol):
    def read(self, prompt: Text) -> str | None:
        """The next line without its newline, or None at the end (Ctrl-D)."""
        ...


class ScriptLines:
    """Lines from a file; lines starting with # are comments and are skipped silently."""

    def __init__(self, path: str | Path, console: Console) -> None:
        self._lines: Iterator[str] = iter(Path(path).read_text(encoding="utf-8").splitlines())
        self._console = console

    def read(self, prompt: Text) -> str | None:
        for line in self._lines:
            if line.lstrip().startswith("#"):
                continue
            self._console.print(prompt + Text(line), soft_wrap=True)
            return line
        return None


class KeyboardLines:
    """Lines typed at the terminal, with history and line editing where readline exists."""

    def __init__(self, console: Console) -> None:
        self._console = console
        # Importing readline gives input() line editing and history; where it is missing
        # (Windows without pyreadline) plain input still works.
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401

    def read(self, prompt: Text) -> str | None:
        # asyncio.run turns the first Ctrl-C into cancelling the whole demo; while waiting for a
        # line, let it be an ordinary KeyboardInterrupt here instead.
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            return input(_readline_prompt(prompt, self._console))
        except EOFError:
            self._console.print()
            return None
        except KeyboardInterrupt:  # Ctrl-C leaves a form, never the demo by surprise
            self._console.print()
            return CANCEL
        finally:
            signal.signal(signal.SIGINT, previous)


def _readline_prompt(prompt: Text, console: Console) -> str:
    """The prompt as a string for input(): colour codes wrapped in \\001..\\002 so readline
    does not count them as characters and redraws the line in the right place."""
    with console.capture() as capture:
        console.print(prompt, end="")
    ansi = capture.get()
    out = []
    i = 0
    while i < len(ansi):
        if ansi[i] == "\x1b":
            end = ansi.find("m", i)
            if end == -1:
                break
            out.append("\x01" + ansi[i : end + 1] + "\x02")
            i = end + 1
        else:
            out.append(ansi[i])
            i += 1
    return "".join(out)
