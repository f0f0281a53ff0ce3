"""Features for the statistical model: character n-grams plus jieba words.

Character 1–3-grams carry most of the signal in short Chinese complaints and survive typos;
jieba words, segmented with a domain dictionary generated from the taxonomy (彩铃, 工信部,
精神损失费 …), add whole terms that the n-grams split. Digits are folded to 0 so that
“200块” and “50块” look alike. jieba loads its dictionary (about 0.6 s) the first time words
are needed, which is only when a model is trained or used.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from tousu.knowledge.taxonomy import Taxonomy

NGRAM_RANGE = (1, 3)
_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff0-9a-z]{2,12}$")


def domain_words(taxonomy: Taxonomy) -> list[str]:
    """Words jieba must keep whole: every taxonomy keyword and topic word that looks like a word."""
    words: dict[str, None] = {}
    for section in (taxonomy.categories, taxonomy.demands, taxonomy.emotions, taxonomy.urgency):
        for label in section:
            words.update(dict.fromkeys(label.keyword_list()))
    for topic in taxonomy.topics:
        words.update(dict.fromkeys(topic.keywords))
    return [word for word in words if _CJK_WORD.match(word)]


class Featurizer:
    """Turns normalised customer text into feature strings; thread-safe, jieba loaded lazily."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words = tuple(words)
        self._tokenizer: object | None = None
        self._lock = threading.Lock()

    def __call__(self, text: str) -> list[str]:
        compact = _DIGIT.sub("0", _SPACE.sub(" ", text).strip())
        low, high = NGRAM_RANGE
        grams = [
            compact[i : i + n]
            for n in range(low, high + 1)
            for i in range(len(compact) - n + 1)
            if " " not in compact[i : i + n]
        ]
        words = [f"w:{w}" for w in self._segment(compact) if len(w) > 1 and not w.isspace()]
        return grams + words

    def _segment(self, text: str) -> list[str]:
        tokenizer = self._tokenizer
        if tokenizer is None:
            tokenizer = self._load()
        return tokenizer.lcut(text, HMM=False)  # type: ignore[attr-defined, no-any-return]

    def _load(self) -> object:
        with self._lock:
            if self._tokenizer is None:
                import jieba

                logging.getLogger("jieba").setLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in self._words:
                    tokenizer.add_word(word, freq=20_000)
                self._tokenizer = tokenizer
            return self._tokenizer
