"""Reports (KPIs by group and period) and exports of filtered complaint lists, as JSON, .xlsx or CSV."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, StreamingResponse

from tousu.api.deps import AppState, CurrentActor, Manager, State
from tousu.api.errors import documented
from tousu.api.filters import Filters
from tousu.api.schemas import Text
from tousu.domain import kpi
from tousu.domain.deadlines import LOCAL
from tousu.services import exports, queries, reports
from tousu.services.actors import Actor
from tousu.services.errors import Invalid
from tousu.services.industry import category_names, demand_names

router = APIRouter(prefix="/api/v1", tags=["reports"], responses=documented(400, 401, 403, 413, 422))

EXPORT_PAGE = 2000
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_CSV = {"schema": {"type": "string"}}
DAY = "a calendar day in Asia/Shanghai, YYYY-MM-DD"


def period_or_422(start: str | None, end: str | None) -> kpi.Period:
    try:
        return kpi.period_of(start, end)
    except kpi.PeriodError as exc:
        raise Invalid("bad_period", exc.message, exc.field) from None


def download(chunks: Iterator[bytes], *, fmt: exports.Format, stem: str) -> StreamingResponse:
    return StreamingResponse(
        chunks,
        media_type=exports.MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{exports.filename(stem, fmt)}"',
            "Cache-Control": "no-store",
        },
    )


def kpi_report(state: AppState, actor: Actor, period: kpi.Period, group_by: kpi.GroupBy) -> dict[str, Any]:
    with state.read() as conn:
        return reports.report(
            conn, actor=actor, period=period, group_by=group_by, now=state.clock(), policy=state.policy
        )


@router.get(
    "/reports/kpi",
    summary="报表：KPI（按营业厅、处理人、渠道、类别或日/周/月）",
    response_model=None,
    responses={
        200: {
            "description": "the KPIs as JSON, or the same figures as a workbook (format=xlsx) or CSV (format=csv)",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                exports.XLSX_TYPE: _BINARY,
                "text/csv": _CSV,
            },
        }
    },
)
def get_kpi(
    state: State,
    actor: Manager,
    start: Annotated[Text, Query(alias="from", max_length=10, description=DAY)],
    end: Annotated[Text, Query(alias="to", max_length=10, description=DAY)],
    group_by: kpi.GroupBy = kpi.GroupBy.TEAM,
    format: Literal["json", "xlsx", "csv"] = "json",
) -> JSONResponse | StreamingResponse:
    """KPIs of the complaints received from `from` to `to` (both included, at most 366 days),
    per group, in total and for the same number of days before. Managers see their hall,
    directors and admins every hall; agents are refused. Each figure is defined in `columns`."""
    period = period_or_422(start, end)
    body = kpi_report(state, actor, period, group_by)
    if format == "json":
        return JSONResponse(body)
    stem = f"report-{period.start:%Y%m%d}-{period.end:%Y%m%d}-{group_by.value}"
    return download(exports.report_file(body, fmt=format), fmt=format, stem=stem)


@contextmanager
def snapshot(state: AppState) -> Iterator[sa.Connection]:
    """One read transaction that sees a single moment, however long the export streams."""
    with state.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _filtered(state: AppState, actor: Actor, filters: queries.ComplaintFilter, now: datetime) -> Iterator[Any]:
    """Every complaint of the filtered list, in the list's order, through the list's own paging."""
    with snapshot(state) as conn:
        yield from queries.walk(conn, actor=actor, filters=filters, now=now, page_size=EXPORT_PAGE)


@router.get(
    "/exports/complaints",
    summary="导出投诉清单（Excel 或 CSV）",
    response_model=None,
    responses={
        200: {
            "description": "the filtered list, every page of it, with Chinese headers; phones masked for agents",
            "content": {exports.XLSX_TYPE: _BINARY, "text/csv": _CSV},
        }
    },
)
def export_complaints(
    state: State, actor: CurrentActor, filters: Filters, format: Literal["xlsx", "csv"] = "xlsx"
) -> StreamingResponse:
    """The complaints `GET /complaints` lists with the same filters (all of them, not one page), streamed."""
    now = state.clock()
    rows = _filtered(state, actor, filters, now)
    chunks = exports.complaints_file(
        rows,
        fmt=format,
        masked=not exports.shows_personal_data(actor),
        category_names=category_names(state.policy.industry),
        demand_names=demand_names(state.policy.industry),
    )
    return download(chunks, fmt=format, stem=f"complaints-{now.astimezone(LOCAL):%Y%m%d-%H%M}")
