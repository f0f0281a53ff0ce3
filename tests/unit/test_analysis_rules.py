"""The rules, one behaviour each, with examples and counter-examples (no model involved)."""

from __future__ import annotations

import pytest

from tousu.analysis import Analyzer
from tousu.analysis.results import Analysis


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="module")
def analyze(analyzer: Analyzer):  # type: ignore[no-untyped-def]
    def run(text: str, industry: str = "telecom") -> Analysis:
        return analyzer.analyze(text, industry=industry)

    return run


def signal_codes(analysis: Analysis) -> set[str]:
    return {s.code for s in analysis.signals}


# --- negation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "demand"),
    [
        ("我不是要赔偿，就想要个说法", "high_compensation"),
        ("我不会曝光你们，只要把多扣的钱退回来", "media_threat"),  # a promise; 不想 is a veiled threat
        ("赔偿就不用了，给我道个歉", "high_compensation"),
        ("我不需要你们道歉，把钱退了", "apology"),
        ("我不会去网上发什么，只是账单确实不对", "media_threat"),
        ("我不是要找你们领导，就想知道话费为什么多了", "manager"),
    ],
)
def test_negated_demands_are_not_given(analyze, text: str, demand: str) -> None:  # type: ignore[no-untyped-def]
    assert demand not in analyze(text).demand_codes


@pytest.mark.parametrize(
    ("text", "demand"),
    [
        ("我要曝光你们", "media_threat"),
        ("不给我退钱我就去媒体曝光", "media_threat"),
        ("别逼我去找记者", "media_threat"),
        ("我要求赔偿我的全部损失", "high_compensation"),
        ("不退款我就起诉你们", "regulator_threat"),
    ],
)
def test_asserted_demands_are_given(analyze, text: str, demand: str) -> None:  # type: ignore[no-untyped-def]
    assert demand in analyze(text).demand_codes


@pytest.mark.parametrize(
    ("text", "demand", "read"),
    [
        # A work order's template field says there is no claim.
        ("宽带月租与宣传不符 是否有赔偿要求：否 诉求：核实月租", "high_compensation", False),
        ("美甲后手指感染发炎，现在只想要回治疗的费用", "high_compensation", True),  # medical costs
        ("客户的副卡要求转为主卡办理不了，对此不认可", "fix", False),  # what cannot be done
    ],
)
def test_register_and_wording(analyze, text: str, demand: str, read: bool) -> None:  # type: ignore[no-untyped-def]
    assert (demand in analyze(text, "retail").demand_codes) is read


def test_negation_evidence_is_kept_and_marked(analyze) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze("我不是要赔偿，就想要个说法")
    assert "high_compensation" not in analysis.demand_codes
    assert [d.code for d in analysis.demands] == ["explanation"]


# --- threats ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "再不解决就去工信部投诉你们",
        "不给我恢复的话，我就打12300",
        "我已经打了12315，你们看着办",
        "我不想闹到工信部去，大家都麻烦，只想把钱退了",
        "如果下周一前不恢复，我会向法院起诉",
        "唔退錢我就去消委會",
        "再不改善，我就去NCC檢舉",
        "你们分公司处理不了，我就找省公司",
    ],
)
def test_conditional_done_and_veiled_regulator_threats_count(analyze, text: str) -> None:  # type: ignore[no-untyped-def]
    assert "regulator_threat" in analyze(text).demand_codes


@pytest.mark.parametrize(
    "text",
    [
        "工信部早就规定过这种条款不能用，请给我书面说明",
        "听同事说他投诉到工信部等了一个月，我这个事不复杂，帮我退订就行",
        "物价部门核定的收费项目里根本没有这一项",
        "我在电视上看到过记者报道有人被乱开业务，查了一下我也有",
    ],
)
def test_cited_rules_reports_and_others_experience_are_no_threat(analyze, text: str) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze(text)
    assert "regulator_threat" not in analysis.demand_codes
    assert "media_threat" not in analysis.demand_codes


def test_posting_online_is_a_media_threat(analyze) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze("今天不给赔，我就在微博上把你们快递公司挂出来")
    assert "media_threat" in analysis.demand_codes
    assert "media" in signal_codes(analysis)


def test_litigation_is_a_regulator_threat_and_its_own_signal(analyze) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze("三天内不退，我就告到法院")
    assert "regulator_threat" in analysis.demand_codes
    assert "litigation" in signal_codes(analysis)


# --- speakers -----------------------------------------------------------------------------


def test_labels_come_from_the_customer_not_the_agent(analyze) -> None:  # type: ignore[no-untyped-def]
    text = "客户：我的话费多扣了50元，帮我查一下。\n客服：非常抱歉，您也可以向12315反映，我们向您道歉。\n客户：好的。"
    analysis = analyze(text)
    assert analysis.dialogue
    assert "regulator_threat" not in analysis.demand_codes
    assert "apology" not in analysis.demand_codes
    assert analysis.category.code == "billing"


def test_the_customer_turn_in_a_dialogue_counts(analyze) -> None:  # type: ignore[no-untyped-def]
    text = "营业员：您好，请问有什么可以帮您？\n顾客：你们这个店员说“买不起就别试”，今天不道歉我就发到小红书上。"
    analysis = analyze(text, industry="retail")
    assert {"apology", "media_threat"} <= set(analysis.demand_codes)
    assert analysis.category.code == "service"


# --- categories ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("这个月话费咋扣了三百多？平时也就五六十", "billing"),
        ("莫名其妙多了个视频彩铃，每月扣5块，我没订过", "vas"),
        ("套餐到期自动续了个贵的，给我改回原来的套餐", "plan"),
        ("宽带天天掉线，报修了三回都没修好", "network"),
        ("钱都交了一天了还是停机状态，赶紧给我开机", "suspension"),
        ("冲话费冲错号码了，就差一位数，能帮我追回来吗", "recharge"),
        ("广告说充100送100，充完了送的一分没到，虚假宣传", "marketing"),
        ("合约机开机就卡，还自动重启，怀疑是翻新机", "product"),
        ("营业厅那个小姑娘态度太差了，问两句就不耐烦", "service"),
        ("想注销副卡，非要本人带身份证去营业厅", "account"),
        ("天天接到推销电话，一天十几个，是不是你们把我信息卖了", "security"),
        ("积分说清零就清零，攒了好几年，一个通知都没有", "points"),
        ("快递显示签收了但我根本没收到，快递员电话也不接", "delivery"),
        ("你们营业厅晚上音响太吵了，楼上住户没法睡觉", "other"),
    ],
)
def test_category_follows_the_matter(analyze, text: str, category: str) -> None:  # type: ignore[no-untyped-def]
    assert analyze(text).category.code == category


def test_traditional_chinese_is_understood(analyze) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze("我的帳單每個月都有一筆「加值服務費」，我從來沒有訂過！馬上幫我停掉，已經扣的全部退回來")
    assert analysis.category.code == "vas"
    assert {"cancel", "refund"} <= set(analysis.demand_codes)
    assert "帳單" in [e.text for e in analysis.category.evidence] or analysis.category.evidence


def test_retail_industry_uses_its_own_category_names(analyze) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze("超市结账多收了我20块，小票上同一样东西扫了两次", industry="retail")
    assert analysis.category.code == "billing"
    assert analysis.category.name == "收银/价格争议"


def test_text_about_nothing_known_is_other(analyze) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze("我要找你们领导，别的不用说了")
    assert analysis.category.code == "other"
    assert analysis.demand_codes == ("manager",)


# --- demands ----------------------------------------------------------------------------------


def test_bare_request_to_check_is_no_demand(analyze) -> None:  # type: ignore[no-untyped-def]
    assert analyze("麻烦帮我查一下这个月的流量").demand_codes == ()


def test_double_refund_is_not_also_a_refund(analyze) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze("系统出错多扣了我50块，这50块必须双倍返还")
    assert "double_refund" in analysis.demand_codes
    assert "refund" not in analysis.demand_codes


def test_lump_sum_of_named_items_adds_no_high_compensation(analyze) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze("再赔我精神损失费、误工费、交通费，一共1500元，少一分都不行")
    assert {"mental_damages", "transport_lost_wages"} <= set(analysis.demand_codes)
    assert "high_compensation" not in analysis.demand_codes


def test_multiples_are_high_compensation(analyze) -> None:  # type: ignore[no-untyped-def]
    assert "high_compensation" in analyze("这就是欺诈，按规定退一赔三").demand_codes


def test_price_of_a_lost_parcel_is_a_refund(analyze) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze("快递把我的包裹弄丢了，里面是八百块的耳机，明天不赔我就投诉", industry="retail")
    assert analysis.category.code == "delivery"
    assert "refund" in analysis.demand_codes
    assert "high_compensation" not in analysis.demand_codes


def test_staff_apology_already_given_is_no_demand(analyze) -> None:  # type: ignore[no-untyped-def]
    assert "apology" not in analyze("工作人员已经向我道歉了，但问题还是没解决，请尽快修好宽带").demand_codes


def test_asking_for_a_manager(analyze) -> None:  # type: ignore[no-untyped-def]
    assert "manager" in analyze("你解决不了就把你们经理叫来").demand_codes
    assert "manager" not in analyze("希望你们店长管一管，别再这样了").demand_codes


def test_unfair_terms_only_when_called_unfair(analyze) -> None:  # type: ignore[no-untyped-def]
    assert "unfair_terms" in analyze("这种违约条款就是霸王条款，我要求免违约金解约").demand_codes
    assert "unfair_terms" not in analyze("卡面上的有效期印得那么小谁看得见").demand_codes


# --- emotion ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("请问怎么查询本月的流量使用情况？谢谢", "calm"),
        ("麻烦帮我把多扣的那128退回来就行", "calm"),
        ("这个月话费莫名其妙多了八十，我不认可，要求退还", "upset"),
        ("你们这些骗子，又乱扣我月租！赶紧退钱！", "angry"),
        ("再不解决我就去工信部投诉你们", "angry"),
        ("我不想闹到工信部去，只要求把多收的流量费退给我", "upset"),
    ],
)
def test_emotion(analyze, text: str, emotion: str) -> None:  # type: ignore[no-untyped-def]
    assert analyze(text).emotion.code == emotion


# --- urgency signals and escalation risk ----------------------------------------------------


def test_group_incident_violence_and_vip_claims(analyze) -> None:  # type: ignore[no-untyped-def]
    assert "group_incident" in signal_codes(analyze("我们整栋楼二十多户明天一起去营业厅拉横幅"))
    assert "violence" in signal_codes(analyze("明天不赔，我就去网点找他，看我不收拾他，打死他"))
    assert "vip_claim" in signal_codes(analyze("我是全球通金卡客户，马上给我开机"))
    assert signal_codes(analyze("请问宽带什么时候能修好")) == set()


@pytest.mark.parametrize(
    "text",
    [
        "很多用户都反映这个小区晚上信号差",
        "大家都遇到这个问题，你们什么时候修好",
        "整栋楼都没信号，其他用户也一样",
        "业主们都说宽带晚上很慢，麻烦安排人看看",
        "大家都是老用户了，这个问题请尽快处理",
        "在直播间买的面霜，主播说买一送一，到手只有一瓶",
    ],
)
def test_many_people_with_the_same_problem_are_no_group_incident(analyze, text: str) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze(text)
    assert "group_incident" not in signal_codes(analysis)
    assert not [hint.code for hint in analysis.scenarios if hint.code.startswith("group_")]


@pytest.mark.parametrize(
    "text",
    [
        "我们楼十几户已经约好了，明天上午一起去营业厅，不给个说法就不走",
        "再不拆走，我们全楼的人一起去你们公司门口坐着",
        "复不了机，我带着我们车队的兄弟们来你们营业厅坐着",
        "我们十几户业主已经联名写信了",
        "今天不退我就天天来你们店门口直播",
    ],
)
def test_people_acting_together_are_a_group_incident(analyze, text: str) -> None:  # type: ignore[no-untyped-def]
    assert "group_incident" in signal_codes(analyze(text))


def test_threats_raise_the_escalation_risk(analyze) -> None:  # type: ignore[no-untyped-def]
    calm = analyze("请问宽带什么时候能修好？")
    threat = analyze("今天不修好，我就找电视台曝光，还要去工信部投诉！！")
    assert calm.escalation_risk.level == "low"
    assert threat.escalation_risk.level == "high"
    assert {r.factor for r in threat.escalation_risk.reasons} >= {"media", "regulator"}


# --- a work-order template's yes/no questions ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "客户反映家里宽带断网两天，是否越级投诉：否，是否有媒体曝光风险：否，请处理",
        "用户来电反映信号差，是否有升级意向: 无，是否重复投诉：否，是否报警：否",
        "客户反映家里宽带断网两天，是否越级投诉：，请处理",  # unanswered: says nothing
        "客户反映家里宽带断网两天。越级投诉：否，媒体曝光：无，重复投诉次数：0",  # fields without 是否
    ],
)
def test_a_question_answered_no_or_not_at_all_is_no_threat(analyze, text: str) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze(text)
    assert not signal_codes(analysis) & {"media", "regulator"}
    assert not {r.factor for r in analysis.escalation_risk.reasons} & {"media", "regulator", "repeat_text"}


def test_a_field_is_one_only_with_a_whole_answer(analyze) -> None:  # type: ignore[no-untyped-def]
    # 无论如何 begins what the customer said, not the answer 无 to a field 客户要求赔偿.
    analysis = analyze("宽带断了一周，客户要求赔偿：无论如何今天给个答复")
    assert "high_compensation" in analysis.demand_codes


def test_a_question_answered_yes_counts(analyze) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze("用户反映月租多扣，是否有升级意向：是，是否有赔偿要求：是，是否重复投诉：是")
    assert {"regulator_threat", "high_compensation"} <= set(analysis.demand_codes)
    assert "repeat_text" in {r.factor for r in analysis.escalation_risk.reasons}


def test_a_question_answered_no_names_no_scene_no_demand_and_no_anger(analyze) -> None:  # type: ignore[no-untyped-def]
    said = analyze("用户反映宽带断网，用户情绪激动，要求道歉，几十户集体投诉")
    assert said.emotion.code == "angry" and "apology" in said.demand_codes
    assert "group_incident" in signal_codes(said)
    asked = analyze("用户反映宽带断网，是否情绪激动：否，是否要求道歉：否，是否集体投诉：否")
    assert asked.emotion.code != "angry" and "apology" not in asked.demand_codes
    assert "group_incident" not in signal_codes(asked)
    assert not {hint.code for hint in asked.scenarios} & {hint.code for hint in said.scenarios}
    # What the question is about still tells the category.
    assert asked.category.code == said.category.code == "network"
