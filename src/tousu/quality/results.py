"""Results of checking a reply or a dialogue; each has `to_dict()` giving JSON-ready data.

Offsets (`start`, `end`) are character offsets into the text exactly as it was given
(Python string indices), half-open, whatever its script or width.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Literal

Role = Literal["customer", "staff"]


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def grade_for(score: int) -> str:
    if score >= 90:
        return "优秀"
    if score >= 75:
        return "良好"
    if score >= 60:
        return "合格"
    return "需改进"


@dataclass(frozen=True)
class Problem:
    """A phrase that should not have been said."""

    start: int
    end: int
    text: str
    code: str
    name: str
    kind: str
    severity: str
    message: str
    suggestion: str | None
    alternatives: tuple[str, ...]
    deduction: int
    turn: int | None = None


@dataclass(frozen=True)
class MissingElement:
    """Something a good reply contains that this one lacks."""

    code: str
    name: str
    level: str
    message: str
    examples: tuple[str, ...]
    deduction: int


@dataclass(frozen=True)
class Deduction:
    code: str
    reason: str
    count: int
    points: int


@dataclass(frozen=True)
class Promise:
    """A commitment with a deadline, to be tracked (e.g. 48小时内给您回复)."""

    turn: int | None
    start: int
    end: int
    deadline: str
    text: str
    accepted_from_customer: bool = False


@dataclass(frozen=True)
class ReplyCheck:
    score: int
    grade: str
    problems: tuple[Problem, ...]
    missing: tuple[MissingElement, ...]
    present: tuple[str, ...]
    deductions: tuple[Deduction, ...]
    promises: tuple[Promise, ...]
    rewritten: str
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Turn:
    index: int
    role: Role
    speaker: str
    senior: bool
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Finding:
    """A dialogue-level observation (arguing, cutting off, unanswered demand...)."""

    code: str
    name: str
    message: str
    turn: int
    start: int
    end: int
    text: str
    deduction: int


@dataclass(frozen=True)
class DemandStatus:
    code: str
    name: str
    raised_in_turns: tuple[int, ...]
    text: str
    answered: bool
    answered_in_turn: int | None


@dataclass(frozen=True)
class DialogueCheck:
    """`score` and `grade` are None when the transcript has no staff turn to grade."""

    score: int | None
    grade: str | None
    turns: tuple[Turn, ...]
    problems: tuple[Problem, ...]
    missing: tuple[MissingElement, ...]
    present: tuple[str, ...]
    findings: tuple[Finding, ...]
    promises: tuple[Promise, ...]
    demands: tuple[DemandStatus, ...]
    deductions: tuple[Deduction, ...]
    roles_guessed: bool
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)  # type: ignore[no-any-return]
