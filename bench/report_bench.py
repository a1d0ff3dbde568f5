"""The anonymised report at scale, against a plain csv.writer dump of the same rows."""

from __future__ import annotations

import csv
import multiprocessing
import random
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.reports import write_report
from bot.reports.records import ResponseRecord
from bot.surveys.loader import load_library
from bot.surveys.model import AnswerValue, Question, SurveyDefinition

FREE_TEXT = [
    "The portal was hard to register on; we needed help from our local network.",
    "Call-outs gave us ten working days, which is not enough for a small charity.",
    "Contact me on 07700 900123 or jo@example.org if you need more.",
    '=HYPERLINK("http://evil") the prison said one thing and HMPPS another.',
    "",
]


def _answer(question: Question, rng: random.Random) -> AnswerValue | None:
    if question.kind in ("single_choice",):
        return rng.choice(question.options).value
    if question.kind == "yes_no":
        return rng.choice(["yes", "no"])
    if question.kind == "multiple_choice":
        return [o.value for o in question.options if rng.random() < 0.3]
    if question.kind == "scale":
        return rng.randint(1, 5)
    text = rng.choice(FREE_TEXT)
    # Unique texts, as real answers are: no cache gets a free ride on repeats.
    return f"{text} (ref {rng.randrange(10**9)})" if text else None


def synthetic_responses(
    definition: SurveyDefinition, count: int, seed: int = 7
) -> list[ResponseRecord]:
    rng = random.Random(seed)
    first = date(2026, 11, 16)
    return [
        ResponseRecord(
            submitted_on=first + timedelta(days=rng.randint(0, 24)),
            answers={q.id: _answer(q, rng) for q in definition.questions},
        )
        for _ in range(count)
    ]


def _measure(work: Callable[[], Any]) -> tuple[float, float]:
    """Seconds of one run, and peak MiB allocated during another, traced run. Tracing every
    allocation slows code down by how much it allocates (the report 3-4x), so the timed run is
    not traced; and each runs in a fresh fork of this process, so that neither finds caches
    the other (or anything run earlier) filled, which would flatter both time and memory."""
    return _in_fork(_seconds, work), _in_fork(_peak_mib, work)


def _seconds(work: Callable[[], Any]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def _peak_mib(work: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()


def _in_fork(measure: Callable[[Callable[[], Any]], float], work: Callable[[], Any]) -> float:
    """`measure(work)` in a forked child (which starts with this process's memory, responses
    included, and leaves nothing behind), its result sent back through a pipe."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=lambda: sender.send(measure(work)))
    child.start()
    sender.close()  # the child's copy stays open until it has sent, or died
    try:
        return float(receiver.recv())  # EOFError if the child died without an answer
    finally:
        child.join()
        receiver.close()


def run(count: int) -> dict[str, Any]:
    definition = load_library()["dps-experience"]
    responses = synthetic_responses(definition, count)
    generated_at = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)

        def ours() -> None:
            write_report(definition, responses, out / "ours", generated_at=generated_at)

        def baseline() -> None:
            with (out / "plain.csv").open("w", newline="") as handle:
                writer = csv.writer(handle)
                ids = [q.id for q in definition.questions]
                writer.writerow(ids)
                for response in responses:
                    writer.writerow([response.answers.get(i) for i in ids])

        base_seconds, base_peak = _measure(baseline)
        our_seconds, our_peak = _measure(ours)
    return {
        "responses": count,
        "report_seconds": our_seconds,
        "report_peak_mib": our_peak,
        "plain_csv_seconds": base_seconds,
        "plain_csv_peak_mib": base_peak,
        "ratio_vs_plain_csv": our_seconds / base_seconds if base_seconds else float("nan"),
    }
