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

from tousu.analysis.normalize import any_word
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
    pattern = any_word(phrases)
    return re.compile(pattern) if pattern else _NEVER


class TemplateQuestions:
    """A work-order template's yes/no fields with their answers: a question (是否越级投诉：否,
    opened by `negation.questions`) and a field answered yes or no (越级投诉：否, 重复投诉次数：0).
    A question may go unanswered (是否越级投诉：, then a comma); a field without an opener is
    one only when a whole answer follows its colon (投诉内容：无法上网 is no field answered no)."""

    def __init__(self, negation: Negation) -> None:
        self._opener = re.compile(_words(negation.questions))
        self._answer = re.compile(
            f"[ ]*(?:(?P<yes>{_words(negation.yes_answers)})|(?P<no>{_words(negation.no_answers)}))"
            f"(?P<whole>{_ANSWER_END})?"
        )

    def find(self, text: str, start: int, end: int) -> list[tuple[int, int, str | None]]:
        """(start, end, answer) of each field in text[start:end], its name without the colon
        (a question from its opener); the answer "yes", "no" or, unanswered, None."""
        found: list[tuple[int, int, str | None]] = []
        for colon in _COLON.finditer(text, start, end):
            at = colon.start()
            reach = max(start, at - _NAME_REACH)
            before = _UP_TO_LAST_DELIMITER.match(text, reach, at)
            name = before.end() if before else reach
            answer = self._answer.match(text, colon.end(), end)
            said = None if answer is None else "yes" if answer.group("yes") is not None else "no"
            opener = self._opener.search(text, name, at)
            # Without an opener: a whole answer, and the whole name (not a clause cut short).
            whole = answer is not None and answer.group("whole") is not None and (before is not None or name == start)
            if opener is not None:
                found.append((opener.start(), at, said))
            elif said is not None and whole and name < at:
                found.append((name, at, said))
        return found


def denied_questions(negation: Negation) -> str | None:
    """The template's fields answered no, for the model to leave unread: it counts the words of
    是否越级投诉：否 as if they were said, and cannot read the answer."""
    if not negation.no_answers:
        return None
    name = f"[^{_NAME_STOPS}]{{1,{_NAME_REACH}}}"
    return f"(?<![^{_NAME_STOPS}]){name}[ ]*[:：][ ]*(?:{_words(negation.no_answers)}){_ANSWER_END}"


# A field's name is at most this long, and holds none of these.
_NAME_REACH = 20
_NAME_STOPS = r",，。!！?？;；:：\n "
_COLON = re.compile("[:：]")
# What follows a whole answer (越级投诉：否，…), not the first character of more (无法上网).
_ANSWER_END = r"(?=[,，。!！?？;；\s)）]|$)"


def _words(words: Iterable[str]) -> str:
    return any_word(words) or "(?!)"
