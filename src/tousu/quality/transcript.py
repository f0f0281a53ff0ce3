"""Split a transcript into speaker turns.

Speaker tags are the words of language.yaml `speakers` followed by a colon (full- or
half-width): 客户：… 营业员 1：… 张主任：… 陈先生：…. When at least two lines start with a
tag, only tags at the start of a line count (a tag inside a line is quoted speech);
otherwise tags are found anywhere, which handles transcripts pasted as one paragraph.
Anonymous tags (A:/B:/甲:/乙:) count only at the start of a line; who is the customer is
then guessed from the words each side uses, and the result says so.
Text before the first tag is left out, with a note.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from tousu.knowledge.language import Speakers
from tousu.quality.results import Role, Turn
from tousu.quality.text import MatchView, fold

_CJK_CHAR = "[\u4e00-\u9fff]"


@dataclass(frozen=True)
class Transcript:
    turns: tuple[Turn, ...]
    roles_guessed: bool
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _TagPatterns:
    inline: re.Pattern[str]
    line: re.Pattern[str]
    anonymous: re.Pattern[str]


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(fold(word)) for word in sorted(set(words), key=len, reverse=True))


# A line may open with a time stamp before the speaker: [10:02:03] 客服：...
_LINE_START = r"^[ \t]*(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?[ \t]*)?"


def _named_tag(speakers: Speakers, title_prefix: str) -> str:
    choices = [_alternation(speakers.customer.tags + speakers.staff.tags)]
    titles = speakers.customer.titles + speakers.staff.titles
    if titles:
        # A title may follow a surname or a post: 王先生, 张主任, 值班经理.
        choices.insert(0, f"{title_prefix}(?:{_alternation(titles)})")
    return f"(?P<tag>{'|'.join(choices)})[ \\t]*\\d{{0,3}}[ \\t]*:"


@lru_cache(maxsize=8)
def _tag_patterns(speakers: Speakers) -> _TagPatterns:
    anonymous = f"{_LINE_START}(?P<tag>{_alternation(speakers.anonymous)})[ \\t]*\\d{{0,2}}[ \\t]*:"
    return _TagPatterns(
        # Inside a line at most one character before a title, so little of the previous turn is taken.
        inline=re.compile(_named_tag(speakers, f"{_CJK_CHAR}?")),
        line=re.compile(_LINE_START + _named_tag(speakers, f"{_CJK_CHAR}{{0,2}}"), re.MULTILINE),
        anonymous=re.compile(anonymous, re.MULTILINE | re.IGNORECASE),
    )


def _named_role(tag: str, speakers: Speakers) -> Role:
    if tag in speakers.customer.tags or tag.endswith(speakers.customer.titles):
        return "customer"
    return "staff"


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _signal_score(text: str, speakers: Speakers) -> int:
    matching = MatchView.of(text).text
    staff = sum(1 for _ in speakers.staff_signals.finditer(matching))
    customer = sum(1 for _ in speakers.customer_signals.finditer(matching))
    return staff - customer


def _guess_anonymous(
    turns: Sequence[tuple[str, Role | None, int, int]], folded: str, speakers: Speakers
) -> tuple[dict[str, Role], str]:
    """Roles for anonymous labels, and a note explaining the guess."""
    named_roles = {role for _, role, _, _ in turns if role is not None}
    labels = list(dict.fromkeys(label for label, role, _, _ in turns if role is None))
    if named_roles == {"customer"}:
        return {label: "staff" for label in labels}, f"{'、'.join(labels)} 按客服处理（另一方已标明为客户）"
    if named_roles == {"staff"}:
        return {label: "customer" for label in labels}, f"{'、'.join(labels)} 按客户处理（另一方已标明为客服）"
    scores: dict[str, int] = defaultdict(int)
    for label, role, start, end in turns:
        if role is None:
            scores[label] += _signal_score(folded[start:end], speakers)
    if len(labels) == 1:
        guessed: dict[str, Role] = {labels[0]: "staff" if scores[labels[0]] > 0 else "customer"}
    else:
        # On a tie the later speaker is taken as staff: complaints usually open with the customer.
        staff_label = max(labels, key=lambda label: (scores[label], labels.index(label)))
        guessed = {label: "staff" if label == staff_label else "customer" for label in labels}
    described = "，".join(f"{label} 为{'客服' if role == 'staff' else '客户'}" for label, role in guessed.items())
    return guessed, f"未标明谁是客户，已按用语推断：{described}"


def parse_transcript(original: str, folded: str, speakers: Speakers) -> Transcript:
    """Turns of `original`; `folded` is fold(original), used to find the tags."""
    patterns = _tag_patterns(speakers)
    anonymous = list(patterns.anonymous.finditer(folded))
    line_tags = list(patterns.line.finditer(folded))
    named = line_tags if len(line_tags) + len(anonymous) >= 2 else list(patterns.inline.finditer(folded))
    marks = sorted(named + anonymous, key=lambda m: m.start())
    if not marks:
        return Transcript(
            (), False, ("没有找到说话人标记（如“客户：”“客服：”），无法按对话检查；检查单条回复请不要用对话模式",)
        )
    notes: list[str] = []
    lead_start, lead_end = _strip_span(folded, 0, marks[0].start())
    if lead_end > lead_start:
        notes.append(f"第一个说话人标记之前有 {lead_end - lead_start} 个字没有标明说话人，未参与检查")
    raw: list[tuple[str, Role | None, int, int]] = []
    speaker_as_written: list[str] = []
    anonymous_starts = {m.start() for m in anonymous}
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(folded)
        start, end = _strip_span(folded, mark.end(), end)
        if end > start:
            tag = mark.group("tag")
            is_anonymous = mark.start() in anonymous_starts
            role = None if is_anonymous else _named_role(tag, speakers)
            raw.append((tag.upper() if is_anonymous else tag, role, start, end))
            speaker_as_written.append(original[mark.start("tag") : mark.end("tag")])
    guessed: dict[str, Role] = {}
    if any(role is None for _, role, _, _ in raw):
        guessed, note = _guess_anonymous(raw, folded, speakers)
        notes.append(note)
    turns = tuple(
        Turn(
            index=index,
            role=role if role is not None else guessed[tag],
            speaker=speaker_as_written[index],
            senior=role == "staff" and any(word in tag for word in speakers.senior),
            start=start,
            end=end,
            text=original[start:end],
        )
        for index, (tag, role, start, end) in enumerate(raw)
    )
    return Transcript(turns, bool(guessed), tuple(notes))
