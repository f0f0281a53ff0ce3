"""Whether a cue is negated in its clause.

For example, with the shipped rules `is_negated("我不是要赔偿", 4, 6, 0, 6)` is True and
`is_negated("不解决就去工信部", 5, 8, 0, 8)` is False. Three cases matter in complaints:
- a negation before the cue in the same clause (不是要赔偿, 不想曝光) negates it;
- a negation that only sets a condition does not (不解决就去工信部, 别逼我去找媒体):
  phrases listed as `not_negation` are skipped, and a bridge word (就, 否则, 的话) between
  the negation and the cue turns the negation into the condition of a threat;
- a dismissal right after the cue (赔偿就不用了, 道歉有什么用) negates it.

A work-order template's yes/no question (是否越级投诉：否) is answered after its colon; the
matcher reads every cue inside it by that answer (`TemplateQuestions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tousu.knowledge.taxonomy import Negation

CLAUSE_DELIMITERS = ",，。!！?？;；\n:： "
_CLAUSE_REACH = 40
_NEVER = re.compile(r"(?!)(.)")
_DELIMITER = re.compile(f"[{re.escape(CLAUSE_DELIMITERS)}]")
_UP_TO_LAST_DELIMITER = re.compile(f"(?s:.*)[{re.escape(CLAUSE_DELIMITERS)}]")


def clause_bounds(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The clause around text[start:end], within [lo, hi) and at most 40 characters either side."""
    limit = max(lo, start - _CLAUSE_REACH)
    before = _UP_TO_LAST_DELIMITER.match(text, limit, start)
    left = before.end() if before else min(limit, start)
    limit = min(hi, end + _CLAUSE_REACH)
    after = _DELIMITER.search(text, end, limit)
    right = after.start() if after else max(limit, end)
    return left, right


class NegationRules:
    def __init__(self, negation: Negation) -> None:
        self._before = tuple(sorted(set(negation.before), key=len, reverse=True))
        # At every position, the longest cue that starts there (a lookahead finds overlaps).
        self._before_at = re.compile(f"(?=({'|'.join(map(re.escape, self._before))}))") if self._before else _NEVER
        self._after = _any_of(negation.after)
        # For each cue, the not-negating phrases holding it and where: 不 → (不得不, 2), …
        self._idioms: dict[str, tuple[tuple[str, int], ...]] = {
            cue: tuple(
                (phrase, offset)
                for phrase in negation.not_negation
                for offset in range(len(phrase))
                if phrase.startswith(cue, offset)
            )
            for cue in self._before
        }
        self._bridges = tuple(negation.bridges)
        self._window = negation.window
        self._after_window = negation.after_window

    def is_negated(self, text: str, start: int, end: int, clause_start: int, clause_end: int) -> bool:
        if self._after.search(text, end, min(clause_end, end + self._after_window)):
            return True  # dismissed right after: 赔偿就不用了
        window_start = max(clause_start, start - self._window)
        for position, cue in self._cues_before(text, window_start, start):
            if self._is_idiom(text, position, cue):
                continue
            between = text[position + len(cue) : start]
            return not any(bridge in between for bridge in self._bridges)
        return False

    def _cues_before(self, text: str, window_start: int, start: int) -> list[tuple[int, str]]:
        """Negation cues in text[window_start:start], the closest to the cue first."""
        found = [(m.start(), m.group(1)) for m in self._before_at.finditer(text, window_start, start)]
        found.reverse()
        return found

    def _is_idiom(self, text: str, position: int, cue: str) -> bool:
        """True when the cue at `position` is part of a phrase that does not negate."""
        return any(
            position >= offset and text.startswith(phrase, position - offset) for phrase, offset in self._idioms[cue]
        )


def _any_of(phrases: Iterable[str]) -> re.Pattern[str]:
    """One pattern that finds any of the phrases (none: never matches)."""
    options = sorted(set(phrases), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, options))) if options else _NEVER


class TemplateQuestions:
    """A work-order template's yes/no questions (是否越级投诉：否) with their answers."""

    def __init__(self, negation: Negation) -> None:
        self._openers = tuple(negation.questions)
        # The question up to its colon, then its answer if any: the last group matched is
        # "yes", "no" or, unanswered, "question".
        self._pattern = re.compile(
            f"(?P<question>{_question(negation)})[ ]*[:：][ ]*"
            f"(?:(?P<yes>{_words(negation.yes_answers)})|(?P<no>{_words(negation.no_answers)}))?"
        )

    def find(self, text: str, start: int, end: int) -> list[tuple[int, int, str | None]]:
        """(start, end, answer) of each question in text[start:end], the question without its
        colon; the answer "yes", "no" or None."""
        if not any(opener in text[start:end] for opener in self._openers):
            return []
        return [
            (match.start(), match.end("question"), match.lastgroup if match.lastgroup in ("yes", "no") else None)
            for match in self._pattern.finditer(text, start, end)
        ]


def denied_questions(negation: Negation) -> str | None:
    """The template's questions answered no, for the model to leave unread: it counts the words
    of 是否越级投诉：否 as if they were said, and cannot read the answer."""
    if not negation.questions or not negation.no_answers:
        return None
    return f"{_question(negation)}[ ]*[:：][ ]*(?:{_words(negation.no_answers)})"


def _question(negation: Negation) -> str:
    """What a question opens with, then up to 20 characters to its colon (one clause)."""
    return f"(?:{_words(negation.questions)})[^,，。!！?？;；:：\n]{{1,20}}"


def _words(words: Iterable[str]) -> str:
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True))) or "(?!)"
