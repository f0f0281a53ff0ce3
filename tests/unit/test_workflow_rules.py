"""The state machine and the doctrine's guards."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tousu.domain.workflow import (
    TRANSITIONS,
    Action,
    ClosingFacts,
    Status,
    TransitionRefused,
    allowed_actions,
    check_close,
    check_reject,
    check_reopen,
    next_status,
)


def test_the_happy_path() -> None:
    status = Status.RECEIVED
    for action in (Action.START, Action.REPLY, Action.FOLLOW_UP, Action.CLOSE):
        status = next_status(status, action)
    assert status is Status.CLOSED


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(Action))
def test_every_pair_is_allowed_exactly_when_the_table_says(status: Status, action: Action) -> None:
    sources, target = TRANSITIONS[action]
    if status in sources:
        assert next_status(status, action) is target
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_status(status, action)
        assert refused.value.code == "invalid_transition"


def test_closed_and_merged_complaints_only_reopen() -> None:
    assert allowed_actions(Status.CLOSED) == [Action.REOPEN]
    assert allowed_actions(Status.MERGED) == []


GOOD = ClosingFacts(
    followed_up=True, root_cause="系统故障", work_quality=False, responsible_person=None, improvement_measure=None
)


@pytest.mark.parametrize(
    "facts,code",
    [
        (ClosingFacts(False, "x", False, None, None), "follow_up_required"),
        (ClosingFacts(True, "  ", False, None, None), "root_cause_required"),
        (ClosingFacts(True, "x", True, None, "培训"), "responsible_person_required"),
        (ClosingFacts(True, "x", True, "营业员", ""), "improvement_measure_required"),
        (replace(GOOD, dissatisfied=True), "close_reason_required"),
        (replace(GOOD, dissatisfied=True, close_reason=" "), "close_reason_required"),
    ],
)
def test_closing_guards(facts: ClosingFacts, code: str) -> None:
    with pytest.raises(TransitionRefused) as refused:
        check_close(facts)
    assert refused.value.code == code


def test_closing_passes_when_the_three_musts_are_met() -> None:
    check_close(GOOD)
    check_close(replace(GOOD, dissatisfied=True, close_reason="已按资费政策退还全部多收费用，客户另要求的赔偿无依据"))
    check_close(ClosingFacts(True, "态度差", True, "营业员甲", "岗前培训"))


def test_reopen_and_reject_guards() -> None:
    check_reopen(settlement_confirmed=False, new_evidence=None)
    check_reopen(settlement_confirmed=True, new_evidence="新的扣费记录")
    with pytest.raises(TransitionRefused):
        check_reopen(settlement_confirmed=True, new_evidence=" ")
    with pytest.raises(TransitionRefused) as refused:
        check_reject(legal_basis="", reasons="超过时效")
    assert refused.value.field == "legal_basis"


def test_the_operator_may_not_reject_citing_the_appeal_time_limit() -> None:
    # The 5-month / 2-year limits bind appeals to the regulator, not the operator's own handling.
    for basis, reasons in (
        ("电信用户申诉处理办法第十一条", "收费争议已超过5个月"),
        ("申诉时效", "法院已受理"),
        ("电信条例第39条", "已过时效，无法处理"),
        ("电信用户申诉处理办法第十一条", "费用发生时间太久，已过投诉时效，系统已查不到记录。"),
        ("公司规定", "投诉期限已过"),
        ("公司规定", "这是太久以前的费用，不予处理"),
        # A shop citing the 3-year limit of a complaint to 市场监管 (12315)
        ("市场监督管理投诉举报处理暂行办法第十五条", "购买已超过3年，不予受理"),
    ):
        with pytest.raises(TransitionRefused) as refused:
            check_reject(legal_basis=basis, reasons=reasons)
        assert refused.value.code == "appeal_limit_not_for_operator"
    check_reject(legal_basis="电信用户申诉处理办法第十一条", reasons="法院已受理同一争议")
    check_reject(legal_basis="电信条例", reasons="客户欠费超过3个月，号码已依约销户，不属于本次争议")
