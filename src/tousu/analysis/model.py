"""The statistical model an organisation trains on its own labelled complaints.

TF-IDF over character n-grams and words (see tousu.analysis.features), then linear models: multinomial logistic
regression for the category and the emotion, one binary logistic regression per demand.
scikit-learn fits it (`train`); prediction uses only numpy, so a server that loads a model does
not pay scikit-learn's import time.

The artefact is one `.npz` file of plain arrays plus JSON metadata (format version, model
version, training time, label counts). It holds no pickled objects, so loading a model file
cannot run code. `save_model` also writes the metadata beside it as `<file>.json`.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from tousu.analysis.analyzer import ANALYZER_VERSION
from tousu.analysis.classify import ModelPrediction
from tousu.analysis.dialogue import DialogueSplitter, customer_text
from tousu.analysis.features import Featurizer, VocabularyCounter, discover_words, domain_words
from tousu.analysis.negation import denied_questions
from tousu.analysis.normalize import MAX_CHARS, Normalizer
from tousu.analysis.prefilter import with_starting_characters
from tousu.domain.codes import Category, Demand, Emotion
from tousu.knowledge.taxonomy import Taxonomy

FORMAT = "tousu-analyzer-model"
FORMAT_VERSION = 1
_MIN_POSITIVES = 3


class ModelError(ValueError):
    """A model file that cannot be used, or training data that cannot make one."""


@dataclass(frozen=True)
class LinearHead:
    """One linear classifier: softmax over classes, or independent sigmoids (one-vs-rest)."""

    classes: tuple[str, ...]
    coef: np.ndarray  # classes × features
    intercept: np.ndarray
    multiclass: bool

    def probabilities(self, scores: Sequence[float]) -> dict[str, float]:
        """From this head's scores (coef · features + intercept). Plain floats: for a few
        dozen numbers, numpy's cost per call is more than the arithmetic."""
        if not self.classes:
            return {}
        if self.multiclass:
            if len(self.classes) == 2 and len(scores) == 1:
                p = _sigmoid(scores[0])
                return {self.classes[0]: 1.0 - p, self.classes[1]: p}
            top = max(scores)
            exps = [math.exp(score - top) for score in scores]
            total = sum(exps)
            return {code: e / total for code, e in zip(self.classes, exps, strict=True)}
        return {code: _sigmoid(score) for code, score in zip(self.classes, scores, strict=True)}


class Reading:
    """What the model reads of the prepared text: without the work-order boilerplate (taxonomy
    `boilerplate`, and a template's questions answered no: see negation.denied_questions) and
    without punctuation. Both are the writer's habits, not the matter: on
    real complaints, cross-validated, the category's macro-F1 rose from 0.55 to 0.57 without the
    boilerplate and to 0.60 without punctuation as well, work orders most. Kept in the model's
    metadata, so a model reads text as it was trained to, whatever the knowledge base says
    today (a model saved before has neither, and reads the text whole)."""

    _PUNCTUATION = re.compile(r"[^\w\s]|_")

    def __init__(self, boilerplate: Iterable[str] = (), *, keeps_punctuation: bool = True) -> None:
        self.boilerplate = tuple(boilerplate)
        self.keeps_punctuation = keeps_punctuation
        joined = "|".join(f"(?:{p})" for p in self.boilerplate)
        self._pattern = with_starting_characters(re.compile(joined)) if self.boilerplate else None

    @classmethod
    def of(cls, metadata: Mapping[str, Any]) -> Reading:
        reading = metadata.get("reading") or {}
        return cls(reading.get("boilerplate", ()), keeps_punctuation=reading.get("keeps_punctuation", True))

    def as_metadata(self) -> dict[str, Any]:
        return {"boilerplate": list(self.boilerplate), "keeps_punctuation": self.keeps_punctuation}

    def __call__(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub(" ", text)
        return text if self.keeps_punctuation else self._PUNCTUATION.sub(" ", text)


def _sigmoid(x: float) -> float:
    # Either form alone overflows at one end.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


class TextPreparer:
    """The text the model reads: normalised, the customer's turns only (as in the analyzer)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._normalizer = Normalizer(taxonomy.typos)
        self._splitter = DialogueSplitter(taxonomy.speakers)

    def __call__(self, text: str) -> str:
        normalized = self._normalizer.normalize(text[:MAX_CHARS])
        return customer_text(normalized, self._splitter.split(normalized))


class Model:
    def __init__(
        self,
        *,
        vocabulary: Sequence[str],
        idf: np.ndarray,
        heads: Mapping[str, LinearHead],
        metadata: Mapping[str, Any],
        featurizer: Featurizer,
    ) -> None:
        self.vocabulary = {term: index for index, term in enumerate(vocabulary)}
        self.terms = tuple(vocabulary)
        self.idf = idf
        self.heads = dict(heads)
        self.metadata = dict(metadata)
        self.version = str(metadata["model_version"])
        self.featurizer = featurizer
        self.reading = Reading.of(metadata)
        self._counter = VocabularyCounter(vocabulary)
        # All heads as one matrix with a row per surface (see VocabularyCounter), idf folded
        # in: one gather and one product per text.
        names = ("category", "demands", "emotion")
        coef = np.vstack([self.heads[name].coef for name in names]).T.astype(np.float32)
        weights = coef * idf.astype(np.float32)[:, None]
        terms = self._counter.surface_terms
        if any(len(t) > 2 for t in terms):
            raise ModelError("a surface stands for more than an n-gram and a word")
        first = np.array([t[0] for t in terms], dtype=np.int64)
        second = np.array([t[1] if len(t) > 1 else t[0] for t in terms], dtype=np.int64)
        paired = np.array([len(t) > 1 for t in terms])
        self._weights = np.ascontiguousarray(weights[first] + np.where(paired[:, None], weights[second], 0), np.float32)
        self._idf_squared = (idf[first] ** 2 + np.where(paired, idf[second] ** 2, 0)).astype(np.float32)
        self._bias = np.concatenate([self.heads[name].intercept for name in names])
        bounds = np.cumsum([0, *(self.heads[name].coef.shape[0] for name in names)])
        self._rows = {name: slice(int(lo), int(hi)) for name, lo, hi in zip(names, bounds, bounds[1:], strict=False)}

    def predict(self, text: str) -> ModelPrediction:
        """`text` is the prepared customer text (see TextPreparer)."""
        surfaces, counts = self._counter(self.reading(text))
        # Sublinear tf times idf, then unit length: what TfidfVectorizer(sublinear_tf=True)
        # does, with idf already in the weights and in the squared norm.
        tf = 1.0 + np.log(counts)
        norm = float(np.sqrt(tf * tf @ self._idf_squared[surfaces]))
        scores = ((tf / norm if norm else tf) @ self._weights[surfaces] + self._bias).tolist()
        return ModelPrediction(
            category=self.heads["category"].probabilities(scores[self._rows["category"]]),
            demands=self.heads["demands"].probabilities(scores[self._rows["demands"]]),
            emotion=self.heads["emotion"].probabilities(scores[self._rows["emotion"]]),
            version=self.version,
        )


class LayeredModel:
    """An organisation's model over the bundled one. A label its history lacks comes from the
    bundled model alone (a history labelled with categories alone still gets demands and
    emotion). A category, emotion or demand it was trained on blends both, with the weight training
    measured on the organisation's own texts (see `train`'s `prior`): a short history leans on
    the bundled model, a long one on itself."""

    def __init__(self, own: Model, fallback: Model) -> None:
        self.own = own
        self.fallback = fallback
        self.version = f"{own.version}+{fallback.version}"
        self.metadata = own.metadata
        self._weights = prior_weights(own)

    def predict(self, text: str) -> ModelPrediction:
        own = self.own.predict(text)
        other = self.fallback.predict(text)
        return ModelPrediction(
            category=self._blend("category", own.category, other.category),
            demands=self._blend_demands(own.demands, other.demands),
            emotion=self._blend("emotion", own.emotion, other.emotion),
            version=self.version,
        )

    def _blend_demands(self, own: Mapping[str, float], other: Mapping[str, float]) -> Mapping[str, float]:
        """Each demand the organisation's history taught blended, the others from the bundled model."""
        weight = self._weights.get("demands", 1.0)
        if weight >= 1.0:
            return {**other, **own}
        return {
            **other,
            **{code: blend(_yes_no(p), _yes_no(other.get(code, p)), weight)["yes"] for code, p in own.items()},
        }

    def _blend(self, head: str, own: Mapping[str, float], other: Mapping[str, float]) -> Mapping[str, float]:
        if not own:
            return other
        weight = self._weights.get(head, 1.0)
        return own if weight >= 1.0 else blend(own, other, weight)


def blend(own: Mapping[str, float], prior: Mapping[str, float], weight: float) -> dict[str, float]:
    """`own`'s classes, scored by a weighted geometric mean of the two distributions: the
    prior's probabilities are renormalised over `own`'s classes (an organisation may use a few
    of tousu's categories only)."""
    logits = [
        weight * math.log(max(own[code], _FLOOR)) + (1.0 - weight) * math.log(max(prior.get(code, 0.0), _FLOOR))
        for code in own
    ]
    top = max(logits)
    exps = [math.exp(x - top) for x in logits]
    total = sum(exps)
    return {code: e / total for code, e in zip(own, exps, strict=True)}


_FLOOR = 1e-9


def _yes_no(probability: float) -> dict[str, float]:
    """A demand's probability as a distribution, for `blend`: for two classes, the blend is the
    weighted sum of the two models' log-odds."""
    return {"yes": probability, "no": 1.0 - probability}


def prior_weights(model: Model) -> dict[str, float]:
    """The weight of each head of `model` against the bundled model, 1.0 (itself alone) unless
    it was trained with the bundled model as its prior."""
    prior = model.metadata.get("prior") or {}
    return {head: float(weight) for head, weight in (prior.get("weights") or {}).items()}


def needs_bundled(model: Model) -> bool:
    """Whether `model` is meant to be used over the bundled one: it lacks a head, or it was
    trained with the bundled model as its prior."""
    return any(not head.classes for head in model.heads.values()) or any(w < 1.0 for w in prior_weights(model).values())


def train(
    records: Iterable[Mapping[str, Any]],
    taxonomy: Taxonomy,
    *,
    c: float = 8.0,
    sources: Sequence[str] = (),
    prior: Model | None = None,
    calibrate_on: Sequence[bool] | None = None,
) -> Model:
    """Fit the model on records with `text` and any of `category`, `demands`, `emotion`;
    `sources` names where they came from (kept in the metadata).

    With a `prior` (the bundled model, for an organisation's own history), the heads are meant
    to be blended with it (LayeredModel): the weight of the category, of the emotion and of the
    demands (one for all) against the prior is the one that predicts the history's own labels
    best out of fold.

    `calibrate_on` (one flag per record) names the records whose out-of-fold scores set each
    head's temperature: the texts most like those the model will meet. Calibrated on all, a
    model trained mostly on written examples is as sure of itself on real complaints as on
    them, and is right there far less often. The emotion is also learned mostly from them
    (see `_UNFLAGGED_WEIGHT`)."""
    from sklearn.linear_model import LogisticRegression

    records = list(records)
    flags = list(calibrate_on) if calibrate_on is not None else [True] * len(records)
    if len(flags) != len(records):
        raise ValueError("calibrate_on needs one flag per record")
    kept = [i for i, r in enumerate(records) if isinstance(r.get("text"), str) and r["text"].strip()]
    rows = [records[i] for i in kept]
    calibrating = np.array([flags[i] for i in kept], dtype=bool)
    if len(rows) < 10:
        raise ModelError(f"训练数据太少 (need at least 10 labelled texts, got {len(rows)})")
    prepare = TextPreparer(taxonomy)
    prepared = [prepare(r["text"]) for r in rows]
    reading_name, featurizer, vectorizer, matrix, agreements, category_scores = _chosen_reading(
        prepared, rows, calibrating, taxonomy, c
    )
    reading = _reading(reading_name, taxonomy)
    heads: dict[str, LinearHead] = {}
    counts: dict[str, dict[str, int]] = {}
    temperatures: dict[str, float] = {}

    weights: dict[str, float] = {}
    for name, allowed in (("category", {c.value for c in Category}), ("emotion", {e.value for e in Emotion})):
        picked = [i for i, r in enumerate(rows) if r.get(name) in allowed]
        labels = [rows[i][name] for i in picked]
        counts[name] = dict(Counter(labels))
        if len(set(labels)) < 2:
            heads[name] = LinearHead((), np.zeros((0, matrix.shape[1])), np.zeros(0), True)
            continue
        weight = _record_weights(name, calibrating[picked])
        fitted = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
        fitted.fit(matrix[picked], labels, sample_weight=weight)
        labelled = tuple(str(c) for c in fitted.classes_)
        gold = np.array([labelled.index(label) for label in labels])
        scores: np.ndarray | None
        if name == "category" and category_scores is not None:
            scores = category_scores  # the same folds, already run to choose the reading
        else:
            scores = _out_of_fold(matrix[picked], np.array(labels), labelled, c, weight)
        t = _calibrated(scores, gold, calibrating[picked], binary=len(labelled) == 2)
        temperatures[name] = round(t, 3)
        heads[name] = LinearHead(labelled, fitted.coef_ / t, fitted.intercept_ / t, True)
        if prior is not None and scores is not None and prior.heads[name].classes:
            own = [heads[name].probabilities(row) for row in (scores / t).tolist()]
            theirs = [getattr(prior.predict(prepared[i]), name) for i in picked]
            weights[name] = _prior_weight(own, theirs, labels)

    with_demands = [i for i, r in enumerate(rows) if isinstance(r.get("demands"), list)]
    demand_sets = [set(rows[i]["demands"]) for i in with_demands]
    counts["demands"] = {d.value: sum(d.value in s for s in demand_sets) for d in Demand}
    classes, coefs, intercepts = [], [], []
    # Out-of-fold answers of every demand head, pooled: one weight for the demands.
    own_answers: list[Mapping[str, float]] = []
    prior_answers: list[Mapping[str, float]] = []
    gold_answers: list[str] = []
    theirs_demands = [prior.predict(prepared[i]).demands for i in with_demands] if prior is not None else []
    for demand in Demand:
        target = np.array([demand.value in s for s in demand_sets])
        if target.sum() < _MIN_POSITIVES or target.all():
            continue
        weight = _record_weights("demands", calibrating[with_demands])
        fitted = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
        fitted.fit(matrix[with_demands], target, sample_weight=weight)
        scores = _out_of_fold(matrix[with_demands], target, (False, True), c, weight)
        t = _calibrated(scores, target.astype(int), calibrating[with_demands], binary=True)
        temperatures[demand.value] = round(t, 3)
        if scores is not None and prior is not None and demand.value in prior.heads["demands"].classes:
            own_answers += [_yes_no(_sigmoid(score / t)) for score in scores[:, 0].tolist()]
            prior_answers += [_yes_no(demands[demand.value]) for demands in theirs_demands]
            gold_answers += ["yes" if wanted else "no" for wanted in target.tolist()]
        classes.append(demand.value)
        coefs.append(fitted.coef_[0] / t)
        intercepts.append(fitted.intercept_[0] / t)
    if gold_answers:
        weights["demands"] = _prior_weight(own_answers, prior_answers, gold_answers)
    heads["demands"] = LinearHead(
        tuple(classes),
        np.vstack(coefs) if coefs else np.zeros((0, matrix.shape[1])),
        np.array(intercepts),
        False,
    )
    vocabulary = [""] * len(vectorizer.vocabulary_)
    for term, index in vectorizer.vocabulary_.items():
        vocabulary[index] = term
    trained_at = datetime.now(UTC)
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "trained_at": trained_at.isoformat(timespec="seconds"),
        "analyzer_version": ANALYZER_VERSION,
        "taxonomy_version": taxonomy.version,
        "records": len(rows),
        "features": len(vocabulary),
        "labels": counts,
        "heads": {name: list(head.classes) for name, head in heads.items()},
        "sources": list(sources),
        "params": {"C": c, "ngram_range": [1, 3], "min_df": 2, "words": len(featurizer.words)},
        "temperatures": temperatures,
        "calibrated_on": int(calibrating.sum()),
        "reading": {**reading.as_metadata(), "name": reading_name, "agreements": agreements},
    }
    if prior is not None:
        metadata["prior"] = {"version": prior.version, "weights": weights}
    metadata["model_version"] = f"{trained_at:%Y%m%d%H%M%S}-{_digest(vocabulary, heads)}"
    return Model(vocabulary=vocabulary, idf=vectorizer.idf_, heads=heads, metadata=metadata, featurizer=featurizer)


# The readings `train` chooses from, the first unless the history's own categories say
# otherwise (see `_chosen_reading`), by name as `tousu train` shows them.
_READINGS = ("stripped", "whole")
# Fewer flagged texts with a category than this, and the choice would be noise: the first reading.
_MIN_READING_CHOICE = 100


def _reading(name: str, taxonomy: Taxonomy) -> Reading:
    if name != "stripped":
        return Reading()
    denied = denied_questions(taxonomy.negation)
    return Reading((*taxonomy.boilerplate, *([denied] if denied else [])), keeps_punctuation=False)


def _chosen_reading(
    prepared: Sequence[str], rows: Sequence[Mapping[str, Any]], flags: np.ndarray, taxonomy: Taxonomy, c: float
) -> tuple[str, Featurizer, Any, Any, dict[str, float], np.ndarray | None]:
    """The name of the reading to train on, with its featurizer, fitted vectorizer and matrix,
    each reading's agreement (the share of flagged texts whose category its out-of-fold model
    chose) and the chosen reading's out-of-fold category scores, when they were needed.

    The bundled model reads complaints without the work-order routing lines and punctuation
    (see Reading): across organisations, they say how a centre writes, not what the complaint
    is about. Within one organisation they may say exactly that: a line routing the work order
    to the network team (请网管核实处理) names the kind of fault its own categories follow. So
    an organisation's history decides for its own model whether the whole text reads better;
    better beyond chance, as texts one reading gets right and the other wrong tell: on the
    real complaints, where the two tie, folds of 300 picked either by chance."""
    allowed = {code.value for code in Category}
    picked = [i for i, r in enumerate(rows) if r.get("category") in allowed]
    labels = np.array([rows[i]["category"] for i in picked])
    flagged = flags[picked]
    choosing = int(flagged.sum()) >= _MIN_READING_CHOICE and len(set(labels.tolist())) > 1
    classes = tuple(sorted(set(labels.tolist())))
    # As `train` weighs the category's records, so that these are the folds it would run.
    weight = _record_weights("category", flagged)
    built = []
    for name in _READINGS if choosing else _READINGS[:1]:
        reading = _reading(name, taxonomy)
        featurizer, vectorizer, matrix = _features([reading(text) for text in prepared], taxonomy)
        scores = _out_of_fold(matrix[picked], labels, classes, c, weight) if choosing else None
        built.append((name, featurizer, vectorizer, matrix, scores, _right(scores, classes, labels, flagged)))
    agreements = {name: round(float(right.mean()), 4) for name, *_, right in built if right is not None}
    chosen = built[0]
    if len(built) == 2 and built[0][5] is not None and built[1][5] is not None:
        wins = int(np.sum(built[1][5] & ~built[0][5]))
        losses = int(np.sum(built[0][5] & ~built[1][5]))
        if wins - losses > 2 * math.sqrt(wins + losses):
            chosen = built[1]
    name, featurizer, vectorizer, matrix, scores, _ = chosen
    return name, featurizer, vectorizer, matrix, agreements, scores


def _right(
    scores: np.ndarray | None, classes: tuple[str, ...], labels: np.ndarray, flagged: np.ndarray
) -> np.ndarray | None:
    """For each flagged text, whether the out-of-fold `scores` chose its category."""
    if scores is None:
        return None
    # Two classes: one column, the second class's score against the first's.
    best = (scores[:, 0] > 0).astype(int) if scores.shape[1] == 1 else scores.argmax(axis=1)
    return np.asarray(np.array(classes)[best][flagged] == labels[flagged])


def _features(texts: Sequence[str], taxonomy: Taxonomy) -> tuple[Featurizer, Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    dictionary = domain_words(taxonomy)
    featurizer = Featurizer([*dictionary, *discover_words(texts, dictionary)])
    vectorizer = TfidfVectorizer(analyzer=featurizer, sublinear_tf=True, min_df=2, dtype=np.float64)
    return featurizer, vectorizer, vectorizer.fit_transform(texts)


_CALIBRATION_FOLDS = 3
_TEMPERATURES = np.exp(np.linspace(np.log(0.1), np.log(10.0), 81))


# How much a record outside `calibrate_on` counts against one inside it, per head. In the
# bundled model those are our written sets against the real complaints. The written sets say
# anger and calm more plainly than the public does: on the real complaints, cross-validated,
# emotion rose from 0.695 to 0.719 with them at 0.3 (0.711-0.719 from 0.1 to 0.5), while the
# category fell at anything under 1 (macro-F1 0.598 -> 0.576 at 0.3) and the demands did not
# move (micro-F1 0.733 -> 0.736).
_UNFLAGGED_WEIGHT = {"category": 1.0, "emotion": 0.3, "demands": 1.0}


def _record_weights(head: str, flags: np.ndarray) -> np.ndarray:
    return np.where(flags, 1.0, _UNFLAGGED_WEIGHT[head])


def _out_of_fold(
    matrix: Any, target: np.ndarray, classes: Sequence[Any], c: float, weight: np.ndarray
) -> np.ndarray | None:
    """A head's scores on texts its fit did not see (texts × classes, one column for a binary
    head), or None when there are too few texts to hold any out. They make its probabilities
    honest: a head fitted with C=8 is sure of itself on its training texts and would otherwise
    claim 0.9 where it is right six times in ten (see fit_temperature). A class with fewer texts
    than folds is missed by some folds and scores as unknown there, as it would on new text."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, StratifiedKFold

    counts = Counter(target.tolist())
    if len(counts) < 2 or len(target) < 2 * _CALIBRATION_FOLDS:
        return None
    index = {label: i for i, label in enumerate(classes)}
    gold = np.array([index[label] for label in target.tolist()])
    binary = len(classes) == 2
    scores = np.zeros((len(gold), 1 if binary else len(classes)))
    splitter = StratifiedKFold if min(counts.values()) >= _CALIBRATION_FOLDS else KFold
    folds = splitter(_CALIBRATION_FOLDS, shuffle=True, random_state=0)
    for train_rows, test_rows in folds.split(np.zeros(len(gold)), gold):
        seen = sorted(set(gold[train_rows].tolist()))
        block = np.full((len(test_rows), len(classes)), -30.0)  # a class the fold lacks
        if len(seen) < 2:
            block[:, seen] = 0.0
        else:
            fitted = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
            fitted.fit(matrix[train_rows], target[train_rows], sample_weight=weight[train_rows])
            decision = fitted.decision_function(matrix[test_rows])
            if binary:
                scores[test_rows, 0] = decision
                continue
            block[:, [index[label] for label in fitted.classes_.tolist()]] = decision
        scores[test_rows] = block[:, 1:] - block[:, :1] if binary else block
    return scores


_MIN_CALIBRATION = 30


def _calibrated(scores: np.ndarray | None, gold: np.ndarray, flags: np.ndarray, *, binary: bool) -> float:
    """The temperature from the out-of-fold scores of the flagged records, or of all when fewer
    than `_MIN_CALIBRATION` are flagged or they hold a single label (nothing to learn from)."""
    if scores is None:
        return 1.0
    if flags.sum() >= _MIN_CALIBRATION and len(set(gold[flags].tolist())) > 1:
        return fit_temperature(scores[flags], gold[flags], binary=binary)
    return fit_temperature(scores, gold, binary=binary)


_PRIOR_WEIGHTS = tuple(i / 10 for i in range(11))


def _prior_weight(
    own: Sequence[Mapping[str, float]], prior: Sequence[Mapping[str, float]], gold: Sequence[str]
) -> float:
    """The weight of the organisation's own head against the prior (0 = the prior alone, 1 =
    itself alone) that gives its labels the least log-loss, from out-of-fold predictions."""

    def loss(weight: float) -> float:
        return -sum(
            math.log(max(blend(o, p, weight)[label], _FLOOR)) for o, p, label in zip(own, prior, gold, strict=True)
        )

    return min(_PRIOR_WEIGHTS, key=loss)


def fit_temperature(scores: np.ndarray, gold: np.ndarray, *, binary: bool) -> float:
    """The divisor of `scores` (texts × classes, or one column for a binary head) that gives
    the gold labels (class indices) the least log-loss."""
    return float(min(_TEMPERATURES, key=lambda t: _log_loss(scores / t, gold, binary)))


def _log_loss(scores: np.ndarray, gold: np.ndarray, binary: bool) -> float:
    if binary:
        signed = np.where(gold == 1, scores[:, 0], -scores[:, 0])
        return float(np.mean(np.logaddexp(0.0, -signed)))
    top = scores.max(axis=1, keepdims=True)
    log_total = top[:, 0] + np.log(np.exp(scores - top).sum(axis=1))
    return float(np.mean(log_total - scores[np.arange(len(gold)), gold]))


def save_model(model: Model, path: Path) -> None:
    arrays: dict[str, np.ndarray] = {
        "vocabulary": np.array(model.terms, dtype=str),
        "words": np.array(model.featurizer.words, dtype=str),
        "idf": model.idf,
        "metadata": np.array(json.dumps(model.metadata, ensure_ascii=False)),
    }
    for name, head in model.heads.items():
        arrays[f"{name}.classes"] = np.array(head.classes, dtype=str)
        arrays[f"{name}.coef"] = head.coef.astype(np.float32)  # half the file, no loss that matters
        arrays[f"{name}.intercept"] = head.intercept
        arrays[f"{name}.multiclass"] = np.array(head.multiclass)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    path.write_bytes(buffer.getvalue())
    path.with_name(path.name + ".json").write_text(
        json.dumps(model.metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def load_model(path: Path) -> Model:
    """Load an artefact written by save_model; ModelError if it is not one this version reads."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise ModelError(f"模型文件不存在 (model file not found): {path}") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"不是有效的模型文件 (not a model file): {path}: {exc}") from None
    try:
        metadata = json.loads(str(arrays["metadata"]))
        if metadata.get("format") != FORMAT or metadata.get("format_version") != FORMAT_VERSION:
            raise ModelError(
                f"模型格式不兼容 (unsupported model format): {metadata.get('format')} v{metadata.get('format_version')}"
            )
        heads = {
            name: LinearHead(
                tuple(str(c) for c in arrays[f"{name}.classes"]),
                arrays[f"{name}.coef"],
                arrays[f"{name}.intercept"],
                bool(arrays[f"{name}.multiclass"]),
            )
            for name in ("category", "demands", "emotion")
        }
        vocabulary = [str(term) for term in arrays["vocabulary"]]
        featurizer = Featurizer(str(word) for word in arrays["words"])
    except KeyError as exc:
        raise ModelError(f"模型文件缺少内容 (model file lacks {exc})") from None
    return Model(vocabulary=vocabulary, idf=arrays["idf"], heads=heads, metadata=metadata, featurizer=featurizer)


def _digest(vocabulary: Sequence[str], heads: Mapping[str, LinearHead]) -> str:
    digest = hashlib.sha256("\n".join(vocabulary).encode())
    for name in sorted(heads):
        digest.update(np.ascontiguousarray(heads[name].coef).tobytes())
    return digest.hexdigest()[:8]
