"""Finding the taxonomy's cues in normalised text, fast.

Keywords are found in one Aho-Corasick pass; a regex runs only when a literal it requires
occurs. Each hit then goes through three
filters: overlapping hits of the same label count once (the strongest), a hit that overlaps
a label it yields to is dropped (赔偿 inside 精神赔偿), and hits in a negated clause or an
excluded context are marked or dropped.

A work-order template asks some of this as yes/no questions (是否越级投诉：否): the answer
after the colon decides every cue inside a question, the category's aside. Answered no, they
are negated (越级投诉 there is no threat); yes, they count with no exclusion or negation to
undo them; unanswered, they say nothing and are dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from tousu.analysis.literals import LiteralIndex, TriggeredRegexes
from tousu.analysis.negation import NegationRules, TemplateQuestions, clause_bounds
from tousu.analysis.normalize import normalize_pattern
from tousu.analysis.prefilter import with_starting_characters
from tousu.knowledge.taxonomy import Negation, SignalGroup

NEGATABLE_KINDS = frozenset({"demand", "urgency"})


@dataclass(frozen=True, slots=True)
class LabelCues:
    """The cues of one label, as the matcher takes them."""

    kind: str
    code: str
    groups: Sequence[SignalGroup]
    exclude: Sequence[str] = ()
    yields_to: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str
    code: str
    weight: float
    negatable: bool
    only_categories: frozenset[str] = frozenset()
    answered: bool = False  # decided by a template question's answer: nothing may undo it


class Hit(NamedTuple):
    """One cue found in the text (a tuple: made by the thousand on the hot path)."""

    kind: str
    code: str
    start: int
    end: int
    text: str
    weight: float
    negated: bool = False
    only_categories: frozenset[str] = frozenset()


class _Literal(NamedTuple):
    """Everything one literal stands for, so the hot loop needs no type tests per payload."""

    cues: tuple[Cue, ...]
    regexes: tuple[int, ...]  # this matcher's regexes it triggers
    riders: tuple[int, ...]  # the riders' regexes it triggers
    digit_edged: bool  # starts or ends with a digit (see _inside_number)


class Matcher:
    def __init__(
        self, labels: Iterable[LabelCues], negation: Negation, riders: TriggeredRegexes[Any] | None = None
    ) -> None:
        """`riders`: another regex set whose trigger literals are found in the same pass (the
        hint signals), so the text is scanned once; `scan_turns` reports which it triggered."""
        self._regexes: TriggeredRegexes[Cue] = TriggeredRegexes()
        self._exclude: dict[tuple[str, str], list[re.Pattern[str]]] = {}
        self._yields: dict[tuple[str, str], tuple[str, ...]] = {}
        self._negation = NegationRules(negation)
        self._questions = TemplateQuestions(negation)
        cues: dict[str, list[Cue]] = {}
        for label in labels:
            key = (label.kind, label.code)
            if label.exclude:
                self._exclude[key] = [with_starting_characters(re.compile(normalize_pattern(p))) for p in label.exclude]
            if label.yields_to:
                self._yields[key] = tuple(label.yields_to)
            for group in label.groups:
                negatable = label.kind in NEGATABLE_KINDS if group.negatable is None else group.negatable
                cue = Cue(label.kind, label.code, group.weight, negatable, frozenset(group.only_categories))
                for keyword in group.keywords:
                    cues.setdefault(keyword, []).append(cue)
                for pattern in group.regexes:
                    self._regexes.add(re.compile(normalize_pattern(pattern)), cue)
        regexes: dict[str, list[int]] = {}
        for literal, item in self._regexes.triggers():
            regexes.setdefault(literal, []).append(item)
        rides: dict[str, list[int]] = {}
        for literal, item in riders.triggers() if riders is not None else ():
            rides.setdefault(literal, []).append(item)
        self._literals: LiteralIndex[_Literal] = LiteralIndex()
        for literal in {**cues, **regexes, **rides}:
            self._literals.add(
                literal,
                _Literal(
                    tuple(cues.get(literal, ())),
                    tuple(regexes.get(literal, ())),
                    tuple(rides.get(literal, ())),
                    literal[0].isdigit() or literal[-1].isdigit(),
                ),
            )

    def scan_turns(
        self, text: str, bounds: Sequence[tuple[int, int]]
    ) -> tuple[list[list[Hit]], set[int], list[tuple[int, int]]]:
        """Hits per turn (start, end), after de-duplication and negation; the riders' regexes
        triggered anywhere in the text; and the spans of the template's questions answered no
        or not at all, where the text says nothing of what it names. One literal pass over the
        whole text serves all turns."""
        starts = [start for start, _ in bounds]
        raw: list[list[tuple[Hit, Cue]]] = [[] for _ in bounds]
        triggered: list[set[int]] = [set() for _ in bounds]
        riders: set[int] = set()
        single = len(bounds) == 1
        lo, hi = bounds[0] if bounds else (0, 0)
        entries = self._literals.entries()
        for number, i, end in self._literals.spans(text):
            keyword, (entry,) = entries[number]
            cues, regexes, rides, digit_edged = entry
            if rides:
                riders.update(rides)
            if single:
                turn = 0
            else:
                turn = bisect_right(starts, i) - 1
                if turn < 0:
                    continue
                lo, hi = bounds[turn]
            if i < lo or end > hi or (digit_edged and _inside_number(text, keyword, i, end)):
                continue
            if regexes:
                triggered[turn].update(regexes)
            for cue in cues:
                # Positional: this runs for every keyword found.
                raw[turn].append(
                    (Hit(cue.kind, cue.code, i, end, keyword, cue.weight, False, cue.only_categories), cue)
                )
        results = []
        unsaid: list[tuple[int, int]] = []
        for turn, (start, end) in enumerate(bounds):
            hits = raw[turn]
            for pattern, cue in self._regexes.select(triggered[turn], text[start:end]):
                for match in pattern.finditer(text, start, end):
                    if match.end() > match.start():
                        hit = Hit(
                            cue.kind,
                            cue.code,
                            match.start(),
                            match.end(),
                            match.group(0),
                            cue.weight,
                            only_categories=cue.only_categories,
                        )
                        hits.append((hit, cue))
            questions = self._questions.find(text, start, end)
            if questions:
                hits = _answered(hits, questions)
                unsaid += [(lo, hi) for lo, hi, answer in questions if answer != "yes"]
            kept = self._apply_yields(_strongest_per_label(hits))
            results.append([h for h in (self._filter(text, pair, start, end) for pair in kept) if h is not None])
        return results, riders, unsaid

    def _apply_yields(self, hits: list[tuple[Hit, Cue]]) -> list[tuple[Hit, Cue]]:
        if not self._yields:
            return hits
        by_label: dict[tuple[str, str], list[Hit]] = {}
        for hit, _ in hits:
            by_label.setdefault((hit.kind, hit.code), []).append(hit)
        kept = []
        for hit, cue in hits:
            stronger = self._yields.get((hit.kind, hit.code), ())
            if any(_overlap(hit, other) for code in stronger for other in by_label.get((hit.kind, code), ())):
                continue
            kept.append((hit, cue))
        return kept

    def _filter(self, text: str, pair: tuple[Hit, Cue], lo: int, hi: int) -> Hit | None:
        hit, cue = pair
        if cue.answered:
            return hit
        excludes = self._exclude.get((hit.kind, hit.code))
        if not excludes and not cue.negatable:
            return hit
        clause_start, clause_end = clause_bounds(text, hit.start, hit.end, lo, hi)
        if excludes:
            clause = text[clause_start:clause_end]
            if any(pattern.search(clause) for pattern in excludes):
                return None
        if cue.negatable and self._negation.is_negated(text, hit.start, hit.end, clause_start, clause_end):
            return hit._replace(negated=True)
        return hit


# What a question is about, not what it asks: 是否投诉宽带：否 is still about broadband.
_UNANSWERED_KINDS = frozenset({"category", "topic"})


def _answered(hits: list[tuple[Hit, Cue]], questions: list[tuple[int, int, str | None]]) -> list[tuple[Hit, Cue]]:
    """`hits` with those inside a template's question decided by its answer."""
    decided = []
    for hit, cue in hits:
        answer = next((a for lo, hi, a in questions if lo <= hit.start and hit.end <= hi), "outside")
        if answer == "outside" or hit.kind in _UNANSWERED_KINDS:
            decided.append((hit, cue))
        elif answer is not None:  # None: unanswered, the hit says nothing
            decided.append((hit._replace(negated=answer == "no"), replace(cue, answered=True)))
    return decided


def _inside_number(text: str, keyword: str, start: int, end: int) -> bool:
    """A keyword that starts or ends with a digit is not found inside a longer number:
    0元购 in 200元购物卡, 12315 in 1231580."""
    return (keyword[0].isdigit() and start > 0 and text[start - 1].isdigit()) or (
        keyword[-1].isdigit() and end < len(text) and text[end].isdigit()
    )


def _overlap(a: Hit, b: Hit) -> bool:
    return a.start < b.end and b.start < a.end


def _strongest_per_label(hits: list[tuple[Hit, Cue]]) -> list[tuple[Hit, Cue]]:
    """Overlapping hits of one label count once: the heaviest, then the longest."""
    ordered = sorted(hits, key=lambda pair: (-pair[0].weight, pair[0].start - pair[0].end, pair[0].start))
    accepted: dict[tuple[str, str], list[Hit]] = {}
    kept: list[tuple[Hit, Cue]] = []
    for hit, cue in ordered:
        same = accepted.setdefault((hit.kind, hit.code), [])
        if any(_overlap(hit, other) for other in same):
            continue
        same.append(hit)
        kept.append((hit, cue))
    kept.sort(key=lambda pair: pair[0].start)
    return kept
