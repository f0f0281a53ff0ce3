"""The one character folding (tousu.text) and the forms its consumers match against."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tousu.analysis.normalize import Normalizer
from tousu.knowledge import normalize_text
from tousu.matching import MatchView
from tousu.quality import check_dialogue
from tousu.text import fold

AWKWARD = [
    "我要曝光！ＶＩＰ客戶說'OK'",
    "充值１，５００元\t帳單不對\r\n您　搞 錯了",
    "手機被打壞了，螢幕也裂了；意志消沈",
    "有个叫‘炫彩铃声’的东西，扣了￥10",
    "binary\x00garbage\x1f" + chr(0xD800) + "乱扣费",
]


def test_every_consumer_starts_from_the_same_folding() -> None:
    """The analyzer adds only its typo fixes, the checker only drops blanks, the knowledge
    base adds nothing: a second folding anywhere would make them disagree here."""
    for text in AWKWARD:
        folded = fold(text)
        assert Normalizer({}).normalize(text) == folded
        assert normalize_text(text) == folded
        assert MatchView.of(folded).text == folded.replace(" ", "")


def test_folding_is_simplified_half_width_and_lower_case() -> None:
    assert fold(AWKWARD[0]) == '我要曝光!vip客户说"ok"'
    assert fold(AWKWARD[1]) == "充值1,500元 帐单不对\n\n您 搞 错了"
    assert fold(AWKWARD[2]) == "手机被打坏了,萤幕也裂了;意志消沉"
    assert fold(AWKWARD[3]) == "有个叫“炫彩铃声”的东西,扣了¥10"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)) | st.sampled_from("亂扣費壞沈瞭\ud800\r\t　ＡＢ")))
def test_folding_keeps_every_position(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_the_checker_hears_ok_however_it_is_typed() -> None:
    """The checker matches the shared folding, lower-case ASCII included: a customer's deadline
    accepted with Ok is a promise to track, as with ok or ＯＫ."""
    for answer in ("ok", "OK", "Ok", "ＯＫ"):
        result = check_dialogue(f"客户：我等1个小时，可以吧？\n客服：{answer}", read_demands=lambda _: [])
        assert [(p.deadline, p.accepted_from_customer) for p in result.promises] == [("1个小时", True)], answer
