"""Read every response's answers once, into one column per question, for the collation and the
CSV to count from: which questions were on the respondent's path, which categories each answer
counts under, and each free-text answer redacted. Reading is most of a report's work, so it is
done once per report, column by column, with each question's lookups built once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bot.reports.records import ResponseRecord
from bot.reports.redact import redact_free_text
from bot.surveys.engine import Answers, branches_taken, path
from bot.surveys.model import AnswerValue, Option, Question, SurveyDefinition

SCALE_POINTS = (1, 2, 3, 4, 5)
YES_NO_OPTIONS = (Option("yes", "Yes"), Option("no", "No"))

Chosen = tuple[str, ...]  # the category values one answer counts under; () when none


@dataclass(frozen=True)
class AnswerTable:
    """Responses as columns: entry i of every list belongs to response i. Only answers on the
    respondent's path are read; an answer off it (a branch they later left) counts as absent."""

    days: list[date]  # submitted_on
    paths: list[frozenset[str]]  # question ids on each response's path
    chosen: dict[str, list[Chosen]]  # choice and scale questions, by question id
    texts: dict[str, list[str | None]]  # free-text questions: redacted, None when not given

    def __len__(self) -> int:
        return len(self.days)


def read_answers(definition: SurveyDefinition, responses: Sequence[ResponseRecord]) -> AnswerTable:
    """Read `responses` against `definition` into an AnswerTable."""
    answers = [r.answers for r in responses]
    paths = _paths(definition, answers)
    chosen: dict[str, list[Chosen]] = {}
    texts: dict[str, list[str | None]] = {}
    for q in definition.questions:
        qid = q.id
        given = [a.get(qid) if qid in p else None for a, p in zip(answers, paths, strict=True)]
        if q.kind == "free_text":
            texts[qid] = _read_free_text(given)
        else:
            read = _choice_reader(q)
            chosen[qid] = [read(a) for a in given]
    return AnswerTable([r.submitted_on for r in responses], paths, chosen, texts)


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


def _paths(definition: SurveyDefinition, answers: Sequence[Answers]) -> list[frozenset[str]]:
    """Each response's path, worked out once per distinct set of branches taken (a survey has
    a handful of paths, however many responses), and shared between the responses on it."""
    known: dict[tuple[int, ...], frozenset[str]] = {}
    paths = []
    for a in answers:
        key = branches_taken(definition, a)
        on_path = known.get(key)
        if on_path is None:
            on_path = known[key] = frozenset(path(definition, a))
        paths.append(on_path)
    return paths


@lru_cache(maxsize=1024)
def _choice_reader(question: Question) -> Callable[[AnswerValue | None], Chosen]:
    """A function from an answer to the categories it counts under, with the question's
    lookups built once; equal results are one shared tuple, so a column costs little memory."""
    known = {value: (value,) for value, _ in categories_of(question)}
    kind = question.kind
    if kind in ("single_choice", "yes_no"):

        def read_one(answer: AnswerValue | None) -> Chosen:
            return known.get(answer, ()) if isinstance(answer, str) else ()

        return read_one
    if kind == "scale":

        def read_point(answer: AnswerValue | None) -> Chosen:
            if isinstance(answer, bool) or not isinstance(answer, int):
                return ()
            return known.get(str(answer), ())

        return read_point
    if kind == "multiple_choice":
        order = tuple(known)
        shared: dict[Chosen, Chosen] = {}

        def read_many(answer: AnswerValue | None) -> Chosen:
            if not isinstance(answer, list):
                return ()
            # In the survey's option order: the order someone ticked boxes is nobody's business.
            picked = {v for v in answer if isinstance(v, str)}
            values = tuple(value for value in order if value in picked)
            return shared.setdefault(values, values)

        return read_many
    return lambda answer: ()


def _read_free_text(given: list[AnswerValue | None]) -> list[str | None]:
    """One question's free-text answers, redacted; an answer given more than once (a plain
    "No", "N/A") is redacted once."""
    redacted: dict[str, str] = {}
    column: list[str | None] = []
    for answer in given:
        if not isinstance(answer, str) or not (text := answer.strip()):
            column.append(None)
            continue
        done = redacted.get(text)
        if done is None:
            done = redacted[text] = redact_free_text(text)
        column.append(done)
    return column
