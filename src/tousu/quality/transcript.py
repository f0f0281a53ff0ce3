"""The checker's reading of a transcript: the analyzer's dialogue parser (tousu.analysis.dialogue,
one parser and one speaker vocabulary for both), with the checker's own treatment of what
the parser cannot place.

Untagged text is not checked: text before the first tag is left out with a note, and a text
without any tag gives no turns and a note saying so. Anonymous speakers (A：/B：) get the side
the parser guessed, and a note says how.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from tousu.analysis.dialogue import Dialogue, DialogueSplitter
from tousu.knowledge.taxonomy import Speakers
from tousu.quality.results import Role, Turn

_ROLES: dict[str, Role] = {"customer": "customer", "agent": "staff"}
_SIDE_NAMES = {"customer": "客户", "agent": "客服"}


@dataclass(frozen=True)
class Transcript:
    turns: tuple[Turn, ...]
    roles_guessed: bool
    notes: tuple[str, ...]


@lru_cache(maxsize=8)
def _splitter(speakers: Speakers) -> DialogueSplitter:
    return DialogueSplitter(speakers)


def parse_transcript(original: str, folded: str, speakers: Speakers) -> Transcript:
    """Turns of `original`; `folded` is fold(original), in which the parser finds the tags."""
    splitter = _splitter(speakers)
    dialogue = splitter.parse(folded)
    if not dialogue.turns:
        return Transcript(
            (), False, ("没有找到说话人标记（如“客户：”“客服：”），无法按对话检查；检查单条回复请不要用对话模式",)
        )
    notes: list[str] = []
    if dialogue.lead is not None:
        lead_start, lead_end = dialogue.lead
        notes.append(f"第一个说话人标记之前有 {lead_end - lead_start} 个字没有标明说话人，未参与检查")
    if dialogue.guessed:
        notes.append(_guess_note(dialogue))
    turns = tuple(
        Turn(
            index=index,
            role=_ROLES[turn.speaker],
            speaker=original[turn.label_start : turn.label_end],
            senior=splitter.is_senior(folded, turn),
            start=turn.start,
            end=turn.end,
            text=original[turn.start : turn.end],
        )
        for index, turn in enumerate(dialogue.turns)
    )
    return Transcript(turns, bool(dialogue.guessed), tuple(notes))


def _guess_note(dialogue: Dialogue) -> str:
    labels = [label.upper() for label, _ in dialogue.guessed]
    if dialogue.guessed_by == "opposite":
        side = dialogue.guessed[0][1]
        other = "客服" if side == "customer" else "客户"
        return f"{'、'.join(labels)} 按{_SIDE_NAMES[side]}处理（另一方已标明为{other}）"
    described = "，".join(
        f"{label} 为{_SIDE_NAMES[side]}" for label, (_, side) in zip(labels, dialogue.guessed, strict=True)
    )
    return f"未标明谁是客户，已按用语推断：{described}"
