"""Anonymised reports of a survey: a collation, a CSV of responses and a self-contained HTML page.

Everything here is a function of a survey definition and its responses; nothing reads the
database, the clock or a chat platform, so a report can be rebuilt and tested anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.reports.answers import read_answers
from bot.reports.collate import Collation, collate, collate_answers
from bot.reports.csv_export import write_answers_csv, write_responses_csv
from bot.reports.html_report import render_html_report
from bot.reports.records import ResponseRecord
from bot.reports.redact import escape_spreadsheet_cell, redact_free_text
from bot.surveys.model import SurveyDefinition

__all__ = [
    "Collation",
    "ReportFiles",
    "ResponseRecord",
    "collate",
    "escape_spreadsheet_cell",
    "redact_free_text",
    "render_html_report",
    "write_report",
    "write_responses_csv",
]


@dataclass(frozen=True)
class ReportFiles:
    csv_path: Path
    html_path: Path
    response_count: int


def write_report(
    definition: SurveyDefinition,
    responses: Sequence[ResponseRecord],
    out_dir: str | Path,
    *,
    generated_at: datetime,
    min_group_size: int | None = None,
    closed_at: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> ReportFiles:
    """Write `responses.csv` and `report.html` into `out_dir` (created if missing), both
    under the same minimum group size, and return where they went. `closed_at` (when the run
    really closed) and `zone` (the network's) only change how dates read in the HTML."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = read_answers(definition, responses)  # once, for both files
    collation = collate_answers(
        definition, table, generated_at=generated_at, min_group_size=min_group_size
    )
    csv_path = out / "responses.csv"
    html_path = out / "report.html"
    write_answers_csv(definition, table, csv_path, min_group_size=collation.min_group_size)
    html = render_html_report(collation, definition, closed_at=closed_at, zone=zone)
    html_path.write_text(html, encoding="utf-8")
    return ReportFiles(csv_path, html_path, collation.response_count)
