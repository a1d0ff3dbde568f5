"""Turn a survey's responses into an anonymised collation: counts, distributions, redacted
free text and small-group-suppressed breakdowns. Pure: no clock, no database, no platform."""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.reports.answers import (
    AnswerTable,
    Chosen,
    categories_of,
    read_answers,
)
from bot.reports.records import ResponseRecord
from bot.surveys.model import Question, SurveyDefinition

CHOICE_KINDS = frozenset({"single_choice", "multiple_choice", "yes_no"})
BREAKDOWN_KINDS = frozenset({"single_choice", "multiple_choice", "yes_no", "scale"})


@dataclass(frozen=True)
class Category:
    """One bar of a chart or one column of a breakdown: an option, or a point on a scale.
    `count` is None when the figure is suppressed."""

    value: str
    label: str
    count: int | None
    percent: float | None  # of those who answered the question (or of the group)

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class QuestionSummary:
    """The overall result of one question. `categories` is empty for free text and in a
    totals-only report; `answers` holds redacted free text in an order unrelated to submission.

    Every response is counted once as `answered`, `skipped` (asked, left empty) or `not_asked`
    (earlier answers routed the respondent past it): a low answer count from skip logic is
    not people declining to answer, and HMPPS should not read it so."""

    question_id: str
    kind: str
    text: str
    answered: int
    skipped: int
    categories: tuple[Category, ...] = ()
    mean: float | None = None  # scale only
    median: float | None = None  # scale only
    answers: tuple[str, ...] = ()  # free text only
    suppressed_any: bool = False  # a profile question with a category under the minimum
    not_asked: int = 0

    @property
    def asked(self) -> int:
        return self.answered + self.skipped


@dataclass(frozen=True)
class WeekCount:
    week: str  # ISO week, "2026-W48"
    count: int


@dataclass(frozen=True)
class BreakdownGroup:
    """One row of a breakdown: respondents who gave one answer to the profile question."""

    value: str
    label: str
    size: int | None  # None when suppressed
    cells: tuple[Category, ...]
    mean: float | None = None  # scale questions only

    @property
    def suppressed(self) -> bool:
        return self.size is None


@dataclass(frozen=True)
class Breakdown:
    """A cross-tab of one question by one profile question."""

    by_question_id: str
    by_text: str
    question_id: str
    question_text: str
    kind: str
    columns: tuple[tuple[str, str], ...]  # (value, label) of each cell, in order
    groups: tuple[BreakdownGroup, ...]

    @property
    def suppressed_count(self) -> int:
        return sum(g.suppressed for g in self.groups)


@dataclass(frozen=True)
class Collation:
    survey_name: str
    title: str
    generated_at: datetime
    response_count: int
    min_group_size: int
    totals_only: bool
    questions: tuple[QuestionSummary, ...]
    responses_by_week: tuple[WeekCount, ...]
    breakdowns: tuple[Breakdown, ...]
    warnings: tuple[str, ...]
    rules_applied: tuple[str, ...]


def collate(
    definition: SurveyDefinition,
    responses: Sequence[ResponseRecord],
    *,
    generated_at: datetime,
    min_group_size: int | None = None,
) -> Collation:
    """Collate `responses` to `definition`, applying the minimum group size (the survey's own
    unless overridden). `generated_at` is passed in so the result depends on nothing else."""
    return collate_answers(
        definition,
        read_answers(definition, responses),
        generated_at=generated_at,
        min_group_size=min_group_size,
    )


def collate_answers(
    definition: SurveyDefinition,
    table: AnswerTable,
    *,
    generated_at: datetime,
    min_group_size: int | None = None,
) -> Collation:
    """`collate` from answers already read, so that the CSV can share the reading."""
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise ValueError("generated_at must be timezone-aware")
    min_size = definition.min_group_size if min_group_size is None else min_group_size
    if min_size < 1:
        raise ValueError("min_group_size must be at least 1")

    count = len(table)
    totals_only = count < min_size
    warnings: list[str] = []
    if count == 0:
        warnings.append("No responses yet.")
    elif totals_only:
        warnings.append(
            f"Only {count} {_plural(count, 'response was', 'responses were')} received, fewer "
            f"than the minimum group size of {min_size}, so only totals are shown."
        )

    questions = tuple(_summarise(q, table, min_size, totals_only) for q in definition.questions)
    by_week = () if totals_only else responses_by_week(table.days)
    breakdowns = () if totals_only else _breakdowns(definition, table, min_size)

    return Collation(
        survey_name=definition.name,
        title=definition.title,
        generated_at=generated_at,
        response_count=count,
        min_group_size=min_size,
        totals_only=totals_only,
        questions=questions,
        responses_by_week=by_week,
        breakdowns=breakdowns,
        warnings=tuple(warnings),
        rules_applied=_rules(definition, min_size, totals_only),
    )


def suppressed_groups(sizes: Mapping[str, int], min_size: int) -> frozenset[str]:
    """Groups to hide: every group under `min_size` (primary), and, when exactly one non-empty
    group is hidden, the next smallest as well (secondary), so the hidden one can't be worked
    out by subtracting the others from a total."""
    primary = {g for g, n in sizes.items() if n < min_size}
    if min_size <= 1:
        return frozenset(primary)
    if sum(1 for g in primary if sizes[g] > 0) == 1:
        shown = sorted((n, g) for g, n in sizes.items() if g not in primary)
        if shown:
            primary.add(shown[0][1])
    return frozenset(primary)


def responses_by_week(days: Iterable[date]) -> tuple[WeekCount, ...]:
    """Count per ISO week, including empty weeks between the first and last, so a chart's
    gaps are real gaps."""
    counts: Counter[date] = Counter()
    for day, n in Counter(days).items():  # a few dozen distinct days, however many responses
        counts[_iso_week_start(day)] += n
    if not counts:
        return ()
    first, last = min(counts), max(counts)
    weeks: list[WeekCount] = []
    monday = first
    while monday <= last:
        weeks.append(WeekCount(iso_week(monday), counts.get(monday, 0)))
        monday = date.fromordinal(monday.toordinal() + 7)
    return tuple(weeks)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def stable_order_key(text: str) -> str:
    """A key that orders items neither by submission nor alphabetically, yet the same way
    every time, so a reader can't match an answer to who sent it first or last."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _iso_week_start(day: date) -> date:
    return date.fromordinal(day.toordinal() - day.weekday())


def _unanswered(
    question: Question, answered: Sequence[bool], table: AnswerTable
) -> tuple[int, int]:
    """(skipped, not asked): an unanswered question on the respondent's path was skipped;
    one that skip logic routed them past was never asked."""
    qid = question.id
    pairs = zip(answered, table.paths, strict=True)
    skipped = sum(1 for done, on_path in pairs if not done and qid in on_path)
    return skipped, len(answered) - sum(answered) - skipped


def _summarise(
    question: Question, table: AnswerTable, min_size: int, totals_only: bool
) -> QuestionSummary:
    if question.kind == "free_text":
        given = table.texts[question.id]
        texts = [t for t in given if t]
        skipped, not_asked = _unanswered(question, [bool(t) for t in given], table)
        return QuestionSummary(
            question_id=question.id,
            kind=question.kind,
            text=question.text,
            answered=len(texts),
            skipped=skipped,
            answers=() if totals_only else tuple(sorted(texts, key=stable_order_key)),
            not_asked=not_asked,
        )

    chosen = table.chosen[question.id]
    answered = len(chosen) - chosen.count(())
    skipped, not_asked = _unanswered(question, [bool(c) for c in chosen], table)
    summary = QuestionSummary(
        question_id=question.id,
        kind=question.kind,
        text=question.text,
        answered=answered,
        skipped=skipped,
        not_asked=not_asked,
    )
    if totals_only:
        return summary

    counts = _value_counts(Counter(chosen))
    # A profile question's counts are group sizes: hide small ones, as the breakdowns do.
    hidden = (
        suppressed_groups({v: counts[v] for v, _ in categories_of(question)}, min_size)
        if question.breakdown
        else frozenset()
    )
    categories = tuple(
        Category(value, label, None, None)
        if value in hidden
        else Category(value, label, counts[value], _percent(counts[value], answered))
        for value, label in categories_of(question)
    )
    mean = median = None
    if question.kind == "scale" and answered and not hidden:
        points = [int(c[0]) for c in chosen if c]
        mean, median = statistics.fmean(points), float(statistics.median(points))
    return QuestionSummary(
        question_id=question.id,
        kind=question.kind,
        text=question.text,
        answered=answered,
        skipped=skipped,
        categories=categories,
        mean=mean,
        median=median,
        suppressed_any=bool(hidden),
        not_asked=not_asked,
    )


def _value_counts(answers: Counter[Chosen]) -> Counter[str]:
    """How many answers count under each value, from how many times each answer was given."""
    counts: Counter[str] = Counter()
    for values, n in answers.items():
        for v in values:
            counts[v] += n
    return counts


def _breakdowns(
    definition: SurveyDefinition, table: AnswerTable, min_size: int
) -> tuple[Breakdown, ...]:
    # Profile questions are not crossed with each other: combining region and organisation
    # type is exactly what narrows a group down to one organisation.
    by_questions = [q for q in definition.questions if q.breakdown and q.kind in BREAKDOWN_KINDS]
    targets = [
        q
        for q in definition.questions
        if not q.breakdown and (q.kind in CHOICE_KINDS or q.kind == "scale")
    ]
    return tuple(
        _breakdown(by, target, table, min_size) for by in by_questions for target in targets
    )


def _breakdown(by: Question, target: Question, table: AnswerTable, min_size: int) -> Breakdown:
    columns = categories_of(target)
    # Per group, the answers to the target of those in it who answered, and how often each.
    members: dict[str, Counter[Chosen]] = {value: Counter() for value, _ in categories_of(by)}
    pairs = Counter(zip(table.chosen[by.id], table.chosen[target.id], strict=True))
    for (in_groups, answer), n in pairs.items():
        if answer:
            for group in in_groups:
                members[group][answer] += n

    sizes = {g: m.total() for g, m in members.items()}
    hidden = suppressed_groups(sizes, min_size)
    groups: list[BreakdownGroup] = []
    for value, label in categories_of(by):
        answers, size = members[value], sizes[value]
        if value in hidden:
            cells = tuple(Category(v, lab, None, None) for v, lab in columns)
            groups.append(BreakdownGroup(value, label, None, cells))
            continue
        counts = _value_counts(answers)
        cells = tuple(Category(v, lab, counts[v], _percent(counts[v], size)) for v, lab in columns)
        mean = (
            statistics.fmean([int(a[0]) for a in answers], list(answers.values()))
            if target.kind == "scale" and answers
            else None
        )
        groups.append(BreakdownGroup(value, label, size, cells, mean))
    return Breakdown(
        by_question_id=by.id,
        by_text=by.text,
        question_id=target.id,
        question_text=target.text,
        kind=target.kind,
        columns=columns,
        groups=tuple(groups),
    )


def _rules(definition: SurveyDefinition, min_size: int, totals_only: bool) -> tuple[str, ...]:
    rules = [
        "Responses are anonymous: this report does not say who answered, by name, user id "
        "or organisation."
        if definition.anonymous
        else "This survey was not anonymous, but this report does not say who answered, by "
        "name or user id.",
        "Submission dates are reduced to the ISO week; no times are kept.",
        "Percentages are of those who answered each question; skipped answers are not counted.",
    ]
    if any(q.skip or q.goto for q in definition.questions):
        rules.append(
            "“Not asked” counts respondents whose earlier answers took them past a question; "
            "“skipped” counts those who were asked an optional question and left it empty."
        )
    if totals_only:
        rules.append(
            f"Fewer responses than the minimum group size ({min_size}) were received, so only "
            "the number of responses and of answers to each question are shown."
        )
    elif min_size > 1:
        rules += [
            f"Minimum group size {min_size}: no group of fewer than {min_size} respondents is "
            "shown, in a breakdown or in the answers to a profile question; it is marked "
            "“hidden”.",
            "Where only one group would be hidden, the next smallest is hidden too, so a hidden "
            "figure can't be worked out from the totals.",
        ]
    else:
        rules.append("No minimum group size was applied: every figure is shown.")
    if sum(q.breakdown for q in definition.questions) > 1:
        rules.append(
            "Profile questions are not cross-tabulated with each other, as combining them "
            "could single out one organisation."
        )
    if any(q.kind == "free_text" for q in definition.questions):
        rules.append(
            "Free-text answers had email addresses, phone numbers, @mentions, link parameters, "
            "prison numbers, National Insurance numbers and the personal names we could spot "
            "removed, and are listed in an order unrelated to when they were sent. Spotting "
            "names is not perfect: please check the answers before sharing this report."
            if not totals_only
            else "Free-text answers are not shown."
        )
    return tuple(rules)


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many
