"""Neutral messages as terminal text, with every button and option given a number.

The numbers are the console's buttons: `board` records, for each number, the action and value
Slack would send for the same click (see handlers/slack/actions/route.py), so choosing `2` here
runs exactly what tapping the second button does in Slack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.text import Text

from bot.messages import (
    Actions,
    Block,
    Choice,
    Context,
    Divider,
    Fields,
    Heading,
    Message,
    Paragraph,
)
from handlers.console.markup import to_text

RULE = "─" * 40
INLINE_LIMIT = 5  # up to this many short choices sit on one line, like Slack's button row
HARD_WRAP_WIDTH = 100  # text whose lines are all this short or shorter may be hard-wrapped
WRAPPED_SHARE = 0.6  # a wrapped line reaches at least this share of the longest line
MIN_WRAPPED = 50  # and is at least this long: nobody hand-wraps at 40 columns
_BULLET = re.compile(r"^\s*(?:[•◦▪‣*-]|\d{1,2}[.)])\s")
_SENTENCE_END = (".", "!", "?", ":", "…")
_LABEL = re.compile(r"^\s*([*_])[^*_]+\1\s*$")  # a wholly bold or italic line: a title


@dataclass(frozen=True)
class Target:
    """One numbered thing to press: a button, or one option of a choice."""

    label: str
    action: str
    value: str  # what the core receives when this is chosen on its own
    group: str | None = None  # the routing of the multiple choice this option belongs to
    option: str = ""


@dataclass(frozen=True)
class MultiChoice:
    """A multiple choice: chosen options go, as `ROUTING|A,B`, to `action` (the choice's Next
    button when it has one, as in Slack, otherwise the choice itself)."""

    routing: str
    action: str
    selected: tuple[str, ...] = ()


@dataclass(frozen=True)
class Press:
    """A press as the core receives it: dispatch_action(action, value); `labels` for the note."""

    action: str
    value: str
    labels: str


@dataclass
class Board:
    """What the numbers mean for one shown message."""

    targets: dict[int, Target] = field(default_factory=dict)
    multis: dict[str, MultiChoice] = field(default_factory=dict)

    def add(self, target: Target) -> int:
        number = len(self.targets) + 1
        self.targets[number] = target
        return number

    def __bool__(self) -> bool:
        return bool(self.targets)

    def press(self, numbers: list[int]) -> Press | str:
        """What pressing these numbers sends (as Slack would), or a sentence saying what is
        wrong with them."""
        highest = len(self.targets)
        if any(n not in self.targets for n in numbers):
            return (
                f"Please choose a number from 1 to {highest}." if highest > 1 else "Please type 1."
            )
        targets: list[Target] = [self.targets[n] for n in numbers]
        labels = ", ".join(t.label for t in targets)
        groups = {t.group for t in targets}
        if len(targets) > 1 and (len(groups) != 1 or None in groups):
            return (
                "Only options of one question that allows several answers can go together, "
                "like 1,3."
            )
        group = targets[0].group
        if group is not None:
            multi = self.multis[group]
            options = ",".join(dict.fromkeys(t.option for t in targets))
            return Press(multi.action, f"{multi.routing}|{options}", labels)
        target = targets[0]
        multi_of_button = self.multis.get(target.value)
        if multi_of_button is not None and multi_of_button.action == target.action:
            # A multiple choice's Next pressed on its own: what is ticked already goes with it.
            ticked = ",".join(multi_of_button.selected)
            return Press(target.action, f"{target.value}|{ticked}", labels)
        return Press(target.action, target.value, labels)


@dataclass(frozen=True)
class Rendered:
    lines: tuple[Text, ...]
    board: Board


def render_message(message: Message) -> Rendered:
    board = Board()
    _plan_multis(message, board)
    lines: list[Text] = []
    for block in message.blocks:
        if isinstance(block, Heading) and lines:
            lines.append(Text())  # a new section: a digest's topic, say
        lines.extend(_block(block, board))
    if not message.blocks:
        lines.append(to_text(message.text))
    return Rendered(tuple(lines), board)


def _plan_multis(message: Message, board: Board) -> None:
    """Find each multiple choice's submit button before numbering, as Slack reads the ticked
    boxes from the message's state when a button whose value is the choice's routing is pressed."""
    buttons = [b for block in message.blocks if isinstance(block, Actions) for b in block.buttons]
    for block in message.blocks:
        if isinstance(block, Choice) and block.kind == "multiple":
            submit = next((b for b in buttons if b.value == block.value and not b.url), None)
            board.multis[block.value] = MultiChoice(
                routing=block.value,
                action=submit.action if submit else block.action,
                selected=block.selected,
            )


def _block(block: Block, board: Board) -> list[Text]:
    if isinstance(block, Heading):
        return [Text(block.text, style="bold magenta")]
    if isinstance(block, Paragraph):
        return list(to_text(reflow(block.text)).split("\n"))
    if isinstance(block, Fields):
        return [to_text(f"*{name}*: {value}") for name, value in block.pairs]
    if isinstance(block, Context):
        return list(to_text(reflow(block.text), base_style="dim").split("\n"))
    if isinstance(block, Divider):
        return [Text(RULE, style="dim")]
    if isinstance(block, Actions):
        return _buttons(block, board)
    return _choice(block, board)


def reflow(text: str) -> str:
    """Join the lines of hard-wrapped prose (a survey's intro from the YAML library, wrapped at
    90 columns) so the terminal wraps it at its own width instead of raggedly.

    Kept as written: blank lines between paragraphs, bullet lines, a line that ends a sentence
    or introduces a list, a bold or italic line (a title), a short line (an address, "Date:
    ..."), and any text with a line too long to have been wrapped by hand (a digest entry).
    """
    lines = text.split("\n")
    longest = max(len(line) for line in lines)
    if longest > HARD_WRAP_WIDTH:
        return text
    out: list[str] = []
    source = ""  # the line as written that `out[-1]` ends with
    for line in lines:
        if (
            source.strip()
            and line.strip()
            and not _BULLET.match(line)
            and not source.rstrip().rstrip("*_~`").endswith(_SENTENCE_END)
            and not _LABEL.match(source)
            and len(source) >= max(WRAPPED_SHARE * longest, MIN_WRAPPED)
        ):
            out[-1] = f"{out[-1].rstrip()} {line.lstrip()}"
        else:
            out.append(line)
        source = line
    return "\n".join(out)


def _numbered(number: int, label: str, chosen: bool = False) -> Text:
    line = Text()
    line.append(f"[{number}]", style="bold cyan")
    line.append(f" {label}", style="bold" if chosen else "")
    if chosen:
        line.append(" ✓", style="green")
    return line


def _row(items: list[Text]) -> list[Text]:
    """Short lists on one line, longer ones one per line."""
    if len(items) <= INLINE_LIMIT and sum(len(i) for i in items) <= 70:
        return [Text("  ").join(items)] if items else []
    return items


def _buttons(block: Actions, board: Board) -> list[Text]:
    items: list[Text] = []
    links: list[Text] = []
    for button in block.buttons:
        if button.url:  # a link: nothing for the bot to do, so no number
            links.append(to_text(f"<{button.url}|{button.label}>"))
            continue
        number = board.add(Target(button.label, button.action, button.value))
        items.append(_numbered(number, button.label))
    return _row(items) + links


def _choice(choice: Choice, board: Board) -> list[Text]:
    if choice.kind == "text":
        label = choice.placeholder or "Type your answer"
        number = board.add(Target(label, choice.action, choice.value))
        return [_numbered(number, label)]
    multiple = choice.kind == "multiple"
    items = []
    for option in choice.options:
        target = Target(
            option.label,
            choice.action,
            f"{choice.value}|{option.value}",
            group=choice.value if multiple else None,
            option=option.value,
        )
        items.append(_numbered(board.add(target), option.label, option.value in choice.selected))
    if multiple:
        hint = Text("Choose all that apply: type the numbers, like 1,3.", style="dim")
        return [*items, hint]
    return _row(items)
