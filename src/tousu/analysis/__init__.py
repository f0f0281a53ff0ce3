"""Complaint analysis: category, demands, emotion, urgency signals, escalation risk, facts,
profile and scenario hints, and recommendations, each with its evidence.

    analyzer = Analyzer()                      # rules only; Analyzer(model=load_model(path)) adds the model
    analysis = analyzer.analyze("乱扣我话费，不退钱就去工信部投诉！")
    analysis.to_dict()["demands"]              # ['refund', 'regulator_threat']

The statistical model (tousu.analysis.model) is optional and imported only when used.
"""

from tousu.analysis.analyzer import ANALYZER_VERSION, Analyzer
from tousu.analysis.classify import ModelPrediction
from tousu.analysis.results import Analysis
from tousu.analysis.signals import PastComplaint

__all__ = ["ANALYZER_VERSION", "Analysis", "Analyzer", "ModelPrediction", "PastComplaint"]
