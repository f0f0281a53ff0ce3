"""check_reply: phrase problems, offsets, missing elements, score, rewrite, bad input."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tousu.knowledge import load_knowledge_base
from tousu.knowledge.language import packaged_language_rules
from tousu.quality import check_reply
from tousu.text import fold

GOOD_REPLY = (
    "王先生，非常抱歉给您添麻烦了，我理解您的心情。我马上为您核查这笔扣费，今天下午5点前给您回电。"
    "感谢您对我们的信任，也谢谢您的宝贵意见，我们会不断改进服务。"
)


def codes(text: str) -> list[str]:
    return [problem.code for problem in check_reply(text).problems]


@pytest.fixture(scope="module", autouse=True)
def _rules_loaded_once() -> None:
    packaged_language_rules()


@pytest.mark.parametrize(
    ("said", "code", "suggestion"),
    [
        ("您搞错了", "you_are_mistaken", "我觉得我们的沟通存在误解"),
        ("我也没办法", "nothing_i_can_do", "我能为您做什么"),
        ("您把我搞糊涂了", "you_confused_me", "我被搞糊涂了"),
        ("我已经说得很清楚了", "already_said_clearly", "对不起，或许是我未解释清楚，令您误解了"),
        ("您听明白了吗", "did_you_understand", "我解释清楚了吗"),
        ("啊，你说什么", "what_did_you_say", "对不起，我没有听明白，请您再说一遍好吗"),
        ("请您等一下", "bare_wait", "请您稍等，我马上为您处理"),
    ],
)
def test_the_rewrites_from_the_service_language_rules(said: str, code: str, suggestion: str) -> None:
    result = check_reply(said)
    assert [(p.code, p.text, p.suggestion) for p in result.problems] == [(code, said, suggestion)]
    assert result.rewritten == suggestion


@pytest.mark.parametrize("said", ["向上投诉也一样", "这不归我管", "这不是我负责的", "您这是无理取闹", "爱用不用"])
def test_phrases_that_must_never_be_said_have_no_replacement(said: str) -> None:
    (problem,) = check_reply(said).problems
    assert problem.severity == "forbidden"
    assert problem.suggestion is None


@pytest.mark.parametrize(
    ("said", "code"),
    [
        ("不可能！我们系统不会出错。", "flat_denial"),
        ("这是公司规定。", "rules_are_rules"),
        ("这不是我们的问题。", "not_our_fault"),
        ("是你自己操作的。", "blame_customer_fault"),
        ("你先听我说。", "stop_talking"),
        ("您的确没有先问我。", "customer_did_not_ask"),
        ("您下次再换不就行了吗？", "brush_off"),
        ("这都不知道？", "belittle"),
        ("我们内部的流程不方便透露。", "not_convenient_to_disclose"),
    ],
)
def test_arguing_blaming_and_brushing_off_are_flagged(said: str, code: str) -> None:
    assert code in codes(said)


@pytest.mark.parametrize(
    "said",
    [
        "有没有办法帮我查一下？",
        "我们一起看看有没有办法补救。",
        "我想办法帮您解决。",
        "不好意思，是我给您弄错了。",
        "您说什么时候办理的？我帮您查一下记录。",
        "请您稍等，我马上为您查询。",
        "请您稍等一下，我先跟同事商量。我20分钟内给您答复。",
        "这件事由我负责跟进到底。",
        "根据相关规定，我们会在48小时内答复您。",
        "我们不可能泄露您的信息，请您放心。",
        "我解释清楚了吗？",
    ],
)
def test_innocent_sentences_are_not_flagged(said: str) -> None:
    assert codes(said) == []


def test_every_phrase_a_playbook_says_to_avoid_is_flagged_by_the_checker() -> None:
    # The complaint page lists these as 忌语; the reply check must not pass them.
    kb = load_knowledge_base()
    missed = [
        phrase
        for playbook in kb.demands.values()
        for phrase in playbook.avoid_saying
        if not check_reply(phrase).problems
    ]
    assert missed == []


@pytest.mark.parametrize(
    ("said", "code"),
    [
        ("你们有本事就去告啊", "provoke_escalation"),
        ("记者来了都没用的", "provoke_escalation"),
        ("随便您找什么人", "provoke_escalation"),
        ("你发到网上吧，我们无所谓", "provoke_escalation"),
        ("您这分明是在讹钱", "accuse_customer"),
        ("这个价钱公司说了算", "we_decide"),
        ("我们确实是欺诈，给你赔", "admit_fraud"),
        ("手机坏了你找厂商去", "not_my_responsibility"),
        ("扣了的钱退不了", "flat_refusal"),
        ("我们领导今天不在，你改天再来", "flat_refusal"),
        ("经理出差了。", "flat_refusal"),
    ],
)
def test_answers_to_threats_and_money_demands_that_provoke_are_flagged(said: str, code: str) -> None:
    assert code in codes(said)


def test_a_reply_that_dares_the_customer_to_go_to_the_press_loses_the_points_of_a_provocation() -> None:
    reply = "李先生，系统问题，我也没办法。你去曝光啊，我们不怕。"
    result = check_reply(reply)
    assert {"nothing_i_can_do", "provoke_escalation"} <= {p.code for p in result.problems}
    assert all(p.severity == "forbidden" for p in result.problems)


def test_offsets_point_into_traditional_full_width_text() -> None:
    text = "王先生，您　搞 錯了！我已經說得很清楚了，這不歸我管。"
    problems = check_reply(text).problems
    assert [(p.code, text[p.start : p.end]) for p in problems] == [
        ("you_are_mistaken", "您　搞 錯了"),
        ("already_said_clearly", "我已經說得很清楚了"),
        ("not_my_responsibility", "這不歸我管"),
    ]
    assert all(p.text == text[p.start : p.end] for p in problems)


def test_offsets_survive_emoji_and_latin_text_before_the_phrase() -> None:
    text = "OK 😀😀 ticket #42：您聽明白了嗎？"
    (problem,) = check_reply(text).problems
    assert text[problem.start : problem.end] == "您聽明白了嗎"


def test_rewrite_applies_every_suggestion_and_drops_what_must_not_be_said() -> None:
    result = check_reply("您搞错了，这不归我管，您去营业厅问问吧。")
    assert result.rewritten == "我觉得我们的沟通存在误解，您去营业厅问问吧。"
    assert check_reply("好的，这不归我管。").rewritten == "好的。"


def test_a_good_reply_scores_full_marks_and_a_rude_one_scores_low() -> None:
    good = check_reply(GOOD_REPLY)
    assert good.problems == () and good.missing == ()
    assert good.score == 100 and good.grade == "优秀"
    bad = check_reply("您搞错了，我已经说得很清楚了，这不归我管，向上投诉也一样。")
    assert bad.score < 20
    assert bad.score == max(0, 100 - sum(d.points for d in bad.deductions))


def test_missing_elements_are_listed_with_examples() -> None:
    result = check_reply("好的，我马上为您核查这笔扣费。")
    missing = {m.code: m for m in result.missing}
    assert "empathy_apology" in missing and missing["empathy_apology"].level == "required"
    assert missing["empathy_apology"].examples
    assert "what_we_can_do" not in missing
    assert "concrete_deadline" not in missing


def test_a_wait_with_a_deadline_nearby_is_fine_but_a_bare_one_is_not() -> None:
    assert codes("请稍等，两分钟后给您结果。") == []
    assert codes("请稍等。") == ["bare_wait"]


def test_promises_in_a_reply_are_extracted() -> None:
    (promise,) = check_reply("我们将把您的要求上报相关部门，并在48小时内给您答复。").promises
    assert promise.deadline == "48小时内"
    assert promise.turn is None


def test_result_is_json_ready() -> None:
    data = check_reply("您搞错了").to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["problems"][0]["code"] == "you_are_mistaken"


@pytest.mark.parametrize("text", ["", "   ", "\n\t　"])
def test_empty_text_is_a_clear_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="为空"):
        check_reply(text)


@pytest.mark.parametrize(
    "text",
    ["😀😀😀", os.urandom(2000).decode("latin-1"), "a\udc80b\x00c", "Your bill is wrong. 您搞错了 OK?"],
)
def test_odd_input_gives_a_result_not_a_crash(text: str) -> None:
    result = check_reply(text)
    assert 0 <= result.score <= 100
    assert all(0 <= p.start < p.end <= len(text) for p in result.problems)


def test_text_without_chinese_gets_a_note() -> None:
    assert check_reply("😀😀😀").notes == ("文本中没有中文内容，检查结果仅供参考",)


def test_one_megabyte_is_checked_whole() -> None:
    text = (GOOD_REPLY + "您搞错了，请您等一下。\n") * (
        1_000_000 // len((GOOD_REPLY + "您搞错了，请您等一下。\n").encode())
    )
    result = check_reply(text)
    assert result.score == 0 and len(result.problems) > 1000


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("您你搞錯错了啦請请等一下我也没办法这不归管，,。 　！!？?😀a1\n")), min_size=1
    )
)
def test_offsets_always_slice_the_original(text: str) -> None:
    assert len(fold(text)) == len(text)
    if not text.strip():
        return
    result = check_reply(text)
    for problem in result.problems:
        assert text[problem.start : problem.end] == problem.text
        assert problem.text.strip() == problem.text
