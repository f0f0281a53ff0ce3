"""The intake seam: what intake stores of an analysis."""

from __future__ import annotations

from tousu.services.analysis_port import load_analyzer

TEXT = "你们乱扣我话费两百块，客服态度还很差，不退钱我就去工信部投诉！"


def test_intake_stores_the_labels_without_recomputable_advice():
    analyzer, analyze = load_analyzer(None)
    stored = analyze(TEXT)
    full = analyzer.analyze(TEXT).to_dict()
    assert full["recommendations"]["strategies"], "the full analysis advises"
    assert stored.details is not None and "recommendations" not in stored.details
    assert stored.category == full["category"] == "billing"
    assert stored.details == {k: v for k, v in full.items() if k != "recommendations"}
    assert "regulator_threat" in stored.demands
