"""The engine's pure decisions: answer validation, skip paths, back, progress and display."""

from __future__ import annotations

from typing import Any

import pytest

from bot.surveys.engine import (
    InvalidAnswer,
    answers_on_path,
    first_question_id,
    format_answer,
    is_complete,
    next_question_id,
    path,
    previous_question_id,
    progress,
    validate_answer,
)
from bot.surveys.loader import load_library, load_survey_text
from bot.surveys.model import AnswerValue, Option, Question, SurveyDefinition

LIBRARY = load_library()
DPS = LIBRARY["dps-experience"]
VETTING = LIBRARY["vetting-experience"]

SINGLE = Question(
    id="org",
    kind="single_choice",
    text="Which?",
    options=(
        Option("small-charity", "Small charity (income under £100k)"),
        Option("cic", "Community interest company (CIC)"),
        Option("other", "Other"),
    ),
)
MULTIPLE = Question(
    id="issues",
    kind="multiple_choice",
    text="Which?",
    options=(
        Option("match-funding", "Match funding"),
        Option("cash-flow", "Cash flow, payment in arrears"),
        Option("none", "None of these"),
    ),
)
SCALE = Question(
    id="ease",
    kind="scale",
    text="How easy?",
    scale_labels=((1, "Very difficult"), (4, "Easy"), (5, "Very easy")),
)
YES_NO = Question(id="registered", kind="yes_no", text="Registered?")
FREE = Question(id="notes", kind="free_text", text="Tell us", max_length=2000)
OPTIONAL_FREE = Question(id="more", kind="free_text", text="More?", required=False)
OPTIONAL_SCALE = Question(id="clear", kind="scale", text="Clear?", required=False)


# -- validate_answer --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "raw", "expected"),
    [
        (SINGLE, "cic", "cic"),
        (SINGLE, " cic ", "cic"),
        (SINGLE, "Community interest company (CIC)", "cic"),
        (SINGLE, "community  interest company (cic)", "cic"),
        (SINGLE, "3", "other"),
        (SINGLE, 1, "small-charity"),
        (SINGLE, ["other"], "other"),
        (MULTIPLE, ["cash-flow", "match-funding"], ["match-funding", "cash-flow"]),
        (MULTIPLE, "match-funding, none", ["match-funding", "none"]),
        (MULTIPLE, "1; 3", ["match-funding", "none"]),
        (MULTIPLE, "Cash flow, payment in arrears", ["cash-flow"]),
        (MULTIPLE, ["cash-flow", "Cash flow, payment in arrears", "2"], ["cash-flow"]),
        (MULTIPLE, ("none",), ["none"]),
        (SCALE, 4, 4),
        (SCALE, " 5 ", 5),
        (SCALE, "very difficult", 1),
        (YES_NO, "Yes", "yes"),
        (YES_NO, "y", "yes"),
        (YES_NO, "TRUE", "yes"),
        (YES_NO, True, "yes"),
        (YES_NO, " No ", "no"),
        (YES_NO, "n", "no"),
        (YES_NO, "false", "no"),
        (YES_NO, False, "no"),
        (FREE, "  Too much paperwork.  ", "Too much paperwork."),
        (FREE, "Line one\r\nLine two\tTabbed", "Line one\nLine two\tTabbed"),
        (FREE, "Bell\x07 and null\x00 gone\x1b[31m", "Bell and null gone[31m"),
        (FREE, "é" * 2000, "é" * 2000),
        (OPTIONAL_FREE, "", None),
        (OPTIONAL_FREE, "   \n ", None),
        (OPTIONAL_FREE, None, None),
        (OPTIONAL_SCALE, None, None),
        (
            Question(
                id="m", kind="multiple_choice", text="?", required=False, options=MULTIPLE.options
            ),
            " , ;",
            None,
        ),
        (
            Question(
                id="m", kind="multiple_choice", text="?", required=False, options=MULTIPLE.options
            ),
            [],
            None,
        ),
    ],
)
def test_valid_answers_are_normalised(
    question: Question, raw: Any, expected: AnswerValue | None
) -> None:
    assert validate_answer(question, raw) == expected


@pytest.mark.parametrize(
    ("question", "raw", "message"),
    [
        (SINGLE, "charity", "Please choose one of the options."),
        (SINGLE, "4", "Please choose one of the options."),
        (SINGLE, "0", "Please choose one of the options."),
        (SINGLE, True, "Please choose one of the options."),
        (SINGLE, ["cic", "other"], "Please choose one of the options."),
        (SINGLE, "²", "Please choose one of the options."),
        (SINGLE, None, "This question needs an answer."),
        (SINGLE, "  ", "This question needs an answer."),
        (MULTIPLE, "match-funding, lots", "I didn't recognise “lots”. Please choose from"),
        (MULTIPLE, 7, "Please choose one or more of the options."),
        (MULTIPLE, [], "This question needs an answer."),
        (MULTIPLE, ", ,", "This question needs an answer."),
        (SCALE, 0, "Please pick a number from 1 to 5."),
        (SCALE, 6, "Please pick a number from 1 to 5."),
        (SCALE, "6", "Please pick a number from 1 to 5."),
        (SCALE, "-1", "Please pick a number from 1 to 5."),
        (SCALE, "4.5", "Please pick a number from 1 to 5."),
        (SCALE, 4.0, "Please pick a number from 1 to 5."),
        (SCALE, True, "Please pick a number from 1 to 5."),
        (SCALE, "great", "Please pick a number from 1 to 5."),
        (YES_NO, "maybe", "Please answer yes or no."),
        (YES_NO, 1, "Please answer yes or no."),
        (FREE, "", "This question needs an answer."),
        (FREE, "\x00\x01", "This question needs an answer."),
        (FREE, 42, "Please type your answer as text."),
        (
            FREE,
            "x" * 3412,
            "That answer is 3,412 characters; the limit is 2,000. "
            "Please cut at least 1,412 characters.",
        ),
        (
            Question(id="short", kind="free_text", text="?", max_length=10),
            "eleven char",
            "That answer is 11 characters; the limit is 10. Please cut at least 1 character.",
        ),
        (
            Question(id="default", kind="free_text", text="?"),
            "x" * 2001,
            "the limit is 2,000",
        ),
    ],
)
def test_invalid_answers_get_a_plain_message(question: Question, raw: Any, message: str) -> None:
    with pytest.raises(InvalidAnswer) as info:
        validate_answer(question, raw)
    assert message in info.value.message
    assert str(info.value) == info.value.message


EXCLUSIVE = Question(
    id="issues",
    kind="multiple_choice",
    text="Which?",
    options=(
        Option("match-funding", "Match funding"),
        Option("cash-flow", "Cash flow"),
        Option("none", "None of these", exclusive=True),
        Option("dont-know", "Don't know", exclusive=True),
    ),
)


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        (["match-funding", "none"], "None of these"),
        ("none, cash-flow", "None of these"),
        ("2,3", "None of these"),
        (["dont-know", "match-funding", "cash-flow"], "Don't know"),
        # Two exclusive answers contradict each other too; the first in the survey is named.
        (["dont-know", "none"], "None of these"),
    ],
)
def test_an_exclusive_option_cannot_be_combined(raw: Any, label: str) -> None:
    with pytest.raises(InvalidAnswer) as info:
        validate_answer(EXCLUSIVE, raw)
    assert info.value.message == (
        f"'{label}' can't be combined with other answers. Please choose again."
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["none"], ["none"]),
        ("None of these", ["none"]),
        (["none", "none"], ["none"]),  # the same box twice is still one answer
        (["cash-flow", "match-funding"], ["match-funding", "cash-flow"]),
    ],
)
def test_an_exclusive_option_alone_or_ordinary_ones_together_are_fine(
    raw: Any, expected: list[str]
) -> None:
    assert validate_answer(EXCLUSIVE, raw) == expected


def test_the_shipped_costing_question_refuses_none_with_a_difficulty() -> None:
    costing = DPS.question("costing")
    assert [o.value for o in costing.options if o.exclusive] == ["none"]
    with pytest.raises(InvalidAnswer, match="'None of these' can't be combined"):
        validate_answer(costing, ["cash-flow", "none"])
    assert validate_answer(costing, ["none"]) == ["none"]


def test_control_characters_do_not_count_towards_the_limit() -> None:
    question = Question(id="short", kind="free_text", text="?", max_length=5)
    assert validate_answer(question, "\x00ab\x7fcde\x08") == "abcde"


# -- paths through the shipped DPS survey -------------------------------------------------------

DPS_ALL = [q.id for q in DPS.questions]
REGISTERED_PATH = [
    "org_type", "region", "registered", "portal_ease", "response_time", "costing",
    "specification", "benefits", "disadvantages", "conflicting_messages",
    "conflicting_details", "anything_else",
]  # fmt: skip
NOT_REGISTERED_PATH = [
    "org_type", "region", "registered", "what_stopped_you", "benefits", "disadvantages",
    "conflicting_messages", "conflicting_details", "anything_else",
]  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, REGISTERED_PATH),
        ({"registered": "yes", "conflicting_messages": "yes"}, REGISTERED_PATH),
        ({"registered": "no"}, NOT_REGISTERED_PATH),
        (
            {"registered": "no", "conflicting_messages": "no"},
            [q for q in NOT_REGISTERED_PATH if q != "conflicting_details"],
        ),
        (
            {"registered": "yes", "conflicting_messages": "no"},
            [q for q in REGISTERED_PATH if q != "conflicting_details"],
        ),
    ],
)
def test_dps_paths(answers: dict[str, AnswerValue], expected: list[str]) -> None:
    assert path(DPS, answers) == expected


def test_what_stopped_you_is_never_shown_to_registered_organisations() -> None:
    assert "what_stopped_you" not in path(DPS, {"registered": "yes"})
    assert next_question_id(DPS, "specification", {"registered": "no"}) == "benefits"


@pytest.mark.parametrize(
    ("current", "answers", "expected"),
    [
        ("org_type", {}, "region"),
        ("registered", {"registered": "yes"}, "portal_ease"),
        ("registered", {"registered": "no"}, "what_stopped_you"),
        ("registered", {}, "portal_ease"),  # unanswered: no skip
        ("specification", {}, "benefits"),  # the question's own goto
        ("what_stopped_you", {"registered": "no"}, "benefits"),
        ("conflicting_messages", {"conflicting_messages": "no"}, "anything_else"),
        ("conflicting_messages", {"conflicting_messages": "yes"}, "conflicting_details"),
        ("anything_else", {}, None),
    ],
)
def test_next_question(current: str, answers: dict[str, AnswerValue], expected: str | None) -> None:
    assert next_question_id(DPS, current, answers) == expected


def test_vetting_skips_lived_experience_questions_on_no() -> None:
    no = path(VETTING, {"lived_experience": "no"})
    assert "lived_experience_time" not in no and "panel_or_appeal" not in no
    assert no[-2:] == ["outcome_explained", "what_would_help"]
    assert path(VETTING, {"lived_experience": "yes"}) == [q.id for q in VETTING.questions]


SKIPPY = load_survey_text(
    """
name: skippy
title: Skips
intro: Testing skip rules on every kind.
opens_at: 2026-11-16
closes_at: 2026-12-11
deadline: 2026-12-18
questions:
  - id: pick
    kind: multiple_choice
    text: Pick
    required: false
    options: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}]
    skip: [{equals: b, goto: rate}, {equals: c, goto: end}]
  - {id: middle, kind: yes_no, text: Middle}
  - id: rate
    kind: scale
    text: Rate
    skip: [{equals: 1, goto: last}, {equals: 5, goto: end}]
  - {id: after_rate, kind: free_text, text: Why, required: false}
  - {id: last, kind: free_text, text: Last}
""",
    "skippy.yml",
)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"pick": ["a"]}, ["pick", "middle", "rate", "after_rate", "last"]),
        ({"pick": ["a", "b"]}, ["pick", "rate", "after_rate", "last"]),
        # Rules are tried in order: "b" wins over "c" when both are chosen.
        ({"pick": ["b", "c"]}, ["pick", "rate", "after_rate", "last"]),
        ({"pick": ["c"]}, ["pick"]),
        ({"pick": None}, ["pick", "middle", "rate", "after_rate", "last"]),
        ({"pick": ["b"], "rate": 1}, ["pick", "rate", "last"]),
        ({"pick": ["b"], "rate": 5}, ["pick", "rate"]),
        ({"pick": ["b"], "rate": 3}, ["pick", "rate", "after_rate", "last"]),
    ],
)
def test_skip_rules_on_each_kind(answers: dict[str, Any], expected: list[str]) -> None:
    assert path(SKIPPY, answers) == expected


# -- back, completeness, progress ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "answers", "expected"),
    [
        ("org_type", {}, None),
        ("region", {}, "org_type"),
        ("what_stopped_you", {"registered": "no"}, "registered"),
        ("benefits", {"registered": "no"}, "what_stopped_you"),
        ("benefits", {"registered": "yes"}, "specification"),
        ("anything_else", {"conflicting_messages": "no"}, "conflicting_messages"),
        # Off the path after a change of answer: back to the last path question listed before it.
        ("what_stopped_you", {"registered": "yes"}, "specification"),
        ("conflicting_details", {"conflicting_messages": "no"}, "conflicting_messages"),
    ],
)
def test_previous_question(
    current: str, answers: dict[str, AnswerValue], expected: str | None
) -> None:
    assert previous_question_id(DPS, current, answers) == expected


def full_registered_answers() -> dict[str, AnswerValue | None]:
    return {
        "org_type": "cic",
        "region": "wales",
        "registered": "yes",
        "portal_ease": 2,
        "response_time": "tight",
        "costing": ["match-funding", "cash-flow"],
        "specification": "prison",
        "benefits": None,
        "conflicting_messages": "no",
    }


def test_is_complete_needs_every_required_question_on_the_path() -> None:
    answers = full_registered_answers()
    assert is_complete(DPS, answers)
    answers["conflicting_messages"] = "yes"  # conflicting_details is optional
    assert is_complete(DPS, answers)
    answers["registered"] = "no"  # now what_stopped_you is required and unanswered
    assert not is_complete(DPS, answers)
    answers["what_stopped_you"] = "We didn't know about it."
    assert is_complete(DPS, answers)
    answers["org_type"] = None
    assert not is_complete(DPS, answers)
    assert not is_complete(DPS, {})


def test_answers_on_path_drops_a_branch_no_longer_taken() -> None:
    answers = full_registered_answers() | {"what_stopped_you": "old answer"}
    kept = answers_on_path(DPS, answers)
    assert "what_stopped_you" not in kept
    assert kept["costing"] == ["match-funding", "cash-flow"]
    switched = answers_on_path(DPS, answers | {"registered": "no"})
    assert "portal_ease" not in switched and "costing" not in switched
    assert switched["what_stopped_you"] == "old answer"


@pytest.mark.parametrize(
    ("current", "answers", "expected"),
    [
        ("org_type", {}, (1, 12)),
        ("registered", {}, (3, 12)),
        ("what_stopped_you", {"registered": "no"}, (4, 9)),
        ("anything_else", {"registered": "no", "conflicting_messages": "no"}, (8, 8)),
        ("anything_else", {"conflicting_messages": "no"}, (11, 11)),
        ("what_stopped_you", {"registered": "yes"}, (8, 12)),  # off the path
    ],
)
def test_progress(current: str, answers: dict[str, AnswerValue], expected: tuple[int, int]) -> None:
    assert progress(DPS, current, answers) == expected


def test_first_question_and_unknown_ids() -> None:
    assert first_question_id(DPS) == "org_type"
    assert first_question_id(VETTING) == "org_type"
    with pytest.raises(KeyError):
        next_question_id(DPS, "nope", {})


# -- format_answer -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "value", "expected"),
    [
        (SINGLE, "cic", "Community interest company (CIC)"),
        (SINGLE, "retired-option", "retired-option"),
        (MULTIPLE, ["match-funding", "none"], "Match funding, None of these"),
        (SCALE, 4, "4 – Easy"),
        (SCALE, 3, "3"),
        (YES_NO, "yes", "Yes"),
        (YES_NO, "no", "No"),
        (FREE, "Line one\nLine two", "Line one\nLine two"),
        (OPTIONAL_FREE, None, "Skipped"),
        (MULTIPLE, [], "Skipped"),
    ],
)
def test_format_answer(question: Question, value: AnswerValue | None, expected: str) -> None:
    assert format_answer(question, value) == expected


def test_every_shipped_question_round_trips_through_validate_and_format() -> None:
    """Each option label typed back in is accepted, and shown as that label."""
    surveys: list[SurveyDefinition] = [DPS, VETTING]
    for survey in surveys:
        for question in survey.questions:
            for option in question.options:
                value = validate_answer(question, option.label)
                expected = [option.value] if question.kind == "multiple_choice" else option.value
                assert value == expected
                assert format_answer(question, value) == option.label
            for point, label in question.scale_labels:
                assert validate_answer(question, str(point)) == point
                assert format_answer(question, point) == f"{point} – {label}"
