"""Import and export of complaints (CSV, Excel .xlsx or JSON Lines), with nothing lost or duplicated.

An import is idempotent and resumable: every source row has a key (its key column when the
file has one, else a hash of its content) stored with the complaint it created, so a re-run
skips the rows already imported. Each row is stored in its own transaction: a bad row is
rejected with its reason and never stops, or half-writes, the others.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from pydantic import ValidationError
from rich.progress import Progress

from tousu.api.errors import _PYDANTIC_MESSAGES as PYDANTIC_MESSAGES
from tousu.api.schemas import ComplaintIn
from tousu.domain.codes import CATEGORY_NAMES, CHANNEL_NAMES, DEMAND_NAMES
from tousu.domain.deadlines import LOCAL
from tousu.domain.policy import Policy
from tousu.services import exports, intake, policy_settings, queries, users
from tousu.services.actors import Actor
from tousu.services.analysis_port import TextAnalysis
from tousu.services.customers import mask_numbers_in_text, mask_phone
from tousu.services.errors import ServiceError
from tousu.services.industry import category_names, demand_names, serving
from tousu.settings import Settings
from tousu.storage.db import open_database, write_lock_for
from tousu.storage.tables import complaints, customers, import_keys

log = logging.getLogger(__name__)

KEY_COLUMNS = ("source_key", "工单号", "流水号", "id")
"""A column naming the row in its source system; the first one present is the row's key."""

TABLE_COLUMNS = {
    "channel": "channel",
    "customer_name": "customer.name",
    "customer_phone": "customer.phone",
    "customer_address": "customer.address",
    "customer_id_number": "customer.id_number",
    "content": "content",
    "category": "category",
    "demands": "demands",
    "occurred_at": "occurred_at",
    "received_at": "received_at",
    "claimed_amount": "claimed_amount",
    "topic": "topic",
    "area": "area",
}
"""CSV and Excel columns and the field each fills; other columns (e.g. an export's status) are ignored."""

FIELD_NAMES = {
    "channel": "渠道",
    "customer": "客户",
    "customer.name": "客户姓名",
    "customer.phone": "客户电话",
    "customer.address": "客户地址",
    "customer.id_number": "身份证号",
    "content": "投诉内容",
    "category": "类别",
    "demands": "诉求",
    "occurred_at": "事发时间",
    "received_at": "受理时间",
    "claimed_amount": "涉及金额",
    "topic": "业务",
    "area": "区域",
}

CODE_NAMES: dict[str, dict[Any, str]] = {"channel": CHANNEL_NAMES, "category": CATEGORY_NAMES, "demands": DEMAND_NAMES}

MAX_KEY_LENGTH = 150
LOCAL_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")
RETRY_HINT = "改正后重新运行同一导入命令即可：已导入的行会自动跳过。"


class ImportFailed(Exception):
    """The file as a whole cannot be read; nothing was imported."""


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    rejects_path: Path | None = None
    ignored_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RowProblem(Exception):
    """Why one row cannot be imported: the field at fault and what to do, in Chinese."""

    field: str | None
    message: str


@dataclass(frozen=True)
class Rejected:
    reason: str
    field: str | None


@dataclass(frozen=True)
class SourceRow:
    line: int
    raw: str
    record: dict[str, Any] | None = None  # the complaint as ComplaintIn reads it
    key: str | None = None  # the key column's value, when the file has one
    problem: RowProblem | None = None  # set when the row could not even be read


def _decode(path: Path) -> str:
    """Excel saves CSV as UTF-8 with a BOM or, on Chinese Windows, as GBK: both are read."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed(
        f"无法识别文件“{path.name}”的文字编码：请在 Excel 或编辑器中另存为 UTF-8 或 GBK 编码后重新导入。"
    )


def _cell(value: Any) -> str:
    """An Excel cell as the text a CSV would hold (phone numbers are often stored as numbers)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table_rows(path: Path) -> Iterator[tuple[int, dict[str | None, Any]]]:
    """(line number, column -> text) for the rows of a CSV file or the first sheet of a workbook."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several kinds for a damaged or mislabelled file
            raise ImportFailed(
                f"无法打开 Excel 文件“{path.name}”：{type(exc).__name__}。请确认它是 .xlsx 格式。"
            ) from None
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
            header = [_cell(v) for v in next(rows, ())]
            for number, values in enumerate(rows, start=2):
                yield number, dict(zip(header, (_cell(v) for v in values), strict=False))
        finally:
            book.close()
        return
    reader = csv.DictReader(io.StringIO(_decode(path), newline=""))
    if reader.fieldnames:
        reader.fieldnames = [name.strip() for name in reader.fieldnames]
    for record in reader:
        yield reader.line_num, dict(record)


def _source_rows(path: Path, report: ImportReport) -> Iterator[SourceRow]:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ImportFailed("不支持旧版 .xls 文件：请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）后导入。")
    if suffix not in (".csv", ".xlsx"):
        yield from _json_rows(path)
        return
    first = True
    for line, record in _table_rows(path):
        if first:
            known = {*TABLE_COLUMNS, *KEY_COLUMNS}
            report.ignored_columns = [c for c in record if c and c not in known]
            first = False
        if any(str(v).strip() for v in record.values() if v is not None):  # Excel leaves blank rows at the end
            yield _from_table(line, record)


def _json_rows(path: Path) -> Iterator[SourceRow]:
    for number, line in enumerate(_decode(path).splitlines(), start=1):
        if not line.strip():
            continue
        raw = line.rstrip()
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problem = RowProblem(None, f"不是合法的 JSON（第{exc.colno}个字符附近：{exc.msg}）")
            yield SourceRow(number, raw, problem=problem)
            continue
        if not isinstance(record, dict):
            yield SourceRow(number, raw, problem=RowProblem(None, "每行必须是一个 JSON 对象（{…}）"))
            continue
        key = next((str(record.pop(k)) for k in KEY_COLUMNS if record.get(k) not in (None, "")), None)
        for k in KEY_COLUMNS:
            record.pop(k, None)
        yield SourceRow(number, raw, _normalise(record), key)


def _from_table(line: int, record: dict[str | None, Any]) -> SourceRow:
    raw = json.dumps({k: v for k, v in record.items() if k is not None}, ensure_ascii=False)
    if record.get(None):
        return SourceRow(line, raw, problem=RowProblem(None, "这一行的列数多于表头：请检查内容中的逗号是否加了引号"))
    text = {k: (v or "").strip() for k, v in record.items() if k is not None}
    out: dict[str, Any] = {"customer": {}}
    for column, target in TABLE_COLUMNS.items():
        value = text.get(column, "")
        if not value and column not in ("channel", "content", "customer_name", "customer_phone"):
            continue
        if target.startswith("customer."):
            out["customer"][target.split(".", 1)[1]] = value
        elif column == "demands":
            out["demands"] = [d.strip() for d in value.replace("；", ",").replace(";", ",").split(",") if d.strip()]
        else:
            out[target] = value
    key = next((text[k] for k in KEY_COLUMNS if text.get(k)), None)
    return SourceRow(line, raw, _normalise(out), key)


# Channel names of earlier versions, as their exports have them.
_FORMER_CHANNEL_NAMES = {
    "热线(10086)": "hotline",
    "网上营业厅/APP": "web",
    "政府部门(工信部/通信管理局/12300)": "government",
}


def _by_name(value: Any, names: dict[Any, str]) -> Any:
    """A code given by its Chinese name (营业厅 for hall), as a spreadsheet typed by hand has it."""
    if not isinstance(value, str):
        return value
    for code, name in names.items():
        if value == name:
            return code.value
    for code, name in names.items():  # a part of the name: 营业厅 or 门店 for 营业厅/门店
        if value in re.split(r"[(/]", name.rstrip(")")):
            return code.value
    return value


def _local_time(value: Any) -> Any:
    """Times without a zone (as Excel writes them) are local time in China."""
    if not isinstance(value, str) or not value.strip():
        return value
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        for pattern in LOCAL_TIME_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)).isoformat()


def _category(value: Any, industry: str) -> Any:
    """A category given by the organisation's name for it (a shop's 商品质量) or by the common
    one (终端/商品质量); the organisation's first, where the two name different categories."""
    code = _by_name(value, category_names(industry))
    return code if code != value else _by_name(value, CATEGORY_NAMES)


def _normalise(record: dict[str, Any]) -> dict[str, Any]:
    """Codes for the Chinese names and local times (categories: see _store)."""
    out = dict(record)
    channel = out.get("channel")
    out["channel"] = _FORMER_CHANNEL_NAMES.get(channel, channel) if isinstance(channel, str) else channel
    out["channel"] = _by_name(out["channel"], CHANNEL_NAMES)
    if isinstance(out.get("demands"), list):
        out["demands"] = [_by_name(d, DEMAND_NAMES) for d in out["demands"]]
    for name in ("occurred_at", "received_at"):
        if name in out:
            out[name] = _local_time(out[name])
    return out


def _field_label(loc: str | None) -> str:
    if not loc:
        return ""
    name = FIELD_NAMES.get(loc) or FIELD_NAMES.get(loc.split(".")[0]) or ""
    return f"字段“{name}”（{loc}）" if name else f"字段 {loc}"


def _problems(exc: Exception) -> list[RowProblem]:
    """What is wrong with a row, field by field, in Chinese."""
    if isinstance(exc, RowProblem):
        return [exc]
    if isinstance(exc, ValidationError):
        found = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
            kind = str(err.get("type", ""))
            text = PYDANTIC_MESSAGES.get(kind, "取值不正确")
            if kind in ("enum", "literal_error") and loc.split(".")[0] in CODE_NAMES:
                names = CODE_NAMES[loc.split(".")[0]]
                text += "，可填代码或中文名：" + "、".join(f"{code.value}（{name}）" for code, name in names.items())
            elif kind == "float_parsing":
                text += "：只填数字，例如 58 或 58.5"
            elif kind == "missing":
                text = "缺少必填项：请补上这一列或这一项"
            elif kind.startswith("datetime"):
                text = "日期时间格式不正确（例：2026-11-23 10:00，未写时区按北京时间）"
            found.append(RowProblem(loc or None, text))
        return found
    if isinstance(exc, ServiceError):
        return [RowProblem(exc.field, exc.message.rstrip("。"))]
    if isinstance(exc, sa.exc.SQLAlchemyError):
        # The database's own text may quote the row's personal data: it is not repeated here.
        return [RowProblem(None, "数据库无法保存这一行（例如某项内容超过长度上限）：请检查各字段的长度和格式")]
    return [RowProblem(None, f"保存时发生意外错误（{type(exc).__name__}）")]


def _reason(line: int, problems: list[RowProblem]) -> str:
    parts = [f"{_field_label(p.field)}：{p.message}" if p.field else p.message for p in problems]
    return f"第{line}行，" + "；".join(parts) + "。" + RETRY_HINT


def source_key(row: SourceRow, seen: dict[str, int]) -> str:
    """The row's key: its key column, else a hash of its content and how often that content came before.

    Counting repeats keeps two identical rows in one file two complaints, while a re-run of the
    file still finds both keys.
    """
    if row.key is not None:
        key = row.key.strip()
        if len(key) > MAX_KEY_LENGTH:
            raise RowProblem("source_key", f"工单号过长（最多{MAX_KEY_LENGTH}个字符）")
        return f"key:{key}"
    canonical = json.dumps(row.record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    seen[digest] = seen.get(digest, 0) + 1
    return f"sha256:{digest}" + (f"#{seen[digest]}" if seen[digest] > 1 else "")


def _already_imported(conn: sa.Connection, key: str) -> bool:
    return conn.execute(sa.select(import_keys.c.source_key).where(import_keys.c.source_key == key)).first() is not None


def _store(conn: sa.Connection, *, record: dict[str, Any], key: str, actor: Actor, policy: Policy) -> None:
    if "category" in record:
        record = {**record, "category": _category(record["category"], policy.industry)}
    if isinstance(record.get("demands"), list):
        # A shop's export names its cancel demand 退货/退卡/解约: read back by the shop's names.
        names = demand_names(policy.industry)
        record = {**record, "demands": [_by_name(d, names) for d in record["demands"]]}
    new = ComplaintIn.model_validate(record).to_new_complaint()
    now = datetime.now(UTC)
    created = intake.create(conn, new=new, analysis=TextAnalysis(), actor=actor, policy=policy, now=now)
    conn.execute(import_keys.insert().values(source_key=key, complaint_id=created.complaint["id"], imported_at=now))


def import_file(path: Path, *, settings: Settings, username: str, rejects: Path | None) -> ImportReport:
    """Import every row that can be stored; reject each other row with its reason in `rejects`."""
    engine = open_database(settings.database_url)
    try:
        return _import(engine, path, settings=settings, username=username, rejects=rejects)
    finally:
        engine.dispose()


def _import(engine: sa.Engine, path: Path, *, settings: Settings, username: str, rejects: Path | None) -> ImportReport:
    report = ImportReport(rejects_path=rejects or path.with_suffix(path.suffix + ".rejects.jsonl"))
    with engine.begin() as conn:
        row = users.get_by_username(conn, username)
        policy = policy_settings.in_force(conn, settings.policy)  # the file's, with the admin's changes
    if row is None:
        raise ImportFailed(f"没有名为“{username}”的用户：请用 --user 指定一个已有账号，或先用 tousu user add 添加。")
    actor = users.actor_of(row)
    total = sum(1 for _ in _source_rows(path, report))  # reads the whole file first: a bad encoding stops here
    write_lock = write_lock_for(engine)  # queue with a running server's writers on SQLite
    seen: dict[str, int] = {}
    assert report.rejects_path is not None
    # Line-buffered: each reject is on disk as soon as it is found, even if the run is interrupted.
    with report.rejects_path.open("w", encoding="utf-8", buffering=1) as reject_file, Progress(transient=True) as bar:
        task = bar.add_task("importing", total=total)
        for source in _source_rows(path, report):
            bar.advance(task)
            outcome = _import_row(engine, write_lock, source, seen, actor=actor, policy=policy)
            if outcome == "imported":
                report.imported += 1
            elif outcome == "skipped":
                report.skipped += 1
            elif isinstance(outcome, Rejected):
                report.errors.append((source.line, outcome.reason))
                entry = {"line": source.line, "field": outcome.field, "reason": outcome.reason, "raw": source.raw}
                reject_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
    if not report.errors:
        report.rejects_path.unlink()
    return report


def _import_row(
    engine: sa.Engine,
    write_lock: Any,
    source: SourceRow,
    seen: dict[str, int],
    *,
    actor: Actor,
    policy: Policy,
) -> str | Rejected:
    """Imported, skipped (already imported) or rejected: one transaction per row."""
    key = None
    try:
        if source.problem is not None:
            raise source.problem
        assert source.record is not None
        key = source_key(source, seen)
        with write_lock, engine.begin() as conn:
            if _already_imported(conn, key):
                return "skipped"
            _store(serving(conn, policy.industry), record=source.record, key=key, actor=actor, policy=policy)
        return "imported"
    except Exception as exc:
        if isinstance(exc, sa.exc.IntegrityError) and key is not None and _key_taken(engine, key):
            return "skipped"  # another import stored this row in the meantime
        if not isinstance(exc, ValidationError | ServiceError | RowProblem):
            log.warning("import: line %d not stored: %s", source.line, type(exc).__name__)
        problems = _problems(exc)
        return Rejected(_reason(source.line, problems), problems[0].field)


def _key_taken(engine: sa.Engine, key: str) -> bool:
    with engine.connect() as conn:
        return _already_imported(conn, key)


def export_complaints(settings: Settings, out: IO[bytes], *, fmt: str, masked: bool = True) -> int:
    """Every complaint: JSON Lines (every column, codes as stored) or, through the one export
    writer of the API and the pages, CSV or a workbook with Chinese headers. Phone numbers, and
    numbers typed in any text, are masked (and addresses left out) unless `masked` is False (an
    administrator's `--unmasked`)."""
    if fmt not in ("jsonl", "csv", "xlsx"):
        raise SystemExit("error: --format must be jsonl, csv or xlsx")
    engine = open_database(settings.database_url)
    try:
        with engine.connect() as conn:
            if fmt == "jsonl":
                return _export_jsonl(conn, out, masked=masked)
            industry = policy_settings.in_force(conn, settings.policy).industry
            listed = (
                sa.select(*queries.LIST_COLUMNS)
                .join(customers, customers.c.id == complaints.c.customer_id)
                .order_by(complaints.c.id)
            )
            rows = (dict(r) for r in conn.execute(listed.execution_options(yield_per=1000)).mappings())
            chunks = exports.complaints_file(
                rows,
                fmt="csv" if fmt == "csv" else "xlsx",
                masked=masked,
                category_names=category_names(industry),
                demand_names=demand_names(industry),
            )
            for chunk in chunks:
                out.write(chunk)
            return int(conn.execute(sa.select(sa.func.count()).select_from(complaints)).scalar_one())
    finally:
        engine.dispose()


def _export_jsonl(conn: sa.Connection, out: IO[bytes], *, masked: bool) -> int:
    query = (
        sa.select(complaints, customers.c.phone.label("customer_phone"))
        .join(customers, customers.c.id == complaints.c.customer_id)
        .order_by(complaints.c.id)
    )
    count = 0
    for row in conn.execute(query.execution_options(yield_per=1000)).mappings():
        record = {
            k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items() if k not in ("search_tokens",)
        }
        if masked:
            masked_contact = {"customer_phone": mask_phone(row["customer_phone"]), "customer_address": ""}
            record = {k: _masked(v) for k, v in record.items()} | masked_contact
        out.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        count += 1
    return count


def _masked(value: Any) -> Any:
    """Phone and ID numbers masked wherever they were typed, analysis results included."""
    if isinstance(value, str):
        return mask_numbers_in_text(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value
