"""Report periods, groupings and the KPI ratios: what each figure means, in one place. No I/O.

The counts come from the database (tousu.services.reports, one GROUP BY per report); this module
says which complaints they count, turns them into rates and compares a period with the one before.
Every count is over the complaints *received* in the period (Asia/Shanghai calendar days), so a
row's figures and its drill-down list are the same complaints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal

from tousu.domain.deadlines import LOCAL

MAX_DAYS = 366
EARLIEST, LATEST = date(1970, 1, 1), date(2099, 12, 31)


class GroupBy(StrEnum):
    TEAM = "team"
    AGENT = "agent"
    CHANNEL = "channel"
    CATEGORY = "category"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


GROUP_NAMES: dict[GroupBy, str] = {
    GroupBy.TEAM: "营业厅/班组",
    GroupBy.AGENT: "处理人",
    GroupBy.CHANNEL: "渠道",
    GroupBy.CATEGORY: "类别",
    GroupBy.DAY: "日",
    GroupBy.WEEK: "周",
    GroupBy.MONTH: "月",
}

TIME_GROUPS = frozenset({GroupBy.DAY, GroupBy.WEEK, GroupBy.MONTH})


class Measure(StrEnum):
    """The counted subsets of a period's complaints that a drill-down can list."""

    RECEIVED = "received"
    ON_TIME = "on_time"
    OVERDUE = "overdue"
    CLOSED = "closed"
    REPLIED = "replied"
    FOLLOWED_UP = "followed_up"
    SATISFIED = "satisfied"
    REPEAT = "repeat"
    OVER_LEVEL = "over_level"
    APPEALS = "appeals"
    REGULATOR_THREATS = "regulator_threats"
    IN_BATCH = "in_batch"


Kind = Literal["count", "rate", "hours", "per_million"]


@dataclass(frozen=True)
class Kpi:
    key: str
    name: str
    kind: Kind
    definition: str
    measure: Measure | None = None  # the complaints behind the figure, for counts


# The one definition of every figure. "Received in the period" is the cohort throughout.
KPIS: tuple[Kpi, ...] = (
    Kpi("received", "受理量", "count", "期间受理的投诉件数（含已合并、不予受理的）。", Measure.RECEIVED),
    # Replied by the reply deadline (the earlier of ours and a transferring regulator's), and not
    # now waiting past a new deadline after a reopening.
    Kpi("on_time", "及时答复", "count", "在答复期限内答复、且目前没有超期未答复的件数。", Measure.ON_TIME),
    # Replied after the deadline, or still unreplied with the clock running past it (the queue's
    # "overdue"; waiting on the customer pauses the clock and is not overdue).
    Kpi("overdue", "超时", "count", "超过答复期限才答复，或至今超期未答复的件数。", Measure.OVERDUE),
    Kpi("on_time_rate", "及时率", "rate", "及时答复 ÷（及时答复 + 超时）；尚未到期的不计入。"),
    Kpi("closed", "结案", "count", "已结案的件数（不含不予受理）。", Measure.CLOSED),
    Kpi("avg_handling_hours", "平均处理时长(小时)", "hours", "已结案投诉从受理到结案的平均小时数。"),
    Kpi("replied", "已答复", "count", "已答复客户的件数。", Measure.REPLIED),
    Kpi("followed_up", "已回访", "count", "已回访并记录满意度的件数。", Measure.FOLLOWED_UP),
    # Not "÷ closed": closing requires a follow-up ("1+3"), so that rate would always be 100%.
    Kpi("follow_up_rate", "回访率", "rate", "已回访 ÷ 已答复。"),
    Kpi("satisfied", "满意", "count", "回访结果为“满意”的件数。", Measure.SATISFIED),
    Kpi("satisfaction_rate", "满意率", "rate", "满意 ÷ 已回访。"),
    # Marked 重复 at intake: the same customer's earlier complaint on the same issue was replied to
    # within the policy's repeat window (urgency.repeat_window_months).
    Kpi("repeat", "重复投诉", "count", "受理时标为“重复”的件数：同一客户同一问题在重复期内已答复过。", Measure.REPEAT),
    Kpi("repeat_rate", "重复投诉率", "rate", "重复投诉 ÷ 受理量。"),
    # Came through a higher body's channel (the policy's over_level_channels: 工信部, 消协, 媒体…).
    Kpi(
        "over_level",
        "越级投诉",
        "count",
        "经上级或外部渠道（集团、政府部门、消协、媒体、法院等）来的件数。",
        Measure.OVER_LEVEL,
    ),
    # Transferred by 12300, 12315 or the ministry with their case number: an appeal (申诉).
    Kpi("appeals", "申诉转办", "count", "由12300、12315或工信部/通信管理局转来的件数。", Measure.APPEALS),
    Kpi("regulator_threats", "扬言越级", "count", "客户诉求中有“越级/监管投诉”的件数。", Measure.REGULATOR_THREATS),
    # Distinct batches among the period's complaints; a total counts a batch once, whatever its rows.
    Kpi("batches", "批量事件", "count", "期间投诉所属的批量事件数（同一事件只计一次）。", Measure.IN_BATCH),
    Kpi("subscribers", "用户数", "count", "规则设置·营业厅与班组中填写的本厅用户数；未填写则留空。"),
    Kpi("per_million", "百万用户申诉率", "per_million", "受理量 ÷ 用户数 × 1,000,000；用户数未知则留空。"),
)
KPI_BY_KEY = {k.key: k for k in KPIS}


@dataclass(frozen=True)
class Counts:
    """What the database counts for one group of a period's complaints."""

    received: int = 0
    on_time: int = 0
    overdue: int = 0
    closed: int = 0
    handling_hours: float = 0.0  # summed over the closed ones
    replied: int = 0
    followed_up: int = 0
    satisfied: int = 0
    repeat: int = 0
    over_level: int = 0
    appeals: int = 0
    regulator_threats: int = 0
    batches: int = 0


def ratio(part: int, whole: int) -> float | None:
    """part / whole to four places; None (blank) when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def kpis(counts: Counts, subscribers: int | None) -> dict[str, float | int | None]:
    """Every KPI of one row, keyed as KPIS."""
    c = counts
    return {
        "received": c.received,
        "on_time": c.on_time,
        "overdue": c.overdue,
        "on_time_rate": ratio(c.on_time, c.on_time + c.overdue),
        "closed": c.closed,
        "avg_handling_hours": round(c.handling_hours / c.closed, 1) if c.closed else None,
        "replied": c.replied,
        "followed_up": c.followed_up,
        "follow_up_rate": ratio(c.followed_up, c.replied),
        "satisfied": c.satisfied,
        "satisfaction_rate": ratio(c.satisfied, c.followed_up),
        "repeat": c.repeat,
        "repeat_rate": ratio(c.repeat, c.received),
        "over_level": c.over_level,
        "appeals": c.appeals,
        "regulator_threats": c.regulator_threats,
        "batches": c.batches,
        "subscribers": subscribers,
        "per_million": round(c.received / subscribers * 1_000_000, 2) if subscribers else None,
    }


def changes(
    current: Mapping[str, float | int | None], previous: Mapping[str, float | int | None]
) -> dict[str, float | int | None]:
    """Current minus previous, KPI by KPI (rates in fractions: 0.05 is five percentage points)."""
    out: dict[str, float | int | None] = {}
    for key, now in current.items():
        before = previous.get(key)
        if now is None or before is None:
            out[key] = None
        elif isinstance(now, int) and isinstance(before, int):
            out[key] = now - before
        else:
            out[key] = round(float(now) - float(before), 4)
    return out


class PeriodError(ValueError):
    """A period that cannot be reported on; `field` is the parameter at fault, `message` Chinese."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Period:
    """Calendar days in Asia/Shanghai, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """[first day 00:00, the day after the last 00:00) in Shanghai, as UTC instants."""
        return local_midnight(self.start), local_midnight(self.end + timedelta(days=1))

    def previous(self) -> Period:
        """The same number of days immediately before."""
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL).astimezone(UTC)


def parse_day(text: str | None, field: str) -> date:
    if not text:
        raise PeriodError(field, f"{field}：请填写日期（格式 YYYY-MM-DD，例：2026-11-01）。")
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise PeriodError(field, f"{field}：日期格式不正确（应为 YYYY-MM-DD，例：2026-11-01），收到“{text[:20]}”。")
    if not EARLIEST <= day <= LATEST:
        raise PeriodError(field, f"{field}：日期须在 1970 年至 2099 年之间。")
    return day


def period_of(start_text: str | None, end_text: str | None) -> Period:
    """The period `from`..`to` as typed, or PeriodError saying what to fix."""
    start, end = parse_day(start_text, "from"), parse_day(end_text, "to")
    if end < start:
        raise PeriodError("to", "to：结束日期不能早于开始日期。")
    period = Period(start, end)
    if period.days > MAX_DAYS:
        raise PeriodError("to", f"to：统计期间最长 {MAX_DAYS} 天（所选为 {period.days} 天），请缩短后重试。")
    if period.previous().start < EARLIEST:
        raise PeriodError("from", "from：开始日期太早，无法与上一期对比。")
    return period


def bucket_start(day: date, group: GroupBy) -> date:
    """The first day of the day, week (Monday) or month `day` falls in."""
    if group is GroupBy.WEEK:
        return day - timedelta(days=day.weekday())
    if group is GroupBy.MONTH:
        return day.replace(day=1)
    return day


def buckets(period: Period, group: GroupBy) -> list[date]:
    """Every day, week or month the period touches, in order: a trend has no gaps."""
    out: list[date] = []
    day = period.start
    while day <= period.end:
        first = bucket_start(day, group)
        if not out or out[-1] != first:
            out.append(first)
        day += timedelta(days=1)
    return out


def bucket_period(first: date, group: GroupBy, within: Period) -> Period:
    """The days of one bucket that lie inside the report's period (a week may start before it)."""
    if group is GroupBy.WEEK:
        last = first + timedelta(days=6)
    elif group is GroupBy.MONTH:
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = following - timedelta(days=1)
    else:
        last = first
    return Period(max(first, within.start), min(last, within.end))


def bucket_label(first: date, group: GroupBy) -> str:
    if group is GroupBy.WEEK:
        return f"{first:%Y-%m-%d}当周"
    if group is GroupBy.MONTH:
        return f"{first.year}年{first.month}月"
    return first.isoformat()
