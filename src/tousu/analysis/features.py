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
from itertools import chain, pairwise
from operator import itemgetter

import ahocorasick

from tousu.analysis.literals import LiteralIndex
from tousu.knowledge.taxonomy import Taxonomy

NGRAM_MAX = 3
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
            if NGRAM_MAX >= 3:
                features.extend(a + b + c for a, b, c in zip(part, part[1:], part[2:], strict=False))
        features.extend(WORD_PREFIX + word for _, word, _ in self._index.find(compact, 0, len(compact)))
        return features


class VocabularyCounter:
    """How often each feature of a fixed vocabulary occurs in a text: the counts of
    `Counter(featurizer(text))` for the features in the vocabulary, found in one pass in C
    instead of building every n-gram string in Python. For prediction, where the
    vocabulary is fixed."""

    def __init__(self, vocabulary: Sequence[str]) -> None:
        surfaces: dict[str, list[int]] = {}
        for index, term in enumerate(vocabulary):
            surfaces.setdefault(_surface(term), []).append(index)
        self._automaton = ahocorasick.Automaton()
        for surface, indices in surfaces.items():
            self._automaton.add_word(surface, tuple(indices))
        if surfaces:
            self._automaton.make_automaton()

    def __call__(self, text: str) -> Counter[int]:
        compact = _fold(text)
        if self._automaton.kind == ahocorasick.EMPTY or not compact:
            return Counter()
        # No term holds a space, so no match crosses one, just as n-grams stop at spaces.
        return Counter(chain.from_iterable(map(itemgetter(1), self._automaton.iter(compact))))


def _surface(term: str) -> str:
    """The text a feature stands for. Words are at least two characters, so `w:` plus a word
    is longer than any n-gram and cannot be mistaken for one."""
    return term[len(WORD_PREFIX) :] if term.startswith(WORD_PREFIX) and len(term) > NGRAM_MAX else term


def _fold(text: str) -> str:
    return _DIGIT.sub("0", _SPACE.sub(" ", text).strip())
