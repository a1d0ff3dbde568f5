"""Load survey definitions from YAML and refuse anything the engine could not run safely.

Definitions are written by hand by coordinators, so every fault is reported as one line that
names the file, the question and what is wrong, and nothing but SurveyDefinitionError escapes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, NoReturn, cast, get_args
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


class SurveyDefinitionError(ValueError):
    """A survey definition that cannot be used; str() is one line for the coordinator."""

    def __init__(self, file: str, question_id: str | None, fault: str) -> None:
        self.file = file
        self.question_id = question_id
        self.fault = " ".join(fault.split())  # YAML errors span lines; keep the message on one
        where = f"{file}: question '{question_id}': " if question_id else f"{file}: "
        super().__init__(where + self.fault)


def load_survey_file(path: str | Path, tz: str | tzinfo = DEFAULT_TIMEZONE) -> SurveyDefinition:
    """Load one definition; its `name` must match the file name so files are easy to find."""
    path = Path(path)
    source = path.name
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise SurveyDefinitionError(source, None, f"cannot be read: {e.strerror or e}") from e
    if len(data) > MAX_FILE_BYTES:
        raise SurveyDefinitionError(source, None, f"is larger than {MAX_FILE_BYTES // 1024} KB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SurveyDefinitionError(source, None, "is not UTF-8 text") from e
    definition = load_survey_text(text, source, tz)
    if definition.name != path.stem:
        raise SurveyDefinitionError(
            source, None, f"name '{definition.name}' does not match the file name '{path.stem}'"
        )
    return definition


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


def load_survey_text(
    text: str, source: str = "<text>", tz: str | tzinfo = DEFAULT_TIMEZONE
) -> SurveyDefinition:
    """Parse and validate a YAML definition; `source` names it in error messages."""
    if len(text) > MAX_FILE_BYTES:
        raise SurveyDefinitionError(source, None, f"is larger than {MAX_FILE_BYTES // 1024} KB")
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    try:
        document = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    # PyYAML raises more than YAMLError on hostile input (ValueError for 2026-02-30,
    # RecursionError for deep nesting), and none of it may escape as anything else.
    except Exception as e:
        raise SurveyDefinitionError(source, None, f"is not valid YAML: {_yaml_fault(e)}") from e
    return _Parser(source, zone).survey(document)


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


class _Parser:
    """Walks the parsed YAML, turning each fault into a SurveyDefinitionError."""

    def __init__(self, source: str, zone: tzinfo) -> None:
        self.source = source
        self.zone = zone

    def fail(self, fault: str, question_id: str | None = None) -> NoReturn:
        raise SurveyDefinitionError(self.source, question_id, fault)

    # -- survey level -------------------------------------------------------------------------

    def survey(self, document: object) -> SurveyDefinition:
        if not isinstance(document, dict):
            self.fail(f"must be a YAML mapping of survey fields, not {_show(document)}")
        self.check_keys(document, REQUIRED_KEYS, OPTIONAL_KEYS, "survey")
        name = self.text(document, "name", max_length=64)
        if not SLUG.fullmatch(name):
            self.fail(f"name {_show(name)} must be a slug: lowercase letters, digits and hyphens")
        title = self.text(document, "title", max_length=MAX_TITLE)
        intro = reflow(self.text(document, "intro", max_length=MAX_TEXT))

        opens_at = self.moment(document, "opens_at", end_of_day=False)
        closes_at = self.moment(document, "closes_at", end_of_day=True)
        deadline = self.moment(document, "deadline", end_of_day=True)
        if not opens_at < closes_at:
            self.fail(
                f"opens_at ({opens_at:%Y-%m-%d %H:%M}) must be before closes_at "
                f"({closes_at:%Y-%m-%d %H:%M})"
            )
        if deadline < closes_at:
            self.fail(
                f"deadline ({deadline:%Y-%m-%d %H:%M}) must not be before closes_at "
                f"({closes_at:%Y-%m-%d %H:%M})"
            )

        questions = self.questions(document["questions"])
        reminders = self.reminders(document.get("reminders"), closes_at - opens_at)
        response_per = document.get("response_per", "member")
        if response_per not in RESPONSE_PER:
            self.fail(
                f"response_per must be one of {', '.join(RESPONSE_PER)}, not {_show(response_per)}"
            )
        min_group_size = document.get("min_group_size", 5)
        if type(min_group_size) is not int or min_group_size < 2:
            self.fail(
                f"min_group_size must be a whole number of at least 2, not {_show(min_group_size)}"
            )
        return SurveyDefinition(
            name=name,
            title=title,
            intro=intro,
            questions=questions,
            opens_at=opens_at,
            closes_at=closes_at,
            deadline=deadline,
            anonymous=self.flag(document, "anonymous", default=True),
            audience=self.audience(document.get("audience")),
            reminders=reminders,
            response_per=cast(ResponsePer, response_per),
            results_visible_before_close=self.flag(
                document, "results_visible_before_close", default=False
            ),
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
    ) -> None:
        known = required + optional
        for key in mapping:
            if key not in known:
                hint = difflib.get_close_matches(str(key), known, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.fail(f"unknown {what} key {_show(key)}{suggestion}", question_id)
        for key in required:
            if key not in mapping:
                self.fail(f"missing required {what} key '{key}'", question_id)

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

    def reminders(self, value: object, window: timedelta) -> tuple[timedelta, ...]:
        if value is None:
            return tuple(d for d in (timedelta(days=7), timedelta(days=1)) if d < window)
        if not isinstance(value, list):
            self.fail(f'reminders must be a list such as ["7d", "1d"], not {_show(value)}')
        found: list[timedelta] = []
        for item in value:
            match = DURATION.fullmatch(item) if isinstance(item, str) else None
            if match is None:
                self.fail(
                    f'reminder {_show(item)} must look like "7d", "12h", "2w" '
                    f'or "30m" (before the survey closes)'
                )
            delta = timedelta(**{DURATION_UNITS[match[2]]: int(match[1])})
            if delta <= timedelta(0):
                self.fail(f"reminder {_show(item)} must be more than zero")
            if delta >= window:
                self.fail(f"reminder {_show(item)} would be sent before the survey opens")
            if delta in found:
                self.fail(f"reminder {_show(item)} is given twice")
            found.append(delta)
        return tuple(sorted(found, reverse=True))

    def audience(self, value: object) -> Audience:
        if value is None:
            return Audience()
        if not isinstance(value, dict):
            self.fail(f"audience must be a mapping with channels and users, not {_show(value)}")
        self.check_keys(value, (), ("channels", "users"), "audience")

        def ids(key: str) -> tuple[str, ...]:
            items = value.get(key) or []
            if not isinstance(items, list) or not all(
                isinstance(i, str) and i.strip() for i in items
            ):
                self.fail(f"audience {key} must be a list of names or ids")
            return tuple(i.strip() for i in items)

        return Audience(channels=ids("channels"), users=ids("users"))

    # -- questions ----------------------------------------------------------------------------

    def questions(self, value: object) -> tuple[Question, ...]:
        if not isinstance(value, list):
            self.fail(f"questions must be a list, not {_show(value)}")
        if not value:
            self.fail("questions must not be empty")
        if len(value) > MAX_QUESTIONS:
            self.fail(f"has {len(value)} questions; the limit is {MAX_QUESTIONS}")
        questions = [self.question(item, n) for n, item in enumerate(value, start=1)]
        positions: dict[str, int] = {}
        for n, q in enumerate(questions):
            if q.id in positions:
                self.fail(
                    f"question id is used twice (questions {positions[q.id] + 1} and {n + 1})", q.id
                )
            positions[q.id] = n
        # Targets must be later in the list, so every path ends and "back" is well defined.
        for n, q in enumerate(questions):
            targets = [("skip target", r.goto) for r in q.skip]
            if q.goto is not None:
                targets.append(("goto target", q.goto))
            for what, target in targets:
                if target == END:
                    continue
                if target not in positions:
                    self.fail(f"{what} '{target}' does not exist", q.id)
                if positions[target] <= n:
                    self.fail(
                        f"{what} '{target}' must come later in the list "
                        f"(loops and backward jumps are not allowed)",
                        q.id,
                    )
        return tuple(questions)

    def question(self, item: object, number: int) -> Question:
        if not isinstance(item, dict):
            self.fail(f"question {number} must be a mapping, not {_show(item)}")
        raw_id = item.get("id")
        if not isinstance(raw_id, str) or not IDENT.fullmatch(raw_id):
            self.fail(
                f"question {number} needs an 'id' of lowercase letters, digits, '_' or '-' "
                f"(up to 64), not {_show(raw_id)}"
            )
        qid = raw_id
        if qid == END:
            self.fail(f"'{END}' is reserved for skipping to the end; use another id", qid)
        self.check_keys(item, ("id", "kind", "text"), QUESTION_KEYS[3:], "question", qid)
        kind = item["kind"]
        if kind not in KINDS:
            self.fail(f"kind {_show(kind)} must be one of {', '.join(KINDS)}", qid)
        for key, kinds in KIND_ONLY_KEYS.items():
            if key in item and kind not in kinds:
                self.fail(f"'{key}' is not allowed on a {kind} question", qid)

        options = self.options(item.get("options"), kind, qid)
        scale_labels = self.scale_labels(item.get("scale_labels"), qid) if kind == "scale" else ()
        max_length: int | None = None
        if kind == "free_text":
            max_length = item.get("max_length", DEFAULT_FREE_TEXT_LIMIT)
            if type(max_length) is not int or not 1 <= max_length <= MAX_FREE_TEXT_LIMIT:
                self.fail(
                    f"max_length must be a whole number from 1 to {MAX_FREE_TEXT_LIMIT}, "
                    f"not {_show(max_length)}",
                    qid,
                )
        skip = self.skip_rules(item.get("skip"), kind, options, qid)
        goto = item.get("goto")
        if goto is not None and not isinstance(goto, str):
            self.fail(f"goto must be a question id or '{END}', not {_show(goto)}", qid)
        return Question(
            id=qid,
            kind=cast(QuestionKind, kind),
            text=self.text(item, "text", max_length=MAX_TEXT, question_id=qid),
            required=self.flag(item, "required", default=True, question_id=qid),
            help=self.text(item, "help", max_length=MAX_TEXT, question_id=qid, default=""),
            options=options,
            scale_labels=scale_labels,
            max_length=max_length,
            skip=skip,
            breakdown=self.flag(item, "breakdown", default=False, question_id=qid),
            goto=goto,
        )

    def options(self, value: object, kind: str, qid: str) -> tuple[Option, ...]:
        if kind not in OPTION_LIMITS:
            return ()
        low, high = OPTION_LIMITS[kind]
        if not isinstance(value, list):
            self.fail(
                f"a {kind} question needs a list of {low} to {high} options, not {_show(value)}",
                qid,
            )
        if not low <= len(value) <= high:
            self.fail(f"a {kind} question needs {low} to {high} options, but has {len(value)}", qid)
        options: list[Option] = []
        for item in value:
            if not isinstance(item, dict):
                self.fail(
                    f"each option must be a mapping with value and label, not {_show(item)}", qid
                )
            self.check_keys(item, ("value", "label"), (), "option", qid)
            raw = item["value"]
            if not isinstance(raw, str) or not IDENT.fullmatch(raw):
                hint = " (quote yes/no/on/off in YAML)" if isinstance(raw, bool) else ""
                self.fail(
                    f"option value {_show(raw)} must be lowercase letters, digits, '_' "
                    f"or '-'{hint}",
                    qid,
                )
            label = self.text(item, "label", max_length=MAX_OPTION_LABEL, question_id=qid)
            if any(o.value == raw for o in options):
                self.fail(f"option value '{raw}' is used twice", qid)
            if any(o.label.casefold() == label.casefold() for o in options):
                self.fail(f"option label {_show(label)} is used twice", qid)
            options.append(Option(value=raw, label=label))
        return tuple(options)

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
        rules: list[SkipRule] = []
        for item in value:
            if not isinstance(item, dict):
                self.fail(
                    f"each skip rule must be a mapping with equals and goto, not {_show(item)}", qid
                )
            self.check_keys(item, ("equals", "goto"), (), "skip rule", qid)
            goto = item["goto"]
            if not isinstance(goto, str) or not goto:
                self.fail(f"skip goto must be a question id or '{END}', not {_show(goto)}", qid)
            equals = normalise(item["equals"])
            if any(r.equals == equals for r in rules):
                self.fail(f"two skip rules match {_show(equals)}", qid)
            rules.append(SkipRule(equals=equals, goto=goto))
        return tuple(rules)

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
