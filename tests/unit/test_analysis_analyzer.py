"""The analyzer as a whole: input edge cases, the JSON shape, history, authority, recommendations."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tousu.analysis import ANALYZER_VERSION, Analyzer, PastComplaint

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
AUTHORITY = {"max_refund": 100, "max_compensation": 50, "max_gift": 50}


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.mark.parametrize("text", ["", "   ", "\n\t\u3000"])
def test_nothing_to_analyse_is_a_value_error_in_chinese(analyzer: Analyzer, text: str) -> None:
    with pytest.raises(ValueError, match="投诉内容为空"):
        analyzer.analyze(text)


def test_unknown_industry_and_role_are_refused(analyzer: Analyzer) -> None:
    with pytest.raises(ValueError, match="未知的行业"):
        analyzer.analyze("话费多扣了", industry="banking")
    with pytest.raises(ValueError, match="未知的岗位"):
        analyzer.analyze("话费多扣了", role="boss")


@pytest.mark.parametrize(
    "text",
    [
        "😡😡😡🤬",
        "The 5G signal is terrible, 信号太差 and the APP keeps crashing!!!",
        os.urandom(2000).decode("latin-1"),
        bytes(range(256)).decode("utf-8", errors="surrogateescape"),
        "我的宽带断了三天 客服说明天来修 到现在没人来 你们到底管不管",
    ],
)
def test_odd_inputs_give_a_full_result(analyzer: Analyzer, text: str) -> None:
    result = analyzer.analyze(text).to_dict()
    json.dumps(result, ensure_ascii=False)
    assert result["category"] and result["emotion"] in {"calm", "upset", "angry"}


def test_a_megabyte_of_text_is_cut_and_flagged(analyzer: Analyzer) -> None:
    text = "我的话费被乱扣了，要求退费。" * 80_000
    analysis = analyzer.analyze(text)
    assert analysis.truncated
    assert analysis.category.code == "billing"
    assert "refund" in analysis.demand_codes


def test_json_contract_and_evidence_positions(analyzer: Analyzer) -> None:
    text = "我在營業廳被亂扣費200塊，不退錢我就去工信部投訴！"
    result = analyzer.analyze(text).to_dict()
    for key in (
        "category",
        "demands",
        "emotion",
        "confidence",
        "signals",
        "escalation_risk",
        "facts",
        "profile_hints",
        "scenarios",
        "recommendations",
        "issue_topic",
        "analyzer_version",
    ):
        assert key in result
    assert result["analyzer_version"].startswith(ANALYZER_VERSION)
    for label in [result["labels"]["category"], *result["labels"]["demands"]]:
        for evidence in label["evidence"]:
            if evidence["source"] == "rule":
                assert text[evidence["start"] : evidence["end"]] == evidence["text"]
    assert result["facts"]["amounts"] == [
        {"text": "200塊", "start": 9, "end": 13, "value_yuan": 200, "approximate": False}
    ]
    assert "regulator" in {s["code"] for s in result["signals"]}


def test_repeat_complaint_in_history_raises_the_risk(analyzer: Analyzer) -> None:
    text = "话费又被多扣了30元，要求退还"
    history = [PastComplaint(NOW - timedelta(days=40), "billing", status="closed", closed=True)]
    with_history = analyzer.analyze(text, history=history, now=NOW)
    without = analyzer.analyze(text, now=NOW)
    assert with_history.escalation_risk.score > without.escalation_risk.score
    assert "repeat_history" in {r.factor for r in with_history.escalation_risk.reasons}
    assert "repeater" in {h.code for h in with_history.profile_hints}


def test_old_or_other_history_is_no_repeat(analyzer: Analyzer) -> None:
    text = "话费又被多扣了30元，要求退还"
    history = [
        PastComplaint(NOW - timedelta(days=200), "billing", closed=True),
        PastComplaint(datetime(2026, 11, 1), "network", closed=True),
    ]
    reasons = {r.factor for r in analyzer.analyze(text, history=history, now=NOW).escalation_risk.reasons}
    assert "repeat_history" not in reasons


def test_authority_decides_what_needs_approval(analyzer: Analyzer) -> None:
    small = analyzer.analyze("多扣了我30元，给我退回来", authority=AUTHORITY)
    large = analyzer.analyze("多扣了我300元，给我退回来", authority=AUTHORITY)
    (small_offer,) = [o for o in small.recommendations.may_offer if o.demand == "refund"]
    (large_offer,) = [o for o in large.recommendations.may_offer if o.demand == "refund"]
    assert small_offer.limit_yuan == 100 and not small_offer.needs_approval
    assert large_offer.requested_yuan == 300 and large_offer.needs_approval


def test_an_offer_is_weighed_by_the_charge_it_answers(analyzer: Analyzer) -> None:
    """Not the monthly fee named beside the charge, nor the sum of another demand."""
    fee = analyzer.analyze("我的套餐每月128元，这个月多扣了30元来电显示费，要求退还", authority=AUTHORITY)
    (refund,) = [o for o in fee.recommendations.may_offer if o.remedy == "refund"]
    assert refund.requested_yuan == 30 and not refund.needs_approval
    both = analyzer.analyze("上个月被乱扣了58元流量费，我要求双倍返还，再赔500元精神损失费", authority=AUTHORITY)
    (double,) = [o for o in both.recommendations.may_offer if o.remedy == "double_refund"]
    assert double.requested_yuan == 116  # twice the charge; the 500 is the mental damages claimed


def test_without_authority_money_offers_need_approval(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("多扣了我30元，给我退回来")
    assert all(o.needs_approval for o in analysis.recommendations.may_offer if o.kind == "refund")


def test_recommendations_for_a_threatening_customer(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("系统出错多扣了我50元，双倍返还，不然我就找媒体曝光！", role="agent")
    recommendations = analysis.recommendations
    codes = [s.code for s in recommendations.strategies]
    assert codes[0] == "mood_first"
    assert all(s.why for s in recommendations.strategies)
    scripts = [script for s in recommendations.strategies for script in s.scripts]
    assert scripts and not any("{" in script for script in scripts)
    assert recommendations.legal_basis
    assert any("投诉" in phrase for phrase in recommendations.avoid_phrases)
    assert "hardliner" in {s.code for s in analysis.scenarios}


def test_scripts_carry_the_complaints_own_facts(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("你们乱收费多扣了我50元，要求双倍返还，少一分都不行")
    scripts = " ".join(script for s in analysis.recommendations.strategies for script in s.scripts)
    assert "50元" in scripts


def test_issue_topic_groups_by_service_or_place(analyzer: Analyzer) -> None:
    assert analyzer.analyze("莫名其妙被开了彩铃，每月扣5块").issue_topic == "彩铃"
    assert analyzer.analyze("我家住在阳光小区，这两天完全没信号").issue_topic == "阳光小区"
    assert analyzer.analyze("宽带天天掉线，修了也没用").issue_topic == "宽带"


def test_the_business_complained_of_wins_over_the_hall_it_was_raised_in(analyzer: Analyzer) -> None:
    assert analyzer.analyze("我在营业厅办的套餐，说好每月58元，结果扣了88元").issue_topic == "套餐"
    assert analyzer.analyze("营业厅那个营业员态度太差了，我要投诉她").issue_topic == "营业厅服务"


def test_analysis_is_the_same_every_time(analyzer: Analyzer) -> None:
    text = "客户：我的套餐被改了！\n营业员：我帮您查一下。\n客户：赶紧给我改回来，不然我打12300"
    assert analyzer.analyze(text, now=NOW).to_dict() == analyzer.analyze(text, now=NOW).to_dict()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=300).filter(lambda t: t.strip()))
def test_any_text_gives_a_result_with_valid_positions(analyzer: Analyzer, text: str) -> None:
    result = analyzer.analyze(text).to_dict()
    json.dumps(result, ensure_ascii=False)
    for label in [result["labels"]["category"], *result["labels"]["demands"]]:
        for evidence in label["evidence"]:
            if evidence["start"] is not None:
                assert 0 <= evidence["start"] < evidence["end"] <= len(text)
