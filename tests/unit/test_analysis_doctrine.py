"""The strategy or legal point the training material prescribes for a situation is among what the
complaint page shows first (five strategies, then the legal basis).

The doctrine: each demand has its playbook; the customer's own words pick among its methods (a
court threat is answered by hinting at the cost of a lawsuit, a claim for lost business by asking
for the legal basis of indirect loss, "you can't decide" by retreating to advance, a deadlock by
handing over to a superior); a threat pressed for money is what the broken-record method answers,
and only emotion rising in the customer's own words (insults, shouting) stops it. The sentences
here are written for these tests.
"""

from __future__ import annotations

import pytest

from tousu.analysis import Analyzer
from tousu.analysis.results import Analysis

AGENT = {"max_refund": 50, "max_compensation": 0, "max_gift": 20, "monthly_gift_quota": 1000}
SHOWN = 5  # strategies for the matter the complaint page shows, after the first step, before folding


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def advise(analyzer: Analyzer, text: str) -> Analysis:
    return analyzer.analyze(text, role="agent", authority=AGENT)


def shown(analysis: Analysis) -> list[str]:
    strategies = analysis.recommendations.strategies
    return [advice.code for advice in strategies[: SHOWN + sum(a.first_step for a in strategies)]]


def test_the_first_step_is_shown_on_top_of_five_strategies_for_the_matter(analyzer: Analyzer) -> None:
    angry = advise(
        analyzer, "你们乱扣我话费还态度恶劣，必须双倍退钱、赔我误工费、让你们经理出来道歉，不然我就打12300！"
    )
    strategies = angry.recommendations.strategies
    assert strategies[0].code == "mood_first" and strategies[0].first_step
    assert not any(a.first_step for a in strategies[1:])
    calm = advise(analyzer, "麻烦帮我查一下上个月的话费，好像比平时多了5块钱。")
    assert not any(a.first_step for a in calm.recommendations.strategies)


def laws(analysis: Analysis) -> list[str]:
    return [basis.code for basis in analysis.recommendations.legal_basis]


# 1. Money demands pressed with a threat: the broken record, the refusal with its legal reason, the topic change.


def test_double_refund_and_mental_damages_with_an_online_exposure_threat_show_the_whole_answer(
    analyzer: Analyzer,
) -> None:
    analysis = advise(analyzer, "你们多收了我60块，要退双倍，还得赔精神损失费，再不解决我就发到网上曝光你们。")
    assert {"double_refund", "mental_damages", "media_threat"} <= set(analysis.demand_codes)
    first = shown(analysis)
    assert {"broken_record", "direct_refusal"} <= set(first), first
    assert {"change_topic", "purpose_guiding"} & set(first), first
    assert "civil_code_1183" in laws(analysis)  # why mental damages are refused


def test_the_broken_record_steps_back_only_when_the_words_show_the_emotion_rising(analyzer: Analyzer) -> None:
    pressed = advise(analyzer, "多收我60块，必须双倍退给我，不然我就去找记者。")
    insulting = advise(analyzer, "你们这帮骗子，混蛋，多收我60块，要双倍退给我！")
    assert pressed.emotion.code == insulting.emotion.code == "angry"
    assert "broken_record" in shown(pressed)
    assert "broken_record" not in shown(insulting)
    held_back = next(a for a in insulting.recommendations.strategies if a.code == "broken_record")
    assert "停止使用" in held_back.why


def test_insisting_on_the_sum_is_no_rising_emotion(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, "多扣了我80块，要双倍返还，少一分都不行，今天拿不到我就不走了。")
    assert analysis.emotion.code == "angry"
    assert "broken_record" in shown(analysis)


# 2. The customer's words pick among the compensation playbook's methods.


def test_a_court_threat_over_compensation_is_answered_by_hinting_at_its_cost(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, "不给我一万块赔偿，我就请律师起诉你们。")
    assert "high_compensation" in analysis.demand_codes
    assert "hinting" in shown(analysis)
    hinting = next(a for a in analysis.recommendations.strategies if a.code == "hinting")
    assert any("诉讼" in line or "法院" in line for line in hinting.scripts)


def test_a_claim_for_lost_business_gets_the_contrast_method_and_the_foreseeability_rule(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, "网断了害我错过了一个项目，少赚了三万，这些都要你们赔。")
    assert "indirect_loss_claim" in [hint.code for hint in analysis.scenarios]
    assert "contrast" in shown(analysis)
    assert "civil_code_584" in laws(analysis)


def test_you_cannot_decide_gets_retreat_to_advance(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, "要赔我两千，你做不了主就叫能做主的来。")
    assert "retreat_to_advance" in shown(analysis)


def test_a_deadlock_over_the_sum_brings_in_the_superior(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, "你们说的补偿我不同意，要赔一千五，少一分都不行，叫你们领导来。")
    assert "negotiation_deadlock" in [hint.code for hint in analysis.scenarios]
    assert "team_relay" in shown(analysis)


def test_a_sum_in_chinese_numerals_is_a_compensation_demand(analyzer: Analyzer) -> None:
    assert "high_compensation" in advise(analyzer, "信号断了一周，赔我五千。").demand_codes


# 3. A situation named in the customer's words brings its own first method.


def test_a_case_named_in_the_words_outranks_those_drawn_from_the_labels(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, "手机掉了打热线挂失没成功，被别人打了300块，你们得赔我，还要精神损失费，叫你们经理来！")
    codes = [hint.code for hint in analysis.scenarios]
    assert "loss_report_failed" in codes
    assert codes.index("loss_report_failed") < codes.index("unreasonable_demand")


@pytest.mark.parametrize(
    ("text", "strategy"),
    [
        ("我才晚了半天没交钱，你们直接把我号码停机了。", "sincere_praise"),
        ("之前那份协议我是没搞清楚就签了，现在觉得补偿不够，要再加钱。", "sandwich"),
        ("上回给我的补偿太少了，我邻居一样的事赔了八百。", "sandwich"),
        ("把你们的内部规定拿出来给我看，再出一份书面证明给我。", "broken_record"),
        ("这个要求你们今天必须办到，否则我立刻去12315投诉。", "sincere_praise"),
        ("我只办了一个流量包，怎么扣了我两次钱，就是你们窗口的人给我办的。", "show_weakness"),
        ("我从来没点过什么软件，手机里的应用怎么就扣了我15块，退钱。", "manage_expectations"),
        ("这周我已经投诉了5次了，你们客服说话就是不客气。", "cold_handling"),
        ("你压根就没明白我的问题，怎么还说是信号的事？", "soft_overcomes_hard"),
    ],
)
def test_the_words_bring_the_prescribed_method_into_the_first_five(
    analyzer: Analyzer, text: str, strategy: str
) -> None:
    analysis = advise(analyzer, text)
    assert strategy in shown(analysis), (shown(analysis), [h.code for h in analysis.scenarios])


def test_someone_complaining_for_a_relative_is_told_what_an_agent_needs_whatever_the_matter(
    analyzer: Analyzer,
) -> None:
    analysis = advise(analyzer, "我替我爸来问问，他的号码这个月怎么多扣了二十块。")
    assert "proxy_complaint" in [hint.code for hint in analysis.scenarios]
    assert "civil_code_161_165" in laws(analysis)


def test_a_demand_for_a_manager_is_answered_by_the_team(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, "跟你说不清楚，叫你们经理出来处理。")
    assert "manager" in analysis.demand_codes
    assert "team_relay" in shown(analysis)


def test_a_threat_to_hurt_the_staff_puts_safety_first_and_cites_the_public_order_law(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, "你们再推来推去，信不信我揍你们！")
    assert shown(analysis)[0] == "safety_first"
    assert "public_security_26" in laws(analysis)
    assert "threats_to_staff" in [hint.code for hint in analysis.scenarios]


def test_calling_the_hotline_is_no_threat_to_the_staff(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, "我打你们客服电话打了十次都没人管，网速还是这么慢")
    assert "threats_to_staff" not in [hint.code for hint in analysis.scenarios]
    assert "public_security_26" not in laws(analysis)


def test_a_claim_for_compensation_after_an_outage_is_no_unreasonable_demand(analyzer: Analyzer) -> None:
    """The law answers an outage with a fee waiver for the time lost: asking to be compensated
    for it is not the over-claim that is first let pass unanswered."""
    analysis = advise(analyzer, "小区宽带断网三天了，要求赔偿。")
    assert "high_compensation" in analysis.demand_codes
    assert "unreasonable_demand" not in [hint.code for hint in analysis.scenarios]
    assert "fee_waiver" in [offer.remedy for offer in analysis.recommendations.may_offer]


def test_mental_damages_on_a_matter_of_money_are_an_unreasonable_demand(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, "多扣了我58元，你们得赔我500元精神损失费。")
    assert "unreasonable_demand" in [hint.code for hint in analysis.scenarios]


def test_a_double_refund_offered_once_its_facts_are_confirmed_is_not_also_refused_for_them(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, "上个月被乱扣了58元流量费，我要求双倍返还！")
    (offer,) = [o for o in analysis.recommendations.may_offer if o.remedy == "double_refund"]
    assert offer.requires  # what to confirm first is said with the offer...
    refusals = [r.note for r in analysis.recommendations.may_not_offer if r.demand == "double_refund"]
    assert not [note for note in refusals if "须先确认" in note]  # ...not as a refusal beside it
