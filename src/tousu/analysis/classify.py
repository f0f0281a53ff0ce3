"""Turning the statistical model's probabilities (and, without a model, cue weights) into labels.

The model decides; the rules explain and stand in. Measured on real complaints (5-fold
cross-validation over texts nobody on the team wrote), the model alone chose the category
and the emotion better than any blend with the cue scores: the cues were written in the
team's own style and over-trust it. So:

category and emotion
    With a model, the most probable label among those allowed wins. Its cue hits are kept as
    evidence. When the top probability is under `UNCERTAIN_BELOW` (on real text, fewer than
    half of such choices were right) the label is marked uncertain and carries the runners-up,
    for the agent to confirm; so is a category the model read, without any cue, from fewer than
    `THIN_TEXT_WORDS` characters (我要投诉). One exception: anger said outright (气愤, 强烈不满,
    情绪激动: `EmotionRules.explicit`) is angry whatever the model says, as the label is defined;
    the model, taught mostly by texts where anger shows in other ways, called most such real
    complaints merely upset. Then an agent's record of the emotion in a work order (客户情绪：
    平稳: `EmotionRules.stated`) decides it. Without a model, the cue rules decide (see
    `_rules_category`).
demands
    A demand scoring `demand_strong` or more is kept whatever the model says; one scoring at
    least `demand_min` is kept unless the model gives it under 0.15; a demand with no rule
    evidence is added when the model gives it 0.5 or more and the text does not negate it,
    except threats: a false 越级/媒体 signal marks a complaint 重大 and wakes a manager, so
    threats need a rule that names the body or the press.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from tousu.analysis.normalize import any_word
from tousu.analysis.results import Evidence, LabelResult
from tousu.knowledge.taxonomy import DecisionRules, EmotionRules
from tousu.text import fold

MODEL_DEMAND_VETO = 0.15
MODEL_DEMAND_ADD = 0.5
UNCERTAIN_BELOW = 0.3
# The confidence of an emotion an agent recorded (客户情绪：平稳).
STATED_CONFIDENCE = 0.9
THIN_TEXT_WORDS = 10
_ALTERNATIVES = 3
RULE_ONLY_DEMANDS = frozenset({"media_threat", "regulator_threat", "explanation"})


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

    def score_of(self, keep: Callable[[str], bool]) -> float:
        """The score of the matched texts `keep` accepts, with the same diminishing returns."""
        ordered = sorted((w for text, w in self._weights.items() if keep(text)), reverse=True)
        return sum(weight * self.decay**rank for rank, weight in enumerate(ordered))

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
    *,
    words: int = THIN_TEXT_WORDS,
) -> LabelResult:
    """`names` lists the categories allowed (the industry's), with their display names;
    `defers_to[code]` the categories `code` gives way to (see `_rules_category`); `words` the
    number of Chinese characters (and Latin words) the customer wrote."""
    if prediction is not None and prediction.category:
        chosen = _model_choice(prediction.category, names, tallies)
        if chosen is not None and words < THIN_TEXT_WORDS and chosen.decided_by == "model" and not chosen.uncertain:
            # 我要投诉, 麻烦帮我看一下: too few words to know the matter, however sure the model
            # is (it was calibrated on whole complaints). The agent picks.
            ranked = sorted(prediction.category.items(), key=lambda item: -item[1])
            alternatives = tuple((code, p) for code, p in ranked if code in names and code != chosen.code)
            return replace(chosen, uncertain=True, alternatives=alternatives[: _ALTERNATIVES - 1])
        if chosen is not None:
            return chosen
    return _rules_category(tallies, names, rules, defers_to or {})


def _model_choice(
    probabilities: Mapping[str, float], names: Mapping[str, str], tallies: Mapping[str, Tally]
) -> LabelResult | None:
    """The most probable allowed label, its cue hits as evidence, uncertain when weak."""
    allowed = {code: p for code, p in probabilities.items() if code in names}
    total = sum(allowed.values())
    if not allowed or total <= 0:
        return None
    ranked = sorted(allowed, key=lambda code: -allowed[code])
    best = ranked[0]
    probability = allowed[best] / total
    tally = tallies.get(best)
    evidence = [*(tally.evidence if tally is not None else ()), Evidence(f"模型概率 {probability:.2f}", source="model")]
    uncertain = probability < UNCERTAIN_BELOW
    return LabelResult(
        best,
        names.get(best, best),
        probability,
        tuple(evidence),
        "rules+model" if tally is not None and tally.score > 0 else "model",
        uncertain=uncertain,
        alternatives=tuple((code, allowed[code] / total) for code in ranked[1:_ALTERNATIVES]) if uncertain else (),
    )


def _rules_category(
    tallies: Mapping[str, Tally],
    names: Mapping[str, str],
    rules: DecisionRules,
    defers_to: Mapping[str, Sequence[str]],
) -> LabelResult:
    """Without a model. A category that defers to another (billing to vas: the charge is how
    the subscription shows) has its score cut by `defer_factor` when that other one has a cue
    of at least `category_strong`; the best score of at least `category_min` wins, else "other"."""
    scores = {code: t.score for code, t in tallies.items() if code in names and t.score > 0}
    for code, others in defers_to.items():
        if code in scores and any(o in scores and tallies[o].best >= rules.category_strong for o in others):
            scores[code] *= rules.defer_factor
    scored = sorted(scores, key=lambda code: (-scores[code], tallies[code].first))
    if not scored or scores[scored[0]] < rules.category_min:
        return _label("other", names, 0.3, (), "default")
    top_code = scored[0]
    second = scores[scored[1]] if len(scored) > 1 else 0.0
    return _label(top_code, names, _rule_confidence(scores[top_code], second), tallies[top_code].evidence, "rules")


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
        elif (
            probability is not None
            and probability >= MODEL_DEMAND_ADD
            and not tally.negated
            and code not in RULE_ONLY_DEMANDS
        ):
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
    stated: tuple[str, Evidence] | None = None,
) -> LabelResult:
    """`pressure` is the anger the customer's threats add (see EmotionRules); `stated` the
    emotion an agent recorded (see `stated_emotion`), with its evidence."""
    config = rules.emotion
    angry = tallies.get("angry", _NO_CUES)
    # Evidence quotes what was typed (非常不滿); the words are matched as the text was read.
    explicit = [e for e in angry.evidence if _holds_any(fold(e.text), config.explicit)]
    if prediction is not None and prediction.emotion and explicit and "angry" in names:
        # 气愤, 强烈不满, 情绪激动: anger said outright is angry, however the model reads the
        # rest (on real complaints it called most of them merely upset).
        probability = prediction.emotion.get("angry", 0.0)
        return _label("angry", names, max(probability, _rule_confidence(angry.score)), explicit, "rules+model")
    if stated is not None and stated[0] in names and not explicit:
        # 客户情绪：平稳: the model reads 情绪 as anger (agents write it of angry customers).
        return _label(stated[0], names, STATED_CONFIDENCE, [stated[1]], "rules")
    if prediction is not None and prediction.emotion:
        chosen = _model_choice(prediction.emotion, names, tallies)
        if chosen is not None:
            return chosen
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
    return _label(config.default, names, 0.4, [*angry.evidence, *upset.evidence], "default")


def stated_emotion(config: EmotionRules) -> re.Pattern[str] | None:
    """An agent's record of the customer's emotion (客户情绪：平稳, 情绪：较激动) in normalised
    text; the group that matched names the emotion."""
    states = "|".join(f"(?P<{code}>{any_word(words)})" for code, words in config.stated.items() if words)
    if not config.stated_fields or not states:
        return None
    degrees = any_word(config.stated_degrees)
    return re.compile(f"(?:{any_word(config.stated_fields)})[ ]*[:：][ ]*(?:{degrees})?(?:{states})")


def _holds_any(text: str, words: Sequence[str]) -> bool:
    return any(word in text for word in words)


def _label(
    code: str, names: Mapping[str, str], confidence: float, evidence: Sequence[Evidence], decided_by: str
) -> LabelResult:
    return LabelResult(code, names.get(code, code), min(1.0, max(0.0, confidence)), tuple(evidence), decided_by)
