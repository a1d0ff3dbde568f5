"""The benchmark code runs (tiny sizes), so it cannot rot; no figures are asserted here."""

from __future__ import annotations

from bench import report_bench
from bench.http_load import percentile


def test_report_bench_runs_on_a_tiny_survey() -> None:
    result = report_bench.run(30)
    assert result["responses"] == 30
    assert result["report_seconds"] > 0 and result["plain_csv_seconds"] > 0


def test_percentile_picks_from_the_sorted_values() -> None:
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(values, 0.5) == 3.0
    assert percentile(values, 0.99) == 5.0
    assert percentile(values, 0.0) == 1.0
