"""Turn a survey's responses into an anonymised collation: counts, distributions, redacted
free text and small-group-suppressed breakdowns. Pure: no clock, no database, no platform."""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from bot.reports.records import ResponseRecord
from bot.reports.redact import redact_free_text
from bot.surveys.engine import path
from bot.surveys.model import AnswerValue, Option, Question, SurveyDefinition

SCALE_POINTS = (1, 2, 3, 4, 5)
YES_NO_OPTIONS = (Option("yes", "Yes"), Option("no", "No"))
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
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise ValueError("generated_at must be timezone-aware")
    min_size = definition.min_group_size if min_group_size is None else min_group_size
    if min_size < 1:
        raise ValueError("min_group_size must be at least 1")

    count = len(responses)
    totals_only = count < min_size
    warnings: list[str] = []
    if count == 0:
        warnings.append("No responses yet.")
    elif totals_only:
        warnings.append(
            f"Only {count} {_plural(count, 'response was', 'responses were')} received, fewer "
            f"than the minimum group size of {min_size}, so only totals are shown."
        )

    responses, paths = on_path_only(definition, responses)
    questions = tuple(
        _summarise(q, responses, paths, min_size, totals_only) for q in definition.questions
    )
    by_week = () if totals_only else responses_by_week(r.submitted_on for r in responses)
    breakdowns = () if totals_only else _breakdowns(definition, responses, min_size)

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


def on_path_only(
    definition: SurveyDefinition, responses: Sequence[ResponseRecord]
) -> tuple[list[ResponseRecord], list[frozenset[str]]]:
    """Each response with only the answers on its path through the survey, and that path.

    An answer off the path (a branch the respondent later left) is not counted, as the survey
    itself would have dropped it: "how easy was registering?" from the unregistered."""
    paths = [frozenset(path(definition, r.answers)) for r in responses]
    kept = [
        r
        if r.answers.keys() <= on_path
        else ResponseRecord(r.submitted_on, {q: a for q, a in r.answers.items() if q in on_path})
        for r, on_path in zip(responses, paths, strict=True)
    ]
    return kept, paths


@lru_cache(maxsize=1024)
def categories_of(question: Question) -> tuple[tuple[str, str], ...]:
    """The (value, label) pairs a question's answers are counted under."""
    if question.kind == "scale":
        labels = dict(question.scale_labels)
        return tuple(
            (str(p), f"{p} – {labels[p]}" if p in labels else str(p)) for p in SCALE_POINTS
        )
    options = question.options or (YES_NO_OPTIONS if question.kind == "yes_no" else ())
    return tuple((o.value, o.label) for o in options)


def chosen_values(question: Question, answer: AnswerValue | None) -> tuple[str, ...]:
    """The category values an answer counts under; empty when skipped or not valid for the
    question (an answer left over from an earlier version of the survey is not guessed at)."""
    if answer is None:
        return ()
    known = _known_values(question)
    if question.kind == "multiple_choice":
        if not isinstance(answer, list):
            return ()
        # In the survey's option order: the order someone ticked boxes is nobody's business.
        picked = {v for v in answer if isinstance(v, str)}
        return tuple(value for value, _ in categories_of(question) if value in picked)
    if question.kind == "scale":
        if isinstance(answer, bool) or not isinstance(answer, int):
            return ()
        return (str(answer),) if str(answer) in known else ()
    if question.kind in ("single_choice", "yes_no"):
        return (answer,) if isinstance(answer, str) and answer in known else ()
    return ()


@lru_cache(maxsize=1024)
def _known_values(question: Question) -> frozenset[str]:
    return frozenset(value for value, _ in categories_of(question))


def free_text_answer(answer: AnswerValue | None) -> str | None:
    """A non-blank free-text answer, redacted; None when skipped."""
    if not isinstance(answer, str) or not answer.strip():
        return None
    return redact_free_text(answer.strip())


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
    counts = Counter(_iso_week_start(d) for d in days)
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
    question: Question, answered: Sequence[bool], paths: Sequence[frozenset[str]]
) -> tuple[int, int]:
    """(skipped, not asked): an unanswered question on the respondent's path was skipped;
    one that skip logic routed them past was never asked."""
    skipped = not_asked = 0
    for done, on_path in zip(answered, paths, strict=True):
        if done:
            continue
        if question.id in on_path:
            skipped += 1
        else:
            not_asked += 1
    return skipped, not_asked


def _summarise(
    question: Question,
    responses: Sequence[ResponseRecord],
    paths: Sequence[frozenset[str]],
    min_size: int,
    totals_only: bool,
) -> QuestionSummary:
    if question.kind == "free_text":
        given = [free_text_answer(r.answers.get(question.id)) for r in responses]
        texts = [t for t in given if t]
        skipped, not_asked = _unanswered(question, [bool(t) for t in given], paths)
        return QuestionSummary(
            question_id=question.id,
            kind=question.kind,
            text=question.text,
            answered=len(texts),
            skipped=skipped,
            answers=() if totals_only else tuple(sorted(texts, key=stable_order_key)),
            not_asked=not_asked,
        )

    chosen = [chosen_values(question, r.answers.get(question.id)) for r in responses]
    answered = sum(1 for c in chosen if c)
    skipped, not_asked = _unanswered(question, [bool(c) for c in chosen], paths)
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

    counts = Counter(v for c in chosen for v in c)
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


def _breakdowns(
    definition: SurveyDefinition, responses: Sequence[ResponseRecord], min_size: int
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
        _breakdown(by, target, responses, min_size) for by in by_questions for target in targets
    )


def _breakdown(
    by: Question, target: Question, responses: Sequence[ResponseRecord], min_size: int
) -> Breakdown:
    columns = categories_of(target)
    members: dict[str, list[tuple[str, ...]]] = {value: [] for value, _ in categories_of(by)}
    for r in responses:
        answer = chosen_values(target, r.answers.get(target.id))
        if not answer:
            continue
        for group in chosen_values(by, r.answers.get(by.id)):
            members[group].append(answer)

    hidden = suppressed_groups({g: len(m) for g, m in members.items()}, min_size)
    groups: list[BreakdownGroup] = []
    for value, label in categories_of(by):
        answers = members[value]
        if value in hidden:
            cells = tuple(Category(v, lab, None, None) for v, lab in columns)
            groups.append(BreakdownGroup(value, label, None, cells))
            continue
        counts = Counter(v for a in answers for v in a)
        cells = tuple(
            Category(v, lab, counts[v], _percent(counts[v], len(answers))) for v, lab in columns
        )
        mean = (
            statistics.fmean(int(a[0]) for a in answers)
            if target.kind == "scale" and answers
            else None
        )
        groups.append(BreakdownGroup(value, label, len(answers), cells, mean))
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
