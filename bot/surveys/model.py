"""The shape of a survey definition, shared by the loader, the engine, storage and reports.

Frozen dataclasses so a loaded definition can be cached and passed around without copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

QuestionKind = Literal["single_choice", "multiple_choice", "scale", "yes_no", "free_text"]
ResponsePer = Literal["member", "organisation"]

# An answer value as stored (JSON) and as the engine sees it:
#   single_choice -> option value (str); multiple_choice -> list of option values;
#   scale -> int 1..5; yes_no -> "yes" | "no"; free_text -> str.
AnswerValue = str | int | list[str]

DEFAULT_FREE_TEXT_LIMIT = 2000


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    # multiple_choice only: an answer such as "None of these" that contradicts every other
    # option, so it may only be chosen on its own.
    exclusive: bool = False


@dataclass(frozen=True)
class SkipRule:
    """If the answer to the question carrying this rule equals (or, for multiple choice,
    contains) `equals`, the next question is `goto` (a question id, or "end")."""

    equals: str | int
    goto: str


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    text: str
    required: bool = True
    help: str = ""
    options: tuple[Option, ...] = ()
    # scale only: labels for some or all of the points 1..5, e.g. {1: "Very poor", 5: "Very good"}
    scale_labels: tuple[tuple[int, str], ...] = ()
    max_length: int | None = None  # free_text only
    skip: tuple[SkipRule, ...] = ()
    # True for a profile question (organisation type, region) that reports may break down by;
    # such breakdowns are suppressed below the minimum group size.
    breakdown: bool = False
    # Where to go after this question when no skip rule matched (a later question id, or "end");
    # None means the next question in the list. Lets a branch rejoin the main path.
    goto: str | None = None


@dataclass(frozen=True)
class Audience:
    channels: tuple[str, ...] = ()
    users: tuple[str, ...] = ()


@dataclass(frozen=True)
class SurveyDefinition:
    name: str  # slug, unique: "dps-experience"
    title: str
    intro: str
    questions: tuple[Question, ...]
    opens_at: datetime  # timezone-aware
    closes_at: datetime  # internal close: after it, nothing more is saved
    deadline: datetime  # external date the collation is due (shown to members)
    anonymous: bool = True
    audience: Audience = field(default_factory=Audience)
    reminders: tuple[timedelta, ...] = (timedelta(days=7), timedelta(days=1))  # before closes_at
    response_per: ResponsePer = "member"
    results_visible_before_close: bool = False
    min_group_size: int = 5
    source: str = ""  # file the definition came from, for error messages

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)
