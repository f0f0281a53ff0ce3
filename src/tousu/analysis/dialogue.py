"""Dialogues (客户：… 客服：…): the one parser of speaker turns, for the analyzer and the checker.

It reads folded text (tousu.text.fold, or the analyzer's normalised form, which keeps the same
positions), so every offset it gives is an offset in the original text. The speaker vocabulary
is taxonomy.yaml `speakers`.

A tag is a speaker word followed by a colon:
- a role word, anywhere (客服：, 营业员1：, 【客户】：, 客户说：), as in the run-together
  transcripts of the training material, unless a verb shows it is told about (打给客服：…);
- a title, alone (经理：) or, at the start of a sentence or line, after a name of up to two
  characters (王先生：, 张主任：); one-character words (我：) count only there too;
- an anonymous label (A：/B：, 甲：/乙：) at the start of a line.
A line may open with a time stamp ([10:02:03] 客服：). When two or more lines start with a
tag, only tags at the start of a line count: one inside a line is quoted speech (你们客服：说会回电).

An anonymous label is the other side when the named speakers are all on one side; otherwise
its side is guessed from how each label speaks (`agent_signals`, `customer_signals`): the one
that sounds most like staff is the agent, on a tie the later one, as complaints usually open
with the customer.

Untagged text is for the consumer to place: `parse` reports the text before the first tag as
`lead` and gives no turns for text without tags; the analyzer takes both as the customer's
account (`split`), the checker leaves them out with a note (tousu.quality.transcript).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, NamedTuple

from tousu.analysis.normalize import any_word
from tousu.knowledge.taxonomy import Speakers, SpeakerSide
from tousu.text import fold

Speaker = Literal["customer", "agent"]
Guess = Literal["opposite", "manner"]

# Where a sentence or line starts, so that a name may open a tag (folded text: ！→!, ）→)).
_BOUNDARY = r"(?:^|(?<=[\n。.!?;\s\"”」』)\]】]))"
# A role word right after one of these is told about, not speaking: 打给客服：她说….
_TOLD_ABOUT = "给问找打跟和对向让叫请系被"
# A name before a title (王先生, 欧阳女士) is one or two characters, none of them a word that
# says the title is told about (我找了经理：).
_NAME = rf"(?:(?![{_TOLD_ABOUT}我你您他她们的了是在])[\u4e00-\u9fff]){{0,2}}"
_OPEN = r"[\[【(]?"
_TAIL = r"[ ]?[0-9a-z]{0,3}[ ]?[\]】)]?(?:说|称|问|答|回答|表示|回复|反映)?[ ]?[:：]"
_TAIL_LONGEST = 1 + 3 + 1 + 1 + 2 + 1 + 1  # space, 3 letters or digits, space, bracket, 回答, space, colon
_ANONYMOUS_TAIL = r"[ ]?\d{0,2}[ ]?[:：]"
_COLON = re.compile("[:：]")
# What may stand between the start of a line and a tag there: spaces and a time stamp.
_LINE_PREFIX = re.compile(r"[ ]*(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?[ ]*)?")


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker's words, text[start:end] (no surrounding blanks); the tag's speaker word as
    written is text[label_start:label_end] (empty for untagged text)."""

    speaker: Speaker
    start: int
    end: int
    tagged: bool
    label_start: int = 0
    label_end: int = 0


@dataclass(frozen=True, slots=True)
class Dialogue:
    """The tagged turns of a text, and what the consumer decides about the rest."""

    turns: tuple[Turn, ...]
    # Untagged text before the first tag, without surrounding blanks.
    lead: tuple[int, int] | None
    # The anonymous labels (folded: "a", "甲") in order of appearance, with the side given to each…
    guessed: tuple[tuple[str, Speaker], ...]
    # …because the named speakers are all of the other side, or by the manner of speaking.
    guessed_by: Guess | None


class _Tag(NamedTuple):  # a tuple: made for every colon, and quicker to make than a frozen class
    start: int
    end: int
    label_start: int
    label_end: int
    speaker: Speaker | None  # None: an anonymous label
    at_line_start: bool


class DialogueSplitter:
    """Built once from the speaker vocabulary; `parse` and `split` take folded text."""

    def __init__(self, speakers: Speakers) -> None:
        self._sides: dict[str, Speaker] = {}
        sides: tuple[tuple[Speaker, SpeakerSide], ...] = (("agent", speakers.agent), ("customer", speakers.customer))
        for side, words in sides:
            for word in (*words.tags, *words.titles):
                self._sides[fold(word)] = side
        short = [word for word in map(fold, speakers.customer.tags + speakers.agent.tags) if len(word) == 1]
        roles = [word for word in self._sides if len(word) > 1 or word not in short]
        titles = [fold(word) for word in (*speakers.customer.titles, *speakers.agent.titles)]
        self._anonymous = [fold(word) for word in speakers.anonymous]
        # A title after a name (王先生, or alone: 经理), or a one-character word (我).
        named = f"{_NAME}(?P<title>{any_word(titles) or '(?!)'})|{any_word(short) or '(?!)'}"
        anonymous = any_word(self._anonymous) or "(?!)"
        # The role words' first characters, looked at first: a position where no role word can
        # start fails at once instead of trying every word (half the time of a search).
        starts = "".join(re.escape(char) for char in sorted({word[0] for word in roles}))
        self._tag = re.compile(
            rf"{_BOUNDARY}{_OPEN}(?P<named>{named}){_TAIL}"
            rf"|(?<![{_TOLD_ABOUT}])(?=[\[【({starts}]){_OPEN}(?P<role>{any_word(roles) or '(?!)'}){_TAIL}"
            rf"|(?P<anonymous>{anonymous}){_ANONYMOUS_TAIL}"
        )
        longest_word = max(len(word) for word in (*self._sides, *self._anonymous))
        # A tag ends at its colon and is at most this long (bracket, name and title or word, tail).
        self._longest_tag = 1 + max(longest_word, 2 + max(map(len, titles), default=0)) + _TAIL_LONGEST
        self._senior = tuple(fold(word) for word in speakers.senior)
        self._agent_manner = _any_of(speakers.agent_signals)
        self._customer_manner = _any_of(speakers.customer_signals)

    def parse(self, text: str) -> Dialogue:
        """The tagged turns of `text` (folded), and its untagged lead."""
        tags = self._tags(text) if ":" in text or "：" in text else []
        if sum(tag.at_line_start for tag in tags) >= 2:
            tags = [tag for tag in tags if tag.at_line_start]
        if not tags:
            return Dialogue((), None, (), None)
        lead = _stripped(text, 0, tags[0].start)
        spans: list[tuple[_Tag, int, int]] = []
        for index, tag in enumerate(tags):
            start, end = _stripped(text, tag.end, tags[index + 1].start if index + 1 < len(tags) else len(text))
            if end > start:
                spans.append((tag, start, end))
        guessed: dict[str, Speaker] = {}
        guessed_by: Guess | None = None
        if any(tag.speaker is None for tag, _, _ in spans):
            guessed, guessed_by = self._guess(text, spans)
        turns = tuple(
            Turn(
                tag.speaker or guessed[text[tag.label_start : tag.label_end]],
                start,
                end,
                tagged=True,
                label_start=tag.label_start,
                label_end=tag.label_end,
            )
            for tag, start, end in spans
        )
        return Dialogue(turns, lead if lead[1] > lead[0] else None, tuple(guessed.items()), guessed_by)

    def split(self, text: str) -> list[Turn]:
        """The analyzer's reading: the turns, with untagged text (all of a text without tags,
        or what comes before the first tag) taken as the customer's account."""
        dialogue = self.parse(text)
        if not dialogue.turns:
            return [Turn("customer", 0, len(text), tagged=False)]
        turns = list(dialogue.turns)
        if dialogue.lead is not None:
            turns.insert(0, Turn("customer", *dialogue.lead, tagged=False))
        return turns

    def is_senior(self, text: str, turn: Turn) -> bool:
        """Whether the agent of `turn` is one whose taking over answers a demand for a manager."""
        label = text[turn.label_start : turn.label_end]
        return turn.speaker == "agent" and any(word in label for word in self._senior)

    def _tags(self, text: str) -> list[_Tag]:
        """What `finditer` of the tag pattern would find, looking only just before each colon
        (every tag ends with one): most of a text is no tag, and the pattern cannot skip it."""
        tags: list[_Tag] = []
        searched = 0
        for colon in _COLON.finditer(text):
            end = colon.end()
            match = self._tag.search(text, max(searched, end - self._longest_tag), end)
            if match is not None:
                searched = match.end()
                tag = self._read(text, match)
                if tag is not None:
                    tags.append(tag)
        return tags

    def _read(self, text: str, match: re.Match[str]) -> _Tag | None:
        """The tag a match of the pattern is, or None for an anonymous label inside a line."""
        line_start = text.rfind("\n", 0, match.start()) + 1
        at_line_start = _LINE_PREFIX.fullmatch(text, line_start, match.start()) is not None
        group = match.lastgroup or ""
        label_start, label_end = match.span(group)
        word = text[label_start:label_end]
        speaker: Speaker | None
        if group == "anonymous":
            if not at_line_start:
                return None
            speaker = None
        elif group == "named":
            speaker = self._sides[match.group("title") or word]
        else:
            speaker = self._sides[word]
        # At the start of a line the tag takes the line's time stamp with it: it is no one's words.
        start = line_start if at_line_start else match.start()
        return _Tag(start, match.end(), label_start, label_end, speaker, at_line_start)

    def _guess(self, text: str, spans: list[tuple[_Tag, int, int]]) -> tuple[dict[str, Speaker], Guess]:
        """Sides for the anonymous labels, and on what grounds."""
        named = {tag.speaker for tag, _, _ in spans if tag.speaker is not None}
        labels = list(dict.fromkeys(text[t.label_start : t.label_end] for t, _, _ in spans if t.speaker is None))
        if named == {"customer"}:
            return dict.fromkeys(labels, "agent"), "opposite"
        if named == {"agent"}:
            return dict.fromkeys(labels, "customer"), "opposite"
        scores = dict.fromkeys(labels, 0)
        for tag, start, end in spans:
            if tag.speaker is None:
                label = text[tag.label_start : tag.label_end]
                agent_words = len(self._agent_manner.findall(text, start, end))
                scores[label] += agent_words - len(self._customer_manner.findall(text, start, end))
        if len(labels) == 1:
            return {labels[0]: "agent" if scores[labels[0]] > 0 else "customer"}, "manner"
        agent = max(labels, key=lambda label: (scores[label], labels.index(label)))
        return {label: "agent" if label == agent else "customer" for label in labels}, "manner"


def _any_of(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def customer_turns(turns: list[Turn]) -> list[Turn]:
    """The customer's turns; everything when the customer never speaks (an agent's note)."""
    own = [turn for turn in turns if turn.speaker == "customer"]
    return own or turns


def customer_text(text: str, turns: list[Turn]) -> str:
    """The customer's words, one turn per line: what the statistical model reads."""
    return "\n".join(text[turn.start : turn.end] for turn in customer_turns(turns))
