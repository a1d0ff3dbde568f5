"""The neutral message model: what the core says, with no idea of Block Kit or Adaptive Cards.

Each platform adapter renders these (Slack blocks, Teams cards, console text). Keeping it small
and declarative is what lets the console demo run the very same conversations as production.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    """Text in Slack-flavoured markdown (*bold*, _italic_, <url|label>)."""

    text: str


@dataclass(frozen=True)
class Fields:
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Context:
    """Small print: dates, sources, hints."""

    text: str


@dataclass(frozen=True)
class Divider:
    pass


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # a stable action id the adapters route on, e.g. "survey.start"
    value: str = ""
    style: Literal["primary", "danger"] | None = None
    url: str | None = None


@dataclass(frozen=True)
class Actions:
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class ChoiceOption:
    label: str
    value: str


@dataclass(frozen=True)
class Choice:
    """A question's input: one of, several of, or free text (rendered per platform)."""

    action: str
    kind: Literal["single", "multiple", "text"]
    options: tuple[ChoiceOption, ...] = ()
    value: str = ""  # routing data, e.g. "invitation:question:version"
    max_length: int | None = None
    placeholder: str = ""
    selected: tuple[str, ...] = ()


Block = Heading | Paragraph | Fields | Context | Divider | Actions | Choice


@dataclass(frozen=True)
class Message:
    """`text` is the plain fallback (notifications, screen readers); blocks are the body."""

    text: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)


def plain(text: str) -> Message:
    return Message(text=text, blocks=(Paragraph(text),))


_BLOCK_TYPES: dict[str, type] = {
    cls.__name__: cls for cls in (Heading, Paragraph, Fields, Context, Divider, Actions, Choice)
}


def to_dict(message: Message) -> dict[str, object]:
    """A JSON-safe form, so a message can wait in the outbox and be rendered when sent."""
    from dataclasses import asdict

    return {
        "text": message.text,
        "blocks": [{"type": type(b).__name__, **asdict(b)} for b in message.blocks],
    }


def from_dict(data: dict[str, object]) -> Message:
    blocks: list[Block] = []
    raw_blocks = data.get("blocks") or []
    assert isinstance(raw_blocks, list)
    for raw in raw_blocks:
        fields = dict(raw)
        cls = _BLOCK_TYPES[fields.pop("type")]
        if cls is Fields:
            fields["pairs"] = tuple(tuple(p) for p in fields["pairs"])
        elif cls is Actions:
            fields["buttons"] = tuple(Button(**b) for b in fields["buttons"])
        elif cls is Choice:
            fields["options"] = tuple(ChoiceOption(**o) for o in fields["options"])
            fields["selected"] = tuple(fields["selected"])
        blocks.append(cls(**fields))
    return Message(text=str(data.get("text", "")), blocks=tuple(blocks))


# What a person is told when something fails on our side: the same words on every platform.
SORRY_NOTHING_SAVED = (
    "Sorry, something went wrong on our side and nothing was saved. Please try again."
)
SORRY_NOTHING_CHANGED = (
    "Sorry, something went wrong on our side and nothing was changed. Please try again."
)
