"""Character folding: the one place where Chinese text is made comparable, character by character.

`fold(text)` returns a copy of `text` of exactly the same length, so that a position found in
the folded copy is the same position in what the person typed:

- control characters and lone surrogates (binary garbage) become U+FFFD;
- full-width ASCII forms become ASCII (，→,  ！→!  ：→:  ＡＢＣ→abc), the ideographic space and
  tabs a space, carriage returns a line break;
- ASCII letters become lower case, so "OK", "Ｏｋ" and "ok" are one word;
- single quotes become double quotes (有个叫'炫彩铃声'的东西), the yuan sign ￥ becomes ¥;
- traditional characters become simplified ones (OpenCC t2s), one for one (see `to_simplified`).

Who matches what:
- the analyzer's cues (taxonomy.yaml) match `fold` plus its same-length typo fixes
  (tousu.analysis.normalize.Normalizer);
- the reply checker's patterns (language.yaml) match `fold` with spaces and zero-width
  characters then dropped (tousu.matching.MatchView);
- the knowledge base's names and its profile and scenario signals match `fold` alone
  (tousu.knowledge.normalize_text);
- dialogue speaker tags are found in `fold`ed text (tousu.analysis.dialogue).

>>> fold("我要曝光！ＶＩＰ客戶說'OK'")
'我要曝光!vip客户说"ok"'

This module imports nothing of tousu: every layer may use it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

_FOLDED = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # full-width ASCII
_FOLDED.update({code: code + 32 for code in range(ord("A"), ord("Z") + 1)})
_FOLDED.update({code + 0xFEE0: code + 32 for code in range(ord("A"), ord("Z") + 1)})
_FOLDED.update({0x3000: ord(" "), ord("\t"): ord(" "), ord("\r"): ord("\n")})
_FOLDED[0xFFE5] = 0xA5  # the full-width yuan sign lies outside the full-width ASCII block
# The analyzer's cues know one kind of quotation mark; the checker's literal phrases accept any
# punctuation where they have some, and none of its regexes names a single quote.
_FOLDED.update({0x2018: ord("“"), 0x2019: ord("”"), ord("'"): ord('"'), 0xFF07: ord('"')})

# (The surrogates are spelled with chr(): a compiled module may not hold them as literals.)
_UNPRINTABLE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{chr(0xD800)}-{chr(0xDFFF)}]")
_SENTENCE = re.compile(r"[^\n。！？!?]*[\n。！？!?]?")

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


def fold(text: str) -> str:
    """`text` folded for matching, with the same length (see the module's docstring).

    >>> fold("您聽明白了嗎？\\r\\n１００元")
    '您听明白了吗?\\n\\n100元'
    """
    return to_simplified(_UNPRINTABLE.sub("\ufffd", text).translate(_FOLDED))


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


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
    """Traditional → simplified, one character for one character; `text` must hold no lone
    surrogate (`fold` replaces them first).

    >>> to_simplified("手機被打壞了")
    '手机被打坏了'
    """
    # Most texts are written in simplified characters: nothing to convert.
    convertible = convertible_characters()
    if convertible is not None and convertible.isdisjoint(text):
        return text
    converted = str(_converter().convert(text))
    if len(converted) == len(text):
        return _keep(text, converted)
    # A phrase conversion changed the length somewhere: redo it by sentence, and
    # character by character in the sentences that changed length.
    pieces: list[str] = []
    for sentence in _SENTENCE.findall(text):
        piece = str(_converter().convert(sentence))
        if len(piece) != len(sentence):
            piece = "".join(_single(char) for char in sentence)
        pieces.append(piece)
    return _keep(text, "".join(pieces))


def _keep(text: str, converted: str) -> str:
    """`converted` with the KEPT characters of `text` put back (the two align character by character)."""
    if not any(char in text for char in KEPT):
        return converted
    return "".join(old if old in KEPT else new for old, new in zip(text, converted, strict=True))


def _single(char: str) -> str:
    converted = str(_converter().convert(char))
    return converted if len(converted) == 1 else char
