"""Features for the statistical model: character n-grams plus whole words.

Character 1–3-grams carry most of the signal in short Chinese complaints and survive typos.
Whole words add terms the n-grams split (精神损失费, 携号转网). The word list is the domain
dictionary generated from the taxonomy, extended at training time with the words jieba finds
in the organisation's own complaints (`discover_words`). Words are then found by substring
search (Aho-Corasick), the same way in training and in prediction, so prediction needs
neither jieba's 0.6 s dictionary load nor its memory. Digits are folded to 0, so that
“200块” and “50块” look alike.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise

import numpy as np

from tousu.analysis.literals import LiteralIndex
from tousu.knowledge.taxonomy import Taxonomy

NGRAM_MAX = 3  # the n-gram code below makes exactly 1-, 2- and 3-grams
WORD_PREFIX = "w:"
_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"^[\u4e00-\u9fff0-9a-z]{2,12}$")
_MIN_DOCUMENTS = 2


def domain_words(taxonomy: Taxonomy) -> list[str]:
    """The domain dictionary: every taxonomy keyword and topic word that looks like a word."""
    words: dict[str, None] = {}
    for section in (taxonomy.categories, taxonomy.demands, taxonomy.emotions, taxonomy.urgency):
        for label in section:
            words.update(dict.fromkeys(label.keyword_list()))
    for topic in taxonomy.topics:
        words.update(dict.fromkeys(topic.keywords))
    return [_fold(word) for word in words if _WORD.match(word)]


def discover_words(texts: Sequence[str], dictionary: Iterable[str]) -> list[str]:
    """Words jieba segments out of the training texts (with the domain dictionary loaded)
    that occur in at least two of them; runs at training time only."""
    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in dictionary:
        tokenizer.add_word(word, freq=20_000)
    documents: Counter[str] = Counter()
    for text in texts:
        documents.update({w for w in tokenizer.lcut(_fold(text), HMM=False) if _WORD.match(w) and not w.isdigit()})
    return sorted(word for word, count in documents.items() if count >= _MIN_DOCUMENTS)


class Featurizer:
    """Normalised customer text → feature strings (n-grams, and `w:` words)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = tuple(dict.fromkeys(words))
        self._index: LiteralIndex[str] = LiteralIndex()
        for word in self.words:
            self._index.add(word, word)

    def __call__(self, text: str) -> list[str]:
        compact = _fold(text)
        features: list[str] = []
        for part in compact.split(" "):
            features.extend(part)
            features.extend(a + b for a, b in pairwise(part))
            features.extend(a + b + c for a, b, c in zip(part, part[1:], part[2:], strict=False))
        features.extend(WORD_PREFIX + word for _, word, _ in self._index.find(compact, 0, len(compact)))
        return features


class VocabularyCounter:
    """How often each feature of a fixed vocabulary occurs in a text: the counts of
    `Counter(featurizer(text))` for the features in the vocabulary, without building a
    string per n-gram. For prediction, where the vocabulary is fixed.

    An n-gram of code points is one integer, so all of a text's n-grams are counted with a
    few array operations and looked up in the vocabulary's sorted keys; only the words longer
    than an n-gram need a substring search.
    """

    def __init__(self, vocabulary: Sequence[str]) -> None:
        surfaces: dict[str, list[int]] = {}
        for index, term in enumerate(vocabulary):
            surfaces.setdefault(_surface(term), []).append(index)
        short = sorted(
            (_key(surface), indices) for surface, indices in surfaces.items() if len(surface) <= NGRAM_MAX
        )
        self._keys = np.array([key for key, _ in short], dtype=np.uint64)
        # A short surface stands for an n-gram and at most one word of the same characters.
        self._first = np.array([indices[0] for _, indices in short], dtype=np.int64)
        self._second = np.array([indices[1] if len(indices) > 1 else -1 for _, indices in short], dtype=np.int64)
        if any(len(indices) > 2 for _, indices in short):
            raise ValueError("a surface stands for more than an n-gram and a word")
        self._words: LiteralIndex[int] = LiteralIndex()
        for surface, indices in surfaces.items():
            if len(surface) > NGRAM_MAX:
                self._words.add(surface, indices[0])

    def __call__(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(vocabulary indices, counts) of the features the text holds."""
        compact = _fold(text)
        keys = _ngram_keys(compact)
        found, counts = np.unique(keys, return_counts=True)
        position = np.searchsorted(self._keys, found)
        position[position == len(self._keys)] = 0
        known = self._keys[position] == found if len(self._keys) else np.zeros(len(found), dtype=bool)
        position, counts = position[known], counts[known]
        second = self._second[position]
        has_word = second >= 0
        words = Counter(indices[0] for _, _, indices in self._words.find(compact, 0, len(compact)))
        indices = np.concatenate(
            [self._first[position], second[has_word], np.fromiter(words.keys(), dtype=np.int64, count=len(words))]
        )
        counts = np.concatenate(
            [counts, counts[has_word], np.fromiter(words.values(), dtype=np.int64, count=len(words))]
        )
        return indices, counts


# N-grams as integers: each code point plus one, in base 2**21 (every code point is below
# 2**21), so n-grams of different lengths never share a key and three fit in 64 bits.
_BASE = np.uint64(1 << 21)


def _key(surface: str) -> int:
    key = 0
    for char in surface:
        key = key * (1 << 21) + ord(char) + 1
    return key


def _ngram_keys(compact: str) -> np.ndarray:
    """The keys of every 1-, 2- and 3-gram that holds no space (n-grams stop at spaces)."""
    points = np.frombuffer(compact.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64) + np.uint64(1)
    usable = points != np.uint64(ord(" ") + 1)
    bigrams = points[:-1] * _BASE + points[1:]
    trigrams = bigrams[:-1] * _BASE + points[2:]
    return np.concatenate(
        [
            points[usable],
            bigrams[usable[:-1] & usable[1:]],
            trigrams[usable[:-2] & usable[1:-1] & usable[2:]],
        ]
    )


def _surface(term: str) -> str:
    """The text a feature stands for. Words are at least two characters, so `w:` plus a word
    is longer than any n-gram and cannot be mistaken for one."""
    return term[len(WORD_PREFIX) :] if term.startswith(WORD_PREFIX) and len(term) > NGRAM_MAX else term


def _fold(text: str) -> str:
    return _DIGIT.sub("0", _SPACE.sub(" ", text).strip())
