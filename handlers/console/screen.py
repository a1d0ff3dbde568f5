"""The terminal as the demo's chat window: prints messages with who sees them and where, and
remembers, per conversation, which numbered buttons are on show.

Slack shows each person their own replies ("only you can see this") and everyone the channel's
posts; the console has one window, so it labels each message instead, and a number typed later
refers to the newest message with buttons that the current person could see where they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from rich.console import Console
from rich.text import Text

from bot.messages import Message
from handlers.console.render import Board, render_message


@dataclass(frozen=True)
class BoardKey:
    """Where a shown message lives: a conversation, and the one person who sees it (for a
    private reply) or None (a post everyone there sees)."""

    channel_id: str
    viewer: str | None


@dataclass(frozen=True)
class Shown:
    key: BoardKey
    message: Message
    board: Board
    order: int


class Screen:
    def __init__(self, console: Console) -> None:
        self.console = console
        self._boards: dict[BoardKey, Shown] = {}
        self._order = count(1)

    def show(self, message: Message, key: BoardKey, header: str, *, replaces: bool = False) -> None:
        """Print a message under a header line, and remember its buttons. `replaces`: it is the
        new form of the message whose buttons were just used (as Slack updates it in place)."""
        rendered = render_message(message)
        self.console.print()
        self.console.print(Text(header, style="bold green"))
        for line in rendered.lines:
            self.console.print(line)
        if rendered.board:
            self._boards[key] = Shown(key, message, rendered.board, next(self._order))
        elif replaces:
            self._boards.pop(key, None)  # the buttons were answered and are gone

    def latest(self, channel_id: str, user_id: str) -> Shown | None:
        """The newest message with buttons that this person can see in this conversation."""
        candidates = [
            shown
            for key, shown in self._boards.items()
            if key.channel_id == channel_id and key.viewer in (None, user_id)
        ]
        return max(candidates, key=lambda s: s.order, default=None)

    def note(self, text: str) -> None:
        """Something the demo itself says (not the bot)."""
        self.console.print(Text(text, style="italic dim"))

    def problem(self, text: str) -> None:
        self.console.print(Text(text, style="yellow"))
