"""Facts read from complaint text: amounts, dates and times, phones, packages, durations, places."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tousu.analysis import facts, topic
from tousu.analysis.facts import (
    extract_facts,
    find_amounts,
    find_datetimes,
    find_durations,
    find_packages,
    find_phones,
    parse_number,
)
from tousu.analysis.normalize import Normalizer
from tousu.analysis.topic import find_place
from tousu.knowledge.source import data_dir
from tousu.knowledge.taxonomy import load_taxonomy


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("两千", 2000),
        ("一万五", 15000),
        ("三千五", 3500),
        ("两百五", 250),
        ("十五", 15),
        ("一百零五", 105),
        ("1.5万", 15000),
        ("3千", 3000),
        ("1,500", 1500),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("扣了我200块", [200]),
        ("一共两千元", [2000]),
        ("¥1,500的设备费", [1500]),
        ("赔我1.5万", [15000]),
        ("收了五十块钱和3毛", [50, 0.3]),
        ("二十多元", [20]),
        ("rmb 300", [300]),
    ],
)
def test_amounts_in_many_forms(text: str, values: list[float]) -> None:
    assert [a.value_yuan for a in find_amounts(text)] == values


def test_approximate_amounts_are_marked() -> None:
    (amount,) = find_amounts("多扣了二十多元")
    assert amount.approximate and amount.text == "二十多元"


@pytest.mark.parametrize(
    ("text", "said"),
    [("赔五千，不然不走了", "五千"), ("退我两百", "两百"), ("一共多扣了我五十", "五十"), ("多收了我80", "80")],
)
def test_a_number_said_after_a_verb_of_money_is_an_amount_without_its_unit(text: str, said: str) -> None:
    (amount,) = find_amounts(text)
    assert text[amount.start : amount.end] == amount.text == said


@pytest.mark.parametrize(
    "text",
    [
        "买了两块电池",
        "兑换了5000积分",
        "1.5万积分清零了",
        "我们小区有一万户",
        "退一万步说",
        "扣了三百积分",
        "收十几条短信",
        "扣了五十g流量",
        "扣了我两次",
        "多扣了3个月",
    ],
)
def test_counts_of_other_things_are_no_amount(text: str) -> None:
    assert find_amounts(text) == []


def test_dates_and_times() -> None:
    mentions = find_datetimes("我12月22日去的，上个月也扣了，昨天上午10点又打了一次")
    assert [(m.text, m.kind, m.relative) for m in mentions] == [
        ("12月22日", "date", False),
        ("上个月", "date", True),
        ("昨天上午10点", "datetime", True),
    ]


def test_spoken_times_and_relative_dates() -> None:
    assert [m.text for m in find_datetimes("下午三点半到的，等到10:30")] == ["下午三点半", "10:30"]
    assert [m.text for m in find_datetimes("3天前停的机")] == ["3天前"]


@pytest.mark.parametrize("text", ["晚上经常没信号", "网速有一点慢"])
def test_vague_words_are_no_time(text: str) -> None:
    assert find_datetimes(text) == []


def test_phones_including_masked_ones_but_not_hotlines() -> None:
    found = [p.text for p in find_phones("我的号码139xxxxxxxx，另一个13912345678，座机0592-1234567，打了10086")]
    assert found == ["139xxxxxxxx", "13912345678", "0592-1234567"]


def test_packages() -> None:
    found = [p.text for p in find_packages("一直用58元包月的套餐，现在变成30元一个月的套餐，还有个全球通")]
    assert found == ["58元包月的套餐", "30元一个月的套餐", "全球通"]


def test_durations_but_not_dates_or_package_periods() -> None:
    facts = extract_facts("等了48小时，已经3天了，还有一个多月，30元一个月的套餐，3天前办的")
    assert [(d.text, d.value, d.unit) for d in facts.durations] == [
        ("48小时", 48, "hour"),
        ("3天", 3, "day"),
        ("一个多月", 1, "month"),
    ]


def test_half_and_vague_durations() -> None:
    assert [(d.value, d.unit) for d in find_durations("等了半个小时，又过了十几天")] == [(0.5, "hour"), (None, "day")]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("我家住在阳光小区，晚上没信号", "阳光小区"),
        ("在中山路上的万达营业厅", "中山路"),
        ("整个小区都没信号", None),
        ("电话线路有问题", None),
        ("路由器坏了", None),
        ("在你们超市买的牛奶过期了", None),  # a shop spoken of, no place named
        ("他们超市门口的停车场", None),
    ],
)
def test_place_names(text: str, place: str | None) -> None:
    assert find_place(text) == place


@given(
    st.text(
        alphabet="小区花园新村公寓大厦广场家园社区工业园校大学院营业厅服务街道村镇乡路由县市阳光住在的a1，。 ",
        max_size=40,
    )
)
def test_places_are_tried_only_where_a_suffix_follows_yet_found_as_by_a_full_search(text: str) -> None:
    """topic._places is a speed-up of _PLACE.finditer: same matches, overlapping suffixes
    (新村 and its 村) included."""
    assert [m.span() for m in topic._places(text)] == [m.span() for m in topic._PLACE.finditer(text)]


def test_patterns_told_their_first_characters_match_exactly_as_without():
    """The first-character hint (facts._starting_with) is a speed-up only: on every text of the
    evaluation sets, and on the edge cases below, each pattern finds what it finds without it."""
    data = Path(__file__).parents[1] / "data"
    normalizer = Normalizer(load_taxonomy(data_dir() / "taxonomy.yaml").typos)
    texts = [
        normalizer.normalize(json.loads(line)["text"])
        for path in sorted(data.glob("analyzer_*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts += ["¥1,500", "rmb200", "人民币3千元", "两千块", "1.5万", "好几个小时", "半个月前", "2026/3/1", "凌晨三点半"]
    hinted = [facts._AMOUNT, facts._TIME, facts._PACKAGE, facts._DURATION, *facts._DATES.values()]
    for pattern in hinted:
        prefix = re.match(r"\(\?=\[[^\]]*\]\)\(\?:", pattern.pattern)
        assert prefix is not None, pattern.pattern[:40]
        plain = re.compile(pattern.pattern[prefix.end() : -1])
        for text in texts:
            assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in plain.finditer(text)], text
