"""Cheap substring tests that tell when a regex cannot match, so it need not run.

A regex like `(不然|否则)(我)?就(去)?(告|起诉|曝光)` can only match a text that contains one
of 不然/否则, the character 就, and one of 告/起诉/曝光. `required_literals` reads those
conditions from the parsed pattern; `may_match` checks them with `in`, which is much faster
than running a regex that has no literal prefix over the whole text. The conditions are only
ever necessary ones: when in doubt a part of the pattern contributes nothing.

>>> sorted(map(sorted, required_literals("(不然|否则)(我)?就(去)?(告|起诉|曝光)")))
[['不然', '否则'], ['告', '曝光', '起诉'], ['就']]
"""

from __future__ import annotations

import re
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
