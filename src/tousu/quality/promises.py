"""Commitments with a deadline in staff speech, so they can be tracked.

A promise is a deadline phrase (48小时内, 半个小时之后, 明天下午, 5点前...) followed, in
the same sentence, by a staff action (回复, 回电, 给您, 到账...). A deadline alone
("已经过了二十四个小时", "就说今天下午在") or an action alone ("我会给您回复") is not one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from tousu.knowledge.language import LanguageRules
from tousu.matching import MatchView
from tousu.quality.results import Promise

_SENTENCE_END = re.compile(r"[。!?;\n]")


def deadline_spans(view: MatchView, rules: LanguageRules) -> list[tuple[int, int]]:
    """Matching-form spans of deadline phrases, overlapping or touching ones merged."""
    spans = sorted((m.start(), m.end()) for m in rules.promises.deadlines.finditer(view.text))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def sentence_around(view: MatchView, boundaries: list[int], start: int, end: int) -> tuple[int, int]:
    """Matching-form bounds of the sentence holding [start, end); `boundaries` are sentence-end positions."""
    before = bisect.bisect_left(boundaries, start)
    sentence_start = boundaries[before - 1] + 1 if before else 0
    after = bisect.bisect_left(boundaries, end)
    sentence_end = boundaries[after] if after < len(boundaries) else len(view.text)
    return sentence_start, sentence_end


def sentence_boundaries(view: MatchView) -> list[int]:
    return [m.start() for m in _SENTENCE_END.finditer(view.text)]


def find_promises(
    view: MatchView, original: str, rules: LanguageRules, *, turn_of: Callable[[int], int | None] | None = None
) -> list[Promise]:
    """Promises in `view`; `turn_of` maps an offset in `original` to the dialogue turn holding it."""
    boundaries = sentence_boundaries(view)
    promises: list[Promise] = []
    for start, end in deadline_spans(view, rules):
        sentence_start, sentence_end = sentence_around(view, boundaries, start, end)
        if rules.promises.actions.search(view.text, start, sentence_end) is None:
            continue
        deadline_start, deadline_end = view.span(start, end)
        text_start, text_end = view.span(sentence_start, sentence_end)
        promises.append(
            Promise(
                turn=turn_of(deadline_start) if turn_of else None,
                start=deadline_start,
                end=deadline_end,
                deadline=original[deadline_start:deadline_end],
                text=original[text_start:text_end].strip(),
            )
        )
    return promises
