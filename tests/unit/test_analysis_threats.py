"""Threats to go to the media or online and to regulators or courts, as the public phrases
them (questions, conditions, Hong Kong and Taiwan wording), and the look-alikes that are no
threat, and demands in the public's words. Texts written for this file, one rule each; none
is in the evaluation sets."""

from __future__ import annotations

import pytest

from tousu.analysis import Analyzer

MEDIA = "media_threat"
REGULATOR = "regulator_threat"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def _threats(analyzer: Analyzer, text: str) -> set[str]:
    demands = analyzer.analyze(text).to_dict()["demands"]
    return {code for code in demands if code in (MEDIA, REGULATOR)}


# (threats expected, text)
THREAT_CASES = [
    # Media and online, including forums and platforms named in Hong Kong and Taiwan.
    ({MEDIA}, "再拖下去我就发小红书，让大家都看看你们什么德行"),
    ({MEDIA}, "你們再唔處理，我就上連登爆你哋"),
    ({MEDIA}, "唔退錢我就放上Facebook"),
    ({MEDIA}, "我會PO上Dcard讓大家看看"),
    ({MEDIA}, "我明天就联系电视台的民生栏目"),
    ({MEDIA}, "我不想闹大，但你们再这样我只能找记者了"),
    ({MEDIA}, "不处理的话我就去你们官微下面留言"),
    ({MEDIA}, "我會PO到PTT"),
    ({MEDIA}, "我會搵傳媒"),
    ({MEDIA}, "我把你们写进小红书避雷帖"),
    # Having gone to a news outlet or a help programme (someone took it to them, not a quote).
    ({MEDIA}, "王女士向晚报热线反映，她家的宽带两个月里断了九次"),
    ({MEDIA}, "市民张先生向都市帮帮团求助，称充值的三百元一直没到账"),
    ({MEDIA}, "刘先生向财经频道讲述了自己被办了三张副卡的经过"),
    ({MEDIA}, "他在本地论坛上发了一篇帖文，讲营业厅怎么推诿"),
    ({MEDIA}, "不给退我就上聚头诉"),  # the platform 聚投诉, mistyped
    # Regulators and courts: a question that threatens is no negation (是不是要逼我…).
    ({REGULATOR}, "你们是不是要逼我去工信部？"),
    ({REGULATOR}, "你哋再唔退錢，唔係我搵消委會"),
    ({REGULATOR}, "我去市监局举报你们"),
    ({REGULATOR}, "否則我會向通訊事務管理局投訴"),
    ({REGULATOR}, "大不了咱们法庭上见"),
    ({REGULATOR}, "培训班不退课时费，我就去教育局反映"),
    ({REGULATOR}, "再不處理我就打1999陳情"),
    ({REGULATOR}, "我会向总部反映你们门店"),
    # The consumer council writing of itself; 相关单位 meant as the authorities.
    ({REGULATOR}, "陈先生不接受商户的说法，要求本会协助调解"),
    ({REGULATOR}, "村民们希望相关单位尽快把基站修好"),
    # Look-alikes: news about the company, what a friend said, reading the official account,
    # talking to commenters, and a private group chat.
    (set(), "我看新闻说你们公司被工信部通报了，我想问问我的号码有没有受影响？"),
    (set(), "我朋友说可以打12315，不过我不想那么麻烦"),
    (set(), "你们的官方微博上写的活动是真的吗？"),
    (set(), "评论区的别吵了，我就想问一下你们营业厅为什么这么早关门"),
    (set(), "我把截图发到家长群里问问大家有没有遇到"),
    (set(), "宽带断了，我上网查了一下说是光纤问题"),
    (set(), "我只是问问，不会去投诉的"),
    (set(), "我在小红书上看到你们家的推荐才来的"),
    (set(), "我在一家传媒公司上班，宽带老掉线"),
    (set(), "放心，我不会把这事发到网上的"),
    # A reporter's quote, and the outlet helping itself (帮忙), are no threat.
    (set(), "李先生向记者抱怨，这几天家里的信号时有时无"),
    (set(), "我向朋友帮忙打听了一下，说这个套餐可以改"),
    (set(), "请你们公司相关单位核实一下我的账单"),
    # A hotline record routing the case to an agency and pasting the agency's reply: the
    # process of the hotline the customer called, not a threat; going there himself is one.
    (set(), "市民来电反映驾校不退学费，请市场监管局核实处理。市场监管局答复：已约谈驾校，建议走司法途径"),
    ({REGULATOR}, "我去过市场监管局了，监管局的回复是让我再等等"),
    # An agent telling the customer where to appeal is the process, not the customer's threat.
    (set(), "客户反映月租多扣，已按口径解释，如对结果不满意，可告知客户拨打12300申诉"),
    (set(), "用户反映宽带断网，已告知用户可向工信部申诉，用户表示理解"),
    ({REGULATOR}, "客户称不解决就向工信部投诉，已告知客户会尽快处理"),
    # A work order that came through the city hotline: the channel, not a threat.
    (set(), "客户反映宽带断网两天。来源：12345转办"),
    (set(), "用户通过12345市民热线来电反映宽带断网"),
    ({REGULATOR}, "再不修好我就打12345投诉"),
    # A threat the customer would rather not carry out still counts (veiled).
    ({MEDIA}, "我也不想把这事发到网上，你们把多收的钱退给我就行"),
    ({REGULATOR}, "我不想去找消协，只想把钱要回来"),
]


@pytest.mark.parametrize(("expected", "text"), THREAT_CASES)
def test_threats(analyzer: Analyzer, expected: set[str], text: str) -> None:
    assert _threats(analyzer, text) == expected


# (demand that must be found, text)
DEMAND_CASES = [
    ("exchange", "耳机一边没声音了，可以直接帮我换一副新的吗？"),
    ("exchange", "发来的药不是我买的牌子，换成我下单的那款"),
    ("refund", "漫游包根本没信号，包费照扣，这种情况能退吗？"),
    ("refund", "宽带断了一个星期，这个月的月费要豁免"),
    ("refund", "包裹在自取点丢了，$1,200 的东西你们要全数赔给我"),
]


@pytest.mark.parametrize(("demand", "text"), DEMAND_CASES)
def test_demands(analyzer: Analyzer, demand: str, text: str) -> None:
    assert demand in analyzer.analyze(text).to_dict()["demands"]
