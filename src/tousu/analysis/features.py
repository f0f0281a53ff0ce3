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
    """How often each feature of a fixed vocabulary occurs in a text, without building a
    string per n-gram. For prediction, where the vocabulary is fixed.

    Counts are per *surface*, the text a feature stands for: an n-gram and the word of the
    same characters (`宽带` and `w:宽带`) always occur together, so they share one count.
    `surface_terms[s]` are the vocabulary indices of surface `s`; expanding a text's surface
    counts through it gives exactly the counts of `Counter(featurizer(text))` in the vocabulary.

    An n-gram of code points is one integer, so all of a text's n-grams are counted with a
    few array operations and looked up in the surfaces' sorted keys; only the words longer
    than an n-gram need a substring search.
    """

    def __init__(self, vocabulary: Sequence[str]) -> None:
        surfaces: dict[str, list[int]] = {}
        for index, term in enumerate(vocabulary):
            surfaces.setdefault(_surface(term), []).append(index)
        short = sorted(
            (_key(surface), tuple(terms)) for surface, terms in surfaces.items() if len(surface) <= NGRAM_MAX
        )
        long = [(surface, tuple(terms)) for surface, terms in surfaces.items() if len(surface) > NGRAM_MAX]
        # Short surfaces first, in key order, so a key's position is its surface number.
        self.surface_terms: tuple[tuple[int, ...], ...] = (*(t for _, t in short), *(t for _, t in long))
        self._keys = np.array([key for key, _ in short], dtype=np.uint64)
        self._words: LiteralIndex[int] = LiteralIndex()
        for number, (surface, _) in enumerate(long, start=len(short)):
            self._words.add(surface, number)

    def __call__(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(surface numbers, counts) of the surfaces the text holds."""
        compact = _fold(text)
        # Few array operations, not few elements: on texts this short, each numpy call's
        # fixed cost is most of the time.
        keys = _ngram_keys(compact)
        keys.sort()
        position = self._keys.searchsorted(keys)
        np.minimum(position, len(self._keys) - 1, out=position)
        position = position[self._keys[position] == keys] if len(self._keys) else position[:0]
        # `position` is sorted: count each run of equal numbers.
        runs = np.concatenate(((0,), np.flatnonzero(position[1:] != position[:-1]) + 1, (len(position),)))
        surfaces, counts = (position[runs[:-1]], np.diff(runs)) if len(position) else (position, position)
        words = Counter(numbers[0] for _, _, numbers in self._words.find(compact, 0, len(compact)))
        if not words:
            return surfaces, counts
        return (
            np.concatenate([surfaces, np.fromiter(words.keys(), dtype=np.int64, count=len(words))]),
            np.concatenate([counts, np.fromiter(words.values(), dtype=np.int64, count=len(words))]),
        )


# N-grams as integers: each code point plus one, in base 2**21 (every code point is below
# 2**21), so n-grams of different lengths never share a key and three fit in 64 bits.
_BASE = np.uint64(1 << 21)


def _key(surface: str) -> int:
    key = 0
    for char in surface:
        key = key * (1 << 21) + ord(char) + 1
    return key


def _ngram_keys(compact: str) -> np.ndarray:
    """The keys of every 1-, 2- and 3-gram. Those holding a space match no vocabulary key
    (n-grams stop at spaces, words hold none), so they need no filtering here."""
    points = np.frombuffer(compact.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    points += np.uint64(1)
    bigrams = points[:-1] * _BASE
    bigrams += points[1:]
    trigrams = bigrams[:-1] * _BASE
    trigrams += points[2:]
    return np.concatenate((points, bigrams, trigrams))


def _surface(term: str) -> str:
    """The text a feature stands for. Words are at least two characters, so `w:` plus a word
    is longer than any n-gram and cannot be mistaken for one."""
    return term[len(WORD_PREFIX) :] if term.startswith(WORD_PREFIX) and len(term) > NGRAM_MAX else term


def _fold(text: str) -> str:
    return _DIGIT.sub("0", _SPACE.sub(" ", text).strip())
