"""Import and export of complaints (CSV or JSON Lines), with nothing silently dropped."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from pydantic import ValidationError
from rich.progress import Progress

from tousu.api.schemas import ComplaintIn
from tousu.services import intake, users
from tousu.services.analysis_port import TextAnalysis
from tousu.services.errors import ServiceError
from tousu.settings import Settings
from tousu.storage.db import create_db_engine
from tousu.storage.tables import complaints, customers

CSV_FIELDS = [
    "reference",
    "channel",
    "customer_name",
    "customer_phone",
    "content",
    "category",
    "demands",
    "status",
    "urgency_types",
    "occurred_at",
    "received_at",
    "claimed_amount",
    "topic",
    "area",
]


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    rejects_path: Path | None = None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line number, record or None when unparsable, raw text) for every data line."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        if path.suffix.lower() == ".csv":
            reader = csv.DictReader(fh)
            for record in reader:
                yield reader.line_num, _from_csv(record), json.dumps(record, ensure_ascii=False)
            return
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"JSON 格式错误：{exc.msg}（第{exc.colno}列）|{line.rstrip()}"
                continue
            yield number, record if isinstance(record, dict) else None, line.rstrip()


def _from_csv(record: dict[str, str | None]) -> dict[str, Any]:
    def value(key: str) -> str | None:
        text = (record.get(key) or "").strip()
        return text or None

    out: dict[str, Any] = {
        "channel": value("channel"),
        "content": record.get("content") or "",
        "customer": {"name": value("customer_name") or "", "phone": value("customer_phone") or ""},
    }
    for key in ("category", "occurred_at", "received_at", "topic", "area", "claimed_amount"):
        if value(key) is not None:
            out[key] = value(key)
    if value("demands"):
        out["demands"] = [d.strip() for d in (value("demands") or "").replace(";", ",").split(",") if d.strip()]
    return out


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    if isinstance(exc, ServiceError):
        return f"{exc.field or '-'}: {exc.message}"
    return str(exc)


def import_file(path: Path, *, settings: Settings, username: str, rejects: Path | None) -> ImportReport:
    engine = create_db_engine(settings.database_url)
    report = ImportReport(rejects_path=rejects or path.with_suffix(path.suffix + ".rejects.jsonl"))
    with engine.begin() as conn:
        row = users.get_by_username(conn, username)
    if row is None:
        raise SystemExit(f"error: no user named {username!r}")
    actor = users.actor_of(row)
    total = sum(1 for _ in _rows(path))
    assert report.rejects_path is not None
    with report.rejects_path.open("w", encoding="utf-8") as reject_file, Progress(transient=True) as progress:
        task = progress.add_task("importing", total=total)
        for line, record, raw in _rows(path):
            progress.advance(task)
            try:
                if record is None:
                    raise ValueError(raw.split("|", 1)[0] if raw.startswith("JSON") else "每行必须是一个 JSON 对象")
                body = ComplaintIn.model_validate(record)
                new = body.to_new_complaint()
                with engine.begin() as conn:
                    intake.create(
                        conn,
                        new=new,
                        analysis=TextAnalysis(),
                        actor=actor,
                        policy=settings.policy,
                        now=datetime.now(UTC),
                    )
                report.imported += 1
            except (ValidationError, ServiceError, ValueError) as exc:
                reason = _reason(exc)
                report.errors.append((line, reason))
                reject_file.write(json.dumps({"line": line, "reason": reason, "raw": raw}, ensure_ascii=False) + "\n")
    if not report.errors:
        report.rejects_path.unlink()
    return report


def export_complaints(settings: Settings, out: IO[str], *, fmt: str) -> int:
    if fmt not in ("jsonl", "csv"):
        raise SystemExit("error: --format must be jsonl or csv")
    engine = create_db_engine(settings.database_url)
    query = (
        sa.select(complaints, customers.c.name.label("customer_name"), customers.c.phone.label("customer_phone"))
        .join(customers, customers.c.id == complaints.c.customer_id)
        .order_by(complaints.c.id)
    )
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore") if fmt == "csv" else None
    if writer:
        writer.writeheader()
    count = 0
    with engine.connect() as conn:
        for row in conn.execute(query.execution_options(yield_per=1000)).mappings():
            record = {
                k: (v.isoformat() if isinstance(v, datetime) else v)
                for k, v in row.items()
                if k not in ("search_tokens",)
            }
            if writer:
                record["demands"] = ",".join(record["demands"])
                record["urgency_types"] = ",".join(record["urgency_types"])
                writer.writerow(record)
            else:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count
