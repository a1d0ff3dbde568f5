"""Slack-flavoured text and neutral blocks become what a Teams card renders."""

from __future__ import annotations

import pytest

from bot.messages import Context, Divider, Fields, Heading, Message, Paragraph
from handlers.teams.cards import plain_text, render_card, teams_markdown


@pytest.mark.parametrize(
    ("slack", "teams"),
    [
        ("*Deadline* is _Friday_", "**Deadline** is _Friday_"),
        (
            "See <https://example.org/dps|the DPS portal>",
            "See [the DPS portal](https://example.org/dps)",
        ),
        ("<https://example.org>", "[https://example.org](https://example.org)"),
        ("Type `/dps-update help`", "Type `dps-update help`"),
        ("A &amp; B &lt;3", "A & B <3"),
        ("line one\nline two", "line one\n\nline two"),
        ("2 * 3 * 4", "2 * 3 * 4"),
    ],
)
def test_markdown(slack: str, teams: str) -> None:
    assert teams_markdown(slack) == teams


def test_plain_fallback_has_no_markup() -> None:
    assert plain_text("*New*: <https://x.org|budgets>") == "New: budgets (https://x.org)"


def test_blocks_map_to_card_elements() -> None:
    card = render_card(
        Message(
            "m",
            (
                Heading("Weekly digest"),
                Fields((("Closes", "Fri 11 Dec 2026"),)),
                Divider(),
                Context("Source: HMPPS"),
            ),
        )
    )
    heading, facts, divider, context = card["body"]
    assert (heading["size"], heading["weight"]) == ("Large", "Bolder")
    assert facts == {"type": "FactSet", "facts": [{"title": "Closes", "value": "Fri 11 Dec 2026"}]}
    assert divider["separator"] is True
    assert context["isSubtle"] is True and context["size"] == "Small"
    assert card["version"] == "1.5"


def test_a_huge_message_is_cut_with_a_note_rather_than_refused() -> None:
    card = render_card(Message("m", tuple(Paragraph("x" * 1000) for _ in range(100))))
    assert card["body"][-1]["text"] == "…more not shown."
    assert len(str(card)) < 25_000
