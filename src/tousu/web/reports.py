"""报表 pages: the KPI table and chart for a period, and the complaints behind any figure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from tousu.api import present
from tousu.api.deps import AppState, State
from tousu.api.routes_reports import download, kpi_report
from tousu.domain import kpi
from tousu.domain.codes import Role
from tousu.domain.deadlines import LOCAL
from tousu.services import exports, reports
from tousu.services.actors import Actor
from tousu.services.errors import ServiceError
from tousu.services.industry import category_names, demand_names
from tousu.web.auth import PageActor
from tousu.web.render import page

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
DEFAULT_DAYS = 30
CHARTABLE = [k for k in kpi.KPIS if k.key not in ("subscribers",)]


def _refused(request: Request, actor: Actor) -> Response | None:
    if actor.at_least(Role.MANAGER):
        return None
    message = "报表仅限厅经理及以上人员查看。如需数据，请联系您的厅经理。"
    return page(request, "forbidden.html", status_code=403, actor=actor, message=message)


def _pick(value: str | None, allowed: list[str], default: str) -> str:
    return value if value in allowed else default


def _choices(params: dict[str, str], today: date) -> tuple[dict[str, str], kpi.Period | None, str | None]:
    """The form's values (defaults: the last 30 days by hall) and the period, or why it cannot be used."""
    chosen = {
        "from": (params.get("from") or (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat())[:10],
        "to": (params.get("to") or today.isoformat())[:10],
        "group_by": _pick(params.get("group_by"), [g.value for g in kpi.GroupBy], kpi.GroupBy.TEAM.value),
        "chart": _pick(params.get("chart"), [k.key for k in CHARTABLE], "received"),
    }
    try:
        return chosen, kpi.period_of(chosen["from"], chosen["to"]), None
    except kpi.PeriodError as exc:
        return chosen, None, exc.message.split("：", 1)[-1]


def _chart(report: dict[str, Any], key: str, link: dict[str, str]) -> dict[str, Any]:
    """Bars of one KPI per group, each linking to the complaints behind it."""
    column = kpi.KPI_BY_KEY[key]
    measure = column.measure or kpi.Measure.RECEIVED
    bars = []
    for row in report["rows"]:
        value = row["kpis"][key]
        bars.append(
            {
                "label": row["label"],
                "value": value,
                "text": _shown(value, column.kind),
                "href": "/reports/complaints?" + urlencode({**link, "key": row["key"], "measure": measure.value}),
            }
        )
    top = max((b["value"] or 0 for b in bars), default=0)
    for bar in bars:
        bar["width"] = round((bar["value"] or 0) / top * 300, 1) if top else 0
    return {"name": column.name, "bars": bars}


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind in ("hours", "per_million"):
        return f"{value:.1f}" if kind == "hours" else f"{value:.2f}"
    return str(value)


def _delta(value: Any, kind: str) -> str:
    if value is None or value == 0:
        return "持平" if value == 0 else ""
    sign = "+" if value > 0 else "−"
    if kind == "rate":
        return f"{sign}{abs(value) * 100:.1f}个百分点"
    return f"{sign}{_shown(abs(value), kind)}"


@router.get("/reports")
def reports_page(request: Request, state: State, actor: PageActor) -> Response:
    refused = _refused(request, actor)
    if refused:
        return refused
    today = state.clock().astimezone(LOCAL).date()
    chosen, period, error = _choices(dict(request.query_params), today)
    context: dict[str, Any] = {
        "chosen": chosen,
        "error": error,
        "groups": [(g.value, name) for g, name in kpi.GROUP_NAMES.items()],
        "chartable": [(k.key, k.name) for k in CHARTABLE],
        "shown": _shown,
        "delta": _delta,
        "nav": "reports",
    }
    if period is None:
        return page(request, "reports.html", status_code=422, actor=actor, **context)
    group_by = kpi.GroupBy(chosen["group_by"])
    report = kpi_report(state, actor, period, group_by)
    link = {"from": chosen["from"], "to": chosen["to"], "group_by": group_by.value}
    query = urlencode(link)
    return page(
        request,
        "reports.html",
        actor=actor,
        r=report,
        chart=_chart(report, chosen["chart"], link),
        link=query,
        timed=group_by in kpi.TIME_GROUPS,
        **context,
    )


@router.get("/reports/complaints")
def complaints_behind_page(request: Request, state: State, actor: PageActor) -> Response:
    """The complaints a report figure counts; `format=xlsx|csv` downloads them all."""
    refused = _refused(request, actor)
    if refused:
        return refused
    params = dict(request.query_params)
    chosen, period, error = _choices(params, state.clock().astimezone(LOCAL).date())
    measure = kpi.Measure(_pick(params.get("measure"), [m.value for m in kpi.Measure], kpi.Measure.RECEIVED.value))
    key = (params.get("key") or "")[:100] or None
    offset = int(o) if (o := params.get("offset", "")).isdigit() and len(o) <= 9 else 0
    context: dict[str, Any] = {"nav": "reports", "chosen": chosen, "items": [], "total": 0}
    if period is None:
        return page(request, "report_complaints.html", status_code=422, actor=actor, error=error, **context)
    group_by = kpi.GroupBy(chosen["group_by"]) if key else None
    figure = reports.Figure(period=period, measure=measure, group_by=group_by, key=key)
    now = state.clock()
    fmt: exports.Format | None = (
        "xlsx" if params.get("format") == "xlsx" else "csv" if params.get("format") == "csv" else None
    )
    try:
        with state.read() as conn:  # a bad key is refused here, before any download starts
            rows, total = reports.complaints_behind(
                conn, actor=actor, figure=figure, now=now, limit=PAGE_SIZE, offset=offset
            )
            what = _describe(conn, figure, industry=state.policy.industry)
    except ServiceError as exc:
        message = exc.message.split("：", 1)[-1]
        return page(request, "report_complaints.html", status_code=422, actor=actor, error=message, **context)
    if fmt is not None:
        return download(_export(state, actor, figure, now, fmt), fmt=fmt, stem=f"complaints-{period.start:%Y%m%d}")
    kept = {"from": chosen["from"], "to": chosen["to"], "group_by": chosen["group_by"], "measure": measure.value}
    if key:
        kept["key"] = key
    return page(
        request,
        "report_complaints.html",
        actor=actor,
        **{**context, "items": [present.list_item_json(r) for r in rows], "total": total},
        offset=offset,
        what=what,
        query=urlencode(kept),
        back=urlencode(chosen),
        prev=urlencode({**kept, "offset": max(0, offset - PAGE_SIZE)}) if offset else None,
        next=urlencode({**kept, "offset": offset + PAGE_SIZE}) if offset + PAGE_SIZE < total else None,
        error=None,
    )


def _export(
    state: AppState, actor: Actor, figure: reports.Figure, now: datetime, fmt: exports.Format
) -> Iterator[bytes]:
    """All the complaints behind the figure, read in one transaction as the file streams."""

    def rows() -> Iterator[dict[str, Any]]:
        with state.read() as conn:
            yield from reports.iter_behind(conn, actor=actor, figure=figure, now=now)

    return exports.complaints_file(
        rows(),
        fmt=fmt,
        masked=not exports.shows_personal_data(actor),
        category_names=category_names(state.policy.industry),
        demand_names=demand_names(state.policy.industry),
    )


def _describe(conn: Connection, figure: reports.Figure, *, industry: str) -> str:
    """「2026-11-01 至 2026-11-30 · 类别：计费/扣费争议 · 超时」"""
    parts = [f"{figure.period.start.isoformat()} 至 {figure.period.end.isoformat()}"]
    if figure.group_by is not None and figure.key is not None:
        label = reports.group_label(conn, figure.group_by, figure.key, industry=industry) or figure.key
        parts.append(f"{kpi.GROUP_NAMES[figure.group_by]}：{label}")
    name = next((k.name for k in kpi.KPIS if k.measure is figure.measure), "")
    parts.append("全部受理" if figure.measure is kpi.Measure.RECEIVED else name)
    return " · ".join(parts)
