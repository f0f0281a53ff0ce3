"""Scheduled reports by e-mail (日报, 周报): which period is due on which day, how it is grouped,
and the short Chinese summary the e-mail's body carries. No I/O.

日报 covers yesterday and goes every day; 周报 covers last Monday to Sunday and goes on Mondays
(Asia/Shanghai calendar days, the reports' own). Both compare with the same number of days just
before, as every report does. A director's or administrator's report is grouped by hall (team),
the whole organisation at a glance; a manager's covers only their hall, grouped by category, which
says what the hall's complaints were about.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from tousu.domain.kpi import GroupBy, Period


class ReportKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


KIND_NAMES = {ReportKind.DAILY: "日报", ReportKind.WEEKLY: "周报"}
PREVIOUS_NAMES = {ReportKind.DAILY: "前一日", ReportKind.WEEKLY: "前一周"}
WEEKDAYS = "一二三四五六日"

# The figures of the e-mail's body, in its order; the workbook has every KPI.
SUMMARY_KPIS = ("received", "on_time_rate", "overdue", "satisfaction_rate")


def due(today: date) -> list[tuple[ReportKind, Period]]:
    """The reports that go out on `today` (a Shanghai calendar day) and the period each covers."""
    yesterday = today - timedelta(days=1)
    out = [(ReportKind.DAILY, Period(yesterday, yesterday))]
    if today.weekday() == 0:  # Monday: last week, Monday to Sunday
        out.append((ReportKind.WEEKLY, Period(today - timedelta(days=7), yesterday)))
    return out


def group_for(sees_everything: bool) -> GroupBy:
    """By hall for those who see every hall; by category within a manager's hall."""
    return GroupBy.TEAM if sees_everything else GroupBy.CATEGORY


def dedup_key(kind: ReportKind, user_id: int, period: Period) -> str:
    """One e-mail per person, kind and period, whichever process queues it first."""
    return f"report:{kind.value}:{user_id}:{period.start.isoformat()}"


def period_text(kind: ReportKind, period: Period) -> str:
    if kind is ReportKind.DAILY:
        return f"{period.start.isoformat()}（星期{WEEKDAYS[period.start.weekday()]}）"
    return f"{period.start.isoformat()} 至 {period.end.isoformat()}"


def filename(kind: ReportKind, period: Period) -> str:
    """投诉日报-2026-12-05.xlsx, 投诉周报-2026-11-30至2026-12-06.xlsx."""
    days = period.start.isoformat() if kind is ReportKind.DAILY else f"{period.start}至{period.end}"
    return f"投诉{KIND_NAMES[kind]}-{days}.xlsx"


def subject(kind: ReportKind, period: Period, scope: str) -> str:
    return f"投诉{KIND_NAMES[kind]} {period_text(kind, period)}｜{scope}"


def _value(value: float | int | None, kind: str) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.2f}%" if kind == "rate" else f"{value} 件"


def _change(value: float | int | None, kind: str) -> str:
    if value is None:
        return "无法比较"
    if not value:
        return "持平"
    if kind == "rate":
        return f"{value * 100:+.2f} 个百分点"
    return f"{value:+d} 件"


def summary(kind: ReportKind, report: Mapping[str, Any], attachment: str) -> str:
    """The e-mail's body: the period and scope, four figures with the previous period's and the change."""
    columns = {c["key"]: c for c in report["columns"]}
    total = report["total"]
    before = PREVIOUS_NAMES[kind]
    period = Period(date.fromisoformat(report["period"]["from"]), date.fromisoformat(report["period"]["to"]))
    lines = [
        f"统计期间：{period_text(kind, period)}（按受理时间，北京时间）",
        f"统计范围：{report['scope']}",
        "",
    ]
    for key in SUMMARY_KPIS:
        column = columns[key]
        now, previous, change = total["kpis"][key], total["previous"][key], total["change"][key]
        lines.append(
            f"{column['name']}：{_value(now, column['kind'])}"
            f"（{before} {_value(previous, column['kind'])}，{_change(change, column['kind'])}）"
        )
    lines += ["", f"明细见附件《{attachment}》：按{report['group_name']}分组，含上期数据、与上期对比和指标口径。"]
    return "\n".join(lines)
