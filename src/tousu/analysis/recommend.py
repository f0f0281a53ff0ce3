"""Recommendations: strategies in order with why, scripts with slots filled, the legal basis,
what not to say, and what the handling role may offer within its authority.

Strategy order: each demand playbook, matched scenario and matched profile lists strategies in
its own order of preference; a strategy earns points from every list that names it (more for
earlier places, more for demands than for scenarios, more for scenarios than for profiles).
Two rules of the training material adjust that: with an angry customer or an urgent signal
the feelings come first (先处理心情), and the broken-record method is dropped back because
it should stop when the customer's emotion is rising.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from tousu.analysis.results import Hint, LegalBasis, Offer, Recommendations, StrategyAdvice
from tousu.domain.codes import CATEGORY_NAMES, DEMAND_NAMES, Demand, Role
from tousu.knowledge import KnowledgeBase, render_script, script_slots

MAX_STRATEGIES = 5
MAX_SCRIPTS = 2
MAX_LAWS = 6
MAX_AVOID = 8
MAX_REASONS = 3

# Threats and money first: they shape the whole conversation.
DEMAND_PRIORITY: tuple[str, ...] = (
    "media_threat",
    "regulator_threat",
    "high_compensation",
    "mental_damages",
    "double_refund",
    "transport_lost_wages",
    "manager",
    "apology",
    "unfair_terms",
    "refund",
    "exchange",
    "cancel",
    "fix",
    "explanation",
)
_SOURCE_WEIGHT = {"demand": 1.0, "scenario": 0.8, "profile": 0.6}
_MONEY_OFFERS = {
    "refund": ("refund", "max_refund"),
    "double_refund": ("refund", "max_refund"),
    "high_compensation": ("compensation", "max_compensation"),
    "mental_damages": ("gift", "max_gift"),
    "transport_lost_wages": ("gift", "max_gift"),
}
_SENIOR_ROLES = frozenset({Role.MANAGER.value, Role.DIRECTOR.value, Role.ADMIN.value})
# Slots that state a fact of the complaint. Without the fact a script shows a visible blank for
# the agent to fill in (【金额】), never a made-up stand-in ("被扣了相关费用" to a customer who
# complained of rudeness). The other slots take neutral wording (您, 相关部门, 48小时…).
FACT_SLOTS: tuple[str, ...] = ("金额", "日期", "套餐", "业务")


def blank(slot: str) -> str:
    """How a slot the complaint does not fill is shown: a blank the agent sees and fills in."""
    return f"【{slot}】"


_BLANKS = {slot: blank(slot) for slot in FACT_SLOTS}


@dataclass(frozen=True, slots=True)
class Situation:
    """What the recommender needs to know about the analysed complaint."""

    demands: Sequence[str]
    emotion: str
    signals: Sequence[str]
    profiles: Sequence[Hint]
    scenarios: Sequence[Hint]
    requested_yuan: float | None
    slots: Mapping[str, str]
    industry: str
    role: str | None
    authority: Mapping[str, Any] | None


def recommend(kb: KnowledgeBase, situation: Situation) -> Recommendations:
    demands = sorted(map(Demand, situation.demands), key=DEMAND_PRIORITY.index)
    return Recommendations(
        strategies=_strategies(kb, situation, demands),
        legal_basis=_legal_basis(kb, situation, demands),
        avoid_phrases=_avoid(kb, situation, demands),
        may_offer=_offers(kb, situation, demands),
    )


def _strategies(kb: KnowledgeBase, situation: Situation, demands: Sequence[Demand]) -> tuple[StrategyAdvice, ...]:
    points: dict[str, float] = {}
    reasons: dict[str, list[str]] = {}

    def credit(codes: Sequence[str], weight: float, reason: str) -> None:
        for place, code in enumerate(codes):
            if code not in kb.strategies:
                continue
            points[code] = points.get(code, 0.0) + weight / (1 + 0.5 * place)
            reasons.setdefault(code, [])
            if reason not in reasons[code]:
                reasons[code].append(reason)

    for rank, demand in enumerate(demands):
        playbook = kb.demands[demand]
        credit(
            playbook.strategies,
            _SOURCE_WEIGHT["demand"] / (1 + 0.3 * rank),
            f"应对“{DEMAND_NAMES[demand]}”诉求",
        )
    for rank, hint in enumerate(situation.scenarios):
        scenario = kb.scenarios[hint.code]
        credit(scenario.strategies, _SOURCE_WEIGHT["scenario"] / (1 + 0.3 * rank), f"适用于“{scenario.name}”场景")
    for rank, hint in enumerate(situation.profiles):
        profile = kb.profiles[hint.code]
        credit(profile.strategies, _SOURCE_WEIGHT["profile"] / (1 + 0.3 * rank), f"客户可能属于“{profile.name}”")
    heated = situation.emotion == "angry" or bool(situation.signals)
    if heated and "mood_first" in kb.strategies:
        points["mood_first"] = max(points.values(), default=0.0) + 1.0
        reasons.setdefault("mood_first", []).insert(0, "客户情绪激动或有紧急信号，先处理心情再处理事情")
    damped: set[str] = set()
    if situation.emotion == "angry" and "broken_record" in points:
        points["broken_record"] *= 0.3
        damped.add("broken_record")
        reasons["broken_record"].append("注意：客户情绪上升时应停止使用")
    if {"violence", "group_incident"} & set(situation.signals) and "safety_first" in kb.strategies:
        points["safety_first"] = max(points.values(), default=0.0) + 2.0
        reasons.setdefault("safety_first", []).insert(0, "现场可能有冲突，先保证人身安全")
    ranked = sorted(points, key=lambda code: -points[code])
    # Every demand gets its playbook: safety and mood first, then each demand's own first
    # strategy (one demand's points must not crowd out another's), then the best of the rest.
    first_aid = [code for code in ranked[:1] if code in ("safety_first", "mood_first")]
    own = [next((c for c in kb.demands[d].strategies if c in points and c not in damped), "") for d in demands]
    ordered = list(dict.fromkeys([*first_aid, *filter(None, own), *ranked]))[:MAX_STRATEGIES]
    industry = kb.industries.get(situation.industry) or kb.industry(situation.industry)
    slots = script_facts(kb, situation.slots)
    wording = {**industry.slot_defaults, **_BLANKS}
    advice = []
    for code in ordered:
        strategy = kb.strategies[code]
        why = "；".join(reasons.get(code, [])[:MAX_REASONS])
        usage_note = _usage_note(strategy.usage.value, situation.role)
        if usage_note:
            why = f"{why}；{usage_note}" if why else usage_note
        scripts = tuple(render_script(example, slots, wording) for example in _fitting(strategy.examples, slots))
        advice.append(StrategyAdvice(code, strategy.name, why, scripts))
    return tuple(advice)


def script_facts(kb: KnowledgeBase, slots: Mapping[str, str]) -> dict[str, str]:
    """The slots as scripts may use them. A category name is no service: pasted into a script it
    reads "计费/扣费争议扣费问题", so 业务 holding one is left blank."""
    filled = {name: value.strip() for name, value in slots.items() if value and value.strip()}
    if filled.get("业务") in _category_names(kb):
        del filled["业务"]
    return filled


def _category_names(kb: KnowledgeBase) -> frozenset[str]:
    labels = {c.label for industry in kb.industries.values() for c in industry.categories if c.label}
    return frozenset({*CATEGORY_NAMES.values(), *labels})


def _fitting(examples: Sequence[str], slots: Mapping[str, str]) -> list[str]:
    """A strategy's first scripts, those the complaint's facts fill preferred: a script about a
    charge is a poor first choice for a complaint without one. Ties keep the knowledge base's order."""

    def blanks(example: str) -> int:
        return sum(1 for name in script_slots(example) if name in _BLANKS and name not in slots)

    return sorted(examples, key=blanks)[:MAX_SCRIPTS]


def _usage_note(usage: str, role: str | None) -> str:
    senior = role in _SENIOR_ROLES
    if usage == "manager" and not senior:
        return "需厅经理/店长及以上出面使用"
    if usage == "with_care" and not senior:
        return "一线人员谨慎使用"
    return ""


def _legal_basis(kb: KnowledgeBase, situation: Situation, demands: Sequence[Demand]) -> tuple[LegalBasis, ...]:
    """Each demand's and scenario's laws in turn (first of each, then second of each…), so a
    long list for one demand does not crowd out the only law another one has."""
    lists = [list(kb.demands[demand].laws) for demand in demands]
    lists += [list(kb.scenarios[hint.code].laws) for hint in situation.scenarios]
    ordered = [law_id for row in zip_longest(*lists) for law_id in row if law_id is not None]
    found = []
    for law_id in dict.fromkeys(ordered):
        law = kb.laws[law_id]
        # Telecom regulations do not bind a shop or a courier.
        if situation.industry != "telecom" and "电信" in law.title:
            continue
        effective = law.effective.isoformat() if law.effective else ""
        found.append(LegalBasis(law.id, law.title, law.article, law.summary, law.kind.value, effective))
        if len(found) == MAX_LAWS:
            break
    return tuple(found)


def _avoid(kb: KnowledgeBase, situation: Situation, demands: Sequence[Demand]) -> tuple[str, ...]:
    phrases: list[str] = []
    if {"media", "regulator", "litigation"} & set(situation.signals):
        phrases.extend(rule.examples[0] for rule in kb.language.phrases if rule.kind == "provoke")
    for demand in demands:
        phrases.extend(kb.demands[demand].avoid_saying)
    for hint in situation.profiles:
        phrases.extend(kb.profiles[hint.code].avoid)
    phrases.extend(rule.examples[0] for rule in kb.language.phrases if rule.severity == "forbidden")
    return tuple(dict.fromkeys(phrases))[:MAX_AVOID]


def _offers(kb: KnowledgeBase, situation: Situation, demands: Sequence[Demand]) -> tuple[Offer, ...]:
    offers = []
    for demand in demands:
        playbook = kb.demands[demand]
        note = playbook.may_grant[0]
        if demand in _MONEY_OFFERS:
            kind, limit_key = _MONEY_OFFERS[demand]
            limit = _limit(situation.authority, limit_key)
            if kind == "gift":
                note = f"{playbook.may_not_grant[0]}不予支持；{playbook.may_grant[-1]}"
            requested = situation.requested_yuan if kind != "gift" else None
            if limit is None:
                needs_approval = True
                note += "（未提供本岗位权限，须请示上级）"
            else:
                needs_approval = requested > limit if requested is not None else limit <= 0
                if needs_approval:
                    note += f"（超出本岗位 {limit:g} 元权限，须上级审批）"
            offers.append(Offer(demand.value, kind, limit, requested, needs_approval, note))
        else:
            needs_approval = demand == "manager" and situation.role not in _SENIOR_ROLES
            offers.append(Offer(demand.value, "action", None, None, needs_approval, note))
    return tuple(offers)


def _limit(authority: Mapping[str, Any] | None, key: str) -> float | None:
    if authority is None or authority.get(key) is None:
        return None
    try:
        return float(authority[key])
    except (TypeError, ValueError):
        return None
