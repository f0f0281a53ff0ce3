"""Complaint analysis: category, demands, emotion, urgency signals, escalation risk, facts,
profile and scenario hints, and recommendations, each with its evidence.

    analyzer = Analyzer()                      # rules only
    analyzer = Analyzer(model=load_model(path))  # rules refined by a trained model
    analysis = analyzer.analyze("乱扣我话费，不退钱就去工信部投诉！")
    analysis.to_dict()["demands"]              # ['refund', 'regulator_threat']

The statistical model (tousu.analysis.model, numpy; scikit-learn for training) is imported
only when a model is loaded or trained.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tousu.analysis.analyzer import ANALYZER_VERSION, Analyzer
from tousu.analysis.classify import ModelPrediction
from tousu.analysis.results import Analysis
from tousu.analysis.signals import PastComplaint

if TYPE_CHECKING:
    from tousu.analysis.model import LayeredModel, Model

BUNDLED_MODEL = Path(__file__).parent / "data" / "model.npz"
"""The model tousu ships, trained on its labelled sets and on real complaints (`make model`)."""


def load_model(path: Path | str) -> Model | LayeredModel:
    """Load a model artefact written by `tousu train` (see tousu.analysis.model). An
    organisation's model is layered over the bundled one: it takes from it the labels its
    history lacked, and blends with it the ones it was trained on."""
    from tousu.analysis.model import LayeredModel, needs_bundled
    from tousu.analysis.model import load_model as load

    model = load(Path(path))
    if needs_bundled(model) and Path(path).resolve() != BUNDLED_MODEL.resolve():
        return LayeredModel(model, load(BUNDLED_MODEL))
    return model


__all__ = [
    "ANALYZER_VERSION",
    "BUNDLED_MODEL",
    "Analysis",
    "Analyzer",
    "ModelPrediction",
    "PastComplaint",
    "load_model",
]
