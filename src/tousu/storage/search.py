"""Chinese keyword search without a segmenter: text is indexed as overlapping character bigrams.

A bigram index finds every substring of two or more characters, which is what a person
typing a keyword expects (a word segmenter would miss "宽带" inside "宽带费"); the
query's bigrams narrow the candidates through the database's full-text index and a
LIKE on the content confirms the exact match.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9a-z]+")


def tokens(text: str) -> list[str]:
    """Index terms: CJK bigrams plus lower-cased latin words and numbers.

    >>> tokens("宽带断网 4G")
    ['宽带', '带断', '断网', '4g']
    """
    lowered = text.lower()
    terms: list[str] = []
    for run in _CJK.findall(lowered):
        if len(run) == 1:
            terms.append(run)
        terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    terms.extend(_WORD.findall(lowered))
    return terms


def index_text(*parts: str | None) -> str:
    """The space-separated terms stored for a complaint, deduplicated in order."""
    seen: dict[str, None] = {}
    for part in parts:
        if part:
            for term in tokens(part):
                seen.setdefault(term, None)
    return " ".join(seen)


def query_terms(keyword: str) -> list[str]:
    """The distinct terms a keyword needs; empty when it has none (e.g. only punctuation)."""
    return list(dict.fromkeys(tokens(keyword)))
