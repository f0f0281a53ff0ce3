"""Measuring the analyzer on labelled complaints: precision, recall and F1 per label.

Category: per-label scores, macro-F1 over the labels that occur (in the gold labels or the
predictions) and the confusion matrix. Demands: per-label scores and micro-F1 over all
(record, demand) pairs. Threat recall: of the media and regulator threats in the gold labels,
the share the analyzer found; threat precision: of the threats it claimed, the share that
were there. Emotion: accuracy and macro-F1. Calibration: the expected calibration error of the
category's confidence. `cross_validate` scores a model on records it was not trained on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tousu.analysis.analyzer import Analyzer
from tousu.analysis.results import Analysis
from tousu.knowledge import KnowledgeBase

THREATS = ("media_threat", "regulator_threat")


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.support,
        }


@dataclass
class Report:
    records: int
    category: dict[str, Scores] = field(default_factory=dict)
    category_macro_f1: float = 0.0
    category_accuracy: float = 0.0
    confusion_labels: list[str] = field(default_factory=list)
    confusion: list[list[int]] = field(default_factory=list)
    demands: dict[str, Scores] = field(default_factory=dict)
    demand_micro: Scores = field(default_factory=lambda: Scores(0, 0, 0, 0))
    demand_macro_f1: float = 0.0
    threat_recall: float = 0.0
    threat_precision: float = 0.0
    category_calibration_error: float = 0.0
    threats: dict[str, Scores] = field(default_factory=dict)
    emotion: dict[str, Scores] = field(default_factory=dict)
    emotion_accuracy: float = 0.0
    emotion_macro_f1: float = 0.0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    scored: list[tuple[Mapping[str, Any], Analysis]] = field(default_factory=list, repr=False)

    def summary(self) -> dict[str, float]:
        return {
            "category_macro_f1": round(self.category_macro_f1, 4),
            "demand_micro_f1": round(self.demand_micro.f1, 4),
            "threat_recall": round(self.threat_recall, 4),
            "threat_precision": round(self.threat_precision, 4),
            "emotion_accuracy": round(self.emotion_accuracy, 4),
            "category_calibration_error": round(self.category_calibration_error, 4),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "summary": self.summary(),
            "category": {
                "macro_f1": round(self.category_macro_f1, 4),
                "accuracy": round(self.category_accuracy, 4),
                "calibration_error": round(self.category_calibration_error, 4),
                "per_label": {k: v.to_dict() for k, v in self.category.items()},
                "confusion": {"labels": self.confusion_labels, "matrix": self.confusion},
            },
            "demands": {
                "micro": self.demand_micro.to_dict(),
                "macro_f1": round(self.demand_macro_f1, 4),
                "per_label": {k: v.to_dict() for k, v in self.demands.items()},
            },
            "threats": {
                "recall": round(self.threat_recall, 4),
                "precision": round(self.threat_precision, 4),
                "per_label": {k: v.to_dict() for k, v in self.threats.items()},
            },
            "emotion": {
                "accuracy": round(self.emotion_accuracy, 4),
                "macro_f1": round(self.emotion_macro_f1, 4),
                "per_label": {k: v.to_dict() for k, v in self.emotion.items()},
            },
            "skipped": self.skipped,
        }


def evaluate(analyzer: Analyzer, records: Iterable[Mapping[str, Any]]) -> Report:
    """Analyse every record and score the labels against its gold labels."""
    scored: list[tuple[Mapping[str, Any], Analysis]] = []
    skipped: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        # A record's industry counts when the knowledge base has it; a descriptive one
        # ("other") is analysed as the default industry, as `tousu analyze` would.
        industry = record.get("industry")
        if industry not in analyzer.kb.industries:
            industry = "telecom"
        try:
            analysis = analyzer.analyze(record.get("text"), industry=industry, advise=False)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            skipped.append({"index": index, "id": record.get("id"), "error": str(exc)})
            continue
        scored.append((record, analysis))
    return score(scored, skipped)


def cross_validate(
    records: Sequence[Mapping[str, Any]],
    kb: KnowledgeBase,
    *,
    base: Sequence[Mapping[str, Any]] = (),
    folds: int = 5,
    seed: int = 0,
) -> Report:
    """Score a model trained on `base` plus the other folds on each fold of `records`, so no
    record is scored by a model that saw it. Folds are stratified by category. The model's
    probabilities are calibrated on the other folds (text of the kind scored), not on `base`."""
    from tousu.analysis.model import train

    if folds < 2 or len(records) < folds:
        raise ValueError(f"交叉验证需要至少 2 折且每折至少一条（{len(records)} 条记录，{folds} 折）")
    assignment = fold_of(records, folds, seed)
    scored: list[tuple[Mapping[str, Any], Analysis]] = []
    skipped: list[dict[str, Any]] = []
    for fold in range(folds):
        held = [records[i] for i in range(len(records)) if assignment[i] == fold]
        rest = [records[i] for i in range(len(records)) if assignment[i] != fold]
        flags = [False] * len(base) + [True] * len(rest)
        model = train([*base, *rest], kb.taxonomy, calibrate_on=flags)
        report_part = evaluate(Analyzer(kb, model=model), held)
        scored.extend(report_part.scored)
        skipped.extend(report_part.skipped)
    return score(scored, skipped)


def fold_of(records: Sequence[Mapping[str, Any]], folds: int, seed: int = 0) -> dict[int, int]:
    """Each record's fold (by index), stratified by category: every fold gets its share of
    each category, in a fixed pseudo-random order."""
    order = sorted(range(len(records)), key=lambda i: (str(records[i].get("category") or ""), _shuffle(seed, i)))
    return {index: position % folds for position, index in enumerate(order)}


def _shuffle(seed: int, index: int) -> int:
    """A fixed pseudo-random order (Knuth's multiplicative hash), the same on every machine."""
    return ((index + 1) * 2654435761 + seed * 40503) % 2**32


def score(scored: Sequence[tuple[Mapping[str, Any], Analysis]], skipped: Sequence[dict[str, Any]] = ()) -> Report:
    gold_categories: list[str] = []
    predicted_categories: list[str] = []
    confidences: list[tuple[float, bool]] = []
    gold_demands: list[set[str]] = []
    predicted_demands: list[set[str]] = []
    gold_emotions: list[str] = []
    predicted_emotions: list[str] = []
    for record, analysis in scored:
        if record.get("category"):
            gold_categories.append(str(record["category"]))
            predicted_categories.append(analysis.category.code)
            confidences.append((analysis.category.confidence, analysis.category.code == record["category"]))
        if isinstance(record.get("demands"), list):
            gold_demands.append({str(d) for d in record["demands"]})
            predicted_demands.append(set(analysis.demand_codes))
        if record.get("emotion"):
            gold_emotions.append(str(record["emotion"]))
            predicted_emotions.append(analysis.emotion.code)
    report = Report(records=len(scored), skipped=list(skipped), scored=list(scored))
    report.category, report.category_macro_f1, report.category_accuracy = _single_label(
        gold_categories, predicted_categories
    )
    report.category_calibration_error = _calibration_error(confidences)
    report.confusion_labels = sorted(set(gold_categories) | set(predicted_categories))
    report.confusion = _confusion(gold_categories, predicted_categories, report.confusion_labels)
    report.demands, report.demand_micro = _multi_label(gold_demands, predicted_demands)
    present = [s.f1 for s in report.demands.values() if s.support > 0]
    report.demand_macro_f1 = sum(present) / len(present) if present else 0.0
    report.threats = {t: report.demands[t] for t in THREATS if t in report.demands}
    threat_set = set(THREATS)
    found = sum(len(g & p & threat_set) for g, p in zip(gold_demands, predicted_demands, strict=True))
    total = sum(len(g & threat_set) for g in gold_demands)
    claimed = sum(len(p & threat_set) for p in predicted_demands)
    report.threat_recall = found / total if total else 1.0
    report.threat_precision = found / claimed if claimed else 1.0
    report.emotion, report.emotion_macro_f1, report.emotion_accuracy = _single_label(gold_emotions, predicted_emotions)
    return report


def _calibration_error(confidences: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """Expected calibration error: how far the stated confidence is from the share right,
    averaged over ten confidence bins weighted by their size."""
    if not confidences:
        return 0.0
    buckets: dict[int, list[tuple[float, bool]]] = {}
    for confidence, right in confidences:
        buckets.setdefault(min(int(confidence * bins), bins - 1), []).append((confidence, right))
    return sum(
        abs(sum(c for c, _ in items) / len(items) - sum(r for _, r in items) / len(items)) * len(items)
        for items in buckets.values()
    ) / len(confidences)


def _prf(tp: int, fp: int, fn: int) -> Scores:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp + fn)


def _single_label(gold: Sequence[str], predicted: Sequence[str]) -> tuple[dict[str, Scores], float, float]:
    labels = sorted(set(gold) | set(predicted))
    pairs = Counter(zip(gold, predicted, strict=True))
    scores = {}
    for label in labels:
        tp = pairs[(label, label)]
        fp = sum(n for (g, p), n in pairs.items() if p == label and g != label)
        fn = sum(n for (g, p), n in pairs.items() if g == label and p != label)
        scores[label] = _prf(tp, fp, fn)
    macro = sum(s.f1 for s in scores.values()) / len(scores) if scores else 0.0
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold) if gold else 0.0
    return scores, macro, accuracy


def _multi_label(gold: Sequence[set[str]], predicted: Sequence[set[str]]) -> tuple[dict[str, Scores], Scores]:
    labels = sorted(set().union(*gold, *predicted)) if gold else []
    scores = {}
    total_tp = total_fp = total_fn = 0
    for label in labels:
        tp = sum(label in g and label in p for g, p in zip(gold, predicted, strict=True))
        fp = sum(label not in g and label in p for g, p in zip(gold, predicted, strict=True))
        fn = sum(label in g and label not in p for g, p in zip(gold, predicted, strict=True))
        scores[label] = _prf(tp, fp, fn)
        total_tp, total_fp, total_fn = total_tp + tp, total_fp + fp, total_fn + fn
    return scores, _prf(total_tp, total_fp, total_fn)


def _confusion(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    return matrix
