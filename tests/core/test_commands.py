"""The /dps-update grammar, as every platform parses it."""

from __future__ import annotations

import pytest

from bot.commands import MAX_INPUT, ParsedCommand, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ParsedCommand("latest")),
        ("   ", ParsedCommand("latest")),
        ("budget", ParsedCommand("latest", ("budget",))),
        ("VETTING", ParsedCommand("latest", ("VETTING",))),
        ("help", ParsedCommand("help")),
        ("HELP", ParsedCommand("help")),
        ("?", ParsedCommand("help")),
        ("subscribe vetting", ParsedCommand("subscribe", ("vetting",), "vetting")),
        ("follow budget", ParsedCommand("subscribe", ("budget",), "budget")),
        (
            "survey open dps-experience",
            ParsedCommand("survey", ("open", "dps-experience"), "open dps-experience"),
        ),
        (
            "report HMP X said  two things",
            ParsedCommand(
                "report", ("HMP", "X", "said", "two", "things"), "HMP X said  two things"
            ),
        ),
        ("bud\x00get\x07", ParsedCommand("latest", ("budget",))),
    ],
)
def test_parse(text: str, expected: ParsedCommand) -> None:
    assert parse(text) == expected


def test_overlong_input_is_not_a_command() -> None:
    assert parse("x" * (MAX_INPUT + 1)).name == "too-long"
