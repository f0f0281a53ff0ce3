"""The complaint workflow as an explicit state machine with the doctrine's guards.

received → in_progress → replied → followed_up → closed, with pending_customer
(clock paused), rejected (inadmissible, with its legal basis), reopened and merged.
Guards: "1+3" (every complaint followed up) and the "three musts" (root cause; for
work-quality complaints a responsible person and an improvement measure) before
closing; a settlement the customer confirmed is reopened only on new evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tousu.domain.admissibility import OPERATOR_MAY_NOT_CITE, cites_appeal_time_limit


class Status(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    PENDING_CUSTOMER = "pending_customer"
    REPLIED = "replied"
    FOLLOWED_UP = "followed_up"
    CLOSED = "closed"
    REJECTED = "rejected"
    REOPENED = "reopened"
    MERGED = "merged"


STATUS_NAMES: dict[Status, str] = {
    Status.RECEIVED: "已受理",
    Status.IN_PROGRESS: "处理中",
    Status.PENDING_CUSTOMER: "待客户补充",
    Status.REPLIED: "已答复",
    Status.FOLLOWED_UP: "已回访",
    Status.CLOSED: "已结案",
    Status.REJECTED: "不予受理",
    Status.REOPENED: "已重开",
    Status.MERGED: "已合并",
}

CLOCK_RUNNING = frozenset({Status.RECEIVED, Status.IN_PROGRESS, Status.REOPENED})
"""Statuses in which the reply deadline's clock runs: the one definition of "overdue" and "at risk"
for the SLA sweep, the work queue and the dashboard. Waiting on the customer pauses it."""

OPEN_STATUSES = CLOCK_RUNNING | {Status.PENDING_CUSTOMER}
"""Statuses in which the complaint still waits for a reply (the clock may be paused)."""

ACTIVE_STATUSES = OPEN_STATUSES | {Status.REPLIED, Status.FOLLOWED_UP}
"""Statuses in which someone still has work to do on the complaint."""


class Action(StrEnum):
    START = "start"
    WAIT_CUSTOMER = "wait_customer"
    RESUME = "resume"
    REPLY = "reply"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    REJECT = "reject"
    REOPEN = "reopen"
    MERGE = "merge"


ACTION_NAMES: dict[Action, str] = {
    Action.START: "开始处理",
    Action.WAIT_CUSTOMER: "等待客户",
    Action.RESUME: "恢复处理",
    Action.REPLY: "答复",
    Action.FOLLOW_UP: "回访",
    Action.CLOSE: "结案",
    Action.REJECT: "不予受理",
    Action.REOPEN: "重开",
    Action.MERGE: "合并",
}

_S = Status
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.START: (frozenset({_S.RECEIVED, _S.REOPENED}), _S.IN_PROGRESS),
    Action.WAIT_CUSTOMER: (frozenset({_S.RECEIVED, _S.IN_PROGRESS, _S.REOPENED}), _S.PENDING_CUSTOMER),
    Action.RESUME: (frozenset({_S.PENDING_CUSTOMER}), _S.IN_PROGRESS),
    Action.REPLY: (frozenset({_S.RECEIVED, _S.IN_PROGRESS, _S.REOPENED}), _S.REPLIED),
    Action.FOLLOW_UP: (frozenset({_S.REPLIED}), _S.FOLLOWED_UP),
    Action.CLOSE: (frozenset({_S.FOLLOWED_UP}), _S.CLOSED),
    Action.REJECT: (frozenset({_S.RECEIVED, _S.IN_PROGRESS, _S.PENDING_CUSTOMER}), _S.REJECTED),
    Action.REOPEN: (frozenset({_S.REPLIED, _S.FOLLOWED_UP, _S.CLOSED, _S.REJECTED}), _S.REOPENED),
    Action.MERGE: (frozenset(ACTIVE_STATUSES), _S.MERGED),
}


@dataclass(frozen=True)
class ClosingFacts:
    """What the close guard looks at."""

    followed_up: bool
    root_cause: str | None
    work_quality: bool
    responsible_person: str | None
    improvement_measure: str | None
    dissatisfied: bool = False  # at the follow-up
    close_reason: str | None = None


class TransitionRefused(Exception):
    """An action that the state or the doctrine does not allow; `code` is stable."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        self.code = code
        self.message = message
        self.field = field
        super().__init__(message)


def _filled(value: str | None) -> bool:
    return bool(value and value.strip())


def next_status(current: Status, action: Action) -> Status:
    """The status after `action`, or TransitionRefused naming the allowed starting points."""
    sources, target = TRANSITIONS[action]
    if current not in sources:
        allowed = "、".join(STATUS_NAMES[s] for s in sorted(sources, key=list(Status).index))
        raise TransitionRefused(
            "invalid_transition",
            f"投诉当前状态为“{STATUS_NAMES[current]}”，不能执行“{ACTION_NAMES[action]}”；"
            f"只有在以下状态才可以：{allowed}。",
        )
    return target


def allowed_actions(current: Status) -> list[Action]:
    return [a for a, (sources, _) in TRANSITIONS.items() if current in sources]


def check_close(facts: ClosingFacts) -> None:
    """The "1+3" and "three musts" guards for closing."""
    if not facts.followed_up:
        raise TransitionRefused("follow_up_required", "结案前必须完成并记录回访（“1+3”：每件投诉都要回访）。")
    if facts.dissatisfied and not _filled(facts.close_reason):
        # Handled again (reopened), or closed with the reason it cannot be taken further.
        raise TransitionRefused(
            "close_reason_required",
            "回访时客户不满意：请重开再次处理；如确实无法再处理（例如已按政策处理到位、客户诉求超出政策），"
            "请写明结案理由。",
            "close_reason",
        )
    if not _filled(facts.root_cause):
        raise TransitionRefused(
            "root_cause_required", "结案前必须填写投诉根因（“三个必须”：每件投诉必须找到原因）。", "root_cause"
        )
    if facts.work_quality and not _filled(facts.responsible_person):
        raise TransitionRefused(
            "responsible_person_required",
            "工作质量类投诉结案前必须落实责任人（“三个必须”）。",
            "responsible_person",
        )
    if facts.work_quality and not _filled(facts.improvement_measure):
        raise TransitionRefused(
            "improvement_measure_required",
            "工作质量类投诉结案前必须制定并落实改进措施（“三个必须”）。",
            "improvement_measure",
        )


def check_reopen(*, settlement_confirmed: bool, new_evidence: str | None) -> None:
    """A settlement the customer signed is only reopened on new evidence (the chameleon case)."""
    if settlement_confirmed and not _filled(new_evidence):
        raise TransitionRefused(
            "new_evidence_required",
            "客户已签字确认处理结果，重开投诉必须说明新的证据或事实。",
            "new_evidence",
        )


def check_reject(*, legal_basis: str | None, reasons: str | None) -> None:
    if not _filled(legal_basis):
        raise TransitionRefused("legal_basis_required", "不予受理必须注明法规依据，不能无理由拒绝。", "legal_basis")
    if not _filled(reasons):
        raise TransitionRefused("reasons_required", "不予受理必须向客户说明理由。", "reasons")
    for field_name, text in (("legal_basis", legal_basis), ("reasons", reasons)):
        if cites_appeal_time_limit(text):
            raise TransitionRefused("appeal_limit_not_for_operator", OPERATOR_MAY_NOT_CITE, field_name)
