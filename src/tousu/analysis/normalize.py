"""The analyzer's matching form: the shared folding (tousu.text.fold) plus same-length typo
fixes (暴光 → 曝光), so that every position in it is a position in the text it was given.

The taxonomy's cues and the profile and scenario signals are written against this form:
simplified, half-width, lower-case ASCII, one kind of quotation mark, the typos fixed.

>>> Normalizer({}).normalize("我要曝光！ＶＩＰ客戶")
'我要曝光!vip客户'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from tousu.text import fold

# Longer texts are cut here: a complaint this long is a paste accident, and the cut keeps
# the analysis time bounded.
MAX_CHARS = 20_000


class Normalizer:
    """Normalises text for matching; built once from the taxonomy's typo table."""

    def __init__(self, typos: Mapping[str, str]) -> None:
        self._typos = dict(typos)
        keys = sorted(self._typos, key=len, reverse=True)
        self._typo_pattern = re.compile("|".join(re.escape(k) for k in keys)) if keys else None

    def normalize(self, text: str) -> str:
        text = fold(text)
        if self._typo_pattern is not None:
            text = self._typo_pattern.sub(lambda m: self._typos[m.group(0)], text)
        return text


# Full-width punctuation in a cue pattern (，！？) must match what normalisation makes of it
# (,!?), or a class like [^，。] would run straight across commas. Escaped: ？ is a literal.
_PATTERN_WIDTH = {
    code: re.escape(chr(code - 0xFEE0)) for code in range(0xFF01, 0xFF5F) if not chr(code - 0xFEE0).isalnum()
}


def normalize_pattern(pattern: str) -> str:
    """A cue regex written with full-width punctuation, for matching normalised text.

    >>> normalize_pattern("[^，。！]{0,4}退")
    '[^,。!]{0,4}退'
    """
    return pattern.translate(_PATTERN_WIDTH)


def has_content(text: str) -> bool:
    """False for empty or whitespace-only input: there is nothing to analyse."""
    return bool(text) and not text.isspace()


def any_word(words: Iterable[str]) -> str:
    """A regex for any of `words` taken literally, the longest first where one begins another
    (没有 before 没); empty for none."""
    return "|".join(map(re.escape, sorted(set(words), key=len, reverse=True)))
