"""Normalisation that keeps every character in place.

The analyzer reports evidence as positions in the text it was given, so each step here maps
one character to one character: full-width forms to ASCII, ASCII to lower case, traditional
to simplified Chinese (OpenCC), and same-length typo fixes (暴光 → 曝光).

>>> Normalizer({}).normalize("我要曝光！ＶＩＰ客戶")
'我要曝光!vip客户'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import opencc

# Longer texts are cut here: a complaint this long is a paste accident, and the cut keeps
# the analysis time bounded.
MAX_CHARS = 20_000

_WIDTH_AND_CASE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH_AND_CASE[0x3000] = ord(" ")
_WIDTH_AND_CASE.update({code: code + 32 for code in range(ord("A"), ord("Z") + 1)})
_WIDTH_AND_CASE.update({code + 0xFEE0: code + 32 for code in range(ord("A"), ord("Z") + 1)})
_WIDTH_AND_CASE[ord("\t")] = ord(" ")
_WIDTH_AND_CASE[ord("\r")] = ord("\n")
_WIDTH_AND_CASE[0xFFE5] = ord("¥")  # full-width yuan sign
# Single quotes name things as double quotes do (有个叫'炫彩铃声'的东西): the cues know only one kind.
_WIDTH_AND_CASE.update({0x2018: ord("“"), 0x2019: ord("”"), ord("'"): ord('"'), 0xFF07: ord('"')})
_WIDTH_AND_CASE[0x00A5] = ord("¥")

# Control characters and lone surrogates (binary garbage) become a replacement character.
# (The surrogates are spelled with chr(): a compiled module may not hold them as literals.)
_UNPRINTABLE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{chr(0xD800)}-{chr(0xDFFF)}]")
_CHUNK = re.compile(r"[^\n。！？!?]*[\n。！？!?]?")


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


# The CJK ideograph blocks: every character OpenCC's t2s tables change lies in one of them.
_IDEOGRAPHS = (
    (0x3400, 0x4DC0),
    (0x4E00, 0xA000),
    (0xF900, 0xFB00),
    (0x20000, 0x2A6E0),
    (0x2A700, 0x2EBF0),
    (0x2F800, 0x2FA20),
    (0x30000, 0x3134B),
)
# Characters that only t2s's phrases change, in text with no traditional character at all
# (深沈 → 深沉, 瞭解 → 了解). A test holds this, with KEPT, to OpenCC's own tables.
PHRASE_ONLY_CHANGES = "哩沈甦瞭藉衹覆"
# Simplified characters that t2s's phrases would turn into another word, wrongly in a
# complaint: 打坏 (broke) would become 打坯 (made adobe bricks), as old texts wrote it.
KEPT = "坏"


@lru_cache(maxsize=1)
def convertible_characters() -> frozenset[str] | None:
    """Every character whose presence can make t2s change a text: the ones it converts on
    their own (found by converting every ideograph once, ~30 ms) and PHRASE_ONLY_CHANGES.
    None if OpenCC does not keep lines apart: then every text is converted."""
    changed = set(PHRASE_ONLY_CHANGES)
    for low, high in _IDEOGRAPHS:
        chars = "".join(map(chr, range(low, high)))
        # One per line, so that no phrase spans two of them.
        converted = str(_converter().convert("\n".join(chars)))
        if len(converted) != 2 * len(chars) - 1:
            return None
        changed.update(char for char, out in zip(chars, converted[::2], strict=True) if out != char)
    return frozenset(changed)


def to_simplified(text: str) -> str:
    """Traditional → simplified, one character for one character."""
    # Most complaints are written in simplified characters: nothing to convert.
    convertible = convertible_characters()
    if convertible is not None and convertible.isdisjoint(text):
        return text
    converted = str(_converter().convert(text))
    if len(converted) == len(text):
        return _keep(text, converted)
    # A phrase conversion changed the length somewhere: redo it by sentence, and
    # character by character in the sentences that changed length.
    pieces: list[str] = []
    for chunk in _CHUNK.findall(text):
        piece = _converter().convert(chunk)
        if len(piece) != len(chunk):
            piece = "".join(_single(ch) for ch in chunk)
        pieces.append(piece)
    return _keep(text, "".join(pieces))


def _keep(text: str, converted: str) -> str:
    """`converted` with the KEPT characters of `text` put back (the two align character by character)."""
    if not any(char in text for char in KEPT):
        return converted
    return "".join(old if old in KEPT else new for old, new in zip(text, converted, strict=True))


def _single(ch: str) -> str:
    converted = _converter().convert(ch)
    return converted if len(converted) == 1 else ch


class Normalizer:
    """Normalises text for matching; built once from the taxonomy's typo table."""

    def __init__(self, typos: Mapping[str, str]) -> None:
        self._typos = dict(typos)
        keys = sorted(self._typos, key=len, reverse=True)
        self._typo_pattern = re.compile("|".join(re.escape(k) for k in keys)) if keys else None

    def normalize(self, text: str) -> str:
        text = _UNPRINTABLE.sub("\ufffd", text).translate(_WIDTH_AND_CASE)
        text = to_simplified(text)
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
