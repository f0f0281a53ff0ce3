"""Finding many literal strings in a text in one pass (Aho-Corasick, in C).

The engine under both the keyword cues and the regex triggers: a regex runs only when one
of the literals it requires occurs (see tousu.analysis.prefilter).
"""

from __future__ import annotations

import re
from typing import Generic, TypeVar

import ahocorasick

from tousu.analysis.prefilter import required_literals

P = TypeVar("P")


class LiteralIndex(Generic[P]):
    """Add literals with payloads, then `find` them; the automaton is built on first use."""

    def __init__(self) -> None:
        self._entries: dict[str, list[P]] = {}
        self._automaton: ahocorasick.Automaton | None = None

    def add(self, literal: str, payload: P) -> None:
        if not literal:
            raise ValueError("empty literal")
        self._entries.setdefault(literal, []).append(payload)
        self._automaton = None

    def entries(self) -> list[tuple[str, list[P]]]:
        return list(self._entries.items())

    def find(self, text: str, start: int, end: int) -> list[tuple[int, str, list[P]]]:
        """(position, literal, payloads) for every occurrence in text[start:end]."""
        automaton = self._automaton
        if automaton is None:
            automaton = self._build()
        if automaton.kind == ahocorasick.EMPTY or end <= start:
            return []
        return [
            (last - len(literal) + 1, literal, payloads)
            for last, (literal, payloads) in automaton.iter(text, start, end)
        ]

    def _build(self) -> ahocorasick.Automaton:
        automaton = ahocorasick.Automaton()
        for literal, payloads in self._entries.items():
            automaton.add_word(literal, (literal, payloads))
        if self._entries:
            automaton.make_automaton()
        self._automaton = automaton
        return automaton


class TriggeredRegexes(Generic[P]):
    """Regexes that run only when their required literals occur (see tousu.analysis.prefilter)."""

    def __init__(self) -> None:
        # (regex, the other required conditions, payload)
        self._items: list[tuple[re.Pattern[str], tuple[_Condition, ...], P]] = []
        self._triggers: LiteralIndex[int] = LiteralIndex()
        self._always: list[int] = []

    def add(self, pattern: re.Pattern[str], payload: P) -> None:
        factors = required_literals(pattern.pattern, pattern.flags)
        item = len(self._items)
        if not factors:
            self._items.append((pattern, (), payload))
            self._always.append(item)
            return
        # The most selective condition triggers the regex; the others are checked after.
        trigger = min(factors, key=_expected_hits)
        others = tuple(_condition(factor) for factor in factors if factor is not trigger)
        self._items.append((pattern, others, payload))
        for option in trigger:
            self._triggers.add(option, item)

    def triggers(self) -> list[tuple[str, int]]:
        """(literal, regex id) pairs, for callers that find literals in their own pass."""
        return [(literal, item) for literal, items in self._triggers.entries() for item in items]

    def select(self, triggered: set[int], segment: str) -> list[tuple[re.Pattern[str], P]]:
        """The triggered regexes (and those without literals) whose other conditions hold."""
        triggered.update(self._always)
        if not triggered:
            return []
        found = []
        for item in sorted(triggered):
            pattern, others, payload = self._items[item]
            if _all_present(others, segment):
                found.append((pattern, payload))
        return found


# Characters found in almost every complaint: poor triggers.
_COMMON = frozenset(
    "我你他她们的了是不在有要说好没用还给都也问行先多个上下来就这那和请帮把被让叫去到对会能可以一二三四五六七八九十两几钱号户天月年元块!?,."
)


def _expected_hits(factor: frozenset[str]) -> float:
    """A rough count of how often one of the options occurs in a complaint."""
    return sum(20.0 if option in _COMMON else 3.0 if len(option) == 1 else 1.0 / len(option) for option in factor)


# One of these strings must occur; many options are searched as one alternation, which is
# cheaper than a Python loop of `in` tests.
_Condition = tuple[str, ...] | re.Pattern[str]
_MAX_LOOPED_OPTIONS = 4


def _condition(factor: frozenset[str]) -> _Condition:
    options = tuple(sorted(factor))
    if len(options) <= _MAX_LOOPED_OPTIONS:
        return options
    return re.compile("|".join(re.escape(option) for option in sorted(options, key=len)))


def _all_present(conditions: tuple[_Condition, ...], text: str) -> bool:
    for condition in conditions:
        if isinstance(condition, re.Pattern):
            if condition.search(text) is None:
                return False
            continue
        for option in condition:
            if option in text:
                break
        else:
            return False
    return True
