"""A few canonical examples per label, and single rules shown by one example each.

The analyzer's accuracy is measured on real complaints (tests/unit/test_analysis_real_text.py,
`make bench`), not here: these sentences were written by the team, so they show what each label
means and guard the rules against breaking, not how well the analyzer reads the public.
Category and emotion come from the model; demands and threats from the rules, with the model's
veto and additions (see tousu.analysis.classify).
"""

from __future__ import annotations

import re

import pytest

from tousu.analysis import BUNDLED_MODEL, Analyzer, load_model
from tousu.analysis.normalize import Normalizer, normalize_pattern


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    """As tousu serves it: the rules and the bundled model."""
    return Analyzer(model=load_model(BUNDLED_MODEL))


# (category, industry, text)
CATEGORY_EXAMPLES = [
    ("account", "telecom", "我的号码莫名被注销了，用了十年的号啊"),
    ("account", "telecom", "想把号码转到我儿子名下，要跑好几趟"),
    ("billing", "telecom", "这个月账单里多了一笔400块的服务费，我根本不知道是啥"),
    ("billing", "telecom", "国际长途费怎么这么贵，我就打了十分钟"),
    ("delivery", "telecom", "快递把我的东西送错地址了"),
    ("delivery", "telecom", "物流显示三天前就到了，我一直没收到"),
    ("marketing", "telecom", "办卡时说送的话费到现在一分没到"),
    ("marketing", "telecom", "广告说充100送100，充完了送的一分没到，虚假宣传"),
    ("network", "telecom", "住的地方4G时有时无，打电话经常断线"),
    ("network", "telecom", "家里5G信号一格，视频卡成PPT，打电话也老是断，花钱买罪受"),
    ("other", "telecom", "营业厅门口的空调外机一直滴水，路过都得绕着走，能不能处理一下"),
    ("other", "telecom", "你们营业厅晚上音响太吵了，楼上住户没法睡觉"),
    ("plan", "telecom", "我的套餐怎么被降成了最低档"),
    ("plan", "telecom", "合约还有半年，现在要解约得交一大笔违约金"),
    ("points", "telecom", "我的积分怎么少了一大半"),
    ("points", "telecom", "积分说清零就清零，攒了好几年，一个通知都没有，给我恢复"),
    ("product", "telecom", "手机用了一个月屏幕就出现黑斑"),
    ("product", "telecom", "刚买的路由器插上电没反应，是个坏的"),
    ("recharge", "telecom", "给我妈充的话费充到别人号上了，能不能撤回"),
    ("recharge", "telecom", "冲话费冲错号码了，就差一位数，能不能帮我追回来？才十分钟"),
    ("security", "telecom", "天天收到贷款短信，退订了还发"),
    ("security", "telecom", "有人冒用我的身份证办了手机卡，还欠了费"),
    ("service", "telecom", "打你们热线半小时没人接，好不容易接通了又被转来转去"),
    ("service", "telecom", "营业厅的人说话阴阳怪气的，我问个问题就嫌我烦"),
    ("suspension", "telecom", "我的号突然打不出去了，说是欠费停机，可我明明有余额"),
    ("suspension", "telecom", "欠费交了一天了还没复机"),
    ("vas", "telecom", "手机里啥时候开了个XX会员，连续包月扣了半年了，根本没用过，这不是坑人吗"),
    ("vas", "telecom", "话费里有个“游戏点券”扣了98，孩子玩游戏点的，这种代扣都不用验证码的吗"),
]

# (demand, industry, text)
DEMAND_EXAMPLES = [
    ("cancel", "telecom", "这个自动续费的功能我用不上，赶紧把这个业务关了"),
    ("cancel", "telecom", "网速一直上不去，再这样我就换别家的宽带了"),
    ("double_refund", "telecom", "彩铃是你们偷偷开的，扣过的钱双倍退我"),
    ("exchange", "retail", "新买的吹风机用三天就冒烟，换新！"),
    ("exchange", "retail", "The kettle 水壶 leaks from the bottom, please change a new one for me"),
    ("explanation", "telecom", "充进去的两百块钱跑哪去了，余额一点没变"),
    ("explanation", "telecom", "我的会员等级突然从钻石降到了普通，降级的依据是什么"),
    ("fix", "retail", "包裹在中转站趴了五天没动，帮忙催催派件"),
    ("fix", "telecom", "寄来的新卡信封是空的，要求补寄一张"),
    ("high_compensation", "retail", "快递压坏了样品，客户取消了订单，这笔生意损失要另行赔偿"),
    ("high_compensation", "telecom", "师傅修宽带时把我家地板砸了个坑，修地板的钱希望公司承担一下"),
    ("manager", "retail", "客服说了两句就挂我电话，让你们班长给我回个电话"),
    ("manager", "telecom", "我要你们经理亲自打给我"),
    ("media_threat", "retail", "三天不退款，我就在小红书上把聊天记录全发出来"),
    ("media_threat", "retail", "美容院不认原来的卡，不退钱我就发到业主群里"),
    ("refund", "telecom", "装机的时候没人说过要收调试费，这笔调试费我不会付"),
    ("refund", "telecom", "账单上多出一项六十块的服务费，我没用过，必须退"),
    ("regulator_threat", "retail", "门店一直推，明天我们几个会员一起去他们总部讨个说法"),
    ("regulator_threat", "retail", "尊敬的某某连锁集团公司：贵司门店关门后余额无人处理，请总部出面解决"),
    ("transport_lost_wages", "telecom", "等你们上门装机我请假扣了三百，你们看怎么办"),
    ("transport_lost_wages", "telecom", "为了补卡专门坐高铁回老家，来回的车票钱你们得给我报"),
    ("unfair_terms", "telecom", "试用期一过自动扣费还不通知，这不是霸王条款是什么"),
    ("unfair_terms", "telecom", "你哋呢條條款完全唔合理，我唔會俾錢"),
    ("unfair_terms", "telecom", "客户对达量限速有争议，认为这个规则不合理"),
]

# (demand that must not be read, industry, text)
NOT_DEMAND_EXAMPLES = [
    ("cancel", "telecom", "去年就拆了宽带，手里有拆机回执，可今年还在扣月租，钱要退给我"),
    ("explanation", "telecom", "师傅说主板进水是人为损坏，用户不接受这种说法，要求免费修"),
    ("explanation", "telecom", "不知为何每月多扣了十元，要求退还"),
    ("explanation", "retail", "店里说活动商品不管什么原因都不退，我要求退款"),
    ("fix", "telecom", "营业员帮我办的新套餐，第二个月就多扣了三十"),
    ("fix", "telecom", "王先生在营业厅办理了副卡，月底发现每张卡都收了月租"),  # 先生 is no 先
    ("fix", "telecom", "先后跑了三趟营业厅办理，月底发现每张卡都收了月租"),  # 先后 is no 先
    ("high_compensation", "retail", "药品快到期也不提醒，我不要你们赔什么，换一盒新的就行"),
    ("manager", "telecom", "请店长查一下当天的监控，他们确实答应过"),
    ("media_threat", "telecom", "办套餐的时候说送电视送宽带，结果什么都没送，我要退掉"),
    ("refund", "telecom", "骗子冒充客服打来，说要我下载个软件办退费，我没理他"),
    ("regulator_threat", "telecom", "我和装修公司在打官司，要用到去年的通话记录，请帮忙调出来"),
]

# (emotion, text)
EMOTION_EXAMPLES = [
    ("calm", "请问我的套餐还剩多少流量？"),
    ("calm", "你好，想咨询一下宽带怎么续费，谢谢"),
    ("upset", "说好48小时回复，现在都一周了，什么服务"),
    ("upset", "话费莫名其妙多了50，我不认可"),
    ("angry", "你们这群骗子！！！"),
    ("angry", "再不给我退钱我就去工信部告你们"),
    # Anger said outright is angry (the model alone read this one as upset); denied, it is not.
    ("angry", "用户对此非常气愤，要求退还多扣的话费"),
    ("angry", "客戶表示非常不滿，要求退還多扣的話費"),  # in traditional characters as well
    ("calm", "我一点都不气愤，就是想问问这笔钱怎么回事"),
]


@pytest.mark.parametrize(("category", "industry", "text"), CATEGORY_EXAMPLES)
def test_category(analyzer: Analyzer, category: str, industry: str, text: str) -> None:
    assert analyzer.analyze(text, industry=industry).category.code == category


@pytest.mark.parametrize(("demand", "industry", "text"), DEMAND_EXAMPLES)
def test_demand_read(analyzer: Analyzer, demand: str, industry: str, text: str) -> None:
    assert demand in analyzer.analyze(text, industry=industry).demand_codes


@pytest.mark.parametrize(("demand", "industry", "text"), NOT_DEMAND_EXAMPLES)
def test_demand_not_read(analyzer: Analyzer, demand: str, industry: str, text: str) -> None:
    assert demand not in analyzer.analyze(text, industry=industry).demand_codes


@pytest.mark.parametrize(("emotion", "text"), EMOTION_EXAMPLES)
def test_emotion(analyzer: Analyzer, emotion: str, text: str) -> None:
    assert analyzer.analyze(text).emotion.code == emotion


# --- single rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # The agent speaks first and politely: A is the agent.
        "A：您好，这里是客服中心，请问有什么可以帮您？\nB：我宽带断了三天了，赶紧派人来修！",
        # The customer speaks first: B is the agent.
        "A：喂，我要投诉，你们又乱扣我话费\nB：先生您好，非常抱歉，我帮您查一下\nA：别查了，先退钱",
    ],
)
def test_a_lettered_dialogue_keeps_the_agent_out_of_the_demands(analyzer: Analyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert result.dialogue
    assert "explanation" not in result.demand_codes


def test_the_other_side_of_a_chat_is_the_agent(analyzer: Analyzer) -> None:
    """In a 我/对方 chat, 对方 is the business: its requests are not the customer's demands."""
    text = "我：充的话费一天了还没到账\n对方：亲，请提供一下支付截图，我们给您说明原因\n我：截图发了，赶紧给我到账"
    result = analyzer.analyze(text)
    assert result.dialogue
    assert "explanation" not in result.demand_codes
    assert "fix" in result.demand_codes


def test_a_space_separates_clauses_in_unpunctuated_messages(analyzer: Analyzer) -> None:
    # "不用了" belongs to the clause before the space; it does not negate 解约.
    assert "cancel" in analyzer.analyze("这套餐我不用了 给我解约").demand_codes
    assert "cancel" not in analyzer.analyze("解约就不用了，把多扣的钱退我").demand_codes


def test_a_court_as_a_parcel_destination_is_no_threat(analyzer: Analyzer) -> None:
    text = "寄到法院的证据材料被快递弄丢了，我要求赔偿损失"
    assert "regulator_threat" not in analyzer.analyze(text, industry="retail").demand_codes


def test_a_digit_keyword_keeps_to_number_boundaries(analyzer: Analyzer) -> None:
    evidence = [
        e.text for e in analyzer.analyze("在你们超市买的200元购物卡，余额只剩20了", industry="retail").category.evidence
    ]
    assert "0元购" not in evidence


# Full-width punctuation in a pattern matches the half-width form normalisation produces, so a
# class like [^，。] stops at a comma instead of running across clauses.
@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("名下[^，。]{0,8}多了", "我名下，后来多了", False),
        ("名下[^，。]{0,8}多了", "我名下多了一个号", True),
        ("退钱？", "能退钱?", True),
        ("（退）", "(退)", True),
    ],
)
def test_patterns_follow_normalisation(pattern: str, text: str, matches: bool) -> None:
    normalized = Normalizer({}).normalize(text)
    assert (re.search(normalize_pattern(pattern), normalized) is not None) is matches
