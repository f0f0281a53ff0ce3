"""Scripts filled from this complaint's facts, or left with a blank the agent can see."""

from __future__ import annotations

import re

import pytest

from tousu.analysis import Analyzer
from tousu.analysis.facts import find_amounts, is_charged
from tousu.analysis.recommend import FACT_SLOTS, blank
from tousu.domain.codes import CATEGORY_NAMES
from tousu.knowledge import SLOT_DEFAULTS

RUDE_STAFF = "营业厅那个女营业员态度太差了，我问了两句她就翻白眼，还骂我，我要求她当面给我道歉！"
OVERCHARGED = "这个月话费多扣了我三十块，你们必须给我个说法"
LOST_WAGES = "你们的宽带坏了三天，我请假在家等维修，误工费200元你们得赔，还要赔精神损失！"
BILLING_LOST_WAGES = "话费莫名其妙被乱扣，我为这事请假跑了两趟营业厅，误工费200元你们得赔！"
NO_SERVICE_NAMED = "你们这个乱收费太过分了，凭什么扣我钱，必须给我退回来！"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def scripts(analyzer: Analyzer, text: str) -> list[str]:
    strategies = analyzer.analyze(text).recommendations.strategies
    return [line for strategy in strategies for line in strategy.scripts]


def test_every_fact_slot_is_a_slot_the_knowledge_base_knows() -> None:
    assert set(FACT_SLOTS) <= set(SLOT_DEFAULTS)


def test_a_complaint_about_rudeness_is_not_told_it_was_charged(analyzer: Analyzer) -> None:
    lines = scripts(analyzer, RUDE_STAFF)
    assert lines
    invented = [line for line in lines if SLOT_DEFAULTS["金额"] in line or "被扣了" in line]
    assert invented == []


def test_a_fact_the_complaint_lacks_is_a_visible_blank(analyzer: Analyzer) -> None:
    lines = scripts(analyzer, LOST_WAGES)
    assert any(blank("日期") in line for line in lines)
    for default in (SLOT_DEFAULTS[slot] for slot in ("日期", "套餐")):
        assert not any(default in line for line in lines), default


def test_the_charged_amount_fills_the_amount_slot(analyzer: Analyzer) -> None:
    lines = scripts(analyzer, OVERCHARGED)
    assert any("扣了三十块" in line for line in lines)
    assert not any(blank("金额") in line for line in lines)


def test_a_category_name_is_not_pasted_into_a_sentence(analyzer: Analyzer) -> None:
    result = analyzer.analyze(NO_SERVICE_NAMED)
    assert result.issue_topic in CATEGORY_NAMES.values()  # no service named: the topic is the category's name
    lines = [line for strategy in result.recommendations.strategies for line in strategy.scripts]
    assert not any(name in line for line in lines for name in CATEGORY_NAMES.values() if "/" in name)
    # The scripts chosen may not name the service at all; where one does, it is a blank to fill.
    assert all(blank("业务") in line for line in lines if "业务" in line and "这项业务" not in line)


def test_a_named_service_fills_the_service_slot(analyzer: Analyzer) -> None:
    lines = scripts(analyzer, LOST_WAGES)
    assert any("宽带" in line for line in lines)


@pytest.mark.parametrize(
    ("text", "charged"),
    [
        ("话费多扣了50元，还耽误我上班，误工费200元你们得赔", [True, False]),
        (LOST_WAGES, [False]),
        ("上个月的流量包重复扣了两次，一共多扣了40元，要求退还。", [True]),
        ("扣了我200块，我要精神赔偿", [True]),
        ("我要求赔偿1000元", [False]),
        ("来回打车花了60块的交通费", [False]),
        ("充了100元话费没到账", [True]),
        ("这个月话费300多块，比平时高了一倍", [True]),
        ("我家离这里有5公里，排队等了2个小时，给我500块钱", [False]),
    ],
)
def test_an_amount_is_charged_only_when_its_words_say_so(text: str, charged: list[bool]) -> None:
    assert [is_charged(text, amount) for amount in find_amounts(text)] == charged


def test_a_lost_wages_claim_does_not_fill_the_amount_slot(analyzer: Analyzer) -> None:
    lines = scripts(analyzer, BILLING_LOST_WAGES)
    assert analyzer.analyze(BILLING_LOST_WAGES).category.code == "billing"
    assert not any("200元" in line for line in lines)
    assert any(blank("金额") in line for line in lines)


def test_no_script_shows_a_slot_name_in_braces(analyzer: Analyzer) -> None:
    for text in (RUDE_STAFF, OVERCHARGED, LOST_WAGES, NO_SERVICE_NAMED):
        assert not any(re.search(r"\{[^{}]*\}", line) for line in scripts(analyzer, text))


@pytest.mark.parametrize(
    ("text", "not_said"),
    [
        # A plain overcharge: no record of a third-party app or of a reply to a text message is known.
        ("上个月被乱扣了58元流量费，我要求双倍返还，再赔500元精神损失费！", ["第三方软件", "回复过10086的短信"]),
        # A threat to post online: nobody from a newspaper is at the counter.
        ("乱扣我话费，不退钱我就发微博曝光你们！", ["报社"]),
    ],
)
def test_a_line_that_states_a_fact_is_shown_only_where_that_fact_is_the_matter(
    analyzer: Analyzer, text: str, not_said: list[str]
) -> None:
    lines = scripts(analyzer, text)
    assert lines
    for words in not_said:
        assert not [line for line in lines if words in line], words


def test_the_line_on_third_party_charges_answers_them(analyzer: Analyzer) -> None:
    lines = scripts(analyzer, "清单上有几笔游戏点播费，是手机里一个软件扣的，我根本没用过，要求你们退钱并赔偿。")
    assert any("第三方软件" in line for line in lines)
