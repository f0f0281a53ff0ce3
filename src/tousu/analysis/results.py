"""What an analysis returns: frozen values with `to_dict()` for JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a label was given: the matched text and its position in the input text.

    `source` is "rule" for a taxonomy cue, "model" for the statistical model's vote (no
    position then), "history" for the customer's past complaints.
    """

    text: str
    start: int | None = None
    end: int | None = None
    source: str = "rule"
    negated: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "start": self.start, "end": self.end, "source": self.source}
        if self.negated:
            data["negated"] = True
        return data


@dataclass(frozen=True, slots=True)
class LabelResult:
    code: str
    name: str
    confidence: float
    evidence: tuple[Evidence, ...] = ()
    # "rules", "model", "rules+model", "default" (nothing pointed anywhere) or "record" (the
    # complaint's recorded category, given by the caller).
    decided_by: str = "rules"
    # The model was unsure: the agent should confirm or pick from `alternatives`.
    uncertain: bool = False
    alternatives: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "confidence": round(self.confidence, 3),
            "decided_by": self.decided_by,
            "evidence": [e.to_dict() for e in self.evidence],
            "uncertain": self.uncertain,
        }
        if self.alternatives:
            data["alternatives"] = [{"code": code, "probability": round(p, 3)} for code, p in self.alternatives]
        return data


@dataclass(frozen=True, slots=True)
class UrgencySignal:
    code: str
    name: str
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "evidence": [e.to_dict() for e in self.evidence]}


@dataclass(frozen=True, slots=True)
class RiskReason:
    factor: str
    reason: str
    weight: float

    def to_dict(self) -> dict[str, Any]:
        return {"factor": self.factor, "reason": self.reason, "weight": self.weight}


@dataclass(frozen=True, slots=True)
class EscalationRisk:
    """How likely the complaint goes over-level; `reasons` sum up as a noisy-OR to `score`."""

    score: float
    level: str
    reasons: tuple[RiskReason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 3), "level": self.level, "reasons": [r.to_dict() for r in self.reasons]}


@dataclass(frozen=True, slots=True)
class Amount:
    text: str
    start: int
    end: int
    value_yuan: float | None
    approximate: bool = False

    def to_dict(self) -> dict[str, Any]:
        value = self.value_yuan
        if value is not None and float(value).is_integer():
            value = int(value)
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "value_yuan": value,
            "approximate": self.approximate,
        }


@dataclass(frozen=True, slots=True)
class DateTimeMention:
    text: str
    start: int
    end: int
    kind: str  # "date", "time" or "datetime"
    relative: bool

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "kind": self.kind, "relative": self.relative}


@dataclass(frozen=True, slots=True)
class Duration:
    text: str
    start: int
    end: int
    value: float | None
    unit: str  # minute, hour, day, week, month, year

    def to_dict(self) -> dict[str, Any]:
        value = int(self.value) if self.value is not None and float(self.value).is_integer() else self.value
        return {"text": self.text, "start": self.start, "end": self.end, "value": value, "unit": self.unit}


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Facts:
    amounts: tuple[Amount, ...] = ()
    datetimes: tuple[DateTimeMention, ...] = ()
    phones: tuple[Mention, ...] = ()
    packages: tuple[Mention, ...] = ()
    durations: tuple[Duration, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "amounts": [a.to_dict() for a in self.amounts],
            "datetimes": [d.to_dict() for d in self.datetimes],
            "phones": [p.to_dict() for p in self.phones],
            "packages": [p.to_dict() for p in self.packages],
            "durations": [d.to_dict() for d in self.durations],
        }


@dataclass(frozen=True, slots=True)
class Hint:
    """A matched customer profile (§7) or scenario (§8) and why it matched."""

    code: str
    name: str
    why: str
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "why": self.why, "evidence": [e.to_dict() for e in self.evidence]}


@dataclass(frozen=True, slots=True)
class StrategyAdvice:
    code: str
    name: str
    why: str
    scripts: tuple[str, ...] = ()
    # Safety or the customer's feelings, before any strategy for the matter: pages show it on top
    # of the strategies they show, not in place of one.
    first_step: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "why": self.why,
            "scripts": list(self.scripts),
            "first_step": self.first_step,
        }


@dataclass(frozen=True, slots=True)
class LegalBasis:
    code: str
    title: str
    article: str
    summary: str
    kind: str  # law, regulation or company_policy
    effective: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "article": self.article,
            "kind": self.kind,
            "summary": self.summary,
            "effective": self.effective,
        }


@dataclass(frozen=True, slots=True)
class Offer:
    """What the handling role may offer for a demand, within its authority limit.

    `kind` is the authority limit the offer counts against (refund, compensation, gift) or
    "action"; `remedy` the settlement item it would be (fee_waiver, double_refund…, "" for an
    action); `requires` the facts to confirm first, as the settlement checks name them."""

    demand: str
    kind: str
    limit_yuan: float | None
    requested_yuan: float | None
    needs_approval: bool
    note: str
    remedy: str = ""
    requires: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "demand": self.demand,
            "kind": self.kind,
            "remedy": self.remedy,
            "limit_yuan": _yuan(self.limit_yuan),
            "requested_yuan": _yuan(self.requested_yuan),
            "needs_approval": self.needs_approval,
            "requires": list(self.requires),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Refusal:
    """What must not be granted or promised for a demand, with the reason (不予支持/不可承诺)."""

    demand: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"demand": self.demand, "note": self.note}


def _yuan(value: float | None) -> float | int | None:
    """An amount as JSON shows it: 20, not 20.0."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


@dataclass(frozen=True, slots=True)
class Recommendations:
    strategies: tuple[StrategyAdvice, ...] = ()
    legal_basis: tuple[LegalBasis, ...] = ()
    avoid_phrases: tuple[str, ...] = ()
    may_offer: tuple[Offer, ...] = ()
    may_not_offer: tuple[Refusal, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "strategies": [s.to_dict() for s in self.strategies],
            "legal_basis": [b.to_dict() for b in self.legal_basis],
            "avoid_phrases": list(self.avoid_phrases),
            "may_offer": [o.to_dict() for o in self.may_offer],
            "may_not_offer": [r.to_dict() for r in self.may_not_offer],
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    category: LabelResult
    demands: tuple[LabelResult, ...]
    emotion: LabelResult
    signals: tuple[UrgencySignal, ...]
    escalation_risk: EscalationRisk
    facts: Facts
    issue_topic: str
    analyzer_version: str
    industry: str = "telecom"
    profile_hints: tuple[Hint, ...] = ()
    scenarios: tuple[Hint, ...] = ()
    recommendations: Recommendations = field(default_factory=Recommendations)
    dialogue: bool = False
    truncated: bool = False
    model_version: str | None = None

    @property
    def demand_codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.demands)

    @property
    def uncertain(self) -> tuple[str, ...]:
        """The labels to confirm: "category", "emotion" and uncertain demand codes."""
        labels = [("category", self.category), ("emotion", self.emotion)] + [(d.code, d) for d in self.demands]
        return tuple(name for name, label in labels if label.uncertain)

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category.code,
            "demands": list(self.demand_codes),
            "emotion": self.emotion.code,
            "uncertain": list(self.uncertain),
            "confidence": {
                "category": round(self.category.confidence, 3),
                "emotion": round(self.emotion.confidence, 3),
                "demands": {d.code: round(d.confidence, 3) for d in self.demands},
            },
            "labels": {
                "category": self.category.to_dict(),
                "demands": [d.to_dict() for d in self.demands],
                "emotion": self.emotion.to_dict(),
            },
            "signals": [s.to_dict() for s in self.signals],
            "escalation_risk": self.escalation_risk.to_dict(),
            "facts": self.facts.to_dict(),
            "issue_topic": self.issue_topic,
            "profile_hints": [h.to_dict() for h in self.profile_hints],
            "scenarios": [h.to_dict() for h in self.scenarios],
            "recommendations": self.recommendations.to_dict(),
            "industry": self.industry,
            "dialogue": self.dialogue,
            "truncated": self.truncated,
            "analyzer_version": self.analyzer_version,
            "model_version": self.model_version,
        }
