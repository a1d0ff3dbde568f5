"""Export one row per response as CSV for analysts, without anything that points at a person."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from os import PathLike

from bot.reports.answers import AnswerTable, Chosen, categories_of, read_answers
from bot.reports.collate import stable_order_key, suppressed_groups
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
    return write_answers_csv(
        definition, read_answers(definition, responses), path, min_group_size=min_group_size
    )


def write_answers_csv(
    definition: SurveyDefinition,
    table: AnswerTable,
    path: str | PathLike[str],
    *,
    min_group_size: int | None = None,
) -> int:
    """`write_responses_csv` from answers already read, so that the collation can share the
    reading; only answers on each respondent's path were read, as the report counts them."""
    min_size = definition.min_group_size if min_group_size is None else min_group_size
    questions = definition.questions
    rows = [] if len(table) < min_size else _rows(questions, table, min_size)
    rows.sort(key=lambda row: stable_order_key("\x1f".join(row)))
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow([escape_spreadsheet_cell(q.id) for q in questions])
        writer.writerows([escape_spreadsheet_cell(cell) for cell in row] for row in rows)
    return len(rows)


def _rows(
    questions: Sequence[Question], table: AnswerTable, min_size: int
) -> list[tuple[str, ...]]:
    columns = [_column(q, table) for q in questions]
    profile = [i for i, q in enumerate(questions) if q.breakdown and q.kind != "free_text"]

    # Rare single answers to a profile question first...
    for i in profile:
        sizes = Counter(cell for cell in columns[i] if cell)
        for value, _ in categories_of(questions[i]):
            sizes.setdefault(_label(questions[i], value), 0)
        hidden = suppressed_groups(sizes, min_size)
        columns[i] = [WITHHELD if cell in hidden else cell for cell in columns[i]]
    # ...then rare combinations of them.
    if profile:
        combos = list(zip(*(columns[i] for i in profile), strict=True))
        rare = {combo for combo, n in Counter(combos).items() if n < min_size}
        for i in profile:
            columns[i] = [
                WITHHELD if cell and combo in rare else cell
                for cell, combo in zip(columns[i], combos, strict=True)
            ]
    return list(zip(*columns, strict=True))


def _column(question: Question, table: AnswerTable) -> list[str]:
    """One question's cells, a row per response; each distinct answer is written out once."""
    if question.kind == "free_text":
        return [text or "" for text in table.texts[question.id]]
    chosen = table.chosen[question.id]
    cells = {values: _cell(question, values) for values in set(chosen)}
    return [cells[values] for values in chosen]


def _cell(question: Question, values: Chosen) -> str:
    if question.kind == "scale":
        return values[0] if values else ""
    return "; ".join(_label(question, v) for v in values)


def _label(question: Question, value: str) -> str:
    return dict(categories_of(question)).get(value, value)
