"""Exports: complaint lists and reports as Excel (.xlsx) and CSV, in Chinese, masked by role.

One writer for every path (the API, the report pages, `tousu export`): Chinese headers, codes
shown by their Chinese names, times in Asia/Shanghai. CSV is UTF-8 with a BOM, which Excel needs
to read it as UTF-8. Both are produced a slice at a time: CSV streamed row by row, the workbook
by openpyxl's write-only mode into a spooled temporary file, then streamed from it.

Personal data: customers' phone numbers (and numbers typed in the complaint text) are masked in
an export unless the exporter is a manager or above — the role that calls customers back (回访)
and may see ID numbers in full; an agent's export is a list, and lists are masked.
`tousu export` masks too, unless an administrator asks for `--unmasked`.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from tousu.domain.codes import CHANNEL_NAMES, URGENCY_NAMES, Category, Demand, Role
from tousu.domain.deadlines import LOCAL
from tousu.domain.workflow import STATUS_NAMES
from tousu.services.actors import Actor
from tousu.services.customers import mask_numbers_in_text, mask_phone

Format = Literal["csv", "xlsx"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
MEDIA_TYPES: dict[str, str] = {"xlsx": XLSX_TYPE, "csv": CSV_TYPE}
BOM = "\ufeff"
CHUNK_ROWS = 500
CHUNK_BYTES = 64 * 1024

COMPLAINT_HEADERS = [
    "投诉编号",
    "受理时间",
    "渠道",
    "类别",
    "诉求",
    "状态",
    "紧急类型",
    "营业厅/班组",
    "客户姓名",
    "客户电话",
    "投诉内容",
    "答复期限",
    "归档时间",
]


def shows_personal_data(actor: Actor) -> bool:
    """Whether the actor's exports carry phone numbers unmasked (see the module's docstring)."""
    return actor.at_least(Role.MANAGER)


def local_time(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def _named(names: Mapping[Any, str], code: str | None) -> str:
    if not code:
        return ""
    return next((name for key, name in names.items() if key == code), code)


def complaint_cells(
    row: Mapping[str, Any],
    *,
    masked: bool,
    category_names: Mapping[Category, str],
    demand_names: Mapping[Demand, str],
) -> list[Any]:
    """One complaint (a row of queries.LIST_COLUMNS) as the export's cells, under COMPLAINT_HEADERS;
    its category and demands as the organisation's industry names them (services.industry)."""
    phone = row["customer_phone"]
    content = row["content"]
    return [
        row["reference"],
        local_time(row["received_at"]),
        _named(CHANNEL_NAMES, row["channel"]),
        _named(category_names, row["category"]) or "未分类",
        "、".join(_named(demand_names, d) for d in row["demands"] or []),
        _named(STATUS_NAMES, row["status"]),
        "、".join(_named(URGENCY_NAMES, t) for t in row["urgency_types"] or []),
        row["team"],
        row["customer_name"],
        mask_phone(phone) if masked else phone,
        mask_numbers_in_text(content) if masked else content,
        local_time(row["reply_by"]),
        local_time(row.get("archived_at")),  # empty: in the working set
    ]


def _text_cell(value: Any) -> Any:
    """CSV text Excel would take for a formula (=, +, -, @ first) is quoted; numbers stay numbers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_stream(header: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """UTF-8 with a BOM, a few hundred rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(["" if v is None else _text_cell(v) for v in row])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


Sheet = tuple[str, list[str], Iterable[list[Any]]]
"""(title, header, rows); a cell may be a (value, number format) pair."""


def _append(sheet: WriteOnlyWorksheet, values: list[Any], *, bold: bool = False) -> None:
    cells = []
    for value in values:
        number_format = None
        if isinstance(value, tuple):
            value, number_format = value
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # text, even when it starts with "=": no formula from a customer's words
        if number_format and value is not None:
            cell.number_format = number_format
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)


def xlsx_stream(sheets: list[Sheet]) -> Iterator[bytes]:
    """A workbook written row by row (openpyxl write-only) to a spooled file, then read out in chunks."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        _append(sheet, list(header), bold=True)
        for row in rows:
            _append(sheet, row)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        book.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk


def complaints_file(
    rows: Iterable[Mapping[str, Any]],
    *,
    fmt: Format,
    masked: bool,
    category_names: Mapping[Category, str],
    demand_names: Mapping[Demand, str],
) -> Iterator[bytes]:
    """A complaint list as CSV or a workbook, streamed."""
    cells = (complaint_cells(r, masked=masked, category_names=category_names, demand_names=demand_names) for r in rows)
    if fmt == "csv":
        return csv_stream(COMPLAINT_HEADERS, cells)
    return xlsx_stream([("投诉清单", COMPLAINT_HEADERS, cells)])


# Reports ------------------------------------------------------------------------------------

_FORMATS = {"rate": "0.00%", "hours": "0.0", "per_million": "0.00", "count": "0"}


def _report_cells(kpis: Mapping[str, Any], columns: list[dict[str, Any]], *, for_csv: bool) -> list[Any]:
    """The KPIs in column order: rates as fractions formatted as % in the workbook, as "75.00%" in CSV
    (which Excel reads back as the same number)."""
    cells: list[Any] = []
    for column in columns:
        value = kpis.get(column["key"])
        if for_csv:
            cells.append("" if value is None else f"{value * 100:.2f}%" if column["kind"] == "rate" else value)
        else:
            cells.append((value, _FORMATS[column["kind"]]))
    return cells


def report_table(
    report: Mapping[str, Any], *, which: str = "kpis", for_csv: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """The report as a table: one row per group, then 合计. `which` is "kpis" or "previous"."""
    columns = report["columns"]
    header = [report["group_name"], *(c["name"] for c in columns)]
    rows = [
        [row["label"], *_report_cells(row[which], columns, for_csv=for_csv)] for row in report["rows"] if which in row
    ]
    rows.append(["合计", *_report_cells(report["total"][which], columns, for_csv=for_csv)])
    return header, rows


def _comparison(report: Mapping[str, Any]) -> list[list[Any]]:
    total = report["total"]
    out: list[list[Any]] = []
    for column in report["columns"]:
        key, number_format = column["key"], _FORMATS[column["kind"]]
        out.append(
            [
                column["name"],
                (total["kpis"][key], number_format),
                (total["previous"][key], number_format),
                (total["change"][key], number_format),
            ]
        )
    return out


def _about(report: Mapping[str, Any]) -> list[list[Any]]:
    period, previous = report["period"], report["previous_period"]
    rows: list[list[Any]] = [
        ["统计期间", f"{period['from']} 至 {period['to']}（{period['days']} 天，按受理时间，北京时间）"],
        ["对比期间", f"{previous['from']} 至 {previous['to']}"],
        ["统计范围", report["scope"]],
        ["分组", report["group_name"]],
        ["生成时间", report["generated_at"][:16].replace("T", " ")],
    ]
    rows += [[c["name"], c["definition"]] for c in report["columns"]]
    return rows


def report_file(report: Mapping[str, Any], *, fmt: Format) -> Iterator[bytes]:
    """The report as CSV (the table and its total) or a workbook (the table, the period before,
    the comparison of totals and the definitions)."""
    if fmt == "csv":
        header, rows = report_table(report, for_csv=True)
        return csv_stream(header, rows)
    period = report["previous_period"]
    header, rows = report_table(report)
    sheets: list[Sheet] = [("报表", header, rows)]
    if any("previous" in row for row in report["rows"]):
        sheets.append(("上期", *report_table(report, which="previous")))
    sheets.append(
        ("与上期对比", ["指标", "本期", f"上期（{period['from']} 至 {period['to']}）", "变化"], _comparison(report))
    )
    sheets.append(("说明", ["项目", "内容"], _about(report)))
    return xlsx_stream(sheets)


def report_workbook(report: Mapping[str, Any]) -> bytes:
    """The report's workbook as bytes: for an e-mail attachment (scheduled reports)."""
    return b"".join(report_file(report, fmt="xlsx"))


def filename(stem: str, fmt: Format) -> str:
    """An ASCII file name (every browser takes it in Content-Disposition)."""
    return f"{stem}.{fmt}"
