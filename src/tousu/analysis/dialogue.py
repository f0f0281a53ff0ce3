"""Splitting a dialogue into speaker turns (客户：… 客服：…).

Labels come from what the customer says; an agent saying "您可以向12315反映" is no threat.
Text before the first tag, and text with no tags at all, is taken as the customer's account.
Transcripts that only letter their speakers (A：… B：…) are told apart by how each speaks: the
agent is the one who says 您, 请问, 先生/女士 and apologises; failing that, A is the customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from tousu.knowledge.taxonomy import Speakers

Speaker = Literal["customer", "agent"]

# What may stand right before a tag that is a name (王先生：) rather than a known role word.
_BOUNDARY = r"(?:^|(?<=[\n。.!?！？;；\s\"”」』)）】]))"
_TAG_TAIL = r"(?:[0-9a-z]{0,2})[\]】)）]?(?:说|称|问|答|回答|表示|回复|反映)?\s?[:：]"
_TAG_TAIL_LONGEST = 2 + 1 + 2 + 1 + 1  # the tail at its longest: 2 letters or digits, ], 回答, a space, :
_COLON = re.compile("[:：]")
_LETTER_TAG = re.compile(r"(?:^|(?<=\n))[ \t]*(?P<letter>[a-z])[ \t]?[:：]")
# How an agent speaks to a customer (on normalised, simplified text).
_AGENT_MARKERS = re.compile(
    r"您|请问|先生|女士|小姐|阿姨|抱歉|不好意思|为你|帮你查|有什么可以帮|我们这边|按照规定|依照合约"
)


@dataclass(frozen=True, slots=True)
class Turn:
    speaker: Speaker
    start: int
    end: int
    tagged: bool


class DialogueSplitter:
    def __init__(self, speakers: Speakers) -> None:
        self._agent_words = tuple(sorted(speakers.agent, key=len, reverse=True))
        self._customer_words = tuple(w for w in speakers.customer if w != "我")
        roles = sorted({*speakers.agent, *self._customer_words}, key=len, reverse=True)
        role_alt = "|".join(re.escape(w) for w in roles)
        suffix_alt = "|".join(re.escape(s) for s in speakers.customer_suffixes) or r"(?!)"
        # Role words (客服, 营业员) are tags wherever a colon follows them, as in the
        # run-together transcripts of the training material, unless a verb shows they are
        # told about (打给客服：…); names and 我 need a boundary.
        self._tag = re.compile(
            rf"(?<![给问找打跟和对向让叫请系被])[\[【(（]?(?P<role>{role_alt}){_TAG_TAIL}"
            rf"|{_BOUNDARY}[\[【(（]?(?P<named>[\u4e00-\u9fff]{{1,3}}(?:{suffix_alt})|我){_TAG_TAIL}"
        )
        # A tag ends at its colon and is at most this long (bracket, role or name, tail).
        longest_name = 3 + max((len(x) for x in speakers.customer_suffixes), default=0)
        self._longest_tag = 1 + max(longest_name, *(len(w) for w in roles)) + _TAG_TAIL_LONGEST

    def split(self, text: str) -> list[Turn]:
        """Turns in order; one untagged customer turn when there are no tags."""
        has_colon = ":" in text or "：" in text
        tags = self._tags(text) if has_colon else []
        if not tags and has_colon:
            tags = _letter_tags(text)
        if not tags:
            return [Turn("customer", 0, len(text), tagged=False)]
        turns: list[Turn] = []
        if tags[0][0] > 0 and not text[: tags[0][0]].isspace():
            turns.append(Turn("customer", 0, tags[0][0], tagged=False))
        for index, (_, content_start, speaker) in enumerate(tags):
            content_end = tags[index + 1][0] if index + 1 < len(tags) else len(text)
            if content_end > content_start:
                turns.append(Turn(speaker, content_start, content_end, tagged=True))
        return turns

    def _tags(self, text: str) -> list[tuple[int, int, Speaker]]:
        """What `finditer` of the tag pattern would find, looking only just before each colon
        (every tag ends with one): most of a text is no tag, and the pattern cannot skip it."""
        tags: list[tuple[int, int, Speaker]] = []
        searched = 0
        for colon in _COLON.finditer(text):
            end = colon.end()
            match = self._tag.search(text, max(searched, end - self._longest_tag), end)
            if match is not None:
                tags.append((match.start(), match.end(), self._speaker(match)))
                searched = match.end()
        return tags

    def _speaker(self, match: re.Match[str]) -> Speaker:
        tag = match.group("role") or match.group("named") or ""
        if any(word in tag for word in self._agent_words):
            return "agent"
        return "customer"


def _letter_tags(text: str) -> list[tuple[int, int, Speaker]]:
    """Tags of an A：/B： transcript with two or more speakers, or none."""
    found = [(m.start(), m.end(), m.group("letter")) for m in _LETTER_TAG.finditer(text)]
    letters = list(dict.fromkeys(letter for *_, letter in found))
    if len(letters) < 2:
        return []
    manner = dict.fromkeys(letters, 0)
    for index, (_, content_start, letter) in enumerate(found):
        content_end = found[index + 1][0] if index + 1 < len(found) else len(text)
        manner[letter] += len(_AGENT_MARKERS.findall(text, content_start, content_end))
    ranked = sorted(letters, key=lambda letter: -manner[letter])
    agent = ranked[0] if manner[ranked[0]] > manner[ranked[1]] else letters[1]
    return [(start, end, "agent" if letter == agent else "customer") for start, end, letter in found]


def customer_turns(turns: list[Turn]) -> list[Turn]:
    """The customer's turns; everything when the customer never speaks (an agent's note)."""
    own = [turn for turn in turns if turn.speaker == "customer"]
    return own or turns


def customer_text(text: str, turns: list[Turn]) -> str:
    """The customer's words, one turn per line: what the statistical model reads."""
    return "\n".join(text[turn.start : turn.end] for turn in customer_turns(turns))
