"""Messages as terminal text: markdown, links, numbered buttons, and what each number sends."""

from __future__ import annotations

import pytest
from rich.console import Console

from bot.messages import (
    Actions,
    Button,
    Choice,
    ChoiceOption,
    Context,
    Divider,
    Fields,
    Heading,
    Message,
    Paragraph,
)
from handlers.console.markup import to_text
from handlers.console.render import reflow, render_message


@pytest.mark.parametrize(
    ("mrkdwn", "plain", "styled"),
    [
        ("*Bids due* Friday", "Bids due Friday", ("Bids due", "bold")),
        ("an _indicative_ figure", "an indicative figure", ("indicative", "italic")),
        ("use `/dps-update budget`", "use /dps-update budget", ("/dps-update budget", "cyan")),
        ("<https://gov.uk/dps|DPS guidance>", "DPS guidance (https://gov.uk/dps)", None),
        ("<https://gov.uk/dps>", "https://gov.uk/dps", None),
        ("<mailto:vetting@example.org|vetting@example.org>", "vetting@example.org", None),
        ("HMP Styal &amp; HMP Leeds &lt;north&gt;", "HMP Styal & HMP Leeds <north>", None),
        ("2 * 3 * 4 and snake_case_name", "2 * 3 * 4 and snake_case_name", None),
        ("*bold with _italic_ inside*", "bold with italic inside", ("italic", "italic")),
    ],
)
def test_slack_markdown_becomes_styled_text(
    mrkdwn: str, plain: str, styled: tuple[str, str] | None
) -> None:
    text = to_text(mrkdwn)
    assert text.plain == plain
    if styled:
        word, style = styled
        start = text.plain.index(word)
        spans = [s for s in text.spans if s.start <= start and s.end >= start + len(word)]
        assert any(style in str(s.style) for s in spans)


def _shown(message: Message) -> str:
    console = Console(width=100, force_terminal=False, soft_wrap=True)
    with console.capture() as capture:
        for line in render_message(message).lines:
            console.print(line)
    return capture.get()


def test_a_message_reads_well_with_buttons_as_numbered_choices() -> None:
    message = Message(
        text="You're invited",
        blocks=(
            Heading("DPS experience survey"),
            Paragraph("It takes about *10 minutes*."),
            Fields((("Closes", "Fri 11 Dec 2026"),)),
            Context("Anonymous · <https://example.org/privacy|How we use answers>"),
            Divider(),
            Actions(
                (
                    Button("Start", "survey.start", "1", style="primary"),
                    Button("Not now", "survey.later", "1"),
                    Button("Decline", "survey.decline", "1", style="danger"),
                )
            ),
        ),
    )
    assert _shown(message).splitlines() == [
        "DPS experience survey",
        "It takes about 10 minutes.",
        "Closes: Fri 11 Dec 2026",
        "Anonymous · How we use answers (https://example.org/privacy)",
        "─" * 40,
        "[1] Start  [2] Not now  [3] Decline",
    ]


def test_a_message_without_blocks_shows_its_text() -> None:
    assert _shown(Message(text="Saved.")).strip() == "Saved."


def test_long_single_choices_go_one_per_line_like_a_select() -> None:
    options = tuple(ChoiceOption(f"Region {i}", f"r{i}") for i in range(1, 8))
    shown = _shown(Message(text="q", blocks=(Choice("survey.answer", "single", options, "q2"),)))
    assert shown.splitlines()[0] == "[1] Region 1"
    assert shown.splitlines()[6] == "[7] Region 7"


MULTI = Message(
    text="q",
    blocks=(
        Choice(
            "survey.answer",
            "multiple",
            (ChoiceOption("A", "a"), ChoiceOption("B", "b"), ChoiceOption("C", "c")),
            value="inv:q3",
            selected=("b",),
        ),
        Actions((Button("Next", "survey.next", "inv:q3"), Button("Back", "survey.back", "inv:q2"))),
    ),
)


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ([1, 3], ("survey.next", "inv:q3|a,c")),  # ticked options go with the Next button
        ([3, 1, 3], ("survey.next", "inv:q3|c,a")),  # repeats count once, in the order typed
        ([2], ("survey.next", "inv:q3|b")),  # one option alone
        ([4], ("survey.next", "inv:q3|b")),  # Next alone: what was already ticked
        ([5], ("survey.back", "inv:q2")),  # any other button: its own value
    ],
)
def test_numbers_send_what_slack_sends(typed: list[int], sent: tuple[str, str]) -> None:
    resolved = render_message(MULTI).board.press(typed)
    assert not isinstance(resolved, str)
    assert (resolved.action, resolved.value) == sent


def test_a_multiple_choice_without_a_next_button_answers_through_its_own_action() -> None:
    lone = Message(text="q", blocks=(MULTI.blocks[0],))
    resolved = render_message(lone).board.press([1, 2])
    assert not isinstance(resolved, str)
    assert (resolved.action, resolved.value) == ("survey.answer", "inv:q3|a,b")


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ([9], "Please choose a number from 1 to 5."),
        ([0], "Please choose a number from 1 to 5."),
        ([1, 5], "Only options of one question that allows several answers can go together"),
    ],
)
def test_numbers_that_mean_nothing_get_a_sentence(typed: list[int], problem: str) -> None:
    resolved = render_message(MULTI).board.press(typed)
    assert isinstance(resolved, str)
    assert resolved.startswith(problem)


SURVEY_INTRO = """\
We'd like to hear how the HMPPS Dynamic Purchasing System (DPS) for prison education has
worked for your organisation: getting onto the portal, responding to call-outs, costing
your work, and what has helped or got in the way.

It takes about 10 minutes. One response per organisation, please, from whoever knows your
DPS work best. Most questions are multiple choice and you can skip the optional ones."""


def test_hard_wrapped_prose_is_reflowed_keeping_its_paragraphs() -> None:
    assert reflow(SURVEY_INTRO) == (
        "We'd like to hear how the HMPPS Dynamic Purchasing System (DPS) for prison education has "
        "worked for your organisation: getting onto the portal, responding to call-outs, costing "
        "your work, and what has helped or got in the way.\n"
        "\n"
        "It takes about 10 minutes. One response per organisation, please, from whoever knows "
        "your DPS work best. Most questions are multiple choice and you can skip the optional "
        "ones."
    )


@pytest.mark.parametrize(
    "text",
    [
        # A list stays a list, even after a long line that introduces it.
        "HMPPS has confirmed the revised security vetting framework. The main changes are these\n"
        "• one national application route, instead of prison by prison\n"
        "• a target of 30 working days for standard checks",
        "Budgets from the list, as HMPPS gave them to us at the engagement meeting in October\n"
        "- HMP Berwyn: £412,000\n"
        "1. HMP Leeds: £238,000",
        # A sentence's end, a bold title and a short line are the author's own breaks.
        "HMP Leeds wants a creative writing course for 12 learners, one morning a week in March.\n"
        "Up to *£22,000 a year*. Expressions of interest through the DPS portal by 14 December.",
        "*What 'indicative' means for your bid: HMPPS answers and what it means for you*\n"
        "DPS budget · publishes Mon 30 Nov 2026, 10:00",
        "Date: Tuesday 8 December 2026\nTime: 10:00 to 11:30\nWhere: online",
        # A line too long to be hand-wrapped: a digest entry's excerpt.
        "• *Call-out*\n" + "word " * 40 + "and more…\n_Mon 16 Nov 2026 · source_",
    ],
)
def test_deliberate_line_breaks_are_kept(text: str) -> None:
    assert reflow(text) == text


def test_a_survey_intro_renders_as_paragraphs_the_terminal_can_wrap() -> None:
    rendered = render_message(Message(text="intro", blocks=(Paragraph(SURVEY_INTRO),)))

    assert [line.plain[:20] for line in rendered.lines] == [
        "We'd like to hear ho",
        "",
        "It takes about 10 mi",
    ]
    console = Console(width=60, record=True, highlight=False)
    for line in rendered.lines:
        console.print(line)
    widths = [len(line) for line in console.export_text().splitlines() if line]
    assert max(widths) <= 60 and min(widths[:2]) > 45  # wrapped at 60, not at 90 then 30
