"""Finding many literal strings in a text in one pass (Aho-Corasick, in Rust).

The engine under both the keyword cues and the regex triggers: a regex runs only when one
of the literals it requires occurs (see tousu.analysis.prefilter).
"""

from __future__ import annotations

import re
from typing import Generic, TypeVar

import ahocorasick_rs

from tousu.analysis.prefilter import required_literals, with_starting_characters

P = TypeVar("P")


class LiteralIndex(Generic[P]):
    """Add literals with payloads, then `find` them; the automaton is built on first use."""

    def __init__(self) -> None:
        self._entries: dict[str, list[P]] = {}
        self._built: tuple[list[tuple[str, list[P]]], ahocorasick_rs.AhoCorasick | None] | None = None

    def add(self, literal: str, payload: P) -> None:
        if not literal:
            raise ValueError("empty literal")
        self._entries.setdefault(literal, []).append(payload)
        self._built = None

    def entries(self) -> list[tuple[str, list[P]]]:
        """(literal, payloads), numbered as `spans` numbers them."""
        entries, _ = self._build()
        return entries

    def find(self, text: str, start: int, end: int) -> list[tuple[int, str, list[P]]]:
        """(position, literal, payloads) for every occurrence in text[start:end]."""
        if end <= start:
            return []
        entries, _ = self._build()
        segment = text if start == 0 and end >= len(text) else text[start:end]
        found = []
        for number, first, _ in self.spans(segment):
            literal, payloads = entries[number]
            found.append((start + first, literal, payloads))
        return found

    def spans(self, text: str) -> list[tuple[int, int, int]]:
        """(entry number, start, end) for every occurrence, overlapping ones included, in
        order of their ends: `find` without the lookups, for the hottest loop."""
        _, automaton = self._build()
        if automaton is None:
            return []
        return automaton.find_matches_as_indexes(text, overlapping=True)

    def _build(self) -> tuple[list[tuple[str, list[P]]], ahocorasick_rs.AhoCorasick | None]:
        if self._built is None:
            entries = list(self._entries.items())
            # The compact NFA, not the DFA: alone the DFA searches faster, but its tables are
            # megabytes that the rest of an analysis pushes out of the cache (measured in place:
            # the whole analysis runs 4-7% faster with the NFA).
            automaton = (
                ahocorasick_rs.AhoCorasick(
                    [literal for literal, _ in entries], implementation=ahocorasick_rs.Implementation.ContiguousNFA
                )
                if entries
                else None
            )
            self._built = (entries, automaton)
        return self._built


class TriggeredRegexes(Generic[P]):
    """Regexes that run only when their required literals occur (see tousu.analysis.prefilter)."""

    def __init__(self) -> None:
        # (regex, the other required conditions, payload)
        self._items: list[tuple[re.Pattern[str], tuple[_Condition, ...], P]] = []
        # Trigger literal → the regexes it triggers; whoever scans the text finds them
        # (see `triggers`), so no automaton of their own.
        self._triggers: dict[str, list[int]] = {}
        self._always: list[int] = []

    def add(self, pattern: re.Pattern[str], payload: P) -> None:
        factors = required_literals(pattern.pattern, pattern.flags)
        item = len(self._items)
        pattern = with_starting_characters(pattern)
        if not factors:
            self._items.append((pattern, (), payload))
            self._always.append(item)
            return
        # The most selective condition triggers the regex; the others are checked after.
        trigger = min(factors, key=_expected_hits)
        # The rarest first: the check stops at the first that fails.
        rest = sorted((factor for factor in factors if factor is not trigger), key=_expected_hits)
        others = tuple(_condition(factor) for factor in rest)
        self._items.append((pattern, others, payload))
        for option in trigger:
            self._triggers.setdefault(option, []).append(item)

    def triggers(self) -> list[tuple[str, int]]:
        """(literal, regex id) pairs, for callers that find literals in their own pass."""
        return [(literal, item) for literal, items in self._triggers.items() for item in items]

    def select(self, triggered: set[int], segment: str) -> list[tuple[re.Pattern[str], P]]:
        """The triggered regexes (and those without literals) whose other conditions hold."""
        if self._always:
            triggered = triggered | set(self._always)
        found = []
        items = self._items
        for item in sorted(triggered):
            pattern, others, payload = items[item]
            # Inlined: this loop runs a hundred times per complaint.
            for condition in others:
                if isinstance(condition, tuple):
                    for option in condition:
                        if option in segment:
                            break
                    else:
                        break
                elif condition.search(segment) is None:
                    break
            else:
                found.append((pattern, payload))
        return found


# How many complaints in a hundred contain a literal, for the literals of the cue regexes found
# in at least one in twenty (measured on the labelled sets). A regex is best triggered by its
# rarest condition: triggering on 你们 or 了 would run it on almost every complaint.
_SHARES = """
, 96  我 85  。 82  了 76  的 73  一 61  不 61  个 55  你 51  说 49  你们 47  就 47  是 47  要 47  给 43
这 42  上 41  ? 40  到 40  在 38  没 38  来 36  费 33  给我 32  退 32  人 31  月 31  还 31  天 30  话 30
都 30  有 29  去 28  电 27  ! 26  号 26  机 26  1 25  三 25  下 24  多 24  用 24  过 24  么 23  好 23
把 23  能 23  家 22  个月 21  打 21  请 21  钱 21  2 20  : 20  两 20  回 20  户 20  也 19  出 19  办 19
收 19  3 18  次 18  那 18  里 18  客服 17  开 17  问 17  一个 16  十 16  手 16  理 16  电话 16  “ 15  ” 15
卡 15  发 15  块 15  年 15  会 14  全 14  可 14  店 14  得 14  扣 14  点 14  被 14  要求 14  什么 13  号码 13
客户 13  我就 13  我要 13  手机 13  网 13  营业厅 13  赔 13  这个 13  通 13  道 13  门 13  买 12  元 12  只 12
复 12  已经 12  帮 12  想 12  新 12  款 12  看 12  老 12  一下 11  不能 11  为 11  停 11  再 11  几 11  分 11
带 11  快 11  我的 11  换 11  账 11  送 11  交 10  今天 10  写 10  同 10  成 10  没有 10  现在 10  行 10  让 10
事 9  他 9  外 9  就是 9  当 9  我们 9  才 9  按 9  提 9  查 9  第 9  等 9  约 9  解 9  " 8  不是 8  从 8  但 8
先 8  公司 8  内 8  别 8  口 8  名 8  定 8  宽带 8  并 8  报 8  日 8  期 8  条 8  根 8  跟 8  「 7  」 7  一直 7
五 7  修 7  加 7  又 7  吗 7  周 7  四 7  完 7  帮我 7  张 7  怎么 7  投诉 7  显示 7  根本 7  法 7  系统 7  能不能 7
补 7  话费 7  转 7  返 7  都没 7  麻烦 7  0元 6  件 6  价 6  份 6  做 6  充 6  其 6  出来 6  包 6  原 6  可以 6
和 6  回来 6  失 6  套餐 6  差 6  扣了 6  找 6  照 6  短信 6  管 6  结果 6  营业员 6  装 6  认 6  谁 6  货 6  超 6
那个 6  销 6  问题 6  额 6  一次 5  不然 5  业务 5  付 5  值 5  假 5  免 5  八 5  六 5  反映 5  叫 5  吧 5  告 5
呢 5  小时 5  尽快 5  必须 5  恢复 5  我是 5  打电话 5  拿 5  损失 5  掉 5  收到 5  改 5  无 5  是我 5  最 5  服务 5
未 5  每月 5  的钱 5  直接 5  知道 5  礼 5  种 5  笔 5  签 5  算 5  订 5  让我 5  说明 5  账单 5  走 5  进 5  退回 5
道歉 5  错 5
"""
_PERCENT = {literal: int(share) for literal, share in zip(*[iter(_SHARES.split())] * 2, strict=True)}
# The rest, by length: rarer than any in the table, and the longer the rarer.
_RARE_PERCENT = (2.0, 0.6, 0.3)


def _expected_hits(factor: frozenset[str]) -> float:
    """A rough share of complaints in which one of the options occurs."""
    return sum(_PERCENT.get(option, _RARE_PERCENT[min(len(option), 3) - 1]) for option in factor)


# One of these strings must occur; many options are searched as one alternation, which is
# cheaper than a Python loop of `in` tests.
_Condition = tuple[str, ...] | re.Pattern[str]
_MAX_LOOPED_OPTIONS = 4


def _condition(factor: frozenset[str]) -> _Condition:
    options = tuple(sorted(factor))
    if len(options) <= _MAX_LOOPED_OPTIONS:
        return options
    return re.compile("|".join(re.escape(option) for option in sorted(options, key=len)))
