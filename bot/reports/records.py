"""What a report is built from: one submitted response, stripped of who sent it and when exactly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from bot.surveys.model import AnswerValue


@dataclass(frozen=True)
class ResponseRecord:
    """One completed response: the day it was submitted and the answers by question id.

    There is deliberately no respondent field; a report cannot name anyone it was never given.
    A skipped question is absent from `answers` or maps to None.
    """

    submitted_on: date
    answers: Mapping[str, AnswerValue | None]

    def __post_init__(self) -> None:
        # A datetime is a date subclass; keep only the day so a time of day never reaches a report.
        if isinstance(self.submitted_on, datetime):
            object.__setattr__(self, "submitted_on", self.submitted_on.date())
        # Copy and freeze so a record can't change under a collation that has read it.
        object.__setattr__(self, "answers", MappingProxyType(dict(self.answers)))
