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
    from tousu.analysis.model import Model


def load_model(path: Path | str) -> Model:
    """Load a model artefact written by `tousu train` (see tousu.analysis.model)."""
    from tousu.analysis.model import load_model as load

    return load(Path(path))


__all__ = ["ANALYZER_VERSION", "Analysis", "Analyzer", "ModelPrediction", "PastComplaint", "load_model"]
