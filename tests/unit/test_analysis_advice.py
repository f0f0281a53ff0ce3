"""The advice agrees with the settlement rules and fits the complaint it is given for.

What may be offered, refused and cited comes from the knowledge base's applicability rules (laws.yaml
`remedies`, each script's and playbook line's `fits`); these tests hold the advice to them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tousu.analysis import Analyzer, PastComplaint
from tousu.analysis.results import Analysis
from tousu.domain.remedies import Fact, Item, SettlementType, check_items
from tousu.knowledge import load_knowledge_base

AGENT = {"max_refund": 50, "max_compensation": 0, "max_gift": 20, "monthly_gift_quota": 1000}
BASE_STATION_DOWN = "你们基站故障，我家这边没信号已经两天了，打电话都打不出去，这个月的月租费你们得给我减免！"
BROADBAND_DOWN = "我家宽带断网5天了，报修了也没人来修，耽误我在家办公，你们必须给个说法。"
OUTAGE_DOUBLE = "宽带断了一个星期，你们必须双倍返还这个月的宽带费！"
RUDE_STAFF = "你们营业厅那个营业员态度太差了，我问了两句就不耐烦，还翻白眼，我要投诉她，让她给我道歉！"
DOUBLE_MENTAL_MEDIA = "你们乱扣我88元，必须双倍返还，再赔我精神损失费，不然我就找记者曝光你们！"
REGULATOR = "乱扣我话费也不给解释，你们再不处理我就去工信部投诉！"
MEDIA = "乱扣我话费也不给解释，你们再不处理我就找电视台曝光！"
LOST_WAGES = "你们的宽带坏了三天，我请假在家等维修，误工费200元你们得赔，还要赔精神损失！"
CANCEL = "你们的服务越来越差，我要销号，不用了。"
RESTAURANT = "你们店的菜里吃出了头发，服务员态度还很差，我要求你们给我道歉！"
# Complaints of several categories, for the properties every piece of advice must have.
SAMPLES = (
    BASE_STATION_DOWN,
    BROADBAND_DOWN,
    OUTAGE_DOUBLE,
    RUDE_STAFF,
    DOUBLE_MENTAL_MEDIA,
    REGULATOR,
    LOST_WAGES,
    "这个月话费多扣了我三十块，要求退还，不退就双倍返还！",
    "欠费停机了，我已经补缴了，两天了还没给我复机，停机期间的月租要退给我。",
    "充值充错号码了，100元，帮我追回来。",
    "手机刚买三天就黑屏了，要求退货，再赔我误工费。",
)
BILLING_WORDS = ("扣", "话费", "10086", "第三方软件", "消费提醒")


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def advise(analyzer: Analyzer, text: str, **kw: object) -> Analysis:
    return analyzer.analyze(text, role="agent", authority=AGENT, **kw)  # type: ignore[arg-type]


def scripts(analysis: Analysis, strategy: str | None = None) -> list[str]:
    return [
        line
        for advice in analysis.recommendations.strategies
        if strategy is None or advice.code == strategy
        for line in advice.scripts
    ]


def offered_text(analysis: Analysis) -> str:
    return " ".join(offer.note for offer in analysis.recommendations.may_offer)


# 1. Outages: the fee reduction the telecom regulations give, never a refund or double refund.


@pytest.mark.parametrize("text", [BASE_STATION_DOWN, OUTAGE_DOUBLE])
def test_an_outage_is_offered_the_fee_reduction_not_a_refund(analyzer: Analyzer, text: str) -> None:
    analysis = advise(analyzer, text)
    assert analysis.category.code == "network"
    remedies = {offer.remedy for offer in analysis.recommendations.may_offer}
    assert SettlementType.FEE_WAIVER.value in remedies
    assert remedies.isdisjoint({SettlementType.REFUND.value, SettlementType.DOUBLE_REFUND.value})
    assert "双倍返还" not in offered_text(analysis)


def test_an_outage_cites_the_outage_rules_first_and_no_refund_promise(analyzer: Analyzer) -> None:
    laws = [basis.code for basis in advise(analyzer, BASE_STATION_DOWN).recommendations.legal_basis]
    assert laws[0] in {"telecom_reg_32", "telecom_reg_35"}
    assert {"policy_double_refund", "telecom_reg_39", "telecom_reg_34"}.isdisjoint(laws)


def test_a_double_refund_asked_for_an_outage_is_refused_with_the_settlement_rules_reason(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, OUTAGE_DOUBLE)
    rule = load_knowledge_base().remedies[SettlementType.DOUBLE_REFUND]
    refusals = [r.note for r in analysis.recommendations.may_not_offer if r.demand == "double_refund"]
    assert refusals and rule.excluded["network"] in refusals[0]


def test_compensation_for_an_outage_waits_for_the_outage_and_the_loss_not_only_a_late_installation(
    analyzer: Analyzer,
) -> None:
    analysis = advise(analyzer, "家里宽带断了三天，一直没人来修，耽误我在家办公，要求赔偿损失。")
    notes = [r.note for r in analysis.recommendations.may_not_offer if r.demand == "high_compensation"]
    assert notes and "服务中断或障碍" in notes[0] and "实际损失" in notes[0]
    assert "不可承诺" in notes[0]
    assert notes[0].count("发生人身损害") == 1  # the facts once, with every law that asks for them


@pytest.mark.parametrize("text", [BASE_STATION_DOWN, BROADBAND_DOWN])
def test_no_arrears_reconnection_on_an_outage(analyzer: Analyzer, text: str) -> None:
    recommendations = advise(analyzer, text).recommendations
    said = json.dumps(recommendations.to_dict(), ensure_ascii=False)
    assert "复机" not in said and "欠费" not in said
    assert "telecom_reg_34" not in [basis.code for basis in recommendations.legal_basis]


@pytest.mark.parametrize("text", SAMPLES)
def test_nothing_is_offered_that_a_settlement_would_refuse(analyzer: Analyzer, text: str) -> None:
    analysis = advise(analyzer, text)
    rules = load_knowledge_base().remedies
    for offer in analysis.recommendations.may_offer:
        if not offer.remedy:
            continue
        remedy = SettlementType(offer.remedy)
        candidates = [basis.code for basis in rules[remedy].bases] or [None]
        verdicts = [
            check_items([Item(remedy, 1.0, code)], category=analysis.category.code, facts=set(Fact), rules=rules)
            for code in candidates
        ]
        assert any(not any(f.refused for f in findings) for findings in verdicts), (text, offer.note)


# 2. Refusals under their own heading; limits only for what can be given; amounts as people write them.


def test_a_refusal_is_never_listed_as_something_to_offer(analyzer: Analyzer) -> None:
    recommendations = advise(analyzer, DOUBLE_MENTAL_MEDIA).recommendations
    assert not any("不予支持" in o.note or "精神损害赔偿" in o.note for o in recommendations.may_offer)
    mental = [r.note for r in recommendations.may_not_offer if r.demand == "mental_damages"]
    assert mental and "财产纠纷不适用" in mental[0]


@pytest.mark.parametrize("text", SAMPLES)
def test_limits_belong_to_money_offers_and_are_said_once(analyzer: Analyzer, text: str) -> None:
    for offer in advise(analyzer, text).recommendations.may_offer:
        assert (offer.limit_yuan is None) == (offer.kind == "action")
        assert "本岗位" not in offer.note and "审批" not in offer.note


def test_amounts_are_whole_numbers_when_they_are_whole(analyzer: Analyzer) -> None:
    offers = advise(analyzer, DOUBLE_MENTAL_MEDIA).to_dict()["recommendations"]["may_offer"]
    money = [offer for offer in offers if offer["limit_yuan"] is not None]
    assert money and all(isinstance(offer["limit_yuan"], int) for offer in money)
    assert ".0" not in json.dumps(money)


# 3. Scripts fit the complaint's category, industry, demands and what is known of the customer.


def test_a_rude_staff_complaint_gets_no_billing_restaurant_or_points_script(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, RUDE_STAFF)
    assert analysis.category.code == "service"
    lines = scripts(analysis)
    assert lines
    for word in (*BILLING_WORDS, "菜", "甜品", "积分"):
        assert not any(word in line for line in lines), word


@pytest.mark.parametrize("text", [BASE_STATION_DOWN, BROADBAND_DOWN, LOST_WAGES])
def test_billing_wording_only_for_billing_complaints(analyzer: Analyzer, text: str) -> None:
    analysis = advise(analyzer, text)
    assert analysis.category.code == "network"
    for word in (*BILLING_WORDS, "关闭"):
        assert not any(word in line for line in scripts(analysis)), word


def test_a_first_time_caller_is_not_called_an_old_customer(analyzer: Analyzer) -> None:
    first_time = advise(analyzer, CANCEL)
    assert "make_valued" in {s.code for s in first_time.recommendations.strategies}
    assert not any("老客户" in line or "一直这么支持" in line for line in scripts(first_time))
    earlier = [PastComplaint(datetime(2025, 3, 1, tzinfo=UTC), "network", closed=True)]
    known = advise(analyzer, CANCEL, history=earlier, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert any("老客户" in line for line in scripts(known, "make_valued"))


def test_purpose_guiding_speaks_of_the_threat_actually_made(analyzer: Analyzer) -> None:
    regulator = advise(analyzer, REGULATOR)
    media = advise(analyzer, MEDIA)
    assert scripts(regulator, "purpose_guiding") and scripts(media, "purpose_guiding")
    assert not any("记者" in line or "媒体" in line for line in scripts(regulator, "purpose_guiding"))
    assert any("记者" in line for line in scripts(media, "purpose_guiding"))


def test_hinting_does_not_speak_of_courts_on_a_media_threat(analyzer: Analyzer) -> None:
    lines = scripts(advise(analyzer, MEDIA), "hinting")
    assert lines and not any("法院" in line or "诉讼" in line for line in lines)


def test_scripts_of_one_industry_are_not_given_in_another(analyzer: Analyzer) -> None:
    shop = analyzer.analyze(RESTAURANT, industry="retail")
    telecom = advise(analyzer, RUDE_STAFF)
    assert not any(word in line for line in scripts(shop) for word in ("话费", "10086", "电信条例"))
    assert not any(word in line for line in scripts(telecom) for word in ("菜", "甜品", "本店"))


def test_the_telecom_regulations_are_no_basis_for_a_shop(analyzer: Analyzer) -> None:
    """Laws that bind one industry (industries in laws.yaml) are cited, offered or refused on
    in that industry only."""
    telecom_only = {law.id for law in analyzer.kb.laws.values() if law.industries == ["telecom"]}
    assert telecom_only
    text = "在你们店买的面包过期了，吃完拉肚子，要求退款并赔偿医药费，不赔我就去12315投诉。"
    shop = advise(analyzer, text, industry="retail").recommendations
    assert shop.legal_basis and not {basis.code for basis in shop.legal_basis} & telecom_only
    said = [offer.note for offer in shop.may_offer] + [refusal.note for refusal in shop.may_not_offer]
    assert not [line for line in said if "电信条例" in line or "申诉处理办法" in line]
    outage = advise(analyzer, "小区宽带断网三天了，要求赔偿。").recommendations
    assert {basis.code for basis in outage.legal_basis} & telecom_only


def test_a_lost_wages_demand_is_not_told_about_a_charge(analyzer: Analyzer) -> None:
    lines = scripts(advise(analyzer, LOST_WAGES))
    assert not any("扣费" in line or "这笔" in line for line in lines)


# 4. Every strategy the doctrine prescribes, and no promise before anything is verified.


def test_a_customer_pressing_money_demands_with_a_media_threat_gets_the_whole_doctrine(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, DOUBLE_MENTAL_MEDIA)
    codes = [s.code for s in analysis.recommendations.strategies]
    assert {"broken_record", "direct_refusal", "change_topic", "hinting", "purpose_guiding"} <= set(codes)
    assert len(codes) == len(set(codes))


def test_direct_refusal_promises_nothing_unverified_and_answers_only_what_was_asked(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, DOUBLE_MENTAL_MEDIA)
    refusal = scripts(analysis, "direct_refusal")
    assert refusal and not any("如数补偿" in line for line in refusal)
    assert not any("误工费" in line or "交通费" in line for line in scripts(analysis))


INJURY_FALL = "你们超市地上有水也没放警示牌，我摔伤了住院一周，要求赔偿精神损失！"
INJURY_ALLERGY = "在你们店买的面霜用了两天脸就过敏了，去医院花了300多，医药费要赔，精神损失费也要赔！"
NOT_HURT = "你们超市地上有水也没放警示牌，我差点滑倒，还好没受伤，但你们得赔我精神损失费！"
OUT_OF_SCOPE = "不在精神赔偿的范围"


@pytest.mark.parametrize("text", [INJURY_FALL, INJURY_ALLERGY])
def test_mental_damages_for_an_injury_are_examined_not_refused_out_of_hand(analyzer: Analyzer, text: str) -> None:
    analysis = advise(analyzer, text, industry="retail")
    assert "mental_damages" in analysis.demand_codes
    lines = scripts(analysis)
    assert not [line for line in lines if OUT_OF_SCOPE in line]
    assert "direct_refusal" not in {s.code for s in analysis.recommendations.strategies}
    assert "unreasonable_demand" not in [hint.code for hint in analysis.scenarios]
    assert any("伤情" in line for line in lines)  # to be examined on the facts
    assert not any(OUT_OF_SCOPE in r.note or "不适用" in r.note for r in analysis.recommendations.may_not_offer)


@pytest.mark.parametrize(("text", "industry"), [(DOUBLE_MENTAL_MEDIA, "telecom"), (NOT_HURT, "retail")])
def test_mental_damages_without_harm_to_the_person_are_still_refused(
    analyzer: Analyzer, text: str, industry: str
) -> None:
    analysis = advise(analyzer, text, industry=industry)
    assert [line for line in scripts(analysis, "direct_refusal") if OUT_OF_SCOPE in line]


def test_every_legal_basis_carries_its_summary(analyzer: Analyzer) -> None:
    laws = advise(analyzer, DOUBLE_MENTAL_MEDIA).recommendations.legal_basis
    assert {"civil_code_1183", "policy_double_refund", "civil_code_1024_1025"} <= {law.code for law in laws}
    assert all(law.summary for law in laws)


# 5. Phrases never to say, listed without doubled punctuation.


@pytest.mark.parametrize("text", [REGULATOR, DOUBLE_MENTAL_MEDIA, RUDE_STAFF])
def test_phrases_to_avoid_end_without_punctuation_and_do_not_repeat(analyzer: Analyzer, text: str) -> None:
    phrases = advise(analyzer, text).recommendations.avoid_phrases
    assert phrases
    assert not any(phrase[-1] in "。.！!？?，,、" for phrase in phrases)
    assert not any(a != b and a in b for a in phrases for b in phrases)


# 6. A line that says something happened only where it is the matter; the channel decides
#    what can be offered in person.

GROUP_SLOW = "我们小区很多用户都反映宽带晚上特别慢，希望你们尽快处理一下。"
GROUP_AT_THE_DOOR = "宽带一个星期没修好，我们小区十几户约好了明天一起去你们营业厅，不给说法就不走。"
THREAT_TO_STAFF = "你们再推来推去，信不信我揍你们！"
WORKPLACE_MEDIA = "我在市税务局上班，你们乱扣我话费，不退钱我就找记者曝光。"
CALM_REPAIR = "你好，我上周买的手机屏幕有点闪，请问可以帮忙修一下吗？"
DOUBLE_CHARGED = "我只办了一个流量包，怎么扣了我两次钱，就是你们窗口的人给我办的。"
POLICE_CALLED = "报了110"
ADMISSIONS = ("确实是我们做得不到位", "是我们没做好", "确实是我的失误", "确实没做到位")
IN_PERSON = ("喝杯水", "接待室", "休息区", "到里面坐")


def test_the_police_are_said_to_be_called_only_where_violence_in_the_hall_is_the_matter(analyzer: Analyzer) -> None:
    crowd = advise(analyzer, GROUP_AT_THE_DOOR)
    assert "safety_first" in {s.code for s in crowd.recommendations.strategies}  # a crowd: safety first, still
    for text in (GROUP_AT_THE_DOOR, GROUP_SLOW, MEDIA, RUDE_STAFF):
        assert not [line for line in scripts(advise(analyzer, text)) if POLICE_CALLED in line], text
    threatened = advise(analyzer, THREAT_TO_STAFF)
    assert "threats_to_staff" in [hint.code for hint in threatened.scenarios]
    assert any(POLICE_CALLED in line for line in scripts(threatened, "safety_first"))


def test_a_calm_report_that_many_users_share_a_fault_is_no_scene_to_secure(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, GROUP_SLOW)
    assert analysis.emotion.code != "angry"
    strategies = analysis.recommendations.strategies
    assert "safety_first" not in {s.code for s in strategies}
    assert not (strategies and strategies[0].first_step and strategies[0].code == "safety_first")


def test_a_line_about_the_customers_workplace_needs_the_customer_to_have_named_it(analyzer: Analyzer) -> None:
    assert not [line for line in scripts(advise(analyzer, MEDIA)) if "贵单位" in line]
    named = advise(analyzer, WORKPLACE_MEDIA)
    assert "workplace_named" in [hint.code for hint in named.profile_hints]
    assert any("贵单位" in line for line in scripts(named, "relationship_reference"))


def test_a_calm_customer_gets_neither_the_mood_first_step_nor_an_admission_of_fault(analyzer: Analyzer) -> None:
    calm = advise(analyzer, CALM_REPAIR)
    assert calm.emotion.code == "calm" and calm.recommendations.strategies
    assert "mood_first" not in {s.code for s in calm.recommendations.strategies}
    lines = scripts(calm)
    for words in (*ADMISSIONS, "换成是我也会着急", "请您息怒"):
        assert not [line for line in lines if words in line], words
    angry = advise(analyzer, DOUBLE_MENTAL_MEDIA)
    assert angry.recommendations.strategies[0].code == "mood_first"


@pytest.mark.parametrize("text", SAMPLES)
def test_no_fault_is_admitted_before_it_is_verified(analyzer: Analyzer, text: str) -> None:
    lines = scripts(advise(analyzer, text))
    assert not [line for line in lines if any(words in line for words in ADMISSIONS)]


def test_a_mistake_is_owned_up_to_where_the_records_show_it(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, DOUBLE_CHARGED)
    assert "new_staff_mistake" in [hint.code for hint in analysis.scenarios]
    owned = [line for line in scripts(analysis, "show_weakness") if "失误" in line or "多点了一次" in line]
    assert owned and all("查" in line for line in owned)  # said as what the check found


def test_a_seat_and_a_quieter_room_are_offered_only_face_to_face(analyzer: Analyzer) -> None:
    def in_person(channel: str | None) -> list[str]:
        lines = scripts(advise(analyzer, DOUBLE_MENTAL_MEDIA, channel=channel))
        assert lines
        return [line for line in lines if any(words in line for words in IN_PERSON)]

    assert in_person("hotline") == [] and in_person("web") == []
    assert in_person("hall") and in_person("visit") and in_person(None)


CROWD_THREAT = "再不给我退钱，我明天就带一帮人去你们营业厅堵门！"


@pytest.mark.parametrize("text", [CROWD_THREAT, THREAT_TO_STAFF])
@pytest.mark.parametrize("channel", ["hotline", "web"])
def test_a_threat_made_from_afar_is_handled_in_words_and_the_hall_warned(
    analyzer: Analyzer, text: str, channel: str
) -> None:
    analysis = advise(analyzer, text, channel=channel)
    assert {"group_incident", "violence"} & {s.code for s in analysis.signals}
    strategies = analysis.recommendations.strategies
    assert "safety_first" not in {s.code for s in strategies}  # no scene to secure in a call
    first = strategies[0]
    assert first.first_step and first.code == "forewarn_site"
    assert first.scripts
    lines = scripts(analysis)
    assert not [line for line in lines if POLICE_CALLED in line or any(words in line for words in IN_PERSON)]


@pytest.mark.parametrize("channel", ["hall", "visit", None])
def test_a_threat_in_the_hall_or_from_an_unknown_channel_puts_safety_first(
    analyzer: Analyzer, channel: str | None
) -> None:
    strategies = advise(analyzer, CROWD_THREAT, channel=channel).recommendations.strategies
    assert strategies[0].code == "safety_first" and strategies[0].first_step
    assert "forewarn_site" not in {s.code for s in strategies}


def test_an_unknown_channel_is_refused(analyzer: Analyzer) -> None:
    with pytest.raises(ValueError, match="channel"):
        advise(analyzer, DOUBLE_MENTAL_MEDIA, channel="pigeon")


# 7. A claim of fraud (退一赔三): the consumer law's 3× compensation is named with what must be
#    established first where it may apply, and refused with the settlement checker's reason where not.

FRAUD_PROMOTION = "营业员宣传说办这个套餐送一年宽带，结果宽带根本没给开，这就是欺诈，我要求退一赔三！"
FRAUD_PHONE = "你们卖给我的手机说是全新的，拆开一看是翻新机，假一赔三，少一分都不行！"
FRAUD_BILLING = "我的话费里连着三个月都多扣了20元，你们这是欺诈，我要按消法55条赔！"
FRAUD_LAW = "consumer_law_55"


def _fraud_outside(category: str) -> str:
    rules = load_knowledge_base().remedies
    item = Item(SettlementType.COMPENSATION, 0.0, FRAUD_LAW)
    [finding] = check_items([item], category=category, facts=(Fact.FRAUD,), rules=rules)
    assert finding.code == "basis_not_for_category"
    return finding.message


@pytest.mark.parametrize(("text", "industry"), [(FRAUD_PROMOTION, "telecom"), (FRAUD_PHONE, "retail")])
def test_a_fraud_claim_names_the_consumer_law_and_what_must_be_established_first(
    analyzer: Analyzer, text: str, industry: str
) -> None:
    analysis = advise(analyzer, text, industry=industry)
    assert analysis.category.code in {"marketing", "product", "plan"}
    assert "high_compensation" in analysis.demand_codes
    rec = analysis.recommendations
    assert rec.legal_basis[0].code == FRAUD_LAW
    [note] = [r.note for r in rec.may_not_offer if "经认定的欺诈" in r.note]
    assert "500元" in note and "认定前不可承诺" in note and "上报" in note
    assert "市场监管部门" in note  # who establishes it
    lines = [line for line in scripts(analysis) if "第55条" in line]
    assert lines and all("认定" in line for line in lines)
    assert not [line for line in scripts(analysis) if "三倍" in line and "赔给您" in line]


def test_a_fraud_claim_on_a_billing_error_is_told_why_the_law_does_not_apply(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, FRAUD_BILLING)
    assert analysis.category.code == "billing"
    assert "high_compensation" in analysis.demand_codes
    rec = analysis.recommendations
    assert FRAUD_LAW in {law.code for law in rec.legal_basis}
    assert _fraud_outside("billing") in [r.note for r in rec.may_not_offer]
    assert not [r for r in rec.may_not_offer if "经认定的欺诈" in r.note]  # the category, not the facts
    assert [line for line in scripts(analysis) if "第55条" in line and "不在这个范围" in line]
    no_fraud = advise(analyzer, "宽带断了三天，耽误我做生意，你们必须赔偿我的损失！")
    assert not [r for r in no_fraud.recommendations.may_not_offer if "退一赔三" in r.note]
    assert not [line for line in scripts(no_fraud) if "第55条" in line]


# 8. Scripts assert no time the complaint does not give, and promise none the agent cannot keep.

AGENT_SAYS_TODAY = "客服：您好，请问今天有什么可以帮您？\n客户：你们连续三个月每月扣我58元，我从来没订过这个，必须退给我，还要赔偿我的损失！"


def test_a_script_dates_the_charge_only_from_the_customers_words(analyzer: Analyzer) -> None:
    analysis = advise(analyzer, AGENT_SAYS_TODAY)
    lines = scripts(analysis)
    assert [line for line in lines if "58元" in line]
    assert not [line for line in lines if "今天" in line]
    dated = advise(analyzer, "我上个月被扣了58元，莫名其妙，必须退给我！")
    assert [line for line in scripts(dated) if "上个月" in line]


def test_no_script_promises_a_time_for_a_result_it_cannot_keep() -> None:
    kb = load_knowledge_base()
    texts = [script.text for strategy in kb.strategies.values() for script in strategy.fitted] + [
        line for playbook in kb.demands.values() for line in playbook.scripts
    ]
    for words in ("五分钟", "5分钟", "十分钟", "今天我一定", "今天就"):
        assert not [text for text in texts if words in text], words


# 9. A threat of tomorrow is no scene in the hall; a remote channel warns the hall instead.

BLOCKING_NOW = "你们不给我办，今天谁都别想办，我就堵在柜台这儿！"


@pytest.mark.parametrize("channel", ["hall", None])
def test_a_threat_of_tomorrow_is_not_answered_as_if_the_police_had_been_called(
    analyzer: Analyzer, channel: str | None
) -> None:
    analysis = advise(analyzer, CROWD_THREAT, channel=channel)
    assert "blocking_others" in [hint.code for hint in analysis.scenarios]
    assert analysis.recommendations.strategies[0].code == "safety_first"
    assert not [line for line in scripts(analysis) if POLICE_CALLED in line]
    now = advise(analyzer, BLOCKING_NOW, channel="hall")
    assert any(POLICE_CALLED in line for line in scripts(now, "safety_first"))


@pytest.mark.parametrize("channel", ["hotline", "web"])
def test_an_in_hall_scene_told_from_afar_lists_no_on_site_measure(analyzer: Analyzer, channel: str) -> None:
    analysis = advise(analyzer, CROWD_THREAT, channel=channel)
    rec = analysis.recommendations
    assert not [s for s in rec.strategies if "适用于“阻止其他客户办理业务”场景" in s.why]
    assert "public_security_26" not in {law.code for law in rec.legal_basis}  # the law 110 acts on
    first = rec.strategies[0]
    assert first.code == "forewarn_site" and "营业厅" in first.why


def test_the_recorded_category_leads_the_advice_and_an_unknown_one_is_refused(analyzer: Analyzer) -> None:
    text = "你们乱扣我88元，必须双倍返还，再赔我精神损失费，不然我就找记者曝光你们！"
    assert advise(analyzer, text).category.code == "billing"
    recorded = advise(analyzer, text, recorded_category="service")
    assert recorded.category.code == "service" and recorded.category.decided_by == "record"
    # 精神损失 on a billing dispute is refused as a property matter; recorded as service, it is not.
    assert any("财产纠纷" in r.note for r in advise(analyzer, text).recommendations.may_not_offer)
    assert not any("财产纠纷" in r.note for r in recorded.recommendations.may_not_offer)
    with pytest.raises(ValueError, match="category"):
        advise(analyzer, text, recorded_category="weather")


def test_a_promised_time_is_the_complaints_own_deadline_or_a_blank_never_a_default(analyzer: Analyzer) -> None:
    text = "你们营业员态度太差了，我要求书面答复和道歉！"
    unknown = [line for line in scripts(advise(analyzer, text)) if "【期限】" in line]
    assert unknown  # the agent fills it in, rather than promise 48小时 for a 24-hour complaint
    known = scripts(advise(analyzer, text, reply_within="24小时"))
    assert not any("【期限】" in line or "48小时" in line for line in known)
    assert sum("24小时" in line for line in known) == len(unknown)
