"""Profile and scenario hints need evidence in the customer's own words: a threat to call the
press does not make a journalist, a double charge does not show a new employee's mistake."""

from __future__ import annotations

import pytest

from tousu.analysis import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


DOUBLE_CHARGE_THREAT = "你们上个月重复扣了我两次话费，每次58块，我要求双倍返还！不给解决我就找电视台曝光你们。"

HINT_CASES = [
    # Threatening the media does not make the customer a journalist.
    (DOUBLE_CHARGE_THREAT, "journalist", False),
    ("再不退钱我就找记者曝光你们这种黑心公司", "journalist", False),
    ("我是报社的记者，想就乱扣费的问题采访一下你们", "journalist", True),
    # A crying emoji is no sign of a lively, cheerful customer.
    ("手一抖充错号码了😭 能不能帮我要回来", "lively", False),
    ("哈哈你们客服真好了，就是网速还是慢", "lively", True),
]


@pytest.mark.parametrize(("text", "profile", "expected"), HINT_CASES)
def test_profile_hints_need_evidence(analyzer: Analyzer, text: str, profile: str, expected: bool) -> None:
    codes = {hint.code for hint in analyzer.analyze(text).profile_hints}
    assert (profile in codes) is expected


SCENARIO_CASES = [
    # A double charge alone says nothing about who caused it.
    (DOUBLE_CHARGE_THREAT, "new_staff_mistake", False),
    ("话费扣了两次，退一次给我", "new_staff_mistake", False),
    ("营业员手误给我重复办了两次，扣了我两次钱", "new_staff_mistake", True),
    # Saying one will post online is not filming in the hall.
    ("不给退我就发到抖音上", "photographing_recording", False),
    ("我已经全程录像了，你们的态度大家都会看到", "photographing_recording", True),
    # A written explanation is not a written apology.
    ("请给我出一份书面说明，解释为什么扣这笔钱", "written_apology", False),
    ("你们必须给我书面道歉", "written_apology", True),
]


@pytest.mark.parametrize(("text", "scenario", "expected"), SCENARIO_CASES)
def test_scenarios_need_evidence(analyzer: Analyzer, text: str, scenario: str, expected: bool) -> None:
    codes = {hint.code for hint in analyzer.analyze(text).scenarios}
    assert (scenario in codes) is expected
