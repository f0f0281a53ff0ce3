"""Metric gates on real complaints nobody on the team wrote (read beside the project, never
copied into it). Floors a little under what was measured, so that a change that makes the
analyzer worse on real text fails here; they are not the targets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tousu.analysis import Analyzer
from tousu.analysis.datasets import read_jsonl
from tousu.analysis.evaluate import evaluate, fold_of
from tousu.analysis.model import train
from tousu.knowledge import KnowledgeBase, load_knowledge_base

REAL_SET = Path(__file__).resolve().parents[3] / "shared" / "real" / "complaints.jsonl"
DATA = Path(__file__).resolve().parents[1] / "data"

pytestmark = pytest.mark.skipif(
    not REAL_SET.exists(), reason="no real complaints beside the project (shared/real/complaints.jsonl)"
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture(scope="module")
def real() -> list[dict[str, Any]]:
    return read_jsonl(REAL_SET)


def test_threats_from_the_rules_are_found_and_rarely_false(kb: KnowledgeBase, real: list[dict[str, Any]]) -> None:
    """Threats come from rules alone: a false 越级/媒体 signal wakes a manager."""
    report = evaluate(Analyzer(kb), real)
    assert report.threat_recall >= 0.92
    assert report.threat_precision >= 0.92


@pytest.mark.slow
def test_the_model_on_real_text_it_was_not_trained_on(kb: KnowledgeBase, real: list[dict[str, Any]]) -> None:
    """A fixed split: a model trained on the labelled sets and two thirds of the real texts
    scores the third it did not see (one training; `make bench` cross-validates all five folds)."""
    base = [record for path in sorted(DATA.glob("analyzer_*.jsonl")) for record in read_jsonl(path)]
    fold = fold_of(real, 3)
    held = [record for index, record in enumerate(real) if fold[index] == 0]
    rest = [record for index, record in enumerate(real) if fold[index] != 0]
    model = train([*base, *rest], kb.taxonomy, calibrate_on=[False] * len(base) + [True] * len(rest))  # as `make model`
    report = evaluate(Analyzer(kb, model=model), held)
    assert report.records == len(held)
    summary = report.summary()
    assert summary["category_macro_f1"] >= 0.58
    assert summary["demand_micro_f1"] >= 0.74
    assert summary["threat_recall"] >= 0.92 and summary["threat_precision"] >= 0.92
    assert summary["emotion_accuracy"] >= 0.75
    # Calibrated on the written sets as well, it claimed 0.14 more than it got right (0.11 on
    # this third of the real texts, 0.09 cross-validated over all five folds).
    assert summary["category_calibration_error"] <= 0.13
