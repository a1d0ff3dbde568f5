"""The loader accepts the shipped surveys and refuses every fault with a one-line message."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.surveys.loader import (
    LIBRARY_DIR,
    SurveyDefinitionError,
    check_survey_file,
    check_survey_text,
    load_directory,
    load_library,
    load_survey_file,
    load_survey_text,
    with_dates,
)
from bot.surveys.model import DEFAULT_FREE_TEXT_LIMIT, Option, SkipRule

LONDON = ZoneInfo("Europe/London")


def base() -> dict[str, Any]:
    """A small valid definition that each fault case breaks in one place."""
    return {
        "name": "test-survey",
        "title": "A test survey",
        "intro": "Thanks for helping.",
        "opens_at": "2026-11-16",
        "closes_at": "2026-12-11 17:00",
        "deadline": "2026-12-18",
        "questions": [
            {
                "id": "q1",
                "kind": "single_choice",
                "text": "Pick one",
                "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                "skip": [{"equals": "b", "goto": "q3"}],
            },
            {"id": "q2", "kind": "yes_no", "text": "Yes or no?"},
            {"id": "q3", "kind": "scale", "text": "How good?", "scale_labels": {1: "Bad"}},
            {"id": "q4", "kind": "free_text", "text": "Tell us", "required": False},
        ],
    }


def load(doc: dict[str, Any], source: str = "t.yml") -> Any:
    return load_survey_text(yaml.safe_dump(doc, allow_unicode=True), source)


def fault_of(doc: dict[str, Any]) -> SurveyDefinitionError:
    with pytest.raises(SurveyDefinitionError) as info:
        load(doc)
    return info.value


# -- the shipped library ----------------------------------------------------------------------


def test_library_loads_both_shipped_surveys() -> None:
    surveys = load_library()
    assert set(surveys) == {"dps-experience", "vetting-experience"}
    for survey in surveys.values():
        assert survey.anonymous is True
        assert survey.reminders == (timedelta(days=7), timedelta(days=1))
        assert survey.opens_at == datetime(2026, 11, 16, tzinfo=LONDON)
        assert survey.closes_at == datetime(2026, 12, 11, 17, 0, tzinfo=LONDON)
        assert survey.deadline.date().isoformat() == "2026-12-18"
        assert survey.opens_at < datetime(2026, 11, 23, tzinfo=LONDON) < survey.closes_at
        assert "anonymous" in survey.intro and "HMPPS" in survey.intro
        assert "minutes" in survey.intro
        breakdowns = [q.id for q in survey.questions if q.breakdown]
        assert breakdowns == ["org_type", "region"]
        assert survey.source == f"{survey.name}.yml"
    assert surveys["dps-experience"].response_per == "organisation"
    assert surveys["vetting-experience"].response_per == "member"


def test_dps_survey_branches_as_the_sector_asked() -> None:
    dps = load_library()["dps-experience"]
    assert dps.question("registered").skip == (SkipRule("no", "what_stopped_you"),)
    assert dps.question("conflicting_messages").skip == (SkipRule("no", "anything_else"),)
    assert dps.question("specification").goto == "benefits"
    assert dict(dps.question("portal_ease").scale_labels)[5] == "Very easy"
    assert len(dps.question("region").options) == 11


def test_shipped_files_parse_with_the_file_loader() -> None:
    for file in sorted(LIBRARY_DIR.glob("*.yml")):
        assert load_survey_file(file).name == file.stem


# -- dates and defaults -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opens_at", "expected"),
    [
        ("2026-11-16", datetime(2026, 11, 16, 0, 0, tzinfo=LONDON)),
        ("2026-06-01", datetime(2026, 6, 1, 0, 0, tzinfo=LONDON)),  # BST, +01:00
        ("2026-11-16T09:30", datetime(2026, 11, 16, 9, 30, tzinfo=LONDON)),
        ("2026-11-16 09:30:00", datetime(2026, 11, 16, 9, 30, tzinfo=LONDON)),
        ("2026-11-16T09:30:00Z", datetime(2026, 11, 16, 9, 30, tzinfo=LONDON)),
        ("2026-06-01T09:30:00+00:00", datetime(2026, 6, 1, 10, 30, tzinfo=LONDON)),
    ],
)
def test_dates_are_read_in_uk_time(opens_at: str, expected: datetime) -> None:
    doc = base()
    doc["opens_at"] = opens_at
    got = load(doc).opens_at
    assert got == expected
    assert got.utcoffset() == expected.utcoffset()


def test_yaml_native_dates_and_end_of_day_for_close_and_deadline() -> None:
    text = yaml.safe_dump(base()).replace("2026-12-11 17:00", "2026-12-11").replace("'", "")
    assert "deadline: 2026-12-18\n" in text  # unquoted, so YAML itself makes a date
    survey = load_survey_text(text, "t.yml")
    assert survey.closes_at == datetime(2026, 12, 11, 23, 59, 59, tzinfo=LONDON)
    assert survey.deadline == datetime(2026, 12, 18, 23, 59, 59, tzinfo=LONDON)


def test_timezone_argument_changes_naive_dates() -> None:
    survey = load_survey_text(yaml.safe_dump(base()), "t.yml", tz="America/New_York")
    assert survey.closes_at.utcoffset() == timedelta(hours=-5)


def test_defaults() -> None:
    survey = load(base())
    assert survey.anonymous is True
    assert survey.response_per == "member"
    assert survey.min_group_size == 5
    assert survey.reminders == (timedelta(days=7), timedelta(days=1))
    assert survey.question("q4").max_length == DEFAULT_FREE_TEXT_LIMIT
    assert survey.question("q1").options == (Option("a", "A"), Option("b", "B"))
    assert survey.question("q3").scale_labels == ((1, "Bad"),)


def test_reminders_parse_and_sort_latest_first() -> None:
    doc = base()
    doc["reminders"] = ["12h", "7d", "2w", "30m"]
    assert load(doc).reminders == (
        timedelta(weeks=2),
        timedelta(days=7),
        timedelta(hours=12),
        timedelta(minutes=30),
    )


def test_unquoted_yes_no_in_skip_rules_is_understood() -> None:
    text = """
name: t
title: T
intro: Hello
opens_at: 2026-11-16
closes_at: 2026-12-11
deadline: 2026-12-18
audience: {channels: [C012AB3CD], users: [U01]}
questions:
  - id: q1
    kind: yes_no
    text: Registered?
    skip: [{equals: no, goto: end}]
  - {id: q2, kind: yes_no, text: "More?"}
"""
    survey = load_survey_text(text, "t.yml")
    assert survey.question("q1").skip == (SkipRule("no", "end"),)
    assert survey.audience.channels == ("C012AB3CD",)


# -- every fault names the file, the question and the fault ------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def q(doc: dict[str, Any], qid: str) -> dict[str, Any]:
    return next(item for item in doc["questions"] if item["id"] == qid)


FAULTS: list[tuple[str, Mutation, str | None, str]] = [
    # survey level
    ("missing name", lambda d: d.pop("name"), None, "missing required survey key 'name'"),
    ("missing deadline", lambda d: d.pop("deadline"), None, "missing required survey key"),
    ("typo key", lambda d: d.update(qestions=[]), None, "did you mean 'questions'"),
    ("bad slug", lambda d: d.update(name="DPS Survey"), None, "must be a slug"),
    ("empty title", lambda d: d.update(title="  "), None, "'title' must not be empty"),
    ("title not text", lambda d: d.update(title=42), None, "'title' must be text, not 42"),
    ("long title", lambda d: d.update(title="x" * 151), None, "the limit is 150"),
    ("bad date", lambda d: d.update(opens_at="16/11/2026"), None, "09:00), not '16/11/2026'"),
    ("list date", lambda d: d.update(opens_at=[1]), None, "must be an ISO 8601 date"),
    ("bad time", lambda d: d.update(closes_at="2026-12-11 25:00"), None, "must be an ISO 8601"),
    (
        "opens after close",
        lambda d: d.update(opens_at="2026-12-12"),
        None,
        "opens_at (2026-12-12 00:00) must be before closes_at",
    ),
    (
        "deadline before close",
        lambda d: d.update(deadline="2026-12-10"),
        None,
        "deadline (2026-12-10 23:59) must not be before closes_at",
    ),
    ("no questions", lambda d: d.update(questions=[]), None, "questions must not be empty"),
    ("questions mapping", lambda d: d.update(questions={}), None, "a list, not a mapping"),
    ("anonymous text", lambda d: d.update(anonymous="yes please"), None, "true or false"),
    ("response_per", lambda d: d.update(response_per="team"), None, "member, organisation"),
    ("group size 1", lambda d: d.update(min_group_size=1), None, "at least 2"),
    ("group size bool", lambda d: d.update(min_group_size=True), None, "at least 2"),
    ("reminder format", lambda d: d.update(reminders=["7 days"]), None, "must look like"),
    ("reminder int", lambda d: d.update(reminders=[7]), None, "reminder 7 must look like"),
    ("reminder zero", lambda d: d.update(reminders=["0d"]), None, "more than zero"),
    ("reminder twice", lambda d: d.update(reminders=["1d", "24h"]), None, "given twice"),
    ("reminder early", lambda d: d.update(reminders=["60d"]), None, "before the survey opens"),
    ("reminders text", lambda d: d.update(reminders="7d"), None, "must be a list"),
    ("audience keys", lambda d: d.update(audience={"channel": ["C1"]}), None, "'channels'"),
    ("audience ids", lambda d: d.update(audience={"users": [1]}), None, "list of names or ids"),
    # question level
    ("question not map", lambda d: d["questions"].append("q5"), None, "question 5 must be a"),
    ("no id", lambda d: q(d, "q2").pop("id"), None, "question 2 needs an 'id'"),
    ("bad id", lambda d: q(d, "q2").update(id="Q 2"), None, "question 2 needs an 'id'"),
    ("end id", lambda d: q(d, "q4").update(id="end"), "end", "'end' is reserved"),
    ("duplicate id", lambda d: q(d, "q4").update(id="q2"), "q2", "used twice (questions 2 and 4)"),
    ("unknown kind", lambda d: q(d, "q2").update(kind="rating"), "q2", "kind 'rating' must be"),
    ("question typo", lambda d: q(d, "q2").update(requird=False), "q2", "did you mean 'required'"),
    ("missing text", lambda d: q(d, "q2").pop("text"), "q2", "missing required question key"),
    ("required text", lambda d: q(d, "q2").update(required="no"), "q2", "true or false"),
    ("options on yes_no", lambda d: q(d, "q2").update(options=[]), "q2", "'options' is not"),
    ("no options", lambda d: q(d, "q1").pop("options"), "q1", "2 to 25 options, not nothing"),
    (
        "one option",
        lambda d: q(d, "q1").update(options=[{"value": "a", "label": "A"}]),
        "q1",
        "needs 2 to 25 options, but has 1",
    ),
    (
        "26 single options",
        lambda d: q(d, "q1").update(
            options=[{"value": f"o{i}", "label": f"O{i}"} for i in range(26)], skip=[]
        ),
        "q1",
        "2 to 25 options, but has 26",
    ),
    (
        "11 checkboxes",
        lambda d: q(d, "q1").update(
            kind="multiple_choice",
            options=[{"value": f"o{i}", "label": f"O{i}"} for i in range(11)],
            skip=[],
        ),
        "q1",
        "2 to 10 options, but has 11",
    ),
    (
        "duplicate option value",
        lambda d: q(d, "q1")["options"].append({"value": "a", "label": "Again"}),
        "q1",
        "option value 'a' is used twice",
    ),
    (
        "duplicate option label",
        lambda d: q(d, "q1")["options"].append({"value": "c", "label": "a"}),
        "q1",
        "option label 'a' is used twice",
    ),
    (
        "option bool value",
        lambda d: q(d, "q1")["options"].append({"value": True, "label": "Yes"}),
        "q1",
        "quote yes/no",
    ),
    (
        "option as text",
        lambda d: q(d, "q1")["options"].append("C"),
        "q1",
        "each option must be a mapping",
    ),
    (
        "option label too long",
        lambda d: q(d, "q1")["options"].append({"value": "c", "label": "x" * 76}),
        "q1",
        "the limit is 75",
    ),
    ("scale key 6", lambda d: q(d, "q3").update(scale_labels={6: "Wow"}), "q3", "key 6 must be"),
    ("scale key 0", lambda d: q(d, "q3").update(scale_labels={0: "No"}), "q3", "from 1 to 5"),
    ("scale key text", lambda d: q(d, "q3").update(scale_labels={"one": "x"}), "q3", "'one'"),
    ("scale labels list", lambda d: q(d, "q3").update(scale_labels=["a"]), "q3", "a mapping"),
    ("scale label empty", lambda d: q(d, "q3").update(scale_labels={2: ""}), "q3", "must be text"),
    ("max_length 0", lambda d: q(d, "q4").update(max_length=0), "q4", "from 1 to 3000, not 0"),
    ("max_length big", lambda d: q(d, "q4").update(max_length=3001), "q4", "not 3001"),
    ("max_length text", lambda d: q(d, "q4").update(max_length="200"), "q4", "not '200'"),
    ("max_length on scale", lambda d: q(d, "q3").update(max_length=5), "q3", "not allowed"),
    ("skip on free text", lambda d: q(d, "q4").update(skip=[]), "q4", "'skip' is not allowed"),
    ("breakdown on free text", lambda d: q(d, "q4").update(breakdown=True), "q4", "not allowed"),
    (
        "skip target missing",
        lambda d: q(d, "q1").update(skip=[{"equals": "a", "goto": "q9"}]),
        "q1",
        "skip target 'q9' does not exist",
    ),
    (
        "skip backwards",
        lambda d: q(d, "q3").update(skip=[{"equals": 1, "goto": "q1"}]),
        "q3",
        "skip target 'q1' must come later",
    ),
    (
        "skip to itself",
        lambda d: q(d, "q2").update(skip=[{"equals": "yes", "goto": "q2"}]),
        "q2",
        "must come later",
    ),
    (
        "goto backwards",
        lambda d: q(d, "q4").update(goto="q2"),
        "q4",
        "goto target 'q2' must come later",
    ),
    ("goto missing", lambda d: q(d, "q2").update(goto="q7"), "q2", "goto target 'q7' does not"),
    (
        "skip equals not an option",
        lambda d: q(d, "q1").update(skip=[{"equals": "z", "goto": "end"}]),
        "q1",
        "skip equals 'z' is not an option value (one of: a, b)",
    ),
    (
        "skip equals maybe",
        lambda d: q(d, "q2").update(skip=[{"equals": "maybe", "goto": "end"}]),
        "q2",
        "must be yes or no",
    ),
    (
        "skip equals 6",
        lambda d: q(d, "q3").update(skip=[{"equals": 6, "goto": "end"}]),
        "q3",
        "skip equals 6 must be a number from 1 to 5",
    ),
    (
        "skip equals text on scale",
        lambda d: q(d, "q3").update(skip=[{"equals": "3", "goto": "end"}]),
        "q3",
        "number from 1 to 5",
    ),
    (
        "skip rule typo",
        lambda d: q(d, "q2").update(skip=[{"equal": "no", "goto": "end"}]),
        "q2",
        "unknown skip rule key 'equal' (did you mean 'equals'?)",
    ),
    (
        "skip rules clash",
        lambda d: q(d, "q2").update(
            skip=[{"equals": "no", "goto": "end"}, {"equals": "no", "goto": "q4"}]
        ),
        "q2",
        "two skip rules match 'no'",
    ),
    ("skip mapping", lambda d: q(d, "q2").update(skip={"equals": "no"}), "q2", "must be a list"),
    (
        "exclusive on single choice",
        lambda d: q(d, "q1")["options"][0].update(exclusive=True),
        "q1",
        "option 'a': 'exclusive' is only allowed on multiple_choice options",
    ),
    (
        "exclusive not a flag",
        lambda d: q(d, "q1").update(
            kind="multiple_choice",
            skip=[],
            options=[{"value": "a", "label": "A"}, {"value": "b", "label": "B", "exclusive": 1}],
        ),
        "q1",
        "'exclusive' must be true or false, not 1",
    ),
    (
        "every option exclusive",
        lambda d: q(d, "q1").update(
            kind="multiple_choice",
            skip=[],
            options=[{"value": v, "label": v, "exclusive": True} for v in ("a", "b")],
        ),
        "q1",
        "every option is exclusive",
    ),
    (
        "exclusive typo",
        lambda d: q(d, "q1")["options"][0].update(exclusiv=True),
        "q1",
        "unknown option key 'exclusiv' (did you mean 'exclusive'?)",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "question_id", "fault"),
    [pytest.param(m, qid, f, id=name) for name, m, qid, f in FAULTS],
)
def test_fault_is_reported_on_one_line(
    mutate: Mutation, question_id: str | None, fault: str
) -> None:
    doc = base()
    load(doc)  # the starting point really is valid
    mutate(doc)
    error = fault_of(doc)
    message = str(error)
    assert error.file == "t.yml"
    assert error.question_id == question_id
    assert fault in error.fault
    prefix = f"t.yml: question '{question_id}': " if question_id else "t.yml: "
    assert message.startswith(prefix)
    assert "\n" not in message


def test_exclusive_options_load_on_multiple_choice() -> None:
    doc = base()
    q(doc, "q1").update(
        kind="multiple_choice",
        options=[
            {"value": "a", "label": "A"},
            {"value": "b", "label": "B"},
            {"value": "none", "label": "None of these", "exclusive": True},
        ],
    )
    question = load(doc).question("q1")
    assert question.options == (
        Option("a", "A"),
        Option("b", "B"),
        Option("none", "None of these", exclusive=True),
    )


def test_shipped_none_of_these_options_are_exclusive() -> None:
    """Every "None of these" / "Don't know" in a multiple-choice question stands alone."""
    for survey in load_library().values():
        for question in survey.questions:
            if question.kind != "multiple_choice":
                continue
            for option in question.options:
                label = option.label.casefold()
                standalone = label.startswith(("none of", "don't know", "not applicable"))
                assert option.exclusive == standalone, (survey.name, question.id, option.value)


def test_every_fault_is_collected_in_one_pass() -> None:
    doc = base()
    doc["title"] = ""
    doc["reminders"] = ["7 days", "0d"]
    q(doc, "q1")["options"].append({"value": "Bad Value", "label": "C"})
    q(doc, "q2").update(kind="rating")
    q(doc, "q3").update(scale_labels={9: "x"}, requird=True)
    q(doc, "q4").update(goto="q1")
    with pytest.raises(SurveyDefinitionError) as info:
        load(doc)
    lines = [str(f) for f in info.value.faults]
    assert lines == [
        "t.yml: 'title' must not be empty",
        't.yml: reminder \'7 days\' must look like "7d", "12h", "2w" or "30m" '
        "(before the survey closes)",
        "t.yml: reminder '0d' must be more than zero",
        "t.yml: question 'q1': option value 'Bad Value' must be lowercase letters, digits, "
        "'_' or '-'",
        "t.yml: question 'q2': kind 'rating' must be one of single_choice, multiple_choice, "
        "scale, yes_no, free_text",
        "t.yml: question 'q3': unknown question key 'requird' (did you mean 'required'?)",
        "t.yml: question 'q3': scale label key 9 must be a number from 1 to 5",
        "t.yml: question 'q4': goto target 'q1' must come later in the list "
        "(loops and backward jumps are not allowed)",
    ]
    # One line for the API's callers: the first fault and how many more.
    assert str(info.value) == "t.yml: 'title' must not be empty (and 7 more)"
    assert info.value.question_id is None and info.value.fault == "'title' must not be empty"


def test_a_faulty_part_does_not_cascade() -> None:
    """A question whose options are faulty is not also blamed for its skip rules, and a
    missing key is reported once, not again as "must be text"."""
    doc = base()
    q(doc, "q1").pop("options")
    doc.pop("title")
    lines = [str(f) for f in fault_of(doc).faults]
    assert lines == [
        "t.yml: missing required survey key 'title'",
        "t.yml: question 'q1': a single_choice question needs a list of 2 to 25 options, "
        "not nothing",
    ]


def test_a_jump_to_a_faulty_question_is_not_a_second_fault() -> None:
    doc = base()
    q(doc, "q3").update(scale_labels={0: "x"})  # q1 skips to q3, which is broken but exists
    assert [f.question_id for f in fault_of(doc).faults] == ["q3"]


def test_check_reports_faults_and_warnings_without_raising(tmp_path: Path) -> None:
    doc = base()
    doc["anonymous"] = False
    file = tmp_path / "test-survey.yml"
    file.write_text(yaml.safe_dump(doc), encoding="utf-8")
    checked = check_survey_file(file)
    assert checked.faults == () and checked.definition is not None
    assert checked.text == file.read_text(encoding="utf-8")
    assert [str(w) for w in checked.warnings] == [
        "test-survey.yml: anonymous is false: answers will be stored with the member; "
        "say so in the intro"
    ]
    doc["min_group_size"] = 1
    broken = check_survey_text(yaml.safe_dump(doc), "t.yml")
    assert broken.definition is None and len(broken.faults) == 1
    assert len(broken.warnings) == 1  # still said, so one run shows everything
    with pytest.raises(SurveyDefinitionError, match="at least 2"):
        broken.usable()


def test_skip_target_message_matches_the_documented_form() -> None:
    doc = base()
    q(doc, "q1")["id"] = "q3x"
    q(doc, "q3")["id"] = "q3"
    q(doc, "q3x").update(skip=[{"equals": "a", "goto": "q9"}])
    with pytest.raises(SurveyDefinitionError) as info:
        load(doc, "dps.yml")
    assert str(info.value) == "dps.yml: question 'q3x': skip target 'q9' does not exist"


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("", "must be a YAML mapping of survey fields, not nothing"),
        ("- just\n- a list\n", "not a list"),
        ("hello", "not 'hello'"),
        ("name: [unclosed", "is not valid YAML"),
        ("a: 1\nb: 2\na: 3\n", "duplicate key 'a' (line 3, column 1)"),
        ("--- 1\n--- 2\n", "is not valid YAML"),
        ("x: !!python/object:os.system {}\n", "is not valid YAML"),
        ("opens_at: 2026-02-30\n", "is not valid YAML"),
        ("[" * 5000, "is not valid YAML"),
    ],
)
def test_text_that_is_not_a_survey(text: str, fault: str) -> None:
    with pytest.raises(SurveyDefinitionError) as info:
        load_survey_text(text, "bad.yml")
    assert fault in str(info.value)
    assert str(info.value).startswith("bad.yml: ")
    assert "\n" not in str(info.value)


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    lines.append("questions: *a8")
    with pytest.raises(SurveyDefinitionError):
        load_survey_text("\n".join(lines), "laughs.yml")


# -- files and directories -------------------------------------------------------------------


def test_file_name_must_match_survey_name(tmp_path: Path) -> None:
    file = tmp_path / "other.yml"
    file.write_text(yaml.safe_dump(base()), encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match=r"^other\.yml: name 'test-survey' does not"):
        load_survey_file(file)


def test_garbage_files_raise_only_definition_errors(tmp_path: Path) -> None:
    rng = random.Random(1234)
    garbage = tmp_path / "garbage.yml"
    garbage.write_bytes(bytes(rng.randrange(256) for _ in range(100 * 1024)))
    with pytest.raises(SurveyDefinitionError, match=r"^garbage\.yml: "):
        load_survey_file(garbage)
    text_garbage = tmp_path / "words.yml"
    text_garbage.write_text(
        "".join(rng.choice("ab:-[]{}&*!|>'\"# \n\t,?%@`") for _ in range(100 * 1024))
    )
    with pytest.raises(SurveyDefinitionError, match=r"^words\.yml: "):
        load_survey_file(text_garbage)
    big = tmp_path / "big.yml"
    big.write_text("# " + "x" * 300_000)
    with pytest.raises(SurveyDefinitionError, match="larger than 256 KB"):
        load_survey_file(big)
    with pytest.raises(SurveyDefinitionError, match=r"^missing\.yml: cannot be read"):
        load_survey_file(tmp_path / "missing.yml")


def test_load_directory(tmp_path: Path) -> None:
    for name in ("one", "two"):
        doc = base()
        doc["name"] = name
        (tmp_path / f"{name}.yml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a survey")
    assert list(load_directory(tmp_path)) == ["one", "two"]

    doc = base()
    doc["name"] = "one"
    (tmp_path / "one.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match="'one' is already used"):
        load_directory(tmp_path)
    with pytest.raises(SurveyDefinitionError, match="is not a directory"):
        load_directory(tmp_path / "nowhere")


# -- nothing but SurveyDefinitionError, whatever the input ------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_arbitrary_text_raises_only_definition_errors(text: str) -> None:
    try:
        load_survey_text(text, "fuzz.yml")
    except SurveyDefinitionError as e:
        assert str(e).startswith("fuzz.yml: ")
        assert "\n" not in str(e)


yaml_junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.dates()
    | st.datetimes(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10) | st.integers(), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


DPS = yaml.safe_load((LIBRARY_DIR / "dps-experience.yml").read_text(encoding="utf-8"))
DPS_PATHS = _paths(DPS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(DPS_PATHS), yaml_junk)
def test_junk_anywhere_in_a_real_survey_raises_only_definition_errors(
    where: tuple[Any, ...], junk: Any
) -> None:
    doc = copy.deepcopy(DPS)
    parent = doc
    for step in where[:-1]:
        parent = parent[step]
    parent[where[-1]] = junk
    try:
        text = yaml.safe_dump(doc, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        return
    try:
        load_survey_text(text, "dps-experience.yml")
    except SurveyDefinitionError as e:
        assert str(e).startswith("dps-experience.yml: ")
        assert "\n" not in str(e)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("one\ntwo\n\nthree\nfour", "one two\n\nthree four"),
        ("Intro:\n- a\n- b\n\nEnd", "Intro:\n- a\n- b\n\nEnd"),
        ("  single line  ", "single line"),
    ],
)
def test_intro_is_reflowed_into_paragraphs(raw: str, expected: str) -> None:
    from bot.surveys.loader import reflow

    assert reflow(raw) == expected


def test_shipped_intros_have_no_hard_wraps_inside_paragraphs() -> None:
    for definition in load_library().values():
        for paragraph in definition.intro.split("\n\n"):
            assert "\n" not in paragraph, paragraph


@pytest.mark.parametrize("name", ["dps-experience", "vetting-experience"])
def test_with_dates_moves_a_shipped_survey_and_changes_nothing_else(name: str) -> None:
    text = (LIBRARY_DIR / f"{name}.yml").read_text(encoding="utf-8")
    shipped = load_survey_text(text, f"{name}.yml")
    later = with_dates(
        text,
        opens_at=date(2031, 3, 3),
        closes_at=datetime(2031, 3, 21, 17, 0, tzinfo=LONDON),
        deadline=date(2031, 3, 28),
    )
    moved = load_survey_text(later, f"{name}.yml")
    # A date means what it means in a file: from the start of the day, to the end of it.
    assert (moved.opens_at, moved.closes_at, moved.deadline) == (
        datetime(2031, 3, 3, 0, 0, tzinfo=LONDON),
        datetime(2031, 3, 21, 17, 0, tzinfo=LONDON),
        datetime(2031, 3, 28, 23, 59, 59, tzinfo=LONDON),
    )
    same_dates = {"opens_at": shipped.opens_at, "closes_at": shipped.closes_at}
    assert replace(moved, **same_dates, deadline=shipped.deadline) == shipped


def test_with_dates_refuses_what_is_not_a_definition() -> None:
    when = {"opens_at": date(2031, 3, 3), "closes_at": date(2031, 3, 21)}
    with pytest.raises(SurveyDefinitionError, match="must be a YAML mapping"):
        with_dates("- a list", **when, deadline=date(2031, 3, 28), source="t.yml")
    with pytest.raises(SurveyDefinitionError, match="is not valid YAML"):
        with_dates("name: [", **when, deadline=date(2031, 3, 28), source="t.yml")
