"""Reports: redaction, spreadsheet safety, suppression of small groups, CSV and HTML output."""

from __future__ import annotations

import csv
import random
import re
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import USAGE
from bot.concerns import THANKS
from bot.reports import ReportFiles, write_report
from bot.reports.collate import Breakdown, Collation, collate, responses_by_week, suppressed_groups
from bot.reports.csv_export import WITHHELD, write_responses_csv
from bot.reports.html_report import render_html_report
from bot.reports.records import ResponseRecord
from bot.reports.redact import REDACTION_NOTE, escape_spreadsheet_cell, redact_free_text
from bot.surveys.messages import NO_NAMES_HINT, question_message
from bot.surveys.model import AnswerValue, Option, Question, SkipRule, SurveyDefinition

GENERATED_AT = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
FORMULA_STARTS = set("=+-@\t\r\n＝＋－＠")


# --- a small survey built directly from the dataclasses -----------------------------------

ORG_TYPES = (
    Option("small", "Small charity (income under £1m)"),
    Option("medium", "Medium charity (£1m–£10m)"),
    Option("large", "Large charity (over £10m)"),
    Option("social_enterprise", "Social enterprise or CIC"),
    Option("mutual", "Mutual or cooperative"),
)
REGIONS = (
    Option("north", "North of England"),
    Option("midlands", "Midlands"),
    Option("london_se", "London and the South East"),
    Option("south_west", "South West"),
    Option("wales", "Wales"),
)
BARRIERS = (
    Option("registration", "Registering on the portal is too complex"),
    Option("time", "Not enough time to respond to call-outs"),
    Option("lot_size", "Lots are too large for an organisation our size"),
    Option("insurance", "Insurance or accreditation requirements"),
    Option("feedback", "No feedback on unsuccessful bids"),
)


def dps_survey(min_group_size: int = 5) -> SurveyDefinition:
    return SurveyDefinition(
        name="dps-experience",
        title="DPS experience survey 2026",
        intro="How the Dynamic Purchasing System has worked for member organisations.",
        questions=(
            Question(
                "org_type", "single_choice", "Organisation type", options=ORG_TYPES, breakdown=True
            ),
            Question("region", "single_choice", "Region", options=REGIONS, breakdown=True),
            Question("on_portal", "yes_no", "Is your organisation registered on the DPS portal?"),
            Question(
                "barriers",
                "multiple_choice",
                "What has made it hard to bid through the DPS?",
                options=BARRIERS,
                required=False,
            ),
            Question(
                "ease",
                "scale",
                "How easy is it to respond to a call-out?",
                scale_labels=((1, "Very hard"), (3, "Neither"), (5, "Very easy")),
            ),
            Question("comments", "free_text", "Anything else HMPPS should hear?", required=False),
        ),
        opens_at=datetime(2026, 10, 19, 9, 0, tzinfo=UTC),
        closes_at=datetime(2026, 11, 27, 17, 0, tzinfo=UTC),
        deadline=datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
        min_group_size=min_group_size,
    )


COMMENTS = (
    "The portal keeps timing out when we upload documents.",
    "Call-outs land with a week to respond; we need at least three.",
    "Please email me at jo.bloggs@example.org if you want details.",
    "Spoke to Sarah Jones at the regional team, who was very helpful.",
    "Ring 07700 900123 and ask for the bids team.",
    "Our client A1234BC lost his place because the contract changed hands.",
    '=HYPERLINK("http://evil.example", "click")',
    "cc <@U12345> <!channel> — the lots are far too big for small charities.",
    "Lots are bundled so only national providers can bid.\n\nThanks,\nPriya",
    "Mrs Okafor in our finance team spent two weeks on the insurance section.",
    "We gave up after the third rejected upload.",
    "Feedback on unsuccessful bids would help us improve.",
)


def synthetic_responses(n: int = 200, seed: int = 7) -> list[ResponseRecord]:
    """Plausible answers with one rare organisation type (3) and one rare region (2)."""
    rng = random.Random(seed)
    records = []
    start = date(2026, 10, 19)
    for i in range(n):
        org = (
            "mutual"
            if i < 3
            else rng.choice(["small"] * 5 + ["medium"] * 3 + ["large", "social_enterprise"])
        )
        region = (
            "wales" if 3 <= i < 5 else rng.choice(["north", "midlands", "london_se", "south_west"])
        )
        answers: dict[str, AnswerValue | None] = {
            "org_type": org,
            "region": region,
            "on_portal": rng.choice(["yes", "yes", "no"]),
            "barriers": rng.sample([o.value for o in BARRIERS], rng.randint(0, 3)) or None,
            "ease": rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5]) if rng.random() > 0.05 else None,
            "comments": rng.choice(COMMENTS) if rng.random() < 0.25 else None,
        }
        # Most replies come in the first week and just before the close.
        day = rng.choice([0, 1, 2, 3, 5, 9, 12, 16, 22, 30, 35, 36, 37, 38])
        records.append(ResponseRecord(start + timedelta(days=day), answers))
    return records


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


# --- redaction -----------------------------------------------------------------------------

REDACTION_CASES = [
    ("Email jane.doe@example.org today", "Email [email] today"),
    ("JANE+bids@sub.example.co.uk.", "[email]."),
    ("Call 07700 900123.", "Call [phone]."),
    ("Call 07700900123", "Call [phone]"),
    ("Office: (020) 7946 0958", "Office: [phone]"),
    ("Office: 0161 496 0000 ext 2", "Office: [phone] ext 2"),
    ("Freephone 0800 123 456", "Freephone [phone]"),
    ("Mobile +44 7700 900123", "Mobile [phone]"),
    ("Mobile +44 (0)20 7946 0958", "Mobile [phone]"),
    ("US office +1 (555) 123-4567", "US office [phone]"),
    ("Paris 0033 1 23 45 67 89", "Paris [phone]"),
    ("cc <@U12345>", "cc [mention]"),
    ("cc <@U12345|jane>", "cc [mention]"),
    ("<!channel> please read", "[mention] please read"),
    ("<!subteam^S012|@bids-team> see this", "[mention] see this"),
    ("posted in <#C0123|dps-chat>", "posted in [mention]"),
    ("ask @jsmith or @jo_bloggs.", "ask [mention] or [mention]."),
    ("U01ABCDEF2 said so", "[mention] said so"),
    ("<mailto:jo@example.org|jo@example.org>", "[email]"),
    ("Mr Smith said no", "[name] said no"),
    ("Dr. Jane Doe and Mrs A. Khan agreed", "[name] and [name] agreed"),
    ("Hi, my name is Jane Smith and I run bids", "Hi, my name is [name] and I run bids"),
    ("I spoke to Sarah O'Neill yesterday", "I spoke to [name] yesterday"),
    ("Dear Priya, thank you", "Dear [name], thank you"),
    ("Thanks, Jane", "Thanks, [name]"),
    ("It was slow.\nKind regards\nJohn Smith\nCEO", "It was slow.\nKind regards\n[name]\nCEO"),
    ("Cheers Tom!", "Cheers [name]!"),
    ("Client A1234BC was moved", "Client [prison number] was moved"),
    ("client a1234bc", "client [prison number]"),
    ("NI number AB 12 34 56 C", "NI number [NI number]"),
    ("NI QQ123456C", "NI [NI number]"),
    ("see https://example.org/guide?user=jane&token=abc#p2.", "see https://example.org/guide."),
    ("https://jane:secret@example.org/x", "https://example.org/x"),
    ("profile www.linkedin.com/in/jane-doe-123", "profile [link]"),
    ("<https://example.org/a?b=1|the guidance>", "the guidance (https://example.org/a)"),
]

UNCHANGED = [
    "Thanks for running this survey.",
    "We contacted Probation about it and spoke to the Home Office.",
    "On 2026-11-25 we had 1,234 referrals and 3 staff.",
    "Lots 1 to 12 were awarded in 2025.",
    "The DPS portal is slow. Best value contracts are rare.",
    "See https://www.gov.uk/guidance/dps for details.",
]


@pytest.mark.parametrize(("text", "expected"), REDACTION_CASES)
def test_redaction_replaces_identifying_details(text: str, expected: str) -> None:
    assert redact_free_text(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_redaction_leaves_ordinary_text_alone(text: str) -> None:
    assert redact_free_text(text) == text


@given(st.text())
def test_redaction_never_raises(text: str) -> None:
    assert isinstance(redact_free_text(text), str)


@given(st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8})?@[a-z]{2,8}\.(org|co\.uk|com)", fullmatch=True))
def test_redaction_removes_any_plain_email(email: str) -> None:
    assert "@" not in redact_free_text(f"write to {email} please")


# --- spreadsheet safety ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7700", "'+44 7700"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ('  =HYPERLINK("x")', '\'  =HYPERLINK("x")'),
        ("＝1+1", "'＝1+1"),
        ("fine = ok", "fine = ok"),
        ("", ""),
        ("Small charity", "Small charity"),
    ],
)
def test_escape_spreadsheet_cell(cell: str, expected: str) -> None:
    assert escape_spreadsheet_cell(cell) == expected


def test_csv_escapes_formula_injection(tmp_path: Path) -> None:
    definition = dps_survey(min_group_size=1)
    evil = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "-1+2", "\t=1+1", "  =2+2"]
    responses = [ResponseRecord(date(2026, 11, 2), {"comments": text}) for text in evil]
    path = tmp_path / "out.csv"
    write_responses_csv(definition, responses, path)
    rows = read_csv(path)
    comments = sorted(row[-1] for row in rows[1:])
    # Free text is trimmed before it is escaped, so "  =2+2" arrives as "'=2+2".
    assert comments == sorted("'" + text.strip() for text in evil)
    for row in rows:
        for cell in row:
            assert cell.lstrip()[:1] not in FORMULA_STARTS


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "org_type": st.sampled_from([o.value for o in ORG_TYPES] + ["=evil"]),
                "on_portal": st.sampled_from(["yes", "no", "-"]),
                "barriers": st.lists(st.sampled_from([o.value for o in BARRIERS])),
                "ease": st.one_of(st.none(), st.integers(-3, 7)),
                "comments": st.one_of(st.none(), st.text()),
            }
        ),
        max_size=30,
    )
)
def test_no_csv_cell_starts_with_a_formula_character(answers: list[dict]) -> None:
    responses = [ResponseRecord(date(2026, 11, 2), a) for a in answers]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.csv"
        write_responses_csv(dps_survey(min_group_size=1), responses, path)
        rows = read_csv(path)
    assert len(rows) == len(responses) + 1
    for row in rows:
        for cell in row:
            assert cell.lstrip()[:1] not in FORMULA_STARTS


def test_csv_holds_no_user_ids_dates_or_contact_details(tmp_path: Path) -> None:
    definition = dps_survey(min_group_size=1)
    responses = [
        ResponseRecord(date(2026, 11, 2), {"org_type": "small", "comments": "ask <@U12345>"}),
        ResponseRecord(
            date(2026, 11, 3),
            {"org_type": "small", "comments": "<@U12345|jane> or jane@example.org"},
        ),
        ResponseRecord(date(2026, 11, 4), {"org_type": "small", "comments": "U12345ABCD knows"}),
    ]
    path = tmp_path / "out.csv"
    write_responses_csv(definition, responses, path)
    text = path.read_text(encoding="utf-8-sig")
    assert not re.search(r"\b[UW][A-Z0-9]{4,}\b", text)
    assert "@" not in text
    assert "2026" not in text  # no submission date, not even a week
    assert read_csv(path)[0] == [q.id for q in definition.questions]


def test_csv_uses_labels_and_joins_multiple_choice(tmp_path: Path) -> None:
    definition = dps_survey(min_group_size=1)
    answers: dict[str, AnswerValue | None] = {
        "org_type": "medium",
        "on_portal": "yes",
        "barriers": ["time", "feedback"],
        "ease": 4,
    }
    path = tmp_path / "out.csv"
    write_responses_csv(definition, [ResponseRecord(date(2026, 11, 2), answers)], path)
    row = dict(zip(read_csv(path)[0], read_csv(path)[1], strict=True))
    assert row["org_type"] == "Medium charity (£1m–£10m)"
    assert row["on_portal"] == "Yes"
    assert row["barriers"] == (
        "Not enough time to respond to call-outs; No feedback on unsuccessful bids"
    )
    assert row["ease"] == "4"
    assert row["region"] == row["comments"] == ""


def test_csv_row_order_does_not_follow_submission_order(tmp_path: Path) -> None:
    responses = synthetic_responses(60)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_responses_csv(dps_survey(), responses, a)
    write_responses_csv(dps_survey(), list(reversed(responses)), b)
    assert a.read_bytes() == b.read_bytes()


def test_csv_withholds_rare_profile_answers(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    written = write_responses_csv(dps_survey(), synthetic_responses(200), path)
    rows = read_csv(path)
    assert written == 200 == len(rows) - 1
    org_types = {row[0] for row in rows[1:]}
    regions = {row[1] for row in rows[1:]}
    assert "Mutual or cooperative" not in org_types  # 3 respondents
    assert "Wales" not in regions  # 2 respondents
    assert WITHHELD in org_types and WITHHELD in regions


def test_csv_below_minimum_has_header_only(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    responses = synthetic_responses(4)
    assert write_responses_csv(dps_survey(), responses, path) == 0
    assert len(read_csv(path)) == 1


# --- collation and suppression ---------------------------------------------------------------


def test_suppressed_groups_primary_and_secondary() -> None:
    # One small group: the next smallest is hidden with it.
    assert suppressed_groups({"a": 3, "b": 6, "c": 20}, 5) == {"a", "b"}
    # Two small groups already protect each other.
    assert suppressed_groups({"a": 3, "b": 2, "c": 20}, 5) == {"a", "b"}
    # An empty group hides nothing, so one small group still needs a partner.
    assert suppressed_groups({"a": 3, "b": 0, "c": 9, "d": 7}, 5) == {"a", "b", "d"}
    assert suppressed_groups({"a": 8, "b": 9}, 5) == set()
    assert suppressed_groups({"a": 1, "b": 2}, 1) == set()


def _by(collation: Collation, by: str, question: str) -> Breakdown:
    return next(
        b for b in collation.breakdowns if b.by_question_id == by and b.question_id == question
    )


def test_small_group_is_not_shown_and_next_smallest_hidden_too() -> None:
    responses = (
        [ResponseRecord(date(2026, 11, 2), {"org_type": "mutual", "on_portal": "yes"})] * 3
        + [ResponseRecord(date(2026, 11, 2), {"org_type": "medium", "on_portal": "no"})] * 6
        + [ResponseRecord(date(2026, 11, 2), {"org_type": "small", "on_portal": "yes"})] * 20
    )
    c = collate(dps_survey(), responses, generated_at=GENERATED_AT)
    table = _by(c, "org_type", "on_portal")
    groups = {g.value: g for g in table.groups}
    assert groups["mutual"].size is None
    assert all(cell.count is None for cell in groups["mutual"].cells)
    assert groups["medium"].size is None  # secondary suppression
    assert groups["small"].size == 20
    assert [cell.count for cell in groups["small"].cells] == [20, 0]

    # The profile question's own counts are hidden the same way.
    org = next(q for q in c.questions if q.question_id == "org_type")
    counts = {cat.value: cat.count for cat in org.categories}
    assert counts["mutual"] is None and counts["medium"] is None and counts["small"] == 20
    assert org.suppressed_any

    html = render_html_report(c, dps_survey())
    assert "hidden" in html
    assert ">3<" not in html.split("Breakdowns")[1]


def test_profile_questions_are_not_crossed_with_each_other() -> None:
    c = collate(dps_survey(), synthetic_responses(50), generated_at=GENERATED_AT)
    pairs = {(b.by_question_id, b.question_id) for b in c.breakdowns}
    assert pairs == {
        (by, q) for by in ("org_type", "region") for q in ("on_portal", "barriers", "ease")
    }


def test_counts_percentages_and_scale_statistics() -> None:
    answers: list[dict[str, AnswerValue | None]] = [
        {"on_portal": "yes", "ease": 1, "barriers": ["time"]},
        {"on_portal": "yes", "ease": 2, "barriers": ["time", "insurance"]},
        {"on_portal": "no", "ease": 5, "barriers": []},
        {"on_portal": None, "ease": 4},
        {"ease": 9, "on_portal": "maybe"},  # not valid for the question: not counted
    ]
    responses = [ResponseRecord(date(2026, 11, 2), a) for a in answers]
    c = collate(dps_survey(), responses, generated_at=GENERATED_AT, min_group_size=1)
    q = {s.question_id: s for s in c.questions}
    assert (q["on_portal"].answered, q["on_portal"].skipped) == (3, 2)
    yes, no = q["on_portal"].categories
    assert (yes.label, yes.count, round(yes.percent or 0)) == ("Yes", 2, 67)
    assert (no.count, round(no.percent or 0)) == (1, 33)
    assert q["ease"].answered == 4
    assert [cat.count for cat in q["ease"].categories] == [1, 1, 0, 1, 1]
    assert q["ease"].categories[0].label == "1 – Very hard"
    assert q["ease"].mean == 3.0 and q["ease"].median == 3.0
    barriers = {cat.value: cat.count for cat in q["barriers"].categories}
    assert q["barriers"].answered == 2 and barriers["time"] == 2


def test_below_minimum_shows_totals_only() -> None:
    c = collate(dps_survey(), synthetic_responses(4), generated_at=GENERATED_AT)
    assert c.totals_only and c.warnings
    assert "fewer than the minimum group size of 5" in c.warnings[0]
    assert c.breakdowns == () and c.responses_by_week == ()
    assert all(q.categories == () and q.answers == () for q in c.questions)
    html = render_html_report(c, dps_survey())
    assert "Totals only" in html and "<svg" not in html


def test_free_text_is_redacted_and_order_ignores_submission() -> None:
    responses = [
        ResponseRecord(date(2026, 11, d), {"comments": text})
        for d, text in enumerate(["Call 07700 900123", "zebra first", "aardvark last", "  "], 1)
    ]
    first = collate(dps_survey(), responses * 2, generated_at=GENERATED_AT, min_group_size=1)
    second = collate(
        dps_survey(), list(reversed(responses * 2)), generated_at=GENERATED_AT, min_group_size=1
    )
    comments = next(q for q in first.questions if q.question_id == "comments")
    assert comments.answered == 6 and comments.skipped == 2
    assert "Call [phone]" in comments.answers and "Call 07700 900123" not in comments.answers
    assert (
        comments.answers == next(q for q in second.questions if q.question_id == "comments").answers
    )


def test_responses_by_week_fills_gaps() -> None:
    weeks = responses_by_week([date(2026, 11, 23), date(2026, 11, 24), date(2026, 12, 8)])
    assert [(w.week, w.count) for w in weeks] == [("2026-W48", 2), ("2026-W49", 0), ("2026-W50", 1)]


def test_collate_needs_an_aware_generated_at_and_a_sane_minimum() -> None:
    with pytest.raises(ValueError):
        collate(dps_survey(), [], generated_at=datetime(2026, 11, 30, 9, 0))
    with pytest.raises(ValueError):
        collate(dps_survey(), [], generated_at=GENERATED_AT, min_group_size=0)


def test_record_keeps_only_the_day_and_a_frozen_copy_of_answers() -> None:
    answers: dict[str, AnswerValue | None] = {"ease": 3}
    record = ResponseRecord(datetime(2026, 11, 2, 14, 5, tzinfo=UTC), answers)
    answers["ease"] = 5
    assert record.submitted_on == date(2026, 11, 2)
    assert type(record.submitted_on) is date
    assert record.answers["ease"] == 3
    with pytest.raises(TypeError):
        record.answers["ease"] = 1  # type: ignore[index]


# --- the HTML report ---------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: Sequence[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_200_response_report(tmp_path: Path) -> None:
    responses = synthetic_responses(200)
    files = write_report(dps_survey(), responses, tmp_path / "out", generated_at=GENERATED_AT)
    assert isinstance(files, ReportFiles)
    assert files.response_count == 200
    assert files.csv_path.name == "responses.csv" and files.html_path.name == "report.html"
    html = files.html_path.read_text(encoding="utf-8")

    tags = _Tags()
    tags.feed(html)
    names = [t for t, _ in tags.tags]
    assert "script" not in names and "link" not in names and "img" not in names
    assert not any(a.get("src") or a.get("href") for _, a in tags.tags)
    svgs = [a for t, a in tags.tags if t == "svg"]
    assert len(svgs) == 1 + 5  # over time, and one per chartable question
    assert all(a.get("role") == "img" and a.get("aria-labelledby") for a in svgs)
    assert names.count("title") == 1 + len(svgs)  # the page's own, then one per chart

    assert "DPS experience survey 2026" in html
    assert "4 Dec 2026, 12:00 GMT" in html and "200" in html
    assert "Rules applied" in html and "Minimum group size 5" in html
    for secret in (
        "jo.bloggs@example.org",
        "07700 900123",
        "A1234BC",
        "U12345",
        "Sarah Jones",
        "Okafor",
        "Priya",
    ):
        assert secret not in html
    assert "[email]" in html and "[name]" in html
    assert "=HYPERLINK(&quot;http://evil.example&quot;" in html
    assert "Mutual or cooperative" in html and "hidden" in html


def test_user_text_is_escaped_in_html() -> None:
    definition = dps_survey(min_group_size=1)
    definition = SurveyDefinition(
        **{
            **definition.__dict__,
            "title": "<script>alert(1)</script>",
            "questions": (
                Question(
                    "q",
                    "single_choice",
                    "<b>Pick</b>",
                    options=(Option("a", "<img src=x onerror=alert(1)>"),),
                ),
                Question("t", "free_text", "Say"),
            ),
        }
    )
    responses = [ResponseRecord(date(2026, 11, 2), {"q": "a", "t": "</li><script>x</script>"})]
    html = render_html_report(collate(definition, responses, generated_at=GENERATED_AT), definition)
    assert "<script>" not in html and "<img" not in html and "<b>Pick" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- names: caught more often, places and organisations left alone -----------------------------

NAMES_CAUGHT = [
    ("We met Sarah Jones and Jane Smith about it.", "We met [name] and [name] about it."),
    ("Jane Smith told us the lot was withdrawn.", "[name] told us the lot was withdrawn."),
    ("On Monday Jane Smith rang.", "On Monday [name] rang."),
    ("Governor Smith refused.", "Governor [name] refused."),
    ("Deputy Governor Patel agreed.", "Deputy Governor [name] agreed."),
    ("The Officer Jenkins was kind.", "The Officer [name] was kind."),
    ("our tutor, Jane, left", "our tutor, [name], left"),
    ("the teacher Amy O'Neill", "the teacher [name]"),
    ("our manager Tom Hughes said no", "our manager [name] said no"),
    ("caseworker Priya Shah", "caseworker [name]"),
    ("a volunteer, Sam, helped", "a volunteer, [name], helped"),
    ("my colleague Ravi Patel", "my colleague [name]"),
    (
        "The Head of Learning and Skills Mark Brown said no.",
        "The Head of Learning and Skills [name] said no.",
    ),
    ("OMU Karen said it was fine", "OMU [name] said it was fine"),
    ("prisoner John Smith was moved", "prisoner [name] was moved"),
    ("learner Mo missed it", "learner [name] missed it"),
    ("resident Dave Clark", "resident [name]"),
    ("I told Jane Smith's team.", "I told [name]'s team."),
    ("Thanks, Jane", "Thanks, [name]"),
    ("Best wishes, Jane Smith", "Best wishes, [name]"),
    ("It was slow.\nJane Smith\nCEO", "It was slow.\n[name]\nCEO"),
    ("It was slow.\n– Jane", "It was slow.\n– [name]"),
    ("Ms Khan and Prof Lee", "[name] and [name]"),
]

PLACES_AND_ORGANISATIONS = [
    "The course at HMP Leeds was cancelled.",
    "HMPPS said one thing and the Ministry of Justice another.",
    "Providers in the North West and the West Midlands were told to wait.",
    "We bid under the Prison Education Framework.",
    "The Dynamic Purchasing System portal is slow.",
    "He was moved to HMP Wormwood Scrubs on Tuesday.",
    "We work with the Shannon Trust and St Giles Trust.",
    "Milton Keynes College runs the contract.",
    "The Prison Officer was helpful and the Governor agreed.",
    "Speak to the Head of Learning and Skills at HMP Leeds.",
    "We use Microsoft Teams and Google Forms.",
    "Call-outs closed in December 2026 for the South East.",
    "It was raised at the Offender Management Unit and by Universal Credit staff.",
]


@pytest.mark.parametrize(("text", "expected"), NAMES_CAUGHT)
def test_redaction_catches_names_without_a_title(text: str, expected: str) -> None:
    assert redact_free_text(text) == expected


@pytest.mark.parametrize("text", PLACES_AND_ORGANISATIONS)
def test_redaction_keeps_places_and_organisations(text: str) -> None:
    assert redact_free_text(text) == text


def test_a_capitalised_pair_starting_a_sentence_is_kept_unless_a_person_verb_follows() -> None:
    assert redact_free_text("Key Points from the meeting.") == "Key Points from the meeting."
    assert redact_free_text("Sarah Jones said yes.") == "[name] said yes."


def test_every_report_says_redaction_may_miss_a_name() -> None:
    c = collate(dps_survey(), synthetic_responses(20), generated_at=GENERATED_AT)
    rules = " ".join(c.rules_applied)
    assert "names we could spot" in rules and "please check" in rules
    assert "holds no names" not in rules


# --- the report's masthead, counts and charts -----------------------------------------------------


def _html(
    definition: SurveyDefinition | None = None,
    responses: Sequence[ResponseRecord] | None = None,
    **kwargs: object,
) -> str:
    definition = definition or dps_survey()
    responses = synthetic_responses(40) if responses is None else responses
    generated = kwargs.pop("generated_at", GENERATED_AT)
    assert isinstance(generated, datetime)
    collation = collate(definition, responses, generated_at=generated)
    return render_html_report(collation, definition, **kwargs)  # type: ignore[arg-type]


def _fact(html: str, label: str) -> str:
    found = re.search(rf"<dt>{re.escape(label)}</dt><dd>([^<]*)</dd>", html)
    assert found, label
    return found.group(1)


def test_survey_open_shows_the_real_close_when_closed_early() -> None:
    early = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    html = _html(closed_at=early)
    assert _fact(html, "Survey open") == "19 Oct – 20 Nov 2026"
    assert "closed early (planned 27 Nov)" in html
    on_time = _html(closed_at=datetime(2026, 11, 27, 17, 0, tzinfo=UTC))
    assert _fact(on_time, "Survey open") == "19 Oct – 27 Nov 2026" and "closed early" not in on_time
    assert _fact(_html(), "Survey open") == "19 Oct – 27 Nov 2026"


def test_feedback_due_replaces_deadline() -> None:
    html = _html()
    assert _fact(html, "Feedback due") == "4 Dec 2026, 12:00 GMT"
    assert "Deadline" not in html and "to HMPPS and the MoJ" in html


@pytest.mark.parametrize(
    ("generated_at", "zone", "expected"),
    [
        (datetime(2026, 11, 30, 9, 30, tzinfo=UTC), None, "30 Nov 2026, 09:30 GMT"),
        (datetime(2026, 7, 1, 9, 30, tzinfo=UTC), None, "1 Jul 2026, 10:30 BST"),
        (
            datetime(2026, 7, 1, 9, 30, tzinfo=UTC),
            ZoneInfo("Europe/Dublin"),
            "1 Jul 2026, 10:30 IST",
        ),
    ],
)
def test_generated_is_shown_in_the_networks_zone(
    generated_at: datetime, zone: ZoneInfo | None, expected: str
) -> None:
    html = _html(generated_at=generated_at, zone=zone)
    assert _fact(html, "Generated") == expected
    assert "UTC" not in html


def test_members_intro_is_not_shown_to_the_reports_readers() -> None:
    definition = SurveyDefinition(
        **{**dps_survey().__dict__, "intro": "Your answers are anonymous. Thank you!"}
    )
    html = _html(definition)
    assert "Your answers are anonymous" not in html and "Thank you!" not in html
    assert "put together from 40 responses" in html


BRANCHING = SurveyDefinition(
    **{
        **dps_survey(min_group_size=1).__dict__,
        "questions": (
            Question("registered", "yes_no", "Registered?", skip=(SkipRule("no", "why_not"),)),
            Question("ease", "scale", "How easy?", goto="comments"),
            Question("why_not", "free_text", "Why not?"),
            Question("comments", "free_text", "Anything else?", required=False),
        ),
    }
)


def test_questions_routed_past_are_not_asked_rather_than_skipped() -> None:
    responses = [
        ResponseRecord(date(2026, 11, 2), {"registered": "yes", "ease": 4, "comments": "Fine"}),
        ResponseRecord(date(2026, 11, 2), {"registered": "yes", "ease": 2}),
        # An answer left from a branch the respondent later left is not counted.
        ResponseRecord(date(2026, 11, 2), {"registered": "no", "ease": 5, "why_not": "Too slow"}),
    ]
    c = collate(BRANCHING, responses, generated_at=GENERATED_AT)
    counts = {q.question_id: (q.answered, q.skipped, q.not_asked) for q in c.questions}
    assert counts == {
        "registered": (3, 0, 0),
        "ease": (2, 0, 1),
        "why_not": (1, 0, 2),
        "comments": (1, 2, 0),
    }
    ease = next(q for q in c.questions if q.question_id == "ease")
    assert [cat.count for cat in ease.categories] == [0, 1, 0, 1, 0]
    html = render_html_report(c, BRANCHING)
    assert "2 answered · 1 not asked" in html and "1 answered · 2 skipped" in html
    assert "“Not asked” counts respondents" in html
    with tempfile.TemporaryDirectory() as folder:
        write_responses_csv(BRANCHING, responses, Path(folder) / "r.csv", min_group_size=1)
        rows = read_csv(Path(folder) / "r.csv")
    assert sorted(row[1] for row in rows[1:]) == ["", "2", "4"]  # the "no" row's 5 is dropped


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "No responses yet."),
        (1, "Only 1 response was received, fewer than the minimum group size of 5"),
        (3, "Only 3 responses were received, fewer than the minimum group size of 5"),
    ],
)
def test_too_few_responses_are_said_plainly(count: int, expected: str) -> None:
    c = collate(dps_survey(), synthetic_responses(count), generated_at=GENERATED_AT)
    assert c.warnings[0].startswith(expected)
    html = render_html_report(c, dps_survey())
    assert "Only 0" not in html and expected in html
    assert ("Totals only." in html) == (count > 0)


def test_bars_are_drawn_to_scale_on_a_full_width_track() -> None:
    answers: list[dict[str, AnswerValue | None]] = [{"on_portal": "yes"}] * 3 + [
        {"on_portal": "no"}
    ] * 7
    responses = [ResponseRecord(date(2026, 11, 2), a) for a in answers]
    definition = dps_survey(min_group_size=1)
    html = render_html_report(collate(definition, responses, generated_at=GENERATED_AT), definition)
    card = html[html.index("Is your organisation registered") :]
    card = card[: card.index("</svg>")]
    track = float(re.findall(r'class="track"[^>]*width="([\d.]+)"', card)[0])
    bars = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', card)]
    assert bars == [pytest.approx(track * 0.3), pytest.approx(track * 0.7)]


def test_free_text_is_listed_after_the_breakdowns() -> None:
    html = _html(responses=synthetic_responses(200))
    assert html.index(">Breakdowns</h2>") < html.index(">What people wrote</h2>")
    assert html.index(">What people wrote</h2>") < html.index("[phone]")
    assert "Listed in full under “What people wrote”, after the breakdowns." in html
    assert "By answer to “Organisation type”" in html


def test_free_text_questions_ask_people_not_to_name_anyone() -> None:
    definition = dps_survey()
    comments = definition.question("comments")
    message = question_message(definition, comments, 1, 1, {})
    shown = " ".join(str(block) for block in message.blocks)
    assert NO_NAMES_HINT in shown
    choice = question_message(definition, definition.question("region"), 1, 1, {})
    assert NO_NAMES_HINT not in " ".join(str(block) for block in choice.blocks)


def test_reporting_a_message_asks_for_no_names() -> None:
    assert "no names" in USAGE and "leave names out" in THANKS
    assert "names we could spot" in REDACTION_NOTE and "please check" in REDACTION_NOTE
