"""Strip identifying details from free text and make text safe to put in a spreadsheet.

Redaction is a heuristic, not a guarantee: it removes the details people most often type
(contact details, @mentions, prison and NI numbers, and names it can spot: after a title, a role
such as "tutor" or "Governor", an introduction or a sign-off, or two or three capitalised words
mid-sentence that are not a known place or organisation). It errs towards removing too much,
since a lost word costs less than a named person, but a name written in lower case, or alone at
the start of a sentence, can still get through: so every place that shows redacted text says
so (`REDACTION_NOTE`) rather than promising that names are gone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

EMAIL = "[email]"
PHONE = "[phone]"
MENTION = "[mention]"
NAME = "[name]"
PRISON_NUMBER = "[prison number]"
NI_NUMBER = "[NI number]"
LINK = "[link]"

# What every screen and file showing redacted text says: honest, since redaction can miss.
REDACTION_NOTE = "Contact details and names we could spot are hidden; please check before sharing."

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
_INTRODUCTIONS = (
    r"my name is|my name's|i am called|i'm called|call me|this is|name:|"
    r"speak to|speak with|spoke to|spoke with|speaking to|speaking with|talk to|talked to|"
    r"ask for|asked for|contact|contacted|emailed|rang|phoned|met with|dear|hi|hello|hiya"
)
_INTRODUCED_NAME = re.compile(rf"(?i:\b(?:{_INTRODUCTIONS}))[ \t]+(?P<name>{_FULL_NAME})")
_SIGN_OFFS = (
    r"thanks|thank you|many thanks|thanks again|regards|kind regards|best regards|"
    r"warm regards|best wishes|best|cheers|sincerely|yours sincerely|yours faithfully|"
    r"all the best|ta|from"
)
_SIGNED_NAME = re.compile(
    rf"(?i:\b(?:{_SIGN_OFFS}))"
    rf"[ \t]*[,.!:\-–—]?[ \t]*(?:\r?\n[ \t]*)?(?P<name>{_FULL_NAME})"
    r"(?=[ \t]*[.,!]?[ \t]*(?:\r?\n|$))",
    re.MULTILINE,
)
# A role, job or relationship that is often followed by someone's name: "Governor Smith",
# "our tutor, Jane", "prisoner John Smith". Matched in any case; the name must be capitalised.
_ROLES = (
    r"deputy governor|governor|prison officer|probation officer|officer|tutor|"
    r"teacher|lecturer|instructor|trainer|manager|caseworker|case worker|keyworker|key worker|"
    r"support worker|volunteer|colleague|mentor|peer mentor|chaplain|librarian|"
    r"head of learning and skills|head of education|head of reducing reoffending|head of "
    r"(?:security|regime|residence|omu)|OMU|POM|prisoner|learner|resident|student|client|"
    r"nurse|coordinator|co-ordinator|director|ceo|trustee"
)
_ROLE_CUE = re.compile(rf"(?i:\b(?:{_ROLES}))[ \t]*[,:]?[ \t]+(?P<name>{_FULL_NAME})")
# The number patterns in the order they apply, each with how far before its first digit a
# match can begin ("AB 12..." three characters, a Slack id U01ABCDEF2 up to ten).
_NUMBERS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str], int], ...] = (
    (_NI, NI_NUMBER, 3),
    (_PRISON_NUMBER, PRISON_NUMBER, 1),
    (_PHONE_INTL, lambda m: _phone_if_digits(m.group(0), 8, 15), 1),
    (_PHONE_UK, lambda m: _phone_if_digits(m.group(0), 10, 11), 1),
    (_SLACK_ID, MENTION, 10),
)
# What a title, role, introduction or sign-off pattern needs: a name's capital and the small
# letter after it, at least two characters in (after "Mr", "hi", "ta", ...).
_NAME_AFTER_CUE = re.compile(rf"[{_UPPER}][{_LOWER}]")
# The role, introduction and sign-off patterns, each with what it needs: one of its cue words,
# looked for in the text folded to lower case (`_fold`), which is quicker than in any case.
_CUED_NAMES = tuple(
    (re.compile(rf"\b(?:{cues.lower()})"), pattern)
    for cues, pattern in (
        (_ROLES, _ROLE_CUE),
        (_INTRODUCTIONS, _INTRODUCED_NAME),
        (_SIGN_OFFS, _SIGNED_NAME),
    )
)
# What `re.IGNORECASE` also matches an ASCII letter with, besides its other case.
_ASCII_FOLD = str.maketrans({"İ": "i", "ı": "i", "ſ": "s", "K": "k"})
_DIGIT = re.compile(r"\d")
# One or more capitalised words in a row: a possible name, place or organisation.
_CAPITALISED_RUN = re.compile(rf"(?<![\w'’-]){_NAME_WORD}(?:[ \t]+{_NAME_WORD})*")
# What a run of two or more needs: a space or tab, then the next word's capital and small letter.
_SPACE_THEN_NAME = re.compile(rf"[ \t](?:O['’])?[{_UPPER}][{_LOWER}]")
_WORD = re.compile(_NAME_WORD)
# A prison or inspectorate prefix: what follows is a place ("HMP Wormwood Scrubs"), kept.
_PLACE_PREFIX = re.compile(r"\b(?:HMP|HMYOI|HMPYOI|HMP/YOI|HMP&YOI|YOI|HMIP|STC|IRC)[ \t]+$")
# After a name at the start of a sentence, these make it a person ("Jane Smith said ...").
_PERSON_VERBS_TEXT = """
    said says told tells asked asks emailed rang phoned wrote replied explained confirmed
    agreed promised insisted who
"""
_PERSON_VERBS = frozenset(_PERSON_VERBS_TEXT.split())
# Sentence openers and dates: they end a run of capitalised words without being part of a
# name ("On Monday Jane Smith rang" leaves "Jane Smith").
_BREAKS_TEXT = """
    A All Also An And Any Anyone Are As At Be But By Can Could Do Every Everyone For From Have
    He Her Here His How I If In Is It Its Just Let May Me More Most My No Not Now Of On Or Our
    Please She So Some Someone That The Their Them Then There These They This Those To Us We
    What When Where Which Who Why Will With Would Yes You Your Yesterday Today Tomorrow Last
    Next Recently Sadly Unfortunately Finally Meanwhile However Hello Hi Dear Thanks Thank
    Cheers Regards Best Kind Many Warm Sincerely Yours Ta Okay Ok Sorry Both Each Only Even
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June
    July August September October November December Christmas Easter Ramadan Eid Diwali
"""
# Words of places, organisations, systems and roles: a run holding one is not a name
# ("Shannon Trust", "Prison Education Framework", "North West", "Deputy Governor").
_PROTECTS_TEXT = """
    Team Teams Everybody Folks Colleagues Partners Members Chair Board Trustees Trustee Staff
    Manager Managers Officer Officers Coordinator Network Forum Group Groups Service Services
    Support Help Governor Governors Deputy Head Tutor Tutors Teacher Teachers Volunteer
    Volunteers Learner Learners Prisoner Prisoners Resident Residents Chaplaincy Chaplain
    Probation Prison Prisons Police Court Courts Council Councils Government Ministry Justice
    Home Office Department Commissioning Commissioners Dynamic Purchasing System Framework
    Portal Vetting Clearance Contract Contracts Lot Lots Tender Tenders Specification
    Local Regional National Community Charity Charities Trust Foundation Sector Voluntary
    College Colleges University Universities School Schools Academy Institute Association
    Society Alliance Partnership Company Ltd Limited Unit Agency Authority Commission Committee
    Project Programme Programmes Hub Fund Lottery Scheme Act Bill Guidance Policy Strategy
    Review Report Plan Award Awards Prize Day Week Month Year New Annual General Meeting
    Centre Center Street Road Lane Avenue House Park Square Place Building Wing Library Gym
    Offender Management Learning Skills Education Employment Training Reducing Reoffending
    Resettlement Rehabilitation Accommodation Housing Health Care Mental Substance Misuse
    Jobcentre Universal Credit Plus Digital Innovation Quality Assurance Ofsted Inspectorate
    England English Wales Welsh Scotland Scottish Ireland Irish Northern Britain British
    European Polish Romanian Albanian Muslim Christian Jewish Sikh Hindu Catholic
    London North South East West Midlands Yorkshire Humber Greater Central Upper Lower
    Leeds Manchester Birmingham Liverpool Bristol Sheffield Newcastle Nottingham Leicester
    Cardiff Swansea Hull Durham Bradford Wakefield Doncaster Preston Lancaster Norwich Exeter
    Plymouth Oxford Cambridge Coventry Derby Stoke Wolverhampton Sunderland Middlesbrough
    Keynes Kent Surrey Essex Sussex Devon Cornwall Cumbria Lancashire Merseyside Northumberland
    Google Microsoft Slack Zoom Excel Word Outlook Gmail Forms Sharepoint SharePoint
    St Saint Mount Isle Scrubs Lartin Grange Wood Marsh Heath Farms Lakes Camp
"""
_BREAKS = frozenset(_BREAKS_TEXT.split())
_PROTECTS = frozenset(_PROTECTS_TEXT.split())
# Capitalised words that follow "contact", "hi", "thanks," and so on without being names.
_NOT_NAMES = _BREAKS | _PROTECTS
_POSSESSIVE = re.compile(r"['’]s?$")


def redact_free_text(text: str) -> str:
    """Return `text` with contact details, mentions, case numbers and likely names replaced
    by tokens such as [email] and [name], so free-text answers can leave the network."""
    # Each pattern runs only if the text holds what the pattern cannot match without (a "<",
    # an "@", a digit, ...): a cheap test that skips most patterns for most answers, and skips
    # one only when it could not have changed anything.
    if "<" in text:
        text = _SLACK_MARKUP.sub(_replace_slack_markup, text)
    if "://" in text or "www." in text.lower():
        text = _URL.sub(lambda m: _clean_url(m.group(0)), text)
    if "@" in text:
        text = _EMAIL.sub(EMAIL, text)
    text = _replace_numbers(text)
    if "@" in text:
        text = _HANDLE.sub(MENTION, text)
    if _NAME_AFTER_CUE.search(text, 2):
        text = _TITLED_NAME.sub(NAME, text)
        folded = _fold(text)
        for cues, pattern in _CUED_NAMES:
            if cues.search(folded):
                text = pattern.sub(_replace_name_group, text)
                folded = _fold(text)
    text = _redact_signature_lines(text)
    if _SPACE_THEN_NAME.search(text):  # a lone capitalised word is never taken for a name
        text = _CAPITALISED_RUN.sub(_replace_capitalised_run, text)
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


def _fold(text: str) -> str:
    """`text` in lower case, where a case-insensitive pattern's ASCII words match as written:
    "Kind Regards" -> "kind regards". One character for one, so word boundaries stay put."""
    return (text if text.isascii() else text.translate(_ASCII_FOLD)).lower()


def _replace_numbers(text: str) -> str:
    """NI, prison and phone numbers, and Slack ids. Each of their matches begins at most a few
    characters before a digit, so whether one has any is settled by a search from just before
    the first digit (near the end of most answers, or nowhere) rather than from the start."""
    digit = _DIGIT.search(text)
    for pattern, replacement, lead in _NUMBERS:
        if digit is None:
            break
        if pattern.search(text, max(digit.start() - lead, 0)):
            text = pattern.sub(replacement, text)
            digit = _DIGIT.search(text)
    return text


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


def _bare(word: str) -> str:
    """A word without a possessive ending, for looking up: "Smith's" -> "Smith"."""
    return _POSSESSIVE.sub("", word)


def _name_words(words: list[str]) -> int:
    """How many of `words` (from the start) make a name: none if the first is a known
    non-name, stopping at a sentence opener or date, and none if a place or organisation word
    is among them (a person is rarely called "Shannon Trust")."""
    count = 0
    for word in words:
        if _bare(word) in _BREAKS:
            break
        count += 1
    if count == 0 or any(_bare(w) in _PROTECTS for w in words[:count]):
        return 0
    return count


def _replace_name_group(match: re.Match[str]) -> str:
    name = match.group("name")
    spans = [m.span() for m in _WORD.finditer(name)]
    keep = _name_words([name[a:b] for a, b in spans])
    if not keep:
        return match.group(0)
    end = spans[keep - 1][1]
    if _POSSESSIVE.search(name[:end]):  # "tutor Jane's class" -> "tutor [name]'s class"
        end = spans[keep - 1][0] + len(_bare(name[spans[keep - 1][0] : end]))
    start = match.start("name") - match.start(0)
    whole = match.group(0)
    return whole[:start] + NAME + whole[start + end :]


def _redact_signature_lines(text: str) -> str:
    """A line of nothing but one to three capitalised words among the last two lines of a
    longer message is a signature ("...\nJane Smith\nCEO"), so it goes."""
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if len(filled) < 2:
        return text
    for i in filled[-2:]:
        stripped = lines[i].strip().lstrip("-–—~ ").rstrip(".,! ")
        words = stripped.split()
        if (
            1 <= len(words) <= 3
            and all(_WORD.fullmatch(w) for w in words)
            and _name_words(words) == len(words)
        ):
            lines[i] = lines[i].replace(stripped, NAME, 1)
    return "\n".join(lines)


def _at_sentence_start(text: str, index: int) -> bool:
    before = text[:index].rstrip(" \t\"'“‘(*•>-–—")
    return not before or before[-1] in ".!?:;\n"


def _replace_capitalised_run(match: re.Match[str]) -> str:
    """Two or three capitalised words in a row mid-sentence ("told Sarah Jones") are taken
    as a name unless a place or organisation word is among them; at the start of a sentence
    only when a verb such as "said" follows, since any sentence starts with a capital."""
    text, run = match.string, match.group(0)
    if _PLACE_PREFIX.search(text[: match.start()]):
        return run
    spans = [m.span() for m in _WORD.finditer(run)]
    words = [run[a:b] for a, b in spans]
    follows = text[match.end() :].split(None, 1)
    next_word = follows[0].strip(".,;:!?").lower() if follows else ""
    # Split at sentence openers and dates: each piece between them is judged on its own.
    pieces: list[tuple[int, int]] = []  # (first, last) word index of each piece
    first = 0
    for i, word in enumerate([*words, "The"]):
        if _bare(word) in _BREAKS:
            if i > first:
                pieces.append((first, i - 1))
            first = i + 1
    out = run
    for lo, hi in reversed(pieces):
        piece = words[lo : hi + 1]
        if not 2 <= len(piece) <= 3 or _name_words(piece) != len(piece):
            continue
        starts = lo == 0 and _at_sentence_start(text, match.start())
        if starts and not (hi == len(words) - 1 and next_word in _PERSON_VERBS):
            continue
        a, b = spans[lo][0], spans[hi][1]
        b = a + len(run[a:b]) - (len(words[hi]) - len(_bare(words[hi])))
        out = out[:a] + NAME + out[b:]
    return out
