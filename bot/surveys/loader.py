"""Load survey definitions from YAML and refuse anything the engine could not run safely.

Definitions are written by hand by coordinators, so every fault is reported as one line that
names the file, the question and what is wrong. `check_*` collect every fault they can find
(so one run of `sectorbot survey validate` lists them all); `load_*` raise them together as one
SurveyDefinitionError, and nothing else escapes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar, cast, get_args
from zoneinfo import ZoneInfo

import yaml

from bot.surveys.engine import END
from bot.surveys.model import (
    DEFAULT_FREE_TEXT_LIMIT,
    Audience,
    Option,
    Question,
    QuestionKind,
    ResponsePer,
    SkipRule,
    SurveyDefinition,
)

DEFAULT_TIMEZONE = "Europe/London"
LIBRARY_DIR = Path(__file__).parent / "library"

# Larger than any honest definition; stops a stray upload being parsed at all.
MAX_FILE_BYTES = 256 * 1024
MAX_QUESTIONS = 100
MAX_TEXT = 3000  # Slack section text limit
MAX_TITLE = 150  # Slack header block limit
MAX_OPTION_LABEL = 75  # Slack option text limit
MAX_FREE_TEXT_LIMIT = 3000
# Slack checkboxes allow 10 options; a single choice is shown as buttons or a static select,
# and more than 25 choices is no longer a quick chat question.
OPTION_LIMITS: dict[str, tuple[int, int]] = {"single_choice": (2, 25), "multiple_choice": (2, 10)}
SCALE_POINTS = range(1, 6)

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
IDENT = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
DURATION = re.compile(r"\s*(\d{1,4})\s*([wdhm])\s*")
DURATION_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}

KINDS: tuple[str, ...] = get_args(QuestionKind)
RESPONSE_PER: tuple[str, ...] = get_args(ResponsePer)

REQUIRED_KEYS = ("name", "title", "intro", "questions", "opens_at", "closes_at", "deadline")
OPTIONAL_KEYS = (
    "anonymous",
    "audience",
    "reminders",
    "response_per",
    "results_visible_before_close",
    "min_group_size",
)
QUESTION_KEYS = (
    "id",
    "kind",
    "text",
    "required",
    "help",
    "options",
    "scale_labels",
    "max_length",
    "skip",
    "breakdown",
    "goto",
)
# Keys that only make sense for some kinds: refusing them elsewhere catches a misplaced block.
KIND_ONLY_KEYS: dict[str, tuple[str, ...]] = {
    "options": ("single_choice", "multiple_choice"),
    "scale_labels": ("scale",),
    "max_length": ("free_text",),
    "skip": ("single_choice", "multiple_choice", "scale", "yes_no"),
    "breakdown": ("single_choice", "yes_no"),
}


@dataclass(frozen=True)
class Fault:
    """One thing wrong with (or worth a second look in) a definition, shown as one line."""

    file: str
    question_id: str | None
    fault: str

    def __post_init__(self) -> None:
        # YAML errors span lines; keep every message on one.
        object.__setattr__(self, "fault", " ".join(self.fault.split()))

    def __str__(self) -> str:
        if self.question_id:
            return f"{self.file}: question '{self.question_id}': {self.fault}"
        return f"{self.file}: {self.fault}"


class SurveyDefinitionError(ValueError):
    """A survey definition that cannot be used.

    `faults` holds every fault found, so a coordinator can fix them all in one go; `file`,
    `question_id` and `fault` describe the first, and str() is that one on one line.
    """

    def __init__(
        self, file: str, question_id: str | None, fault: str, *, others: Sequence[Fault] = ()
    ) -> None:
        first = Fault(file, question_id, fault)
        self.faults: tuple[Fault, ...] = (first, *others)
        self.file = first.file
        self.question_id = first.question_id
        self.fault = first.fault
        more = f" (and {len(others)} more)" if others else ""
        super().__init__(f"{first}{more}")

    @classmethod
    def of(cls, faults: Sequence[Fault]) -> SurveyDefinitionError:
        first, *others = faults
        return cls(first.file, first.question_id, first.fault, others=others)


@dataclass(frozen=True)
class Checked:
    """All the loader can say about one definition: what `sectorbot survey validate` prints."""

    source: str
    definition: SurveyDefinition | None  # None whenever there are faults
    faults: tuple[Fault, ...] = ()
    warnings: tuple[Fault, ...] = ()  # usable as it is, but worth a second look
    text: str = ""  # the YAML as read, for storing with a run

    def usable(self) -> SurveyDefinition:
        """The definition, or SurveyDefinitionError carrying every fault."""
        if self.definition is None:
            raise SurveyDefinitionError.of(self.faults)
        return self.definition


def check_survey_file(path: str | Path, tz: str | tzinfo = DEFAULT_TIMEZONE) -> Checked:
    """Read and check one file; its `name` must match the file name so files are easy to find."""
    path = Path(path)
    source = path.name

    def refused(fault: str) -> Checked:
        return Checked(source, None, (Fault(source, None, fault),))

    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        return refused(f"cannot be read: {e.strerror or e}")
    if len(data) > MAX_FILE_BYTES:
        return refused(f"is larger than {MAX_FILE_BYTES // 1024} KB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return refused("is not UTF-8 text")
    checked = check_survey_text(text, source, tz)
    if checked.definition is not None and checked.definition.name != path.stem:
        fault = f"name '{checked.definition.name}' does not match the file name '{path.stem}'"
        return replace(checked, definition=None, faults=(Fault(source, None, fault),))
    return checked


def load_survey_file(path: str | Path, tz: str | tzinfo = DEFAULT_TIMEZONE) -> SurveyDefinition:
    """Load one definition, or raise SurveyDefinitionError with every fault found."""
    return check_survey_file(path, tz).usable()


def load_directory(
    directory: str | Path, tz: str | tzinfo = DEFAULT_TIMEZONE
) -> dict[str, SurveyDefinition]:
    """Load every *.yml / *.yaml file in a directory, keyed by survey name, in file-name order."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SurveyDefinitionError(str(directory), None, "is not a directory")
    files = sorted(p for p in directory.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
    surveys: dict[str, SurveyDefinition] = {}
    for file in files:
        definition = load_survey_file(file, tz)
        if definition.name in surveys:
            raise SurveyDefinitionError(
                file.name, None, f"survey name '{definition.name}' is already used by another file"
            )
        surveys[definition.name] = definition
    return surveys


def load_library(tz: str | tzinfo = DEFAULT_TIMEZONE) -> dict[str, SurveyDefinition]:
    """The surveys shipped with the bot (bot/surveys/library), keyed by name."""
    return load_directory(LIBRARY_DIR, tz)


def check_survey_text(
    text: str, source: str = "<text>", tz: str | tzinfo = DEFAULT_TIMEZONE
) -> Checked:
    """Parse and check a YAML definition, collecting every fault; `source` names it."""
    if len(text) > MAX_FILE_BYTES:
        fault = Fault(source, None, f"is larger than {MAX_FILE_BYTES // 1024} KB")
        return Checked(source, None, (fault,))
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    try:
        document = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    # PyYAML raises more than YAMLError on hostile input (ValueError for 2026-02-30,
    # RecursionError for deep nesting), and none of it may escape as anything else.
    except Exception as e:
        fault = Fault(source, None, f"is not valid YAML: {_yaml_fault(e)}")
        return Checked(source, None, (fault,))
    parser = _Parser(source, zone)
    definition = parser.survey(document)
    faults = parser.found()
    if definition is None and not faults:  # every refusal records why; this is a safety net
        faults = (Fault(source, None, "is not a usable survey definition"),)
    return Checked(
        source,
        definition if not faults else None,
        faults,
        tuple(parser.warnings),
        text,
    )


def load_survey_text(
    text: str, source: str = "<text>", tz: str | tzinfo = DEFAULT_TIMEZONE
) -> SurveyDefinition:
    """Parse and validate a YAML definition, or raise SurveyDefinitionError with every fault."""
    return check_survey_text(text, source, tz).usable()


def with_dates(
    text: str,
    *,
    opens_at: date | datetime,
    closes_at: date | datetime,
    deadline: date | datetime,
    source: str = "<text>",
) -> str:
    """The YAML `text` of a definition with its three dates replaced and the rest unchanged, to
    run the same questions on other dates. A date means what it means in a file (the start of
    the day for opens_at, the end for closes_at and deadline); a naive time is local time."""
    try:
        document = yaml.load(text, Loader=_StrictLoader)
    except Exception as e:  # as in check_survey_text: nothing but SurveyDefinitionError escapes
        raise SurveyDefinitionError(source, None, f"is not valid YAML: {_yaml_fault(e)}") from None
    if not isinstance(document, dict):
        raise SurveyDefinitionError(source, None, "must be a YAML mapping of survey fields")
    for key, moment in (("opens_at", opens_at), ("closes_at", closes_at), ("deadline", deadline)):
        document[key] = (
            moment.isoformat(sep=" ") if isinstance(moment, datetime) else moment.isoformat()
        )
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, which PyYAML would silently let the last win."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml_fault(e: BaseException) -> str:
    if isinstance(e, yaml.MarkedYAMLError):
        mark = e.problem_mark or e.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return f"{e.problem or e.context or 'syntax error'}{where}"
    if isinstance(e, RecursionError):
        return "nested too deeply"
    return str(e) or type(e).__name__


def _show(value: object) -> str:
    """A short, safe rendering of a bad value (never a full repr: aliases can make it huge)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float | date):
        text = repr(value) if isinstance(value, str) else str(value)
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, dict):
        return "a mapping"
    return "a list" if isinstance(value, list) else type(value).__name__


class _Refused(Exception):
    """Stops checking one part of a definition; its fault has already been recorded."""


P = ParamSpec("P")
T = TypeVar("T")
Jump = tuple[int, str, str, str]  # (position, question id, "skip target" | "goto target", target)


class _Parser:
    """Walks the parsed YAML, recording every fault it can find.

    Each part (a survey field, a question, an option, a skip rule) is checked on its own, so
    one mistake does not hide the next; a part that depends on a faulty one is not checked,
    so one mistake does not produce a cascade of confusing ones either.
    """

    def __init__(self, source: str, zone: tzinfo) -> None:
        self.source = source
        self.zone = zone
        self.position = 0  # the question being checked (1-based; 0 for the survey's own keys)
        self.faults: list[tuple[int, Fault]] = []
        self.warnings: list[Fault] = []

    def found(self) -> tuple[Fault, ...]:
        """Faults in file order: the survey's own first, then each question's."""
        return tuple(f for _, f in sorted(self.faults, key=lambda pair: pair[0]))

    def note(self, fault: str, question_id: str | None = None) -> None:
        self.faults.append((self.position, Fault(self.source, question_id, fault)))

    def fail(self, fault: str, question_id: str | None = None) -> NoReturn:
        self.note(fault, question_id)
        raise _Refused

    def attempt(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """`work`'s result, or None when it found a fault (already recorded)."""
        try:
            return work(*args, **kwargs)
        except _Refused:
            return None

    # -- survey level -------------------------------------------------------------------------

    def survey(self, document: object) -> SurveyDefinition | None:
        if not isinstance(document, dict):
            self.note(f"must be a YAML mapping of survey fields, not {_show(document)}")
            return None
        self.check_keys(document, REQUIRED_KEYS, OPTIONAL_KEYS, "survey")

        def given(key: str, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
            # A missing key is already reported by check_keys.
            return self.attempt(work, *args, **kwargs) if key in document else None

        name = given("name", self.slug, document)
        title = given("title", self.text, document, "title", max_length=MAX_TITLE)
        intro = given("intro", self.text, document, "intro", max_length=MAX_TEXT)
        opens_at = given("opens_at", self.moment, document, "opens_at", end_of_day=False)
        closes_at = given("closes_at", self.moment, document, "closes_at", end_of_day=True)
        deadline = given("deadline", self.moment, document, "deadline", end_of_day=True)
        window: timedelta | None = None
        if opens_at and closes_at:
            window = closes_at - opens_at
            if not opens_at < closes_at:
                self.note(
                    f"opens_at ({opens_at:%Y-%m-%d %H:%M}) must be before closes_at "
                    f"({closes_at:%Y-%m-%d %H:%M})"
                )
        if closes_at and deadline and deadline < closes_at:
            self.note(
                f"deadline ({deadline:%Y-%m-%d %H:%M}) must not be before closes_at "
                f"({closes_at:%Y-%m-%d %H:%M})"
            )
        reminders = self.attempt(self.reminders, document.get("reminders"), window)
        response_per = self.attempt(self.response_per, document.get("response_per", "member"))
        min_group_size = self.attempt(self.min_group_size, document.get("min_group_size", 5))
        anonymous = self.attempt(self.flag, document, "anonymous", default=True)
        if anonymous is False:
            self.warnings.append(
                Fault(
                    self.source,
                    None,
                    "anonymous is false: answers will be stored with the member; "
                    "say so in the intro",
                )
            )
        visible = self.attempt(self.flag, document, "results_visible_before_close", default=False)
        audience = self.attempt(self.audience, document.get("audience"))
        questions = given("questions", self.questions, document.get("questions"))
        if (
            self.faults
            or name is None
            or title is None
            or intro is None
            or opens_at is None
            or closes_at is None
            or deadline is None
            or questions is None
            or reminders is None
            or response_per is None
            or min_group_size is None
            or anonymous is None
            or visible is None
            or audience is None
        ):
            return None
        return SurveyDefinition(
            name=name,
            title=title,
            intro=reflow(intro),
            questions=questions,
            opens_at=opens_at,
            closes_at=closes_at,
            deadline=deadline,
            anonymous=anonymous,
            audience=audience,
            reminders=reminders,
            response_per=response_per,
            results_visible_before_close=visible,
            min_group_size=min_group_size,
            source=self.source,
        )

    def check_keys(
        self,
        mapping: dict[Any, Any],
        required: tuple[str, ...],
        optional: tuple[str, ...],
        what: str,
        question_id: str | None = None,
    ) -> bool:
        """Note every unknown or missing key; True when all is well."""
        before = len(self.faults)
        known = required + optional
        for key in mapping:
            if key not in known:
                hint = difflib.get_close_matches(str(key), known, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.note(f"unknown {what} key {_show(key)}{suggestion}", question_id)
        for key in required:
            if key not in mapping:
                self.note(f"missing required {what} key '{key}'", question_id)
        return len(self.faults) == before

    def slug(self, document: dict[Any, Any]) -> str:
        name = self.text(document, "name", max_length=64)
        if not SLUG.fullmatch(name):
            self.fail(f"name {_show(name)} must be a slug: lowercase letters, digits and hyphens")
        return name

    def text(
        self,
        mapping: dict[Any, Any],
        key: str,
        *,
        max_length: int,
        question_id: str | None = None,
        default: str | None = None,
    ) -> str:
        value = mapping.get(key, default)
        if not isinstance(value, str):
            self.fail(f"'{key}' must be text, not {_show(value)}", question_id)
        value = value.strip()
        if not value and default is None:
            self.fail(f"'{key}' must not be empty", question_id)
        if len(value) > max_length:
            self.fail(
                f"'{key}' is {len(value):,} characters; the limit is {max_length:,}", question_id
            )
        return value

    def flag(
        self, mapping: dict[Any, Any], key: str, *, default: bool, question_id: str | None = None
    ) -> bool:
        value = mapping.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"'{key}' must be true or false, not {_show(value)}", question_id)
        return value

    def moment(self, mapping: dict[Any, Any], key: str, *, end_of_day: bool) -> datetime:
        """A date-only value means the start of that day, or its end for closes_at / deadline."""
        value = mapping[key]
        try:
            if isinstance(value, str):
                text = value.strip()
                value = (
                    date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
                )
            if isinstance(value, datetime):
                if value.tzinfo is None or value.utcoffset() is None:
                    return value.replace(tzinfo=self.zone)
                return value.astimezone(self.zone)
            if isinstance(value, date):
                clock = time(23, 59, 59) if end_of_day else time(0, 0)
                return datetime.combine(value, clock, tzinfo=self.zone)
        # ValueError for a malformed string; OverflowError for years at the edge of the calendar.
        except (ValueError, OverflowError):
            pass
        self.fail(
            f"{key} must be an ISO 8601 date (2026-11-16) or date and time "
            f"(2026-11-16 09:00), not {_show(value)}"
        )

    def response_per(self, value: object) -> ResponsePer:
        if value not in RESPONSE_PER:
            self.fail(f"response_per must be one of {', '.join(RESPONSE_PER)}, not {_show(value)}")
        return cast(ResponsePer, value)

    def min_group_size(self, value: object) -> int:
        if type(value) is not int or value < 2:
            self.fail(f"min_group_size must be a whole number of at least 2, not {_show(value)}")
        return value

    def reminders(self, value: object, window: timedelta | None) -> tuple[timedelta, ...]:
        """`window` is None when the survey's dates are faulty: then only the format is checked."""
        if value is None:
            defaults = (timedelta(days=7), timedelta(days=1))
            return tuple(d for d in defaults if window is None or d < window)
        if not isinstance(value, list):
            self.fail(f'reminders must be a list such as ["7d", "1d"], not {_show(value)}')
        found: list[timedelta] = []
        before = len(self.faults)
        for item in value:
            delta = self.attempt(self.reminder, item, window, found)
            if delta is not None:
                found.append(delta)
        if len(self.faults) > before:
            raise _Refused
        return tuple(sorted(found, reverse=True))

    def reminder(
        self, item: object, window: timedelta | None, earlier: list[timedelta]
    ) -> timedelta:
        match = DURATION.fullmatch(item) if isinstance(item, str) else None
        if match is None:
            self.fail(
                f'reminder {_show(item)} must look like "7d", "12h", "2w" '
                f'or "30m" (before the survey closes)'
            )
        delta = timedelta(**{DURATION_UNITS[match[2]]: int(match[1])})
        if delta <= timedelta(0):
            self.fail(f"reminder {_show(item)} must be more than zero")
        if window is not None and delta >= window:
            self.fail(f"reminder {_show(item)} would be sent before the survey opens")
        if delta in earlier:
            self.fail(f"reminder {_show(item)} is given twice")
        return delta

    def audience(self, value: object) -> Audience:
        if value is None:
            return Audience()
        if not isinstance(value, dict):
            self.fail(f"audience must be a mapping with channels and users, not {_show(value)}")
        if not self.check_keys(value, (), ("channels", "users"), "audience"):
            raise _Refused

        def ids(key: str) -> tuple[str, ...]:
            items = value.get(key) or []
            if not isinstance(items, list) or not all(
                isinstance(i, str) and i.strip() for i in items
            ):
                self.fail(f"audience {key} must be a list of names or ids")
            return tuple(i.strip() for i in items)

        channels = self.attempt(ids, "channels")
        users = self.attempt(ids, "users")
        if channels is None or users is None:
            raise _Refused
        return Audience(channels=channels, users=users)

    # -- questions ----------------------------------------------------------------------------

    def questions(self, value: object) -> tuple[Question, ...]:
        if not isinstance(value, list):
            self.fail(f"questions must be a list, not {_show(value)}")
        if not value:
            self.fail("questions must not be empty")
        if len(value) > MAX_QUESTIONS:
            self.fail(f"has {len(value)} questions; the limit is {MAX_QUESTIONS}")
        positions: dict[str, int] = {}
        jumps: list[Jump] = []
        questions: list[Question] = []
        for n, item in enumerate(value, start=1):
            self.position = n
            qid = self.attempt(self.question_id, item, n)
            if qid is None:
                continue
            if qid in positions:
                self.note(f"question id is used twice (questions {positions[qid]} and {n})", qid)
            else:
                positions[qid] = n
            question = self.attempt(self.question, item, qid, n, jumps)
            if question is not None:
                questions.append(question)
        # Targets must be later in the list, so every path ends and "back" is well defined.
        for n, qid, what, target in jumps:
            self.position = n
            if target == END:
                continue
            if target not in positions:
                self.note(f"{what} '{target}' does not exist", qid)
            elif positions[target] <= n:
                self.note(
                    f"{what} '{target}' must come later in the list "
                    f"(loops and backward jumps are not allowed)",
                    qid,
                )
        self.position = 0
        if len(questions) < len(value):
            raise _Refused
        return tuple(questions)

    def question_id(self, item: object, number: int) -> str:
        if not isinstance(item, dict):
            self.fail(f"question {number} must be a mapping, not {_show(item)}")
        raw_id = item.get("id")
        if not isinstance(raw_id, str) or not IDENT.fullmatch(raw_id):
            self.fail(
                f"question {number} needs an 'id' of lowercase letters, digits, '_' or '-' "
                f"(up to 64), not {_show(raw_id)}"
            )
        if raw_id == END:
            self.fail(f"'{END}' is reserved for skipping to the end; use another id", raw_id)
        return raw_id

    def question(self, item: dict[Any, Any], qid: str, number: int, jumps: list[Jump]) -> Question:
        """One question, checked part by part; its skip and goto targets go into `jumps`."""
        before = len(self.faults)
        self.check_keys(item, ("id", "kind", "text"), QUESTION_KEYS[3:], "question", qid)
        if "kind" not in item:
            raise _Refused  # the missing key is noted; nothing else can be judged without it
        kind = item["kind"]
        if kind not in KINDS:
            self.fail(f"kind {_show(kind)} must be one of {', '.join(KINDS)}", qid)
        for key, kinds in KIND_ONLY_KEYS.items():
            if key in item and kind not in kinds:
                self.note(f"'{key}' is not allowed on a {kind} question", qid)

        text = (
            self.attempt(self.text, item, "text", max_length=MAX_TEXT, question_id=qid)
            if "text" in item
            else None
        )
        required = self.attempt(self.flag, item, "required", default=True, question_id=qid)
        help_text = self.attempt(
            self.text, item, "help", max_length=MAX_TEXT, question_id=qid, default=""
        )
        breakdown = self.attempt(self.flag, item, "breakdown", default=False, question_id=qid)
        options = self.attempt(self.options, item.get("options"), kind, qid)
        scale_labels = (
            self.attempt(self.scale_labels, item.get("scale_labels"), qid)
            if kind == "scale"
            else ()
        )
        max_length = self.attempt(self.max_length, item, kind, qid)
        # Skip rules name options, so they can only be judged once the options are sound.
        skip: tuple[SkipRule, ...] | None = ()
        if kind in KIND_ONLY_KEYS["skip"] and options is not None:
            skip = self.attempt(self.skip_rules, item.get("skip"), kind, options, qid)
        jumps.extend((number, qid, "skip target", rule.goto) for rule in skip or ())
        goto = item.get("goto")
        if goto is not None and not isinstance(goto, str):
            self.note(f"goto must be a question id or '{END}', not {_show(goto)}", qid)
        elif goto is not None:
            jumps.append((number, qid, "goto target", goto))
        if (
            len(self.faults) > before
            or text is None
            or required is None
            or help_text is None
            or breakdown is None
            or options is None
            or scale_labels is None
            or max_length is None
            or skip is None
        ):
            raise _Refused
        return Question(
            id=qid,
            kind=cast(QuestionKind, kind),
            text=text,
            required=required,
            help=help_text,
            options=options,
            scale_labels=scale_labels,
            max_length=max_length or None,
            skip=skip,
            breakdown=breakdown,
            goto=goto,
        )

    def max_length(self, item: dict[Any, Any], kind: str, qid: str) -> int:
        """The free-text limit; 0 (stored as None) for other kinds."""
        if kind != "free_text":
            return 0
        value = item.get("max_length", DEFAULT_FREE_TEXT_LIMIT)
        if type(value) is not int or not 1 <= value <= MAX_FREE_TEXT_LIMIT:
            self.fail(
                f"max_length must be a whole number from 1 to {MAX_FREE_TEXT_LIMIT}, "
                f"not {_show(value)}",
                qid,
            )
        return value

    def options(self, value: object, kind: str, qid: str) -> tuple[Option, ...]:
        if kind not in OPTION_LIMITS:
            return ()
        low, high = OPTION_LIMITS[kind]
        if not isinstance(value, list):
            self.fail(
                f"a {kind} question needs a list of {low} to {high} options, not {_show(value)}",
                qid,
            )
        before = len(self.faults)
        if not low <= len(value) <= high:
            self.note(f"a {kind} question needs {low} to {high} options, but has {len(value)}", qid)
        options: list[Option] = []
        for item in value:
            option = self.attempt(self.option, item, kind, qid, options)
            if option is not None:
                options.append(option)
        if len(self.faults) > before:
            raise _Refused
        if all(o.exclusive for o in options):
            self.fail(
                "every option is exclusive, so only one can ever be chosen; "
                "make it a single_choice question instead",
                qid,
            )
        return tuple(options)

    def option(self, item: object, kind: str, qid: str, earlier: list[Option]) -> Option:
        if not isinstance(item, dict):
            self.fail(f"each option must be a mapping with value and label, not {_show(item)}", qid)
        if not self.check_keys(item, ("value", "label"), ("exclusive",), "option", qid):
            raise _Refused
        raw = item["value"]
        if not isinstance(raw, str) or not IDENT.fullmatch(raw):
            hint = " (quote yes/no/on/off in YAML)" if isinstance(raw, bool) else ""
            self.fail(
                f"option value {_show(raw)} must be lowercase letters, digits, '_' or '-'{hint}",
                qid,
            )
        label = self.text(item, "label", max_length=MAX_OPTION_LABEL, question_id=qid)
        exclusive = self.flag(item, "exclusive", default=False, question_id=qid)
        if "exclusive" in item and kind != "multiple_choice":
            self.fail(
                f"option '{raw}': 'exclusive' is only allowed on multiple_choice options "
                f"(a {kind} answer is always one option)",
                qid,
            )
        if any(o.value == raw for o in earlier):
            self.fail(f"option value '{raw}' is used twice", qid)
        if any(o.label.casefold() == label.casefold() for o in earlier):
            self.fail(f"option label {_show(label)} is used twice", qid)
        return Option(value=raw, label=label, exclusive=exclusive)

    def scale_labels(self, value: object, qid: str) -> tuple[tuple[int, str], ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.fail(
                f"scale_labels must be a mapping such as {{1: Poor, 5: Good}}, not {_show(value)}",
                qid,
            )
        labels: dict[int, str] = {}
        for key, label in value.items():
            if isinstance(key, bool) or not isinstance(key, int) or key not in SCALE_POINTS:
                self.fail(f"scale label key {_show(key)} must be a number from 1 to 5", qid)
            point = key
            if not isinstance(label, str) or not label.strip():
                self.fail(f"scale label for {point} must be text, not {_show(label)}", qid)
            if len(label.strip()) > MAX_OPTION_LABEL:
                self.fail(
                    f"scale label for {point} is longer than {MAX_OPTION_LABEL} characters", qid
                )
            labels[point] = label.strip()
        return tuple(sorted(labels.items()))

    def skip_rules(
        self, value: object, kind: str, options: tuple[Option, ...], qid: str
    ) -> tuple[SkipRule, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(f"skip must be a list of {{equals, goto}} rules, not {_show(value)}", qid)
        normalise = self.skip_value_checker(kind, options, qid)
        before = len(self.faults)
        rules: list[SkipRule] = []
        for item in value:
            rule = self.attempt(self.skip_rule, item, normalise, qid, rules)
            if rule is not None:
                rules.append(rule)
        if len(self.faults) > before:
            raise _Refused
        return tuple(rules)

    def skip_rule(
        self,
        item: object,
        normalise: Callable[[object], str | int],
        qid: str,
        earlier: list[SkipRule],
    ) -> SkipRule:
        if not isinstance(item, dict):
            self.fail(
                f"each skip rule must be a mapping with equals and goto, not {_show(item)}", qid
            )
        if not self.check_keys(item, ("equals", "goto"), (), "skip rule", qid):
            raise _Refused
        goto = item["goto"]
        if not isinstance(goto, str) or not goto:
            self.fail(f"skip goto must be a question id or '{END}', not {_show(goto)}", qid)
        equals = normalise(item["equals"])
        if any(r.equals == equals for r in earlier):
            self.fail(f"two skip rules match {_show(equals)}", qid)
        return SkipRule(equals=equals, goto=goto)

    def skip_value_checker(
        self, kind: str, options: tuple[Option, ...], qid: str
    ) -> Callable[[object], str | int]:
        """How a skip rule's `equals` is checked and stored for this kind of question."""

        def check(raw: object) -> str | int:
            if kind == "yes_no":
                # Unquoted yes/no in YAML 1.1 arrive as booleans; accept them as meant.
                if isinstance(raw, bool):
                    return "yes" if raw else "no"
                if isinstance(raw, str) and raw.strip().lower() in ("yes", "no"):
                    return raw.strip().lower()
                self.fail(f"skip equals {_show(raw)} must be yes or no", qid)
            if kind == "scale":
                if type(raw) is int and raw in SCALE_POINTS:
                    return raw
                self.fail(f"skip equals {_show(raw)} must be a number from 1 to 5", qid)
            if isinstance(raw, str) and any(o.value == raw for o in options):
                return raw
            values = ", ".join(o.value for o in options)
            self.fail(f"skip equals {_show(raw)} is not an option value (one of: {values})", qid)

        return check


_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")


def reflow(text: str) -> str:
    """Join the hard-wrapped lines of YAML block text into paragraphs, so Slack, Teams and the
    terminal wrap it to their own width; blank lines and list items keep their breaks."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines: list[str] = []
        for line in block.splitlines():
            if lines and not _LIST_ITEM.match(line):
                lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
            else:
                lines.append(line.strip())
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)
