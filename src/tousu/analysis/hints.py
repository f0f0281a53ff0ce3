"""Customer profiles (§7) and scenarios (§8) that fit a complaint.

Two sources: the knowledge base's own `signals` (regexes on the customer's words), and the
taxonomy's `derived_hints`, which follow from the labels (a threat makes the hard-liner
scenario, a repeat complaint the repeater profile). Where the taxonomy's `hint_evidence`
names a profile or scenario, its signals count only when the customer's words also show what
it is about (我是记者 for the journalist, not a threat to call one). Scenarios tied to categories only fit a
complaint of one of those categories; scenarios tied to industries only fit those industries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tousu.analysis.dialogue import Turn
from tousu.analysis.literals import TriggeredRegexes
from tousu.analysis.normalize import normalize_pattern
from tousu.analysis.results import Evidence, Hint
from tousu.knowledge import KnowledgeBase, KnowledgeBaseError, Profile, Scenario
from tousu.knowledge.taxonomy import DerivedHint

MAX_PROFILES = 3
MAX_SCENARIOS = 3
_FLAGS = re.IGNORECASE | re.MULTILINE


class HintMatcher:
    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb
        self._profiles: list[Profile] = list(kb.profiles.values())
        self._scenarios: list[Scenario] = list(kb.scenarios.values())
        # One regex set for all entries: (kind, code) tells whose signal matched. Its trigger
        # literals are found by the cue matcher's pass (see Matcher's riders).
        self.signals: TriggeredRegexes[tuple[str, str]] = TriggeredRegexes()
        for kind, entries in (("profile", self._profiles), ("scenario", self._scenarios)):
            for entry in entries:
                for pattern in entry.signals:
                    self.signals.add(re.compile(normalize_pattern(pattern), _FLAGS), (kind, entry.code))
        self._derived = kb.taxonomy.derived_hints
        self._required: dict[tuple[str, str], tuple[re.Pattern[str], ...]] = {}
        for section, hints in (("derived_hints", self._derived), ("hint_evidence", kb.taxonomy.hint_evidence)):
            for hint in hints:
                known = kb.profiles.keys() if hint.kind == "profile" else kb.scenarios.keys()
                if hint.code not in known:
                    raise KnowledgeBaseError(
                        "taxonomy.yaml",
                        f"{section}.{hint.target}",
                        f"知识库中没有这个{hint.kind} (not in the knowledge base)",
                    )
        for rule in kb.taxonomy.hint_evidence:
            self._required[(rule.kind, rule.code)] = tuple(
                re.compile(normalize_pattern(p), _FLAGS) for p in rule.requires
            )

    def match(
        self,
        text: str,
        turns: Sequence[Turn],
        facts: set[str],
        *,
        triggered: set[int],
        unsaid: Sequence[tuple[int, int]] = (),
        category: str,
        industry: str,
        original: str,
    ) -> tuple[tuple[Hint, ...], tuple[Hint, ...]]:
        """(profile hints, scenario hints), best first. `facts` holds conditions like demand:refund;
        `triggered` the signals whose trigger literals occur in the text, `unsaid` the spans
        where it says nothing of what they name (both from the cue matcher)."""
        evidence: dict[tuple[str, str], list[Evidence]] = {}
        for pattern, key in self.signals.select(triggered, text):
            for turn in turns:
                found = pattern.search(text, turn.start, turn.end)
                if found is not None and unsaid and _inside(found, unsaid):
                    found = next(
                        (m for m in pattern.finditer(text, turn.start, turn.end) if not _inside(m, unsaid)), None
                    )
                if found and found.end() > found.start():
                    evidence.setdefault(key, []).append(
                        Evidence(original[found.start() : found.end()], found.start(), found.end())
                    )
        for key in [key for key in evidence if key in self._required]:
            if not _shown(self._required[key], text, turns):
                del evidence[key]
        derived = {hint.target: hint for hint in self._derived if _holds(hint, facts)}
        wanted = {f"{kind}:{code}" for kind, code in evidence} | derived.keys()
        profiles = [p for p in self._profiles if f"profile:{p.code}" in wanted]
        scenarios = [s for s in self._scenarios if f"scenario:{s.code}" in wanted and _fits(s, category, industry)]
        found_profiles = self._ranked(profiles, "profile", evidence, derived)[:MAX_PROFILES]
        found_scenarios = self._ranked(scenarios, "scenario", evidence, derived)[:MAX_SCENARIOS]
        return tuple(found_profiles), tuple(found_scenarios)

    def _ranked(
        self,
        entries: Iterable[Profile | Scenario],
        kind: str,
        evidence_by_entry: dict[tuple[str, str], list[Evidence]],
        derived: dict[str, DerivedHint],
    ) -> list[Hint]:
        scored: list[tuple[bool, int, int, Hint]] = []
        for order, entry in enumerate(entries):
            evidence = _distinct(evidence_by_entry.get((kind, entry.code), []))
            rule = derived.get(f"{kind}:{entry.code}")
            if not evidence and rule is None:
                continue
            reasons = []
            if rule is not None:
                reasons.append(rule.why)
            if evidence:
                reasons.append("客户原话：" + "、".join(f"“{e.text}”" for e in evidence[:3]))
            weight = len(evidence) + (2 if rule is not None else 0)
            # Matched in the customer's own words first: a case the words name (a failed loss
            # report) says more than one drawn from the labels alone (an angry customer).
            hint = Hint(entry.code, entry.name, "；".join(reasons), tuple(evidence))
            scored.append((not evidence, -weight, order, hint))
        scored.sort(key=lambda item: item[:3])
        return [hint for *_, hint in scored]


def _inside(found: re.Match[str], spans: Sequence[tuple[int, int]]) -> bool:
    return any(lo <= found.start() and found.end() <= hi for lo, hi in spans)


def _distinct(evidence: list[Evidence]) -> list[Evidence]:
    seen: dict[tuple[int | None, int | None], Evidence] = {}
    for item in evidence:
        seen.setdefault((item.start, item.end), item)
    return sorted(seen.values(), key=lambda e: e.start or 0)


def _shown(patterns: Sequence[re.Pattern[str]], text: str, turns: Sequence[Turn]) -> bool:
    return any(pattern.search(text, turn.start, turn.end) for pattern in patterns for turn in turns)


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
