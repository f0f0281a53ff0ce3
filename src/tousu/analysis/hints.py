"""Customer profiles (§7) and scenarios (§8) that fit a complaint.

Two sources: the knowledge base's own `signals` (regexes on the customer's words), and the
taxonomy's `derived_hints`, which follow from the labels (a threat makes the hard-liner
scenario, a repeat complaint the repeater profile). Scenarios tied to categories only fit a
complaint of one of those categories; scenarios tied to industries only fit those industries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tousu.analysis.dialogue import Turn
from tousu.analysis.prefilter import Factor, may_match, required_literals
from tousu.analysis.results import Evidence, Hint
from tousu.knowledge import KnowledgeBase, KnowledgeBaseError, Profile, Scenario
from tousu.knowledge.taxonomy import DerivedHint

MAX_PROFILES = 3
MAX_SCENARIOS = 3
_FLAGS = re.IGNORECASE | re.MULTILINE


@dataclass(frozen=True, slots=True)
class _Compiled:
    entry: Profile | Scenario
    patterns: tuple[tuple[re.Pattern[str], tuple[Factor, ...]], ...]


class HintMatcher:
    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb
        self._profiles = [_compile(p) for p in kb.profiles.values()]
        self._scenarios = [_compile(s) for s in kb.scenarios.values()]
        self._derived = kb.taxonomy.derived_hints
        for hint in self._derived:
            entries = kb.profiles if hint.kind == "profile" else kb.scenarios
            if hint.code not in entries:
                raise KnowledgeBaseError(
                    "taxonomy.yaml", f"derived_hints.{hint.target}", f"知识库中没有这个{hint.kind} (not in the knowledge base)"
                )

    def match(
        self,
        text: str,
        turns: Sequence[Turn],
        facts: set[str],
        *,
        category: str,
        industry: str,
        original: str,
    ) -> tuple[tuple[Hint, ...], tuple[Hint, ...]]:
        """(profile hints, scenario hints), best first. `facts` holds conditions like demand:refund."""
        scenarios = [c for c in self._scenarios if isinstance(c.entry, Scenario) and _fits(c.entry, category, industry)]
        profiles = self._ranked(self._profiles, "profile", text, turns, facts, original)[:MAX_PROFILES]
        found = self._ranked(scenarios, "scenario", text, turns, facts, original)[:MAX_SCENARIOS]
        return tuple(profiles), tuple(found)

    def _ranked(
        self,
        compiled: Iterable[_Compiled],
        kind: str,
        text: str,
        turns: Sequence[Turn],
        facts: set[str],
        original: str,
    ) -> list[Hint]:
        derived = {h.code: h for h in self._derived if h.kind == kind and _holds(h, facts)}
        scored: list[tuple[int, int, Hint]] = []
        for order, item in enumerate(compiled):
            evidence = _signal_evidence(item, text, turns, original)
            rule = derived.get(item.entry.code)
            if not evidence and rule is None:
                continue
            reasons = []
            if rule is not None:
                reasons.append(rule.why)
            if evidence:
                reasons.append("客户原话：" + "、".join(f"“{e.text}”" for e in evidence[:3]))
            weight = len(evidence) + (2 if rule is not None else 0)
            scored.append((-weight, order, Hint(item.entry.code, item.entry.name, "；".join(reasons), tuple(evidence))))
        scored.sort(key=lambda entry: entry[:2])
        return [hint for *_, hint in scored]


def _compile(entry: Profile | Scenario) -> _Compiled:
    return _Compiled(
        entry, tuple((re.compile(p, _FLAGS), required_literals(p, _FLAGS)) for p in entry.signals)
    )


def _fits(scenario: Scenario, category: str, industry: str) -> bool:
    if scenario.industries and industry not in scenario.industries:
        return False
    return not scenario.categories or category in scenario.categories


def _holds(hint: DerivedHint, facts: set[str]) -> bool:
    if any(condition in facts for condition in hint.unless_any):
        return False
    if not all(condition in facts for condition in hint.when_all):
        return False
    return not hint.when_any or any(condition in facts for condition in hint.when_any)


def _signal_evidence(item: _Compiled, text: str, turns: Sequence[Turn], original: str) -> list[Evidence]:
    evidence: list[Evidence] = []
    for pattern, factors in item.patterns:
        for turn in turns:
            if not may_match(factors, text[turn.start : turn.end]):
                continue
            found = pattern.search(text, turn.start, turn.end)
            if found and found.end() > found.start():
                evidence.append(Evidence(original[found.start() : found.end()], found.start(), found.end()))
                break
    return evidence
