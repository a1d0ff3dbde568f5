"""Export one row per response as CSV for analysts, without anything that points at a person."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from os import PathLike

from bot.reports.collate import (
    categories_of,
    chosen_values,
    free_text_answer,
    on_path_only,
    stable_order_key,
    suppressed_groups,
)
from bot.reports.records import ResponseRecord
from bot.reports.redact import escape_spreadsheet_cell
from bot.surveys.model import Question, SurveyDefinition

WITHHELD = "[withheld]"


def write_responses_csv(
    definition: SurveyDefinition,
    responses: Sequence[ResponseRecord],
    path: str | PathLike[str],
    *,
    min_group_size: int | None = None,
) -> int:
    """Write the responses to `path` and return the number of rows written.

    Anonymity choices, each closing a way to tie a row back to someone:
    - One header row of question ids (stable for scripts; the HTML report has the wording);
      values are option labels, scale points as 1-5, multiple choice joined with "; ".
    - No submission date at all, not even the week: a row's date is a quasi-identifier
      ("she replied the day the survey opened") and the report already charts responses by week.
    - Rows are sorted by a hash of their content, never by submission order.
    - Profile (breakdown) answers given by fewer than the minimum group size are shown as
      [withheld], as is the whole profile of a row whose combination of profile answers is
      that rare; the same rule as the report's breakdowns.
    - Below the minimum group size overall, only the header is written, as the report then
      shows totals only.
    - An answer to a question the respondent's path skipped past is left out, as in the report.
    - Free text is redacted; every cell is escaped against spreadsheet formula injection.
    - UTF-8 with a byte-order mark, so Excel shows accented names of places correctly.
    """
    min_size = definition.min_group_size if min_group_size is None else min_group_size
    questions = definition.questions
    kept, _ = on_path_only(definition, responses)  # as the report counts them
    rows = [] if len(kept) < min_size else _rows(questions, kept, min_size)
    rows.sort(key=lambda row: stable_order_key("\x1f".join(row)))
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow([escape_spreadsheet_cell(q.id) for q in questions])
        writer.writerows([escape_spreadsheet_cell(cell) for cell in row] for row in rows)
    return len(rows)


def _rows(
    questions: Sequence[Question], responses: Sequence[ResponseRecord], min_size: int
) -> list[list[str]]:
    profile = [i for i, q in enumerate(questions) if q.breakdown and q.kind != "free_text"]
    rows = [[_cell(q, r) for q in questions] for r in responses]

    # Rare single answers to a profile question first...
    for i in profile:
        sizes = Counter(cell for row in rows if (cell := row[i]))
        for value, _ in categories_of(questions[i]):
            sizes.setdefault(_label(questions[i], value), 0)
        hidden = suppressed_groups(sizes, min_size)
        for row in rows:
            if row[i] in hidden:
                row[i] = WITHHELD
    # ...then rare combinations of them.
    combos = Counter(tuple(row[i] for i in profile) for row in rows)
    for row in rows:
        if profile and combos[tuple(row[i] for i in profile)] < min_size:
            for i in profile:
                if row[i]:
                    row[i] = WITHHELD
    return rows


def _cell(question: Question, response: ResponseRecord) -> str:
    answer = response.answers.get(question.id)
    if question.kind == "free_text":
        return free_text_answer(answer) or ""
    values = chosen_values(question, answer)
    if question.kind == "scale":
        return values[0] if values else ""
    return "; ".join(_label(question, v) for v in values)


def _label(question: Question, value: str) -> str:
    return dict(categories_of(question)).get(value, value)
