"""Whether a cue is negated in its clause.

For example, with the shipped rules `is_negated("我不是要赔偿", 4, 6, 0, 6)` is True and
`is_negated("不解决就去工信部", 5, 8, 0, 8)` is False. Three cases matter in complaints:
- a negation before the cue in the same clause (不是要赔偿, 不想曝光) negates it;
- a negation that only sets a condition does not (不解决就去工信部, 别逼我去找媒体):
  phrases listed as `not_negation` are skipped, and a bridge word (就, 否则, 的话) between
  the negation and the cue turns the negation into the condition of a threat;
- a dismissal right after the cue (赔偿就不用了, 道歉有什么用) negates it.
"""

from __future__ import annotations

from tousu.knowledge.taxonomy import Negation

CLAUSE_DELIMITERS = frozenset(",，。!！?？;；\n:： ")
_CLAUSE_REACH = 40


def clause_bounds(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The clause around text[start:end], within [lo, hi) and at most 40 characters either side."""
    left = start
    limit = max(lo, start - _CLAUSE_REACH)
    while left > limit and text[left - 1] not in CLAUSE_DELIMITERS:
        left -= 1
    right = end
    limit = min(hi, end + _CLAUSE_REACH)
    while right < limit and text[right] not in CLAUSE_DELIMITERS:
        right += 1
    return left, right


class NegationRules:
    def __init__(self, negation: Negation) -> None:
        self._before = tuple(sorted(set(negation.before), key=len, reverse=True))
        self._after = tuple(negation.after)
        self._not_negation = tuple(negation.not_negation)
        self._bridges = tuple(negation.bridges)
        self._window = negation.window
        self._after_window = negation.after_window

    def is_negated(self, text: str, start: int, end: int, clause_start: int, clause_end: int) -> bool:
        if self._dismissed_after(text[end : min(clause_end, end + self._after_window)]):
            return True
        window_start = max(clause_start, start - self._window)
        for position, cue in self._cues_before(text, window_start, start):
            if self._is_idiom(text, position, cue):
                continue
            between = text[position + len(cue) : start]
            return not any(bridge in between for bridge in self._bridges)
        return False

    def _dismissed_after(self, following: str) -> bool:
        return any(phrase in following for phrase in self._after)

    def _cues_before(self, text: str, window_start: int, start: int) -> list[tuple[int, str]]:
        """Negation cues in text[window_start:start], the closest to the cue first."""
        window = text[window_start:start]
        found: dict[int, str] = {}
        for cue in self._before:
            index = window.find(cue)
            while index != -1:
                found.setdefault(window_start + index, cue)  # longest cue at a position wins
                index = window.find(cue, index + 1)
        return sorted(found.items(), key=lambda item: item[0], reverse=True)

    def _is_idiom(self, text: str, position: int, cue: str) -> bool:
        """True when the cue at `position` is part of a phrase that does not negate."""
        for phrase in self._not_negation:
            offset = phrase.find(cue)
            while offset != -1:
                if position - offset >= 0 and text.startswith(phrase, position - offset):
                    return True
                offset = phrase.find(cue, offset + 1)
        return False
