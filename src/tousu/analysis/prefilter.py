"""Cheap substring tests that tell when a regex cannot match, so it need not run.

A regex like `(不然|否则)(我)?就(去)?(告|起诉|曝光)` can only match a text that contains one
of 不然/否则, the character 就, and one of 告/起诉/曝光. `required_literals` reads those
conditions from the parsed pattern; `may_match` checks them with `in`, which is much faster
than running a regex that has no literal prefix over the whole text. The conditions are only
ever necessary ones: when in doubt a part of the pattern contributes nothing.

>>> sorted(map(sorted, required_literals("(不然|否则)(我)?就(去)?(告|起诉|曝光)")))
[['不然', '否则'], ['告', '曝光', '起诉'], ['就']]

Where a regex does run, `with_starting_characters` tells the engine which characters a match
can start with, when the engine cannot see it itself (an optional start, a lookbehind, an
alternation of groups): it then skips every other position at once.
"""

from __future__ import annotations

import re
from re import _compiler as sre_compile  # type: ignore[attr-defined]
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

Factor = frozenset[str]


def required_literals(pattern: str, flags: int = 0) -> tuple[Factor, ...]:
    """Sets of strings; a match needs one string of every set to occur in the text."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except (re.error, RecursionError):
        return ()
    fold = bool((flags | parsed.state.flags) & re.IGNORECASE)
    factors = _factors(list(parsed), fold, depth=0)
    return tuple(dict.fromkeys(f for f in factors if f and all(f)))


def may_match(factors: tuple[Factor, ...], text: str) -> bool:
    return all(any(option in text for option in factor) for factor in factors)


def _factors(items: list[tuple[Any, Any]], fold: bool, depth: int) -> list[Factor]:
    if depth > 20:
        return []
    factors: list[Factor] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            factors.append(frozenset({"".join(run)}))
            run.clear()

    for op, arg in items:
        if op is sre.LITERAL:
            char = chr(arg)
            run.append(char.lower() if fold else char)
            continue
        flush()
        if op is sre.SUBPATTERN:
            factors.extend(_factors(list(arg[-1]), fold, depth + 1))
        elif op is sre.BRANCH:
            branch = _branch_factor(arg[1], fold, depth)
            if branch:
                factors.append(branch)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, _, body = arg
            if low >= 1:
                factors.extend(_factors(list(body), fold, depth + 1))
        elif op is sre.IN:
            chars = _class_chars(arg, fold)
            if chars:
                factors.append(chars)
    flush()
    return factors


def _branch_factor(alternatives: list[Any], fold: bool, depth: int) -> Factor | None:
    options: set[str] = set()
    for alternative in alternatives:
        factors = _factors(list(alternative), fold, depth + 1)
        if not factors:
            return None
        # The most selective condition of this alternative: the one whose shortest option is longest.
        options.update(max(factors, key=lambda f: min(len(o) for o in f)))
    return frozenset(options)


def _class_chars(arg: list[tuple[Any, Any]], fold: bool) -> Factor | None:
    chars: set[str] = set()
    for op, value in arg:
        if op is not sre.LITERAL:
            return None
        char = chr(value)
        chars.add(char.lower() if fold else char)
    return frozenset(chars) if 0 < len(chars) <= 8 else None


def starting_characters(pattern: str, flags: int = 0) -> str | None:
    """A character-class body holding every character a match of `pattern` can start with, or
    None when that is not known or the pattern may match the empty string.

    >>> starting_characters("(?:市民|用户)?反映[:：]")
    '反市用'
    """
    try:
        parsed = sre_parse.parse(pattern, flags)
    except (re.error, RecursionError):
        return None
    first, empty = _first(list(parsed), depth=0)
    if first is None or empty or not first:
        return None
    if (flags | parsed.state.flags) & re.IGNORECASE:
        first = _both_cases(first)
        if first is None:
            return None
    return "".join(_class_item(low, high) for low, high in sorted(first))


def with_starting_characters(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` behind a lookahead for the characters its matches start with, when they are
    known (see `starting_characters`): the same matches, but the regex engine rejects every
    other position at once instead of trying each alternative there. The engine finds such a
    set itself only when every alternative starts with a literal."""
    if _engine_skips(pattern):
        return pattern
    first = starting_characters(pattern.pattern, pattern.flags)
    if first is None:
        return pattern
    return re.compile(f"(?=[{first}])(?:{pattern.pattern})", pattern.flags)


def _engine_skips(pattern: re.Pattern[str]) -> bool:
    """Whether the engine finds a literal prefix or a set of first characters itself: its own
    search for them is faster than any lookahead."""
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
        prefix, _, _ = sre_compile._get_literal_prefix(parsed, pattern.flags)
        return bool(prefix) or sre_compile._get_charset_prefix(parsed, pattern.flags) is not None
    except (AttributeError, TypeError, ValueError, re.error, RecursionError):
        return True  # another Python's engine: leave the pattern as it is


_Ranges = set[tuple[int, int]]


def _first(items: list[tuple[Any, Any]], depth: int) -> tuple[_Ranges | None, bool]:
    """(the code point ranges a match of this sequence can start with, whether it can match
    the empty string); None for the ranges when they are not known."""
    if depth > 20:
        return None, False
    ranges: _Ranges = set()
    for op, arg in items:
        item: _Ranges | None
        if op is sre.LITERAL:
            item, empty = {(arg, arg)}, False
        elif op is sre.IN:
            item, empty = _class_ranges(arg), False
        elif op is sre.SUBPATTERN:
            item, empty = _first(list(arg[-1]), depth + 1)
        elif op is sre.BRANCH:
            item, empty = set(), False
            for alternative in arg[1]:
                found, can_be_empty = _first(list(alternative), depth + 1)
                if found is None:
                    return None, False
                item |= found
                empty = empty or can_be_empty
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, _, body = arg
            item, empty = _first(list(body), depth + 1)
            empty = empty or low == 0
        elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # zero-width: the next item starts the match
        else:
            return None, False
        if item is None:
            return None, False
        ranges |= item
        if not empty:
            return ranges, False
    return ranges, True


def _both_cases(ranges: _Ranges) -> _Ranges | None:
    """`ranges` with every character the engine takes for an ASCII letter in them, when it
    ignores case; None if they hold another character that has cases (the engine's case
    folding is not worth copying for them)."""
    folded = set(ranges)
    for low, high in ranges:
        if high < 0x80:
            for first, last in ((0x41, 0x5A), (0x61, 0x7A)):
                start, end = max(low, first), min(high, last)
                if start <= end:
                    folded.add((start ^ 0x20, end ^ 0x20))
        elif not (_CASELESS[0] <= low and high <= _CASELESS[1]):
            return None
    for letter, partners in _ASCII_PARTNERS.items():
        if any(low <= code <= high for low, high in folded for code in (ord(letter), ord(letter.upper()))):
            folded.update((partner, partner) for partner in partners)
    return folded


# The characters outside ASCII that the engine matches to an ASCII letter when it ignores case
# (dotted and dotless i, the Kelvin sign, the long s).
_ASCII_PARTNERS = {"i": (0x130, 0x131), "k": (0x212A,), "s": (0x17F,)}


# CJK punctuation, kana and the unified ideographs: not one character there has a case.
_CASELESS = (0x3000, 0x9FFF)


def _class_ranges(arg: list[tuple[Any, Any]]) -> _Ranges | None:
    ranges: _Ranges = set()
    for op, value in arg:
        if op is sre.LITERAL:
            ranges.add((value, value))
        elif op is sre.RANGE:
            ranges.add(value)
        else:
            return None  # a negated class, a category like \d: left to the engine
    return ranges


def _class_item(low: int, high: int) -> str:
    def escaped(code: int) -> str:
        return re.escape(chr(code)) if chr(code) in "\\]^-[" else chr(code)

    return escaped(low) if low == high else f"{escaped(low)}-{escaped(high)}"
