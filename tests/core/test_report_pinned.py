"""The report's exact bytes for a fixed set of responses, so that a change made for speed (or any
other reason that should not alter what a report says) provably changes nothing.

The inputs are awkward on purpose: small and rare groups (primary and secondary suppression,
rare combinations of profile answers), skip logic that routes some respondents past questions,
answers left over from an older version of the survey, off-path answers, and free text with
names, contact details, Slack markup, links, formulas, line breaks and repeats.

After an intended change to the report, regenerate the files and review the diff:
`.venv/bin/python -m tests.core.test_report_pinned`.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.reports import write_report
from bot.reports.records import ResponseRecord
from bot.surveys.model import AnswerValue, Option, Question, SkipRule, SurveyDefinition

PINNED = Path(__file__).parent / "pinned"
GENERATED_AT = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)
CLOSED_AT = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)

SECTORS = (
    Option("small", "Small charity"),
    Option("medium", "Medium charity"),
    Option("large", "Large charity"),
    Option("cic", "Community interest company (CIC)"),
    Option("rare", "Other"),
)
REGIONS = (
    Option("north", "North"),
    Option("midlands", "Midlands"),
    Option("south", "South"),
    Option("wales", "Wales"),
)
COSTS = (
    Option("fcr", "Not able to recover our full costs"),
    Option("match", "Being expected to find match funding"),
    Option("price", "=SUM(A1) contract value too low"),
    Option("cash", "Payment in arrears or cash flow"),
    Option("none", "None of these"),
)
TIMES = (
    Option("enough", "Enough time"),
    Option("tight", "Tight but manageable"),
    Option("short", "Too short"),
)

# Free text that exercises every redaction rule, spreadsheet escaping and HTML escaping.
TEXTS = (
    "Email jane.doe@example.org today",
    "Call 07700 900123.",
    "Office: (020) 7946 0958 ext 2",
    "Mobile +44 (0)20 7946 0958",
    "US office +1 (555) 123-4567",
    "cc <@U12345|jane> <!channel> — the lots are too big.",
    "<!subteam^S012|@bids-team> see this",
    "posted in <#C0123|dps-chat>",
    "ask @jsmith or @jo_bloggs.",
    "U01ABCDEF2 said so",
    "<mailto:jo@example.org|jo@example.org>",
    "Mr Smith said no",
    "Dr. Jane Doe and Mrs A. Khan agreed",
    "Hi, my name is Jane Smith and I run bids",
    "I spoke to Sarah O'Neill yesterday",
    "Dear Priya, thank you",
    "Thanks, Jane",
    "It was slow.\nKind regards\nJohn Smith\nCEO",
    "It was slow.\nJane Smith\nCEO",
    "It was slow.\n– Jane",
    "Cheers Tom!",
    "Client A1234BC was moved",
    "NI number AB 12 34 56 C, or QQ123456C",
    "see https://example.org/guide?user=jane&token=abc#p2.",
    "https://jane:secret@example.org/x and www.linkedin.com/in/jane-doe-123",
    "<https://example.org/a?b=1|the guidance>",
    "prisoner John Smith was moved; learner Mo missed it",
    "I told Jane Smith's team.",
    "Ms Khan and Prof Lee",
    "Our tutor, Siobhán Ní Bhriain, and Zoë McDonald-Smith left.",
    "On Monday Jane Smith rang about the Shannon Trust contract.",
    "Sarah Jones said yes. Key Points from the meeting.",
    "The course at HMP Leeds was cancelled.",
    "HMPPS said one thing and the Ministry of Justice another.",
    "We work with the Shannon Trust and St Giles Trust in the North West.",
    "The Prison Officer was helpful and the Governor agreed.",
    '=HYPERLINK("http://evil.example", "click")',
    "+44 is the code; -5 was the score; @all read this",
    "  \t=1+1 after spaces",
    "＝full-width formula",
    "<script>alert('x')</script> & \"quotes\"",
    "Line one\r\nLine two\n\nLine four",
    "Contact me on 07700 900123 or jo@example.org if you need more.",
    "The portal was hard to register on; we needed help from our local network.",
    "Lots are bundled so only national providers can bid.\n\nThanks,\nPriya",
    "Same answer",
    "Same answer",
    "No",
    "   ",
    "",
)


def pinned_survey(min_group_size: int = 5) -> SurveyDefinition:
    return SurveyDefinition(
        name="pinned-survey",
        title="Pinned survey <b>&</b> “quotes”",
        intro="Fixed inputs for the pinned report.",
        questions=(
            Question("sector", "single_choice", "Which sector?", options=SECTORS, breakdown=True),
            Question("region", "single_choice", "Which region?", options=REGIONS, breakdown=True),
            Question(
                "registered",
                "yes_no",
                "Registered on the portal?",
                skip=(SkipRule(equals="no", goto="why_not"),),
            ),
            Question(
                "ease",
                "scale",
                "How easy was registering?",
                scale_labels=((1, "Very hard"), (3, "Neither"), (5, "Very easy")),
            ),
            Question("costs", "multiple_choice", "What made costing hard?", options=COSTS),
            Question("time", "single_choice", "Time to respond?", options=TIMES, goto="comments"),
            Question("why_not", "free_text", "What stopped you registering?"),
            Question("comments", "free_text", "Anything else?", required=False),
            Question("level", "scale", "Overall, how well has it worked?", breakdown=True),
        ),
        opens_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        closes_at=datetime(2026, 12, 11, 17, 0, tzinfo=UTC),
        deadline=datetime(2026, 12, 18, 23, 59, tzinfo=UTC),
        response_per="organisation",
        min_group_size=min_group_size,
    )


def pinned_responses(count: int = 240, seed: int = 20261212) -> list[ResponseRecord]:
    """Deterministic responses: a rare sector (3) and a rare region (4), off-path answers,
    invalid leftovers and skipped questions."""
    rng = random.Random(seed)
    first = date(2026, 11, 2)
    records = []
    for i in range(count):
        sector = "rare" if i < 3 else rng.choice(["small"] * 4 + ["medium"] * 3 + ["large", "cic"])
        region = "wales" if 3 <= i < 7 else rng.choice(["north", "midlands", "south"])
        registered = rng.choice(["yes", "yes", "no", None])
        answers: dict[str, AnswerValue | None] = {
            "sector": sector,
            "region": region,
            "registered": registered,
            "ease": rng.choice([1, 2, 3, 3, 4, 5, 5, None, 7, "3"]),
            "costs": rng.choice(
                [
                    [],
                    ["fcr"],
                    ["price", "fcr"],
                    ["cash", "match", "gone-option"],
                    ["none"],
                    None,
                    "fcr",
                ]
            ),
            "time": rng.choice(["enough", "tight", "short", "old-value", None]),
            "why_not": rng.choice(TEXTS) if rng.random() < 0.6 else None,
            "comments": rng.choice(TEXTS) + (f" ({i % 7})" if rng.random() < 0.3 else "")
            if rng.random() < 0.7
            else None,
            "level": rng.choice([1, 2, 3, 4, 5, True, None]),
        }
        if rng.random() < 0.05:
            answers["unknown_question"] = "kept out"
        records.append(ResponseRecord(first + timedelta(days=rng.randint(0, 38)), answers))
    return records


CASES = {
    "report": (5, 240),
    "report-min1": (1, 60),
    "report-totals-only": (5, 4),
}


def _write(case: str, out: Path) -> tuple[bytes, bytes]:
    min_size, count = CASES[case]
    files = write_report(
        pinned_survey(min_size),
        pinned_responses(count),
        out,
        generated_at=GENERATED_AT,
        closed_at=CLOSED_AT,
    )
    return files.csv_path.read_bytes(), files.html_path.read_bytes()


@pytest.mark.parametrize("case", sorted(CASES))
def test_report_bytes_are_unchanged(case: str, tmp_path: Path) -> None:
    csv_bytes, html_bytes = _write(case, tmp_path)
    assert csv_bytes == (PINNED / f"{case}.csv").read_bytes()
    assert html_bytes == (PINNED / f"{case}.html").read_bytes()


if __name__ == "__main__":
    import tempfile

    PINNED.mkdir(exist_ok=True)
    for name in CASES:
        with tempfile.TemporaryDirectory() as folder:
            csv_bytes, html_bytes = _write(name, Path(folder))
        (PINNED / f"{name}.csv").write_bytes(csv_bytes)
        (PINNED / f"{name}.html").write_bytes(html_bytes)
        print(f"wrote {PINNED / name}.csv and .html")
