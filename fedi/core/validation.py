"""Input that fails validation, field by field, in Mastodon's terms: each problem has an ERR_
code and a description, and the whole reads as Rails writes it ("Validation failed: Text can't
be blank"). Feature packages raise it; the API turns it into a 422 with `details`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Self

# The codes Mastodon's ValidationErrorFormatter gives: 'ERR_' + the Rails error's name.
Code = Literal[
    "ERR_ACCEPTED", "ERR_BLANK", "ERR_BLOCKED", "ERR_INCLUSION", "ERR_INVALID", "ERR_RESERVED",
    "ERR_TAKEN", "ERR_TOO_LONG", "ERR_TOO_SHORT", "ERR_UNREACHABLE", "ERR_UNSUPPORTED",
    "ERR_TOO_LARGE",  # ours: an upload past a space library's quota or the size limit
]  # fmt: skip
BASE = "base"  # Rails' name for a problem with the whole request rather than one field


@dataclass(frozen=True)
class Problem:
    field: str  # as Mastodon names it: "text", "scheduled_at", "poll.options", "base"
    code: Code
    description: str  # plain words, after the field's label: "can't be blank"
    is_sentence: bool = False  # the description reads alone: no label goes before it


def too_long(maximum: int) -> str:
    """Rails' words for a text over its length limit."""
    return f"is too long (maximum is {maximum} characters)"


def label_of(field: str) -> str:
    """The field as Rails' full messages write it: "scheduled_at" -> "Scheduled at"."""
    words = field.replace(".", " ").replace("[", " ").replace("]", " ").replace("_", " ").split()
    return " ".join(words).capitalize()


def full_message(problem: Problem) -> str:
    if problem.field == BASE or problem.is_sentence:
        return problem.description
    return f"{label_of(problem.field)} {problem.description}"


class Invalid(ValueError):
    """What was asked fails validation; `problems` says, per field, what is wrong."""

    def __init__(self, *problems: Problem) -> None:
        self.problems = problems
        super().__init__(self.message)

    @classmethod
    def of(cls, field: str, code: Code, description: str, *, is_sentence: bool = False) -> Self:
        return cls(Problem(field, code, description, is_sentence))

    @property
    def message(self) -> str:
        return "Validation failed: " + ", ".join(full_message(p) for p in self.problems)

    @property
    def description(self) -> str:
        """The problems alone, without "Validation failed: " (for messages that wrap it)."""
        return ", ".join(full_message(p) for p in self.problems)

    def details(self) -> dict[str, list[dict[str, str]]]:
        found: dict[str, list[dict[str, str]]] = {}
        for problem in self.problems:
            found.setdefault(problem.field, []).append(
                {"error": problem.code, "description": problem.description}
            )
        return found
