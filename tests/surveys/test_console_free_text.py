"""In the terminal demo, a free-text answer refused for its length is not lost: the member is
told how much to cut and shown what they typed, so they can shorten it rather than retype it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.console import Console
from rich.text import Text

from bot.interactions import Form, FormField
from handlers.console.forms import FormPrompter

STORY = "We run reading groups in two prisons and would like to run more."  # 64 characters
FORM = Form(
    action="survey.text",
    title="Your answer",
    fields=(FormField(id="answer", label="Tell us", kind="multiline", max_length=40),),
)


class Typed:
    """Lines as a person would type them, one per prompt."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)

    def read(self, prompt: Text) -> str | None:
        return self.lines.pop(0) if self.lines else None


def prompter(*lines: str) -> tuple[FormPrompter, Console]:
    console = Console(record=True, width=200, color_system=None)
    return FormPrompter(console, Typed(*lines), ZoneInfo("Europe/London")), console


def test_too_long_says_how_much_to_cut_and_shows_the_text_back() -> None:
    form, console = prompter(STORY, ".", "We run reading groups in two prisons.", ".")
    values = form.fill(FORM)
    shown = console.export_text()
    assert values == {"answer": "We run reading groups in two prisons."}
    assert "That is 64 characters; the limit is 40. Please cut at least 24 characters." in shown
    assert f"Here is what you typed, to copy and shorten:\n{STORY}\n" in shown


def test_refused_by_the_bot_the_long_text_is_shown_not_offered_with_enter() -> None:
    """After a rejected submit the typed text comes back as `previous`: pressing Enter must not
    send it again unchanged, and the member still sees every word of it."""
    form, console = prompter("A shorter story.", ".")
    error = "That answer is 64 characters; the limit is 40. Please cut at least 24 characters."
    values = form.fill(FORM, {"answer": STORY}, {"answer": error})
    shown = console.export_text()
    assert values == {"answer": "A shorter story."}
    assert error in shown
    assert STORY in shown and "Press Enter to keep" not in shown


def test_a_text_within_the_limit_can_still_be_kept_with_enter() -> None:
    form, console = prompter("")
    single = Form(
        action="t",
        title="T",
        fields=(FormField(id="org", label="Organisation", kind="text", max_length=40),),
    )
    assert form.fill(single, {"org": "Open Book"}, {"org": "Please check this."}) == {
        "org": "Open Book"
    }
    assert "Press Enter to keep: Open Book" in console.export_text()
