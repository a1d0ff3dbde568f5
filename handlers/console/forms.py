"""A core Form as a run of prompts, giving back the same strings a Slack modal would submit.

The values match handlers/slack/forms.submitted_values: text as typed, a date as YYYY-MM-DD, a
date and time as a Unix timestamp, a select's option value, ticked boxes joined by commas. The
checks Slack's modal makes before submitting (required fields, length limits, valid dates) are
made here too; everything else is the core form handler's job, exactly as in Slack.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.text import Text

from bot.interactions import Form, FormField
from handlers.console.lines import CANCEL, LineSource

END_OF_TEXT = "."
HELP = "/help"
FORM_HELP = (
    "You are filling in a form. Answer the question shown, press Enter to keep what is already "
    "there, or type /cancel (or press Ctrl-D) to leave the form without sending it."
)


class Cancelled(Exception):
    """The person left the form (Ctrl-D or /cancel); nothing is submitted."""


class FormPrompter:
    def __init__(self, console: Console, lines: LineSource, zone: ZoneInfo) -> None:
        self._console = console
        self._lines = lines
        self._zone = zone

    def fill(
        self,
        form: Form,
        previous: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        """Ask for every field (or, after a rejected submit, only the fields with errors)."""
        values = dict(previous or {})
        if errors:
            self._console.print(Text("Some answers need another look:", style="yellow"))
        else:
            self._console.print(Text(f"── {form.title} ──", style="bold"))
            self._console.print(
                Text("Answer each question; /cancel or Ctrl-D leaves the form.", style="dim")
            )
        for field in form.fields:
            if errors and field.id not in errors:
                continue
            if errors:
                self._console.print(Text(errors[field.id], style="yellow"))
            values[field.id] = self._ask(field, values.get(field.id, field.initial))
        return values

    def _read(self, prompt: str = "  › ") -> str:
        while True:
            line = self._lines.read(Text(prompt, style="cyan"))
            if line is None or line.strip() == CANCEL:
                raise Cancelled
            if line.strip() != HELP:
                return line
            self._console.print(Text(FORM_HELP, style="dim"))

    def _ask(self, field: FormField, current: str) -> str:
        # Text refused for its length is shown back to copy and cut, not lost; and it is not
        # offered with "press Enter to keep", which would only send it to be refused again.
        keep = "" if _too_long(field, current) else current
        self._introduce(field, keep)
        if current and not keep:
            self._show_back(current)
        while True:
            raw = self._multiline() if field.kind == "multiline" else self._read().strip()
            if not raw and keep:
                return keep
            value, problem = self._convert(field, raw)
            if problem is None:
                return value
            self._console.print(Text(problem, style="yellow"))
            if _too_long(field, raw):
                self._show_back(raw)

    def _show_back(self, typed: str) -> None:
        """What the person typed, plain and unwrapped, so a terminal copies it cleanly."""
        self._console.print(Text("Here is what you typed, to copy and shorten:", style="dim"))
        self._console.print(Text(typed), soft_wrap=True)

    def _introduce(self, field: FormField, current: str) -> None:
        label = Text(field.label, style="bold")
        if not field.required:
            label.append(" (optional)", style="dim")
        self._console.print(label)
        notes = [field.hint] if field.hint else []
        notes.append(_how_to_answer(field, self._zone))
        if current:
            notes.append(f"Press Enter to keep: {self._show(field, current)}")
        for note in notes:
            self._console.print(Text(note, style="dim"))
        if field.kind in ("select", "checkboxes"):
            for number, (_value, option) in enumerate(field.options, start=1):
                self._console.print(Text(f"  [{number}] {option}"))

    def _multiline(self) -> str:
        lines: list[str] = []
        while True:
            line = self._read("  … " if lines else "  › ")
            if line.strip() == END_OF_TEXT:
                return "\n".join(lines).strip("\n")
            lines.append(line)

    def _convert(self, field: FormField, raw: str) -> tuple[str, str | None]:
        if not raw:
            return ("", None) if not field.required else ("", "This one is needed.")
        if field.kind in ("text", "multiline"):
            if field.max_length and _too_long(field, raw):
                over = len(raw) - field.max_length
                return "", (
                    f"That is {len(raw):,} characters; the limit is {field.max_length:,}. "
                    f"Please cut at least {over:,} character{'' if over == 1 else 's'}."
                )
            return raw, None
        if field.kind == "date":
            try:
                return date.fromisoformat(raw).isoformat(), None
            except ValueError:
                return "", "Please give a date like 2026-12-04."
        if field.kind == "datetime":
            return self._moment(raw)
        return _options(field, raw)

    def _moment(self, raw: str) -> tuple[str, str | None]:
        try:
            moment = datetime.fromisoformat(raw.replace(" ", "T", 1))
        except ValueError:
            return "", "Please give a date and time like 2026-12-01 09:00."
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self._zone)
        return str(int(moment.timestamp())), None

    def _show(self, field: FormField, value: str) -> str:
        if field.kind == "datetime" and value.isdigit():
            local = datetime.fromtimestamp(int(value), self._zone)
            return f"{local:%Y-%m-%d %H:%M}"
        if field.kind in ("select", "checkboxes"):
            labels = dict(field.options)
            return ", ".join(labels.get(v, v) for v in value.split(",") if v)
        return value if len(value) <= 60 else value[:59] + "…"


def _too_long(field: FormField, text: str) -> bool:
    limit = field.max_length if field.kind in ("text", "multiline") else None
    return bool(limit and len(text) > limit)


def _how_to_answer(field: FormField, zone: ZoneInfo) -> str:
    if field.kind == "multiline":
        return "Type as many lines as you need, then a line with just a full stop (.) to finish."
    if field.kind == "date":
        return "A date, like 2026-12-04."
    if field.kind == "datetime":
        return f"A date and time, like 2026-12-01 09:00 ({zone.key} time)."
    if field.kind == "select":
        return "Type the number of one option."
    if field.kind == "checkboxes":
        return "Type the numbers of all that apply, like 1,3."
    if field.max_length:
        return f"Up to {field.max_length:,} characters."
    return "Type your answer."


def _options(field: FormField, raw: str) -> tuple[str, str | None]:
    """Option numbers (or values) to the option values Slack would submit."""
    chosen: list[str] = []
    values = [value for value, _label in field.options]
    for part in (p.strip() for p in raw.split(",")):
        if part.isdigit() and 1 <= int(part) <= len(values):
            chosen.append(values[int(part) - 1])
        elif part in values:
            chosen.append(part)
        elif part:
            return "", f"Please choose by number, from 1 to {len(values)}."
    if field.kind == "select" and len(chosen) != 1:
        return "", "Please choose just one option."
    return ",".join(dict.fromkeys(chosen)), None
