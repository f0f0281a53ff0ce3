"""Finding many literal strings in a text in one pass (Aho-Corasick, in C).

The engine under both the keyword cues and the regex triggers: a regex runs only when one
of the literals it requires occurs (see tousu.analysis.prefilter).
"""

from __future__ import annotations

import re
from typing import Generic, TypeVar

import ahocorasick

from tousu.analysis.prefilter import Factor, may_match, required_literals

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

    def find(self, text: str, start: int, end: int) -> list[tuple[int, str, list[P]]]:
        """(position, literal, payloads) for every occurrence in text[start:end]."""
        automaton = self._automaton
        if automaton is None:
            automaton = self._build()
        if automaton.kind == ahocorasick.EMPTY or end <= start:
            return []
        return [(last - len(literal) + 1, literal, payloads) for last, (literal, payloads) in automaton.iter(text, start, end)]

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
        self._items: list[tuple[re.Pattern[str], tuple[Factor, ...], P]] = []
        self._triggers: LiteralIndex[int] = LiteralIndex()
        self._always: list[int] = []

    def add(self, pattern: re.Pattern[str], payload: P) -> None:
        factors = required_literals(pattern.pattern, pattern.flags)
        item = len(self._items)
        self._items.append((pattern, factors, payload))
        if not factors:
            self._always.append(item)
            return
        # The most selective condition triggers the regex; the others are checked after.
        trigger = max(factors, key=lambda factor: min(len(option) for option in factor))
        for option in trigger:
            self._triggers.add(option, item)

    def candidates(self, text: str, start: int, end: int) -> list[tuple[re.Pattern[str], P]]:
        """The regexes that may match text[start:end], in the order they were added."""
        triggered = {item for _, _, items in self._triggers.find(text, start, end) for item in items}
        triggered.update(self._always)
        if not triggered:
            return []
        segment = text[start:end]
        found = []
        for item in sorted(triggered):
            pattern, factors, payload = self._items[item]
            if len(factors) == 1 or may_match(factors, segment):
                found.append((pattern, payload))
        return found
