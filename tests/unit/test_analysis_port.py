"""The intake seam: what intake stores of an analysis."""

from __future__ import annotations

import pytest

from tousu.services.analysis_port import load_analyzer

TEXT = "你们乱扣我话费两百块，客服态度还很差，不退钱我就去工信部投诉！"


def test_intake_stores_the_labels_without_recomputable_advice():
    analyzer, analyze = load_analyzer(None)
    stored = analyze(TEXT, industry="telecom")
    full = analyzer.analyze(TEXT).to_dict()
    assert full["recommendations"]["strategies"], "the full analysis advises"
    assert stored.details is not None and "recommendations" not in stored.details
    assert stored.category == full["category"] == "billing"
    assert stored.details == {k: v for k, v in full.items() if k != "recommendations"}
    assert "regulator_threat" in stored.demands


def test_intake_reads_the_text_in_the_organisations_industry():
    analyzer, analyze = load_analyzer(None)
    text = "在你们店里买的面包过期了三天，吃完拉肚子，要求退款并赔偿医药费。"
    shop, hall = analyze(text, industry="retail"), analyze(text, industry="telecom")
    assert shop.category == hall.category == "product"
    # The issue topic (what batches are grouped by) is the category as the industry calls it.
    retail_name = analyzer.kb.industries["retail"].category("product").label  # type: ignore[union-attr]
    assert shop.topic == retail_name and hall.topic != retail_name
    assert shop.details is not None and shop.details["industry"] == "retail"


def test_intake_reads_the_text_with_the_complaints_channel():
    _, analyze = load_analyzer(None)
    assert analyze(TEXT, industry="telecom", channel="hotline").category == "billing"
    with pytest.raises(ValueError, match="channel"):
        analyze(TEXT, industry="telecom", channel="pigeon")
