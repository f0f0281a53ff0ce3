"""The matching form of Chinese text, and pattern lists compiled against it: the reply
checker's patterns, written in the knowledge base (language.yaml).

Patterns in language.yaml are written once, against the *matching form* of a text: the shared
folding (tousu.text.fold: simplified Chinese, half-width ASCII with ，→, ！→! ？→? ：→:, lower-case
ASCII, one kind of quotation mark), then, the checker's own step, spaces, tabs and zero-width
characters removed (MatchView). Newlines are kept as sentence boundaries. Every match is mapped
back to offsets in the original string.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tousu.text import fold

_REMOVED = re.compile("[^\\S\n]+|[\u200b-\u200d\u2060\ufeff]+")
_PUNCTUATION = set(",.!?;:、。…~-—\"'“”‘’()（）《》【】")
_PUNCTUATION_RUN = r"[,.!?;:、。…~\-—\"'“”‘’()（）]*"


@dataclass(frozen=True)
class MatchView:
    """The matching form of a folded stretch of text, and the way back to original offsets.

    >>> view = MatchView.of(fold("您 搞 錯了"))
    >>> view.text, view.span(0, 4)
    ('您搞错了', (0, 6))
    """

    text: str
    offset: int
    gap_at: tuple[int, ...]
    gap_total: tuple[int, ...]

    @classmethod
    def of(cls, folded: str, offset: int = 0) -> MatchView:
        parts: list[str] = []
        gap_at: list[int] = []
        gap_total: list[int] = []
        kept = removed = last = 0
        for gap in _REMOVED.finditer(folded):
            parts.append(folded[last : gap.start()])
            kept += gap.start() - last
            removed += gap.end() - gap.start()
            gap_at.append(kept)
            gap_total.append(removed)
            last = gap.end()
        parts.append(folded[last:])
        return cls("".join(parts), offset, tuple(gap_at), tuple(gap_total))

    def original(self, index: int) -> int:
        """Offset in the original text of the character at `index` of the matching form."""
        gaps_before = bisect.bisect_right(self.gap_at, index)
        return self.offset + index + (self.gap_total[gaps_before - 1] if gaps_before else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the half-open matching-form range [start, end)."""
        if end <= start:
            position = self.original(start)
            return position, position
        return self.original(start), self.original(end - 1) + 1


def _literal_to_regex(phrase: str, variants: Mapping[str, str]) -> str:
    folded = MatchView.of(fold(phrase)).text.strip("".join(_PUNCTUATION))
    pieces: list[str] = []
    for char in folded:
        if char in _PUNCTUATION:
            if pieces and pieces[-1] == _PUNCTUATION_RUN:
                continue
            pieces.append(_PUNCTUATION_RUN)
        else:
            pieces.append(variants.get(char, re.escape(char)))
    return "".join(pieces)


def variant_classes(groups: Sequence[Sequence[str]]) -> dict[str, str]:
    """Map each character of an interchangeable group to a regex class of the whole group."""
    classes: dict[str, str] = {}
    for group in groups:
        folded = [fold(char) for char in group]
        pattern = "[" + "".join(re.escape(char) for char in folded) + "]"
        for char in folded:
            if char in classes:
                raise ValueError(f"字符“{char}”出现在多个变体组中 (a character may belong to one group only)")
            classes[char] = pattern
    return classes


@dataclass(frozen=True)
class Matcher:
    """A list of literal phrases and regexes, compiled against the matching form."""

    sources: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def compile(cls, specs: Sequence[Any], variants: Mapping[str, str]) -> Matcher:
        """`specs` items are literal phrases (str) or {"regex": "..."} mappings.

        Literal phrases tolerate the variant characters (您/你, 了/啦…), spaces and any
        punctuation where the phrase has punctuation. A bad item raises ValueError.
        """
        sources: list[str] = []
        patterns: list[re.Pattern[str]] = []
        for spec in specs:
            if isinstance(spec, str):
                source = _literal_to_regex(spec, variants)
                if not source:
                    raise ValueError(f"短语为空 (empty phrase): {spec!r}")
            elif isinstance(spec, dict) and set(spec) == {"regex"} and isinstance(spec["regex"], str):
                source = spec["regex"]
            else:
                raise ValueError(f"模式必须是短语字符串或 {{regex: ...}} (bad pattern): {spec!r}")
            try:
                compiled = re.compile(source, re.MULTILINE)
            except re.error as exc:
                raise ValueError(f"正则表达式无效 (invalid regex) {source!r}: {exc}") from None
            if compiled.search("") is not None:
                raise ValueError(f"模式会匹配空文本 (pattern matches empty text): {source!r}")
            sources.append(source)
            patterns.append(compiled)
        return cls(tuple(sources), tuple(patterns))

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        end = len(text) if endpos is None else endpos
        for pattern in self.patterns:
            yield from pattern.finditer(text, pos, end)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        """The earliest match of any pattern (the longest among those starting there)."""
        end = len(text) if endpos is None else endpos
        best: re.Match[str] | None = None
        for pattern in self.patterns:
            found = pattern.search(text, pos, end)
            if found is not None and (best is None or (found.start(), -found.end()) < (best.start(), -best.end())):
                best = found
        return best
