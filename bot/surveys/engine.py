"""Pure survey decisions: is this answer acceptable, what comes next, how far along is the member.

No I/O here, so the state machine around it (and every platform) can be tested without one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from bot.surveys.model import (
    DEFAULT_FREE_TEXT_LIMIT,
    AnswerValue,
    Option,
    Question,
    SkipRule,
    SurveyDefinition,
)

END = "end"  # skip or goto target meaning "finish the survey"
Answers = Mapping[str, AnswerValue | None]

YES = ("yes", "y", "true")
NO = ("no", "n", "false")
KEPT_CONTROLS = ("\n", "\t")


class InvalidAnswer(ValueError):
    """An answer the member should correct; str() is a plain-English message for them."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


# -- validating answers ---------------------------------------------------------------------


def validate_answer(question: Question, raw: object) -> AnswerValue | None:
    """Normalise a raw answer to its stored form; None means an optional question was skipped.

    Accepts what people and platforms actually send: option values, labels or numbers,
    comma-separated lists, "Y"/"no", numbers as text.
    """
    if _is_blank(raw):
        return _skipped(question)
    if question.kind == "single_choice":
        return _single_choice(question, raw)
    if question.kind == "multiple_choice":
        # "," alone is not blank text but chooses nothing.
        chosen = _multiple_choice(question, raw)
        return chosen if chosen else _skipped(question)
    if question.kind == "scale":
        return _scale(question, raw)
    if question.kind == "yes_no":
        return _yes_no(raw)
    return _free_text(question, raw)


def _skipped(question: Question) -> AnswerValue | None:
    """An empty answer skips an optional question; a required one must be answered."""
    if question.required:
        raise InvalidAnswer("This question needs an answer.")
    return None


def _is_blank(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not _clean_text(raw).strip()
    return isinstance(raw, list | tuple) and all(_is_blank(item) for item in raw)


def _option_for(question: Question, raw: object) -> Option | None:
    """Match by value, then label (ignoring case and spacing), then 1-based number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        raw = str(raw)
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    for option in question.options:
        if option.value == text:
            return option
    folded = " ".join(text.split()).casefold()
    for option in question.options:
        if " ".join(option.label.split()).casefold() == folded:
            return option
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(question.options):
        return question.options[int(text) - 1]
    return None


def _single_choice(question: Question, raw: object) -> str:
    if isinstance(raw, list | tuple) and len(raw) == 1:
        raw = raw[0]
    option = _option_for(question, raw)
    if option is None:
        raise InvalidAnswer("Please choose one of the options.")
    return option.value


def _multiple_choice(question: Question, raw: object) -> list[str]:
    items: list[object]
    if isinstance(raw, str):
        # A label may itself contain a comma, so try the whole text before splitting it.
        whole = _option_for(question, raw)
        if whole is not None:
            items = [raw]
        else:
            items = list(raw.replace(";", ",").replace("\n", ",").split(","))
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise InvalidAnswer("Please choose one or more of the options.")
    chosen: set[str] = set()
    for item in items:
        if _is_blank(item):
            continue
        option = _option_for(question, item)
        if option is None:
            shown = str(item).strip()
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            raise InvalidAnswer(f"I didn't recognise “{shown}”. Please choose from the options.")
        chosen.add(option.value)
    if len(chosen) > 1:
        # "None of these" beside a real answer would put a contradiction into the collation.
        for option in question.options:
            if option.exclusive and option.value in chosen:
                raise InvalidAnswer(
                    f"'{option.label}' can't be combined with other answers. Please choose again."
                )
    # Stored in the survey's own order, so the same choice is always the same list.
    return [o.value for o in question.options if o.value in chosen]


def _scale(question: Question, raw: object) -> int:
    message = "Please pick a number from 1 to 5."
    if isinstance(raw, bool):
        raise InvalidAnswer(message)
    if isinstance(raw, str):
        text = raw.strip()
        folded = " ".join(text.split()).casefold()
        for point, label in question.scale_labels:
            if " ".join(label.split()).casefold() == folded:
                return point
        if not (text.isascii() and text.isdigit()):
            raise InvalidAnswer(message)
        raw = int(text)
    if not isinstance(raw, int) or not 1 <= raw <= 5:
        raise InvalidAnswer(message)
    return raw


def _yes_no(raw: object) -> str:
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, str):
        text = raw.strip().casefold()
        if text in YES:
            return "yes"
        if text in NO:
            return "no"
    raise InvalidAnswer("Please answer yes or no.")


def _clean_text(text: str) -> str:
    """Drop control characters (kept: newline, tab), which break exports and chat rendering."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in KEPT_CONTROLS or unicodedata.category(ch) != "Cc")


def _free_text(question: Question, raw: object) -> str:
    if not isinstance(raw, str):
        raise InvalidAnswer("Please type your answer as text.")
    text = _clean_text(raw).strip()
    limit = question.max_length or DEFAULT_FREE_TEXT_LIMIT
    if len(text) > limit:
        # Say how much to cut, so the member can trim what they wrote rather than start again.
        over = len(text) - limit
        raise InvalidAnswer(
            f"That answer is {len(text):,} characters; the limit is {limit:,}. "
            f"Please cut at least {over:,} character{'' if over == 1 else 's'}."
        )
    return text


# -- the member's path through the survey ---------------------------------------------------


def first_question_id(definition: SurveyDefinition) -> str:
    """Every path starts at the first question in the list."""
    return definition.questions[0].id


def _rule_matches(rule: SkipRule, answer: AnswerValue | None) -> bool:
    if answer is None:
        return False
    if isinstance(answer, list):
        return rule.equals in answer
    return answer == rule.equals


def next_question_id(definition: SurveyDefinition, current_id: str, answers: Answers) -> str | None:
    """The question after `current_id` given the answers so far; None means the end.

    The first matching skip rule wins, then the question's own goto, then the next in the list.
    """
    index = _index(definition, current_id)
    question = definition.questions[index]
    answer = answers.get(current_id)
    target = next((r.goto for r in question.skip if _rule_matches(r, answer)), None)
    if target is None:
        target = question.goto
    if target is not None:
        return None if target == END else target
    if index + 1 < len(definition.questions):
        return definition.questions[index + 1].id
    return None


def path(definition: SurveyDefinition, answers: Answers) -> list[str]:
    """Question ids on the member's path, in order; unanswered questions are assumed not to skip."""
    ids: list[str] = []
    current: str | None = first_question_id(definition)
    while current is not None and current not in ids:
        ids.append(current)
        current = next_question_id(definition, current, answers)
    return ids


def branches_taken(definition: SurveyDefinition, answers: Answers) -> tuple[int, ...]:
    """For each question with skip rules, the index of the rule its answer triggers (-1: none).
    A path depends on nothing else, so answers that agree here share a path: a report over
    thousands of responses works out each distinct path once."""
    return tuple(
        next((i for i, rule in enumerate(q.skip) if _rule_matches(rule, answers.get(q.id))), -1)
        for q in definition.questions
        if q.skip
    )


def answers_on_path(
    definition: SurveyDefinition, answers: Answers
) -> dict[str, AnswerValue | None]:
    """Only the answers still on the path, so a changed answer drops a branch no longer taken."""
    on_path = path(definition, answers)
    return {qid: answers[qid] for qid in on_path if qid in answers}


def previous_question_id(
    definition: SurveyDefinition, current_id: str, answers: Answers
) -> str | None:
    """Where "back" goes: the question before this one on the path (None at the start)."""
    ids = path(definition, answers)
    if current_id in ids:
        position = ids.index(current_id)
        return ids[position - 1] if position > 0 else None
    # Not on the path (an answer changed under us): the last path question listed before it.
    index = _index(definition, current_id)
    earlier = [qid for qid in ids if _index(definition, qid) < index]
    return earlier[-1] if earlier else None


def is_complete(definition: SurveyDefinition, answers: Answers) -> bool:
    """True when every required question on the path has an answer."""
    return all(
        answers.get(qid) not in (None, "", [])
        for qid in path(definition, answers)
        if definition.question(qid).required
    )


def progress(definition: SurveyDefinition, current_id: str, answers: Answers) -> tuple[int, int]:
    """(position of the current question, questions on the path) for "Question 3 of 9".

    The total is an estimate until every branching question is answered.
    """
    ids = path(definition, answers)
    if current_id in ids:
        return ids.index(current_id) + 1, len(ids)
    index = _index(definition, current_id)
    position = sum(1 for qid in ids if _index(definition, qid) < index) + 1
    return position, max(position, len(ids))


def _index(definition: SurveyDefinition, question_id: str) -> int:
    for index, question in enumerate(definition.questions):
        if question.id == question_id:
            return index
    raise KeyError(question_id)


# -- showing answers ------------------------------------------------------------------------


def format_answer(question: Question, value: AnswerValue | None) -> str:
    """An answer as the member would say it: labels, not stored values."""
    if value is None or value == "" or value == []:
        return "Skipped"
    labels = {o.value: o.label for o in question.options}
    if question.kind == "multiple_choice" and isinstance(value, list):
        return ", ".join(labels.get(v, v) for v in value)
    if question.kind == "single_choice":
        return labels.get(str(value), str(value))
    if question.kind == "scale":
        label = dict(question.scale_labels).get(value) if isinstance(value, int) else None
        return f"{value} – {label}" if label else str(value)
    if question.kind == "yes_no":
        return {"yes": "Yes", "no": "No"}.get(str(value), str(value))
    return value if isinstance(value, str) else str(value)
