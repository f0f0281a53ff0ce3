"""Urgency signals and the escalation-risk score.

The escalation risk is a noisy-OR of independent factors, each with a weight from
taxonomy.yaml: `score = 1 - Π(1 - weight)`. Two factors at 0.45 give 0.70, one gives 0.45;
this keeps the score in 0..1, lets strong factors dominate and still rewards a second one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tousu.analysis.results import EscalationRisk, Evidence, RiskReason, UrgencySignal
from tousu.domain.codes import DEMAND_NAMES, Demand
from tousu.knowledge.taxonomy import EscalationRules, Taxonomy

HIGH_DEMANDS = frozenset({"high_compensation", "mental_damages", "double_refund", "transport_lost_wages"})


@dataclass(frozen=True, slots=True)
class PastComplaint:
    """A complaint the same customer made before, as the caller's records have it."""

    received_at: datetime
    category: str
    status: str = ""
    # Replied to and archived (办结归档); a new complaint on the same issue within the
    # repeat window after that is a repeat complaint (重复投诉).
    closed: bool = False
    closed_at: datetime | None = None


def urgency_signals(
    taxonomy: Taxonomy,
    demands: Mapping[str, Sequence[Evidence]],
    urgency: Mapping[str, Sequence[Evidence]],
) -> tuple[UrgencySignal, ...]:
    """Media and regulator signals follow the detected threats (litigation listed apart);
    the others come from their own cues."""
    found: dict[str, tuple[Evidence, ...]] = {}
    if "media_threat" in demands:
        found["media"] = tuple(demands["media_threat"])
    litigation = tuple(urgency.get("litigation", ()))
    if litigation:
        found["litigation"] = litigation
    if "regulator_threat" in demands:
        regulator = tuple(e for e in demands["regulator_threat"] if not any(_same_span(e, lit) for lit in litigation))
        if regulator:
            found["regulator"] = regulator
    for code in ("group_incident", "violence", "vip_claim"):
        if urgency.get(code):
            found[code] = tuple(urgency[code])
    return tuple(
        UrgencySignal(label.code, label.name, found[label.code]) for label in taxonomy.urgency if label.code in found
    )


def _same_span(a: Evidence, b: Evidence) -> bool:
    return a.start is not None and b.start is not None and a.start < (b.end or 0) and b.start < (a.end or 0)


def escalation_risk(
    rules: EscalationRules,
    *,
    signals: Sequence[str],
    emotion: str,
    demands: Sequence[str],
    repeat_cues: int,
    category: str,
    history: Sequence[PastComplaint],
    now: datetime,
) -> EscalationRisk:
    active: dict[str, str] = {}
    for code in signals:
        active[code] = ""
    if emotion in ("angry", "upset"):
        active[emotion] = ""
    high = sorted(HIGH_DEMANDS.intersection(demands))
    if high:
        active["high_demand"] = "、".join(DEMAND_NAMES[Demand(code)] for code in high)  # people read it
    if "manager" in demands:
        active["manager"] = ""
    if repeat_cues:
        active["repeat_text"] = ""
    repeats = repeat_complaints(history, category=category, now=now, window_days=rules.repeat_window_days)
    if repeats:
        active["repeat_history"] = f"{len(repeats)} 次"
    open_ones = [p for p in history if p.category == category and not p.closed]
    if open_ones:
        active["unresolved_history"] = f"{len(open_ones)} 件"
    reasons = []
    remaining = 1.0
    for factor, detail in active.items():
        config = rules.factors.get(factor)
        if config is None or config.weight <= 0:
            continue
        remaining *= 1.0 - config.weight
        text = f"{config.reason}（{detail}）" if detail else config.reason
        reasons.append(RiskReason(factor, text, config.weight))
    score = 1.0 - remaining
    level = "high" if score >= rules.high else "medium" if score >= rules.medium else "low"
    reasons.sort(key=lambda r: -r.weight)
    return EscalationRisk(score, level, tuple(reasons))


def repeat_complaints(
    history: Sequence[PastComplaint], *, category: str, now: datetime, window_days: int
) -> list[PastComplaint]:
    """Closed complaints on the same category whose closing lies within the window before now."""
    reference = _aware(now)
    found = []
    for past in history:
        if past.category != category or not past.closed:
            continue
        closed_at = _aware(past.closed_at or past.received_at)
        age_days = (reference - closed_at).total_seconds() / 86400
        if 0 <= age_days <= window_days:
            found.append(past)
    return found


def _aware(moment: datetime) -> datetime:
    # Naive times from a caller's records are taken as UTC so they compare with aware ones.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
