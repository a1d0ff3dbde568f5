"""Redaction skips a pattern when a cheap test shows it cannot match: these tests check that no
skip ever changes a result, against every pattern applied in turn without any skipping."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reports import redact as r


def redact_without_shortcuts(text: str) -> str:
    """The redaction pipeline as plainly as it can be written: every pattern, in order."""
    text = r._SLACK_MARKUP.sub(r._replace_slack_markup, text)
    text = r._URL.sub(lambda m: r._clean_url(m.group(0)), text)
    text = r._EMAIL.sub(r.EMAIL, text)
    for pattern, replacement, _ in r._NUMBERS:
        text = pattern.sub(replacement, text)
    text = r._HANDLE.sub(r.MENTION, text)
    text = r._TITLED_NAME.sub(r.NAME, text)
    for _, pattern in r._CUED_NAMES:
        text = pattern.sub(r._replace_name_group, text)
    text = r._redact_signature_lines(text)
    return r._CAPITALISED_RUN.sub(r._replace_capitalised_run, text)


# Pieces of answers that each pattern acts on, near misses, and the characters that a
# case-insensitive pattern also matches an ASCII letter with (ſ, K, İ, ı).
PIECES = (
    "Jane Smith",
    "Sarah O'Neill",
    "O’Brien",
    "McDonald-Smith",
    "Zoë",
    "Siobhán",
    "ſarah",
    "\u212aate",  # a Kelvin sign, which IGNORECASE matches with k
    "İsmail",
    "ıan",
    "Mr",
    "Mrs",
    "Dr.",
    "Prof",
    "Cllr",
    "Dame",
    "my name is",
    "I'm called",
    "call me",
    "this is",
    "name:",
    "speak to",
    "spoke with",
    "contact",
    "CONTACT",
    "emailed",
    "dear",
    "Hi",
    "hİ",
    "HIYA",
    "thıs is",
    "ſpeak to",
    "[name]:",
    "thanks",
    "Thank you",
    "Kind regards",
    "\u212aind regards",
    "best",
    "Best wishes",
    "cheers",
    "ta",
    "Ta",
    "from",
    "ſincerely",
    "governor",
    "Deputy Governor",
    "tutor",
    "officer",
    "ProbatıoN officer",
    "OMU",
    "omu",
    "POM",
    "prisoner",
    "learner",
    "ceo",
    "head of security",
    "co-ordinator",
    "HMP",
    "HMYOI",
    "HMP/YOI",
    "Leeds",
    "Shannon Trust",
    "Ministry of Justice",
    "Monday",
    "The",
    "On",
    "said",
    "told",
    "who",
    "jane@example.org",
    "j.o+x@sub.example.co.uk",
    "@jsmith",
    "@all",
    "<@U123|jo>",
    "<!here>",
    "<#C1|x>",
    "<mailto:a@b.c|a@b.c>",
    "<https://x.org/a?b=1|label>",
    "https://x.org/p?q=1#f",
    "www.Example.org/~jo",
    "http://linkedin.com/in/x",
    "ftp://a:b@h.com:21/x",
    "07700 900123",
    "07700900123",
    "(020) 7946 0958",
    "0161 496 0000",
    "+44 7700 900123",
    "+44 (0)20 7946 0958",
    "0033 1 23 45 67 89",
    "+1 (555) 123-4567",
    "AB 12 34 56 C",
    "QQ123456C",
    "qq 12 34 56 d",
    "A1234BC",
    "a1234bc",
    "U01ABCDEF2",
    "W12345678A",
    "UABCDEFGH٣",
    "UABCDEFGHJ2",
    "WABCDEFGH2",
    "123456789",
    "12",
    "0",
    "00",
    "+",
    "=",
    "-",
    "@",
    "'",
    "’",
    "–",
    "—",
    "~",
    "•",
    '"',
    "“",
    "(",
    ")",
    "[",
    "]",
    ".",
    ",",
    "!",
    "?",
    ";",
    ":",
    "\n",
    "\r\n",
    "\t",
    "  ",
    " ",
    "\n\n",
    "Ⅰ",
    "٣٤٥٦",
    "１２３",
    "ǅ",
)
GLUE = (" ", "", ", ", ". ", "\n", " - ")
ODD_CHARACTERS = "aAbB zZ.,'’-@+0123456789\n\tſ\u212aİıÀÞßÿ()<>|:/"


def generated_answers(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    answers = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 14)):
            roll = rng.random()
            if roll < 0.7:
                parts.append(rng.choice(PIECES))
            elif roll < 0.85:
                parts.append(rng.choice(GLUE))
            else:
                parts.append("".join(rng.choices(ODD_CHARACTERS, k=rng.randint(1, 8))))
        answers.append(rng.choice(("", " ")).join(parts))
    return answers


def test_shortcuts_change_nothing_on_generated_answers() -> None:
    answers = generated_answers(3000, seed=20261212)
    answers += [a.upper() for a in answers[:500]] + [a.swapcase() for a in answers[:500]]
    differ = [a for a in answers if r.redact_free_text(a) != redact_without_shortcuts(a)]
    assert differ == []


@settings(max_examples=300)
@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from(list(ODD_CHARACTERS)))))
def test_shortcuts_change_nothing_on_any_text(text: str) -> None:
    assert r.redact_free_text(text) == redact_without_shortcuts(text)


def test_folding_keeps_length_and_word_boundaries() -> None:
    """Cue words are looked for in `_fold(text)` with the same word boundaries as in `text`."""
    for text in ("Kind Regards", "ſincerely, İsmail", "ǅ Ⅰ \u212a ı x"):
        folded = r._fold(text)
        assert len(folded) == len(text)
        assert [c.isalnum() for c in folded] == [c.isalnum() for c in text]
