"""Finding many literal strings in a text in one pass.

Strings of two or more characters are indexed by their first two characters, so a scan costs
one dictionary lookup per character of text plus a `startswith` per candidate; single
characters are found by set intersection. This is the engine under both the keyword cues and
the regex triggers (a regex runs only when one of its required literals occurs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Generic, TypeVar

from tousu.analysis.prefilter import Factor, may_match, required_literals

P = TypeVar("P")


class LiteralIndex(Generic[P]):
    def __init__(self) -> None:
        self._by_prefix: dict[str, list[tuple[str, list[P]]]] = {}
        self._by_char: dict[str, list[P]] = {}
        self._entries: dict[str, list[P]] = {}

    def add(self, literal: str, payload: P) -> None:
        if not literal:
            raise ValueError("empty literal")
        if len(literal) == 1:
            self._by_char.setdefault(literal, []).append(payload)
            return
        payloads = self._entries.get(literal)
        if payloads is None:
            payloads = self._entries[literal] = []
            bucket = self._by_prefix.setdefault(literal[:2], [])
            bucket.append((literal, payloads))
            bucket.sort(key=lambda item: len(item[0]), reverse=True)
        payloads.append(payload)

    def find(self, text: str, start: int, end: int) -> Iterator[tuple[int, str, P]]:
        """(position, literal, payload) for every occurrence in text[start:end], by position;
        single characters are reported once, at their first occurrence."""
        by_prefix = self._by_prefix
        for i in range(start, end - 1):
            bucket = by_prefix.get(text[i : i + 2])
            if bucket is None:
                continue
            for literal, payloads in bucket:
                if i + len(literal) <= end and text.startswith(literal, i):
                    for payload in payloads:
                        yield i, literal, payload
        if self._by_char:
            segment = text[start:end]
            for char in self._by_char.keys() & set(segment):
                for payload in self._by_char[char]:
                    yield start + segment.index(char), char, payload


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
        triggered = {item for _, _, item in self._triggers.find(text, start, end)}
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
