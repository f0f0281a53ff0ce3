"""More classes of mistakes on public complaints, each guarded by texts written for this file
(voice messages without punctuation, elderly callers, online posts, hotline summaries, Hong
Kong Cantonese and Taiwan wording). None of them is in the evaluation sets."""

from __future__ import annotations

import re

import pytest

from tousu.analysis import Analyzer
from tousu.analysis.normalize import Normalizer, normalize_pattern


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


# (expected category, industry, text)
CATEGORY_CASES = [
    # The charge is how an unwanted subscription shows itself: the subscription is the matter.
    ("vas", "telecom", "话费里乱扣费，一查是个什么视频彩铃包月，我从来没开过"),
    ("vas", "telecom", "每个月多扣我十块，客服说是什么“游戏加速包”，我都不知道这是啥"),
    ("vas", "telecom", "我媽部手機每個月都扣錢，話係咩鈴聲服務，佢根本唔識用"),
    # Someone else taking over a number or SIM is a security matter, not the customer's account.
    ("security", "telecom", "有人拿假身份证去营业厅补了我的卡，我的号码现在用不了了"),
    ("security", "telecom", "我在外地，有人冒充我把我的号码补卡了，微信都被登了"),
    ("security", "telecom", "别人冒用我的名字给我补办了手机卡，营业厅都不核实一下吗"),
    # Premises, opening hours and noise are other, not staff service or cards.
    ("other", "retail", "你们超市的冷气开得太低了，排队的时候冻得发抖"),
    ("other", "retail", "楼下健身房晚上放音乐，隔着楼板都听得到，吵得孩子睡不着"),
    ("other", "retail", "你们店每天晚上八点就关门了，下班根本来不及，能不能开晚一点"),
    # A dead landline is a network fault, not a defective product.
    ("network", "telecom", "我家座机这两天打不出去，拿起来一点声音都没有"),
    ("network", "telecom", "家里的固定电话一直有杂音，听不清对方说话"),
    ("network", "telecom", "老人家里的电话线断了，固话打不了，麻烦派人来修"),
    # Goods damaged on the way to the customer are a delivery matter.
    ("delivery", "retail", "买的一箱苹果，收到的时候压烂了一半"),
    ("delivery", "retail", "洗衣机送到家侧面凹进去一块，送货的时候摔的，我拒收了"),
    ("delivery", "retail", "网购的花瓶运输中碎了，盒子都破了"),
    # A wasted visit caused by staff is service.
    ("service", "telecom", "去营业厅补卡，说系统坏了让我明天再来，白请了半天假"),
    ("service", "telecom", "技术员说今天上门修宽带，等了一天都没人来"),
    ("service", "retail", "送货的师傅把我家木地板划了好几道印子"),
]


@pytest.mark.parametrize(("category", "industry", "text"), CATEGORY_CASES)
def test_category(analyzer: Analyzer, category: str, industry: str, text: str) -> None:
    assert analyzer.analyze(text, industry=industry).category.code == category


# (demand that must be found, text)
DEMAND_CASES = [
    # 能不能 is a request, not the refusal 不能.
    ("fix", "我的积分昨天说清零了也没人通知我能不能给我恢复"),
    ("fix", "宽带断了三天了你们能不能今天派个师傅来修"),
    ("refund", "这个月多扣的三十块能不能退给我"),
    # Colloquial requests to get something done.
    ("fix", "说我被拉进灰名单了短信发不出去你们赶紧给我解了"),
    ("fix", "包裹显示到了驿站但是找不到，你们今天能不能给我找到"),
    ("fix", "麻烦帮我把这个骚扰号码屏蔽一下"),
    ("fix", "你们药房把我的信息卖给别人了，必须删除我的所有资料"),
    ("fix", "今天下午之前复不了机，我就天天来营业厅"),
    ("fix", "营业厅门口写着老用户送流量，麻烦帮我把这个活动办上"),
    # Money back in Cantonese.
    ("refund", "你哋收錯咗錢，即刻俾返啲錢我"),
    ("refund", "入錯咗數，幫我攞返啲錢"),
    ("refund", "吃饭的时候扫码付了两次，多付的那笔给我退了"),
    # A term called unreasonable in Cantonese.
    ("unfair_terms", "你哋呢條條款完全唔合理，我唔會俾錢"),
    ("unfair_terms", "儲值卡話過期就作廢，呢種規定唔合理"),
    ("unfair_terms", "合約入面呢啲規定根本唔合理"),
    # A hypothetical (如果不是我办的) does not negate the request that follows.
    ("cancel", "这个云盘是什么时候开的？如果不是我办的麻烦退订"),
    ("cancel", "每月扣5块的来电提醒，要是不是我开的就帮我取消"),
    ("cancel", "这个会员如果不是我订的，请马上给我取消"),
    # A manager asked to call back.
    ("manager", "我要你们经理亲自打给我"),
    ("manager", "叫你們主管打返俾我"),
    ("manager", "你们负责人呢？叫他出来"),
]


@pytest.mark.parametrize(("demand", "text"), DEMAND_CASES)
def test_demand_found(analyzer: Analyzer, demand: str, text: str) -> None:
    assert demand in analyzer.analyze(text).demand_codes


# (demand that must not be found, text)
NOT_DEMAND_CASES = [
    # A cancellation already done, or promised by an agent, is no cancel demand.
    ("cancel", "宽带去年已经办理拆机了，今年还在扣宽带费，要求退还"),
    ("cancel", "营业厅说销号时退押金，现在销号了又说不退"),
    ("cancel", "打客服只说会帮我关掉，那已经扣的钱呢？请退费"),
    # Staff pointing to the manager is no manager demand.
    ("manager", "服务员说不行你去找经理，我懒得找了，把折扣补给我就行"),
    ("manager", "前台让我去找经理，经理永远不在，今天不退钱我就不走"),
    ("manager", "店员叫我去找店长，我只想把东西换了"),
    # A regulator as an information source or a job is no threat.
    ("regulator_threat", "我在12315网站上看了，质量问题七天内可以退，麻烦给我退货"),
    ("regulator_threat", "工信部官网上写着可以携号转网，请问我怎么办理"),
    ("regulator_threat", "我是做律师的，工作电话多，你们信号能不能改善一下"),
    # Asking to confirm is no request to do it.
    ("fix", "我交了话费，能帮我确认下到账没有吗"),
    ("fix", "麻烦确认一下我的宽带开通了没有"),
    ("fix", "请帮我确认一下积分恢复了没有"),
]


@pytest.mark.parametrize(("demand", "text"), NOT_DEMAND_CASES)
def test_demand_absent(analyzer: Analyzer, demand: str, text: str) -> None:
    assert demand not in analyzer.analyze(text).demand_codes


# A keyword that starts or ends with a digit is not found inside a longer number.
@pytest.mark.parametrize(
    "text",
    [
        "在你们超市买的200元购物卡，余额只剩20了",
        "充了100元购物卡，结果刷不出来",
        "上个月办了3000元购物卡，现在店关门了",
    ],
)
def test_digit_keywords_keep_to_number_boundaries(analyzer: Analyzer, text: str) -> None:
    evidence = [e.text for e in analyzer.analyze(text, industry="retail").category.evidence]
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


def test_cue_stops_at_a_comma(analyzer: Analyzer) -> None:
    # 名下…号 across a comma once made a correction of registration details look like fraud.
    result = analyzer.analyze("客户来电反映其名下号码实名信息有误，身份证号最后一位登记错误，要求更正。")
    assert result.category.code == "account"


# Polite requests with no sign of dissatisfaction are calm; 我妈的 is no curse.
@pytest.mark.parametrize(
    "text",
    [
        "每月5元的来电提醒我用不上，帮我取消一下。",
        "你好，我给我妈的号码交了话费，能帮我查下到账没有吗",
        "建议你们营业厅门口装个坡道，轮椅进不去。",
        "尊敬的客服：本人积分上月被清零，恳请核实后恢复。此致",
    ],
)
def test_polite_requests_are_calm(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).emotion.code == "calm"


@pytest.mark.parametrize(
    "text",
    [
        "每个月乱扣费，这个视频彩铃包月我从来没订过",
        "话费里多了一笔“游戏点券”扣费，谁给我开的",
        "每月多扣10块，说是什么铃声，我都不知道",
    ],
)
def test_billing_gives_way_to_the_subscription(analyzer: Analyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert result.category.code == "vas"
