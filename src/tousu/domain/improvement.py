"""The improvement loop (整改): root causes counted, measures that prevent them, and their effect.

The "three musts" say every complaint must find its cause, hold someone responsible and prevent
it happening again. A free-text root cause cannot be counted, so a complaint is closed with one
kind from a small controlled list as well (the words of the doctrine where it has them: 我方原因
错收, 未经同意开通业务, 承诺未兑现, 第三方原因, 客户自身原因…). A measure (整改措施) answers one
kind, has an owner and a due date, and moves 待办 → 进行中 → 已完成 → 已核实: done only with its
evidence, verified by a manager other than its owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from tousu.domain.deadlines import LOCAL


class RootCauseKind(StrEnum):
    NETWORK_FAULT = "network_fault"
    BILLING_ERROR = "billing_error"
    UNAUTHORISED_SERVICE = "unauthorised_service"
    HANDLING_ERROR = "handling_error"
    MARKETING_DISCLOSURE = "marketing_disclosure"
    PROMISE_UNKEPT = "promise_unkept"
    SERVICE_ATTITUDE = "service_attitude"
    SYSTEM_FAULT = "system_fault"
    PRODUCT_QUALITY = "product_quality"
    POLICY_RULE = "policy_rule"
    THIRD_PARTY = "third_party"
    CUSTOMER_SIDE = "customer_side"
    OTHER = "other"


ROOT_CAUSE_NAMES: dict[RootCauseKind, str] = {
    RootCauseKind.NETWORK_FAULT: "网络故障",
    RootCauseKind.BILLING_ERROR: "计费差错（我方原因错收、多收）",
    RootCauseKind.UNAUTHORISED_SERVICE: "未经客户同意开通业务",
    RootCauseKind.HANDLING_ERROR: "业务办理差错",
    RootCauseKind.MARKETING_DISCLOSURE: "营销宣传、告知不到位",
    RootCauseKind.PROMISE_UNKEPT: "承诺未兑现",
    RootCauseKind.SERVICE_ATTITUDE: "服务态度",
    RootCauseKind.SYSTEM_FAULT: "系统故障",
    RootCauseKind.PRODUCT_QUALITY: "商品质量",
    RootCauseKind.POLICY_RULE: "政策规定",
    RootCauseKind.THIRD_PARTY: "第三方原因",
    RootCauseKind.CUSTOMER_SIDE: "客户自身原因或误解",
    RootCauseKind.OTHER: "其他",
}
UNCLASSIFIED = "未分类"
"""What a complaint closed without a kind (all closed before kinds existed) is called."""


class MeasureStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"


MEASURE_STATUS_NAMES: dict[MeasureStatus, str] = {
    MeasureStatus.OPEN: "待办",
    MeasureStatus.IN_PROGRESS: "进行中",
    MeasureStatus.DONE: "已完成",
    MeasureStatus.VERIFIED: "已核实",
}

UNFINISHED = frozenset({MeasureStatus.OPEN, MeasureStatus.IN_PROGRESS})
"""A measure still owed: it can be overdue and it is on its owner's to-do."""

_M = MeasureStatus
MOVES: dict[MeasureStatus, tuple[MeasureStatus, ...]] = {
    _M.OPEN: (_M.IN_PROGRESS, _M.DONE),
    _M.IN_PROGRESS: (_M.OPEN, _M.DONE),
    _M.DONE: (_M.VERIFIED, _M.IN_PROGRESS),  # back to work when the check finds it not done
    _M.VERIFIED: (),
}

DUE_SOON_DAYS = 3
"""A measure due within this many days is on its owner's to-do before it is overdue."""


class Refused(Exception):
    """Input or a change the rules do not allow; `code` is stable, `message` Chinese."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        self.code = code
        self.message = message
        self.field = field
        super().__init__(message)


def root_cause_name(code: str | None) -> str | None:
    """The Chinese name of a stored kind; None when none was chosen."""
    if code is None:
        return None
    try:
        return ROOT_CAUSE_NAMES[RootCauseKind(code)]
    except ValueError:
        return UNCLASSIFIED


def kind_choices() -> str:
    return "、".join(f"{name}（{kind.value}）" for kind, name in ROOT_CAUSE_NAMES.items())


def root_cause_kind(value: str | None) -> RootCauseKind | None:
    """The kind a person chose; None for none chosen. An unknown code is refused with the list."""
    if value is None or not value.strip():
        return None
    try:
        return RootCauseKind(value.strip())
    except ValueError:
        raise Refused(
            "unknown_root_cause_kind",
            f"根因类别“{value.strip()[:40]}”不在可选范围内，请从以下类别中选择：{kind_choices()}。",
            "root_cause_kind",
        ) from None


def required_kind(value: str | None) -> RootCauseKind:
    kind = root_cause_kind(value)
    if kind is None:
        raise Refused("root_cause_kind_required", "请选择整改措施针对的根因类别。", "root_cause_kind")
    return kind


def check_move(
    current: MeasureStatus, target: MeasureStatus, *, evidence: str, by_owner: bool, by_manager: bool
) -> None:
    """May the measure move from `current` to `target`? Done needs evidence; verified needs a
    manager who is not the owner (nobody checks their own work)."""
    if target not in MOVES[current]:
        allowed = "、".join(MEASURE_STATUS_NAMES[s] for s in MOVES[current]) or "无（已核实的措施不再变更）"
        raise Refused(
            "invalid_measure_transition",
            f"整改措施当前为“{MEASURE_STATUS_NAMES[current]}”，不能改为“{MEASURE_STATUS_NAMES[target]}”；"
            f"可改为：{allowed}。",
            "status",
        )
    if target is MeasureStatus.DONE and not evidence.strip():
        raise Refused(
            "evidence_required", "标记“已完成”须填写整改证据：做了什么、结果如何、在哪里可以查到。", "evidence"
        )
    if target is MeasureStatus.VERIFIED and (by_owner or not by_manager):
        raise Refused("verifier_not_allowed", "整改措施须由责任人以外的厅经理或以上人员核实。", "status")


def check_due(due_on: date, today: date) -> None:
    if due_on < today:
        raise Refused("due_in_past", f"完成期限不能早于今天（{today.isoformat()}），请重新选择日期。", "due_on")


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL).date()


def due_state(status: MeasureStatus, due_on: date, today: date) -> str | None:
    """'overdue', 'due_soon' (within DUE_SOON_DAYS) or None, for a measure still owed."""
    if status not in UNFINISHED:
        return None
    if due_on < today:
        return "overdue"
    if due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return None


@dataclass(frozen=True)
class ParetoBar:
    kind: RootCauseKind
    name: str
    count: int
    share: float  # of all classified complaints in the period
    cumulative: float  # this bar's and every larger one's


def pareto(counts: Mapping[RootCauseKind, int]) -> list[ParetoBar]:
    """Kinds by count, largest first (ties in the list's order), with their cumulative share."""
    order = list(RootCauseKind)
    rows = sorted(((k, n) for k, n in counts.items() if n > 0), key=lambda kn: (-kn[1], order.index(kn[0])))
    total = sum(n for _, n in rows)
    bars, running = [], 0
    for kind, n in rows:
        running += n
        bars.append(ParetoBar(kind, ROOT_CAUSE_NAMES[kind], n, n / total, running / total))
    return bars


@dataclass(frozen=True)
class Week:
    start: datetime  # local midnight, as an aware moment
    end: datetime
    after: bool  # after the anchor (the measure's completion)


def weeks_around(anchor: datetime, weeks: int) -> list[Week]:
    """`weeks` seven-day spans ending at the anchor and `weeks` starting at it."""
    spans = [
        Week(anchor - timedelta(days=7 * (weeks - i)), anchor - timedelta(days=7 * (weeks - i - 1)), False)
        for i in range(weeks)
    ]
    spans += [Week(anchor + timedelta(days=7 * i), anchor + timedelta(days=7 * (i + 1)), True) for i in range(weeks)]
    return spans


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL).astimezone(UTC)
