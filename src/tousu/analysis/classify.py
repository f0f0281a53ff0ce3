"""Turning cue weights (and, when there is one, the statistical model's probabilities) into labels.

How rules and model combine — the rules always work alone; a model only refines:

category
    A category that defers to another (billing to vas: the charge is how the subscription
    shows) has its score cut by `defer_factor` when that other one has a cue of at least
    `category_strong`. Rules decide alone when the best category scores at least `category_strong` and leads the
    next by `category_margin`. Otherwise, with a model, each category gets
    ½ × (its share of the rule scores) + ½ × (model probability) and the best one wins; with
    no rule evidence at all the model's choice needs a probability of at least 0.35. Without a
    model, the best rule score of at least `category_min` wins, else "other".
demands
    A demand scoring `demand_strong` or more is kept whatever the model says; one scoring at
    least `demand_min` is kept unless the model gives it under 0.15; a demand with no rule
    evidence is added when the model gives it 0.6 or more and the text does not negate it.
emotion
    Angry when the anger cues plus the pressure of threats reach `angry_threshold`; upset when
    anger and dissatisfaction (cues, demands, exclamation marks) together reach
    `upset_threshold` and outweigh the polite cues; calm when polite or asking cues are
    present otherwise. With no cue at all, the model decides if there is one, else the default.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tousu.analysis.results import Evidence, LabelResult
from tousu.knowledge.taxonomy import DecisionRules

MODEL_CATEGORY_MIN = 0.35
MODEL_DEMAND_VETO = 0.15
MODEL_DEMAND_ADD = 0.6
_BLEND = 0.5


@dataclass(frozen=True, slots=True)
class ModelPrediction:
    """Probabilities from the statistical model for one text."""

    category: Mapping[str, float]
    demands: Mapping[str, float]
    emotion: Mapping[str, float]
    version: str


@dataclass(slots=True)
class Tally:
    """Rule evidence for one label.

    Each distinct matched text counts once, with its best weight. `decay` below 1 gives
    diminishing returns: the strongest cue counts fully, the next one `decay` times, the
    one after `decay²` times… so a pile of weak, generic words cannot outvote one cue that
    names the matter.
    """

    decay: float = 1.0
    first: int = 1 << 30
    evidence: list[Evidence] = field(default_factory=list)
    negated: list[Evidence] = field(default_factory=list)
    _weights: dict[str, float] = field(default_factory=dict)
    _score: float | None = None

    def add(self, weight: float, evidence: Evidence) -> None:
        if evidence.negated:
            self.negated.append(evidence)
            return
        self._weights[evidence.text] = max(weight, self._weights.get(evidence.text, weight))
        self._score = None
        self.evidence.append(evidence)
        if evidence.start is not None:
            self.first = min(self.first, evidence.start)

    @property
    def score(self) -> float:
        if self._score is None:
            ordered = sorted(self._weights.values(), reverse=True)
            self._score = sum(weight * self.decay**rank for rank, weight in enumerate(ordered))
        return self._score

    @property
    def best(self) -> float:
        return max(self._weights.values(), default=0.0)

    def strong_score(self, threshold: float) -> float:
        return sum(weight for weight in self._weights.values() if weight >= threshold)


# The tally of a label no cue was found for; read, never added to.
_NO_CUES = Tally()


def _rule_confidence(score: float, runner_up: float = 0.0) -> float:
    strength = 1.0 - math.exp(-score / 2.5)
    return strength * (score / (score + runner_up)) if runner_up > 0 else strength


def decide_category(
    tallies: Mapping[str, Tally],
    names: Mapping[str, str],
    rules: DecisionRules,
    prediction: ModelPrediction | None,
    defers_to: Mapping[str, Sequence[str]] | None = None,
) -> LabelResult:
    """`names` lists the categories allowed (the industry's), with their display names;
    `defers_to[code]` the categories `code` gives way to (see the module docstring)."""
    scores = {code: t.score for code, t in tallies.items() if code in names and t.score > 0}
    for code, others in (defers_to or {}).items():
        if code in scores and any(o in scores and tallies[o].best >= rules.category_strong for o in others):
            scores[code] *= rules.defer_factor
    scored = sorted(scores, key=lambda code: (-scores[code], tallies[code].first))
    top_code = scored[0] if scored else "other"
    top = tallies.get(top_code, _NO_CUES)
    top_score = scores.get(top_code, 0.0)
    second = scores[scored[1]] if len(scored) > 1 else 0.0
    if prediction is None or (top_score >= rules.category_strong and top_score - second >= rules.category_margin):
        if top_score >= rules.category_min:
            return _label(top_code, names, _rule_confidence(top_score, second), top.evidence, "rules")
        return _label("other", names, 0.3, (), "default")
    total = sum(scores.values())
    blended = {
        code: _BLEND * (scores.get(code, 0.0) / total if total else 0.0)
        + (1 - _BLEND) * prediction.category.get(code, 0.0)
        for code in names
    }
    best = max(blended, key=lambda code: blended[code])
    probability = prediction.category.get(best, 0.0)
    if top_score < rules.category_min and probability < MODEL_CATEGORY_MIN:
        return _label("other", names, 0.3, (), "default")
    evidence = [*tallies[best].evidence] if best in tallies else []
    evidence.append(Evidence(f"模型概率 {probability:.2f}", source="model"))
    decided_by = "rules+model" if scores.get(best, 0.0) > 0 else "model"
    return _label(best, names, blended[best], evidence, decided_by)


def decide_demands(
    tallies: Mapping[str, Tally],
    names: Mapping[str, str],
    rules: DecisionRules,
    prediction: ModelPrediction | None,
    suppressed_by: Mapping[str, Sequence[str]] | None = None,
) -> list[LabelResult]:
    """`suppressed_by[code]` lists labels whose presence leaves only `code`'s strong cues."""
    results = []
    present = {code for code, t in tallies.items() if t.score >= rules.demand_min}
    for code in names:
        tally = tallies.get(code, _NO_CUES)
        probability = prediction.demands.get(code) if prediction is not None else None
        score = tally.score
        if suppressed_by and present.intersection(suppressed_by.get(code, ())):
            score = tally.strong_score(rules.demand_strong)
        if score >= rules.demand_strong or (
            score >= rules.demand_min and (probability is None or probability >= MODEL_DEMAND_VETO)
        ):
            decided_by = "rules" if probability is None else "rules+model"
            results.append(_label(code, names, _rule_confidence(tally.score), tally.evidence, decided_by))
        elif probability is not None and probability >= MODEL_DEMAND_ADD and not tally.negated:
            evidence = [*tally.evidence, Evidence(f"模型概率 {probability:.2f}", source="model")]
            results.append(_label(code, names, probability, evidence, "model"))
    results.sort(key=lambda r: tallies[r.code].first if r.code in tallies else 1 << 30)
    return results


def decide_emotion(
    tallies: Mapping[str, Tally],
    pressure: float,
    demand_count: int,
    exclamations: int,
    names: Mapping[str, str],
    rules: DecisionRules,
    prediction: ModelPrediction | None,
) -> LabelResult:
    """`pressure` is the anger the customer's threats add (see EmotionRules)."""
    config = rules.emotion
    angry = tallies.get("angry", _NO_CUES)
    upset = tallies.get("upset", _NO_CUES)
    calm = tallies.get("calm", _NO_CUES)
    anger = angry.score + pressure
    dissatisfaction = (
        upset.score + config.demand_upset * demand_count + (config.exclamation_upset if exclamations else 0.0)
    )
    if anger >= config.angry_threshold:
        return _label("angry", names, _rule_confidence(anger), angry.evidence, "rules")
    if anger + dissatisfaction >= config.upset_threshold and anger + dissatisfaction >= calm.score:
        evidence = [*angry.evidence, *upset.evidence]
        return _label("upset", names, _rule_confidence(anger + dissatisfaction), evidence, "rules")
    if calm.score > 0:
        return _label("calm", names, _rule_confidence(calm.score), calm.evidence, "rules")
    if prediction is not None and prediction.emotion:
        best = max(prediction.emotion, key=lambda code: prediction.emotion[code])
        if best in names:
            evidence = [Evidence(f"模型概率 {prediction.emotion[best]:.2f}", source="model")]
            return _label(best, names, prediction.emotion[best], evidence, "model")
    return _label(config.default, names, 0.4, [*angry.evidence, *upset.evidence], "default")


def _label(
    code: str, names: Mapping[str, str], confidence: float, evidence: Sequence[Evidence], decided_by: str
) -> LabelResult:
    return LabelResult(code, names.get(code, code), min(1.0, max(0.0, confidence)), tuple(evidence), decided_by)
