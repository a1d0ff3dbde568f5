"""Strip identifying details from free text and make text safe to put in a spreadsheet.

Redaction is a heuristic, not a guarantee: it removes the details people most often type
(contact details, @mentions, prison and NI numbers, names after a title, an introduction or a
sign-off). It errs towards removing too much, since a lost word costs less than a named person.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

EMAIL = "[email]"
PHONE = "[phone]"
MENTION = "[mention]"
NAME = "[name]"
PRISON_NUMBER = "[prison number]"
NI_NUMBER = "[NI number]"
LINK = "[link]"

# Slack's own markup: <@U123>, <@U123|jane>, <!channel>, <!subteam^S1|@team>, <#C123|general>,
# <mailto:a@b.c|a@b.c>, <https://x.y|label>.
_SLACK_MARKUP = re.compile(
    r"<([@#!])[^<>\n]*>|<(mailto:[^<>|\n]*)(?:\|[^<>\n]*)?>|<((?:https?|ftp)://[^<>|\s]+)(?:\|([^<>\n]*))?>"
)
_URL = re.compile(r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"']+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", re.UNICODE)
# National Insurance number: two letters, six digits, suffix A-D. Prefixes HMRC never issues
# (QQ is its own example) are matched too: a near miss is still somebody's number.
_NI = re.compile(r"\b[A-Z]{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?[A-D]\b", re.IGNORECASE)
# Prison (NOMIS) number: one letter, four digits, two letters, e.g. A1234BC.
_PRISON_NUMBER = re.compile(r"\b[A-Z]\d{4}[A-Z]{2}\b", re.IGNORECASE)
# International: +44 7700 900123, 0033 1 23 45 67 89, +1 (555) 123-4567.
_PHONE_INTL = re.compile(
    r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[ .-]?\(0\))?(?:[ .-]?\(?\d{1,4}\)?){2,6}(?!\d)"
)
# UK national: 07700 900123, (020) 7946 0958, 0161 496 0000, 0800 123 456.
_PHONE_UK = re.compile(r"(?<![\w+])(?:\(0\d{2,5}\)|0\d{2,5})(?:[ .-]?\d{3,4}){1,2}(?!\d)")
# A bare Slack user or workspace id typed outside a mention, e.g. U01ABCDEF2.
_SLACK_ID = re.compile(r"\b[UW](?=[0-9A-Z]*\d)[0-9A-Z]{8,10}\b")
_HANDLE = re.compile(r"(?<![\w.@/\[])@[A-Za-z0-9_](?:[\w.-]*\w)?")

_SOCIAL_HOSTS = (
    "linkedin.com",
    "facebook.com",
    "fb.com",
    "twitter.com",
    "x.com",
    "instagram.com",
    "tiktok.com",
    "threads.net",
    "bsky.app",
    "youtube.com",
)

# A capitalised word that could be a name: Jane, O'Neill, McDonald, Smith-Jones, Zoë, Siobhán.
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_NAME_WORD = rf"(?:O['’])?[{_UPPER}][{_LOWER}][{_UPPER}{_LOWER}'’-]*"
_FULL_NAME = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}"

_TITLED_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Rev|Revd|Cllr|Councillor)\.?[ \t]+"
    rf"(?:[{_UPPER}]\.?[ \t]+)*{_NAME_WORD}(?:[ \t]+{_NAME_WORD})?"
)
_INTRODUCED_NAME = re.compile(
    r"(?i:\b(?:my name is|my name's|i am called|i'm called|call me|this is|name:|"
    r"speak to|speak with|spoke to|spoke with|speaking to|speaking with|talk to|talked to|"
    r"ask for|asked for|contact|contacted|emailed|rang|phoned|met with|dear|hi|hello|hiya))"
    rf"[ \t]+(?P<name>{_FULL_NAME})"
)
_SIGNED_NAME = re.compile(
    r"(?i:\b(?:thanks|thank you|many thanks|thanks again|regards|kind regards|best regards|"
    r"warm regards|best wishes|best|cheers|sincerely|yours sincerely|yours faithfully|"
    r"all the best|ta|from))"
    rf"[ \t]*[,.!:\-–—]?[ \t]*(?:\r?\n[ \t]*)?(?P<name>{_FULL_NAME})"
    r"(?=[ \t]*[.,!]?[ \t]*(?:\r?\n|$))",
    re.MULTILINE,
)
# Capitalised words that follow "contact", "hi", "thanks," and so on without being names.
_NOT_NAMES_TEXT = """
    A All An And Any Anyone Are As At Be But By Can Could Do Every Everyone For From Have He
    Her Here His How I If In Is It Its Just Let May Me More Most My No Not Now Of On Or Our
    Please She So Some Someone That The Their Them Then There These They This Those To Us We
    What When Where Which Who Why Will With Would Yes You Your
    Team Teams Everybody Folks Colleagues Partners Members Chair Board Trustees Staff Manager
    Managers Officer Officers Coordinator Network Forum Group Service Services Support Help
    Probation Prison Prisons Police Court Courts Council Councils Government Ministry Justice
    Home Office Department Commissioning Commissioners Dynamic Framework Portal Vetting Clearance
    Local Regional National Community Charity Charities Trust Foundation Sector Voluntary
    England Wales Scotland Ireland Britain London North South East West Midlands Yorkshire
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June
    July August September October November December Christmas Easter
    Jobcentre Universal Credit Housing Health Care Education Employment Accommodation
    Google Microsoft Slack Zoom Excel Word Outlook Gmail
"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())


@lru_cache(maxsize=200_000)
def redact_free_text(text: str) -> str:
    """Return `text` with contact details, mentions, case numbers and likely names replaced
    by tokens such as [email] and [name], so free-text answers can leave the network."""
    text = _SLACK_MARKUP.sub(_replace_slack_markup, text)
    text = _URL.sub(lambda m: _clean_url(m.group(0)), text)
    text = _EMAIL.sub(EMAIL, text)
    text = _NI.sub(NI_NUMBER, text)
    text = _PRISON_NUMBER.sub(PRISON_NUMBER, text)
    text = _PHONE_INTL.sub(lambda m: _phone_if_digits(m.group(0), 8, 15), text)
    text = _PHONE_UK.sub(lambda m: _phone_if_digits(m.group(0), 10, 11), text)
    text = _SLACK_ID.sub(MENTION, text)
    text = _HANDLE.sub(MENTION, text)
    text = _TITLED_NAME.sub(NAME, text)
    text = _INTRODUCED_NAME.sub(_replace_name_group, text)
    text = _SIGNED_NAME.sub(_replace_name_group, text)
    return text


# OWASP CSV injection: these starting characters make Excel, LibreOffice or Sheets read a
# cell as a formula (or DDE call). Full-width forms are included as some programs fold them.
_FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")


def escape_spreadsheet_cell(value: str) -> str:
    """Prefix `'` to a cell a spreadsheet would run as a formula, so an answer such as
    `=HYPERLINK(...)` is shown as text. Leading whitespace is looked through, as some
    spreadsheet programs strip it before parsing."""
    if not value:
        return value
    if value[0] in _FORMULA_STARTS or value.lstrip()[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def _replace_slack_markup(match: re.Match[str]) -> str:
    if match.group(1):  # <@U..>, <#C..>, <!here>
        return MENTION
    if match.group(2):  # <mailto:...>
        return EMAIL
    url = _clean_url(match.group(3))
    label = match.group(4)
    if label and label != match.group(3):
        return f"{label} ({url})"
    return url


def _clean_url(url: str) -> str:
    """Keep where a link points but drop what could identify someone: the query string and
    fragment (tokens, tracking, email parameters), any user:password, and profile paths."""
    trailing = ""
    while url and url[-1] in ".,;:!?)]}":
        trailing = url[-1] + trailing
        url = url[:-1]
    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return LINK + trailing
    if not host:
        return LINK + trailing
    bare_host = host.removeprefix("www.")
    if any(bare_host == h or bare_host.endswith("." + h) for h in _SOCIAL_HOSTS):
        return LINK + trailing
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    path = parts.path
    if "@" in path or "~" in path:  # medium.com/@jane, example.ac.uk/~jsmith
        path = ""
    if "://" not in url:
        return (netloc + path) + trailing
    return urlunsplit((parts.scheme, netloc, path, "", "")) + trailing


def _phone_if_digits(candidate: str, low: int, high: int) -> str:
    digits = sum(ch.isdigit() for ch in candidate)
    return PHONE if low <= digits <= high else candidate


def _replace_name_group(match: re.Match[str]) -> str:
    name = match.group("name")
    first = name.split()[0]
    if first in _NOT_NAMES:
        return match.group(0)
    start = match.start("name") - match.start(0)
    return match.group(0)[:start] + NAME + match.group(0)[start + len(name) :]
