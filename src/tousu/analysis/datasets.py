"""Labelled complaints from files, for training and scoring the model.

An organisation's history comes as JSON Lines, CSV (UTF-8, UTF-8 with BOM, or GBK/GB18030
as Excel writes it in China) or an Excel workbook (.xlsx, first sheet, a header row). A
record needs a text and may carry any of category, demands and emotion: each head of the
model learns from the records that have its label. Column names may be the codes below or
their usual Chinese names.

An organisation whose history uses its own category tree maps it onto tousu's codes with a
mapping file (YAML or JSON):

    category:
      网络质量: network
      资费争议: billing
    demands:
      要求赔偿: high_compensation

Labels outside tousu's codes after mapping are refused with the values to map, never dropped
without a word.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tousu.domain.codes import Category, Demand, Emotion

COLUMNS = {
    "id": ("id", "编号", "工单号", "工单编号", "流水号"),
    "text": ("text", "内容", "投诉内容", "工单内容", "诉求内容", "content"),
    "category": ("category", "分类", "类别", "投诉分类", "投诉类别"),
    "demands": ("demands", "诉求", "客户诉求"),
    "emotion": ("emotion", "情绪", "客户情绪"),
}
_SPLIT = re.compile(r"[,，、;；|\s]+")
_CODES = {
    "category": {c.value for c in Category},
    "demands": {d.value for d in Demand},
    "emotion": {e.value for e in Emotion},
}


class DatasetError(ValueError):
    """A file that cannot be read as labelled complaints, with what to fix."""


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Records of a JSON Lines file; blank lines are skipped, a bad line raises DatasetError."""
    records = []
    with path.open(encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path.name} 第 {number} 行不是合法的 JSON: {exc}") from None
            if not isinstance(record, dict):
                raise DatasetError(f"{path.name} 第 {number} 行不是 JSON 对象")
            records.append(record)
    return records


def read_labelled(path: Path, mapping: Mapping[str, Mapping[str, str]] | None = None) -> list[dict[str, Any]]:
    """Records with `text` and the labels the file has, in tousu's codes."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        raw = read_jsonl(path)
    elif suffix == ".csv":
        raw = _rows(csv.reader(io.StringIO(_decode(path))), path)
    elif suffix == ".xlsx":
        raw = _rows(_xlsx_rows(path), path)
    else:
        raise DatasetError(f"{path.name}: 不支持的文件类型 {suffix or '(无扩展名)'}；请用 .jsonl、.csv 或 .xlsx")
    records = [_normalise(record, mapping or {}) for record in raw]
    _check_codes(records, path)
    return records


def read_mapping(path: Path) -> dict[str, dict[str, str]]:
    """A mapping file: {"category": {theirs: ours}, "demands": {...}, "emotion": {...}}."""
    import yaml

    from tousu.yaml_files import load_yaml

    try:
        data = load_yaml(path.read_text(encoding="utf-8-sig"))
    except (OSError, yaml.YAMLError) as exc:
        raise DatasetError(f"映射文件 {path.name} 无法读取: {exc}") from None
    if not isinstance(data, dict) or not set(data) <= set(_CODES):
        raise DatasetError(f"映射文件 {path.name} 应只含 category、demands、emotion 三个键，各自是“原值: 代码”的对照表")
    mapping: dict[str, dict[str, str]] = {}
    for field, table in data.items():
        if not isinstance(table, dict):
            raise DatasetError(f"映射文件 {path.name} 的 {field} 应是“原值: 代码”的对照表")
        unknown = sorted({str(v) for v in table.values()} - _CODES[field])
        if unknown:
            raise DatasetError(f"映射文件 {path.name} 的 {field} 映射到未知代码: {'、'.join(unknown)}")
        mapping[field] = {str(k): str(v) for k, v in table.items()}
    return mapping


def _decode(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DatasetError(f"{path.name}: 既不是 UTF-8 也不是 GBK/GB18030 编码，请另存为 UTF-8 的 CSV")


def _xlsx_rows(path: Path) -> Iterable[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise DatasetError(f"{path.name}: 不是可读取的 Excel 工作簿 ({exc})") from None
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield ["" if cell is None else str(cell) for cell in row]
    finally:
        workbook.close()


def _rows(rows: Iterable[list[Any]], path: Path) -> list[dict[str, Any]]:
    iterator = iter(rows)
    header = [str(h).strip() for h in next(iterator, [])]
    columns = {}
    for field, names in COLUMNS.items():
        for index, name in enumerate(header):
            if name.lower() in names:
                columns[field] = index
                break
    if "text" not in columns:
        raise DatasetError(f"{path.name}: 第一行找不到内容列（列名可用 {'、'.join(COLUMNS['text'])}）")
    records = []
    for row in iterator:
        record = {field: row[index] if index < len(row) else "" for field, index in columns.items()}
        if str(record.get("text", "")).strip():
            records.append(record)
    return records


def _normalise(record: Mapping[str, Any], mapping: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """Labels mapped to tousu's codes; an empty label is an absent one."""
    out: dict[str, Any] = {key: value for key, value in record.items() if key not in ("category", "emotion", "demands")}
    for field in ("category", "emotion"):
        value = str(record.get(field) or "").strip()
        if value:
            out[field] = mapping.get(field, {}).get(value, value)
    demands = record.get("demands")
    if isinstance(demands, str):
        demands = [d for d in _SPLIT.split(demands.strip()) if d] if demands.strip() else None
    if isinstance(demands, list):
        table = mapping.get("demands", {})
        out["demands"] = [table.get(str(d), str(d)) for d in demands]
    return out


def _check_codes(records: list[dict[str, Any]], path: Path) -> None:
    for field, codes in _CODES.items():
        values: Counter[str] = Counter()
        for record in records:
            value = record.get(field)
            values.update(value if isinstance(value, list) else [value] if value is not None else [])
        unknown = [value for value in values if value not in codes]
        if unknown:
            shown = "、".join(f"{v}（{values[v]} 条）" for v in unknown[:10])
            raise DatasetError(
                f"{path.name}: {field} 中有不是 tousu 代码的值: {shown}。"
                f"请用映射文件（--map）把它们对应到: {', '.join(sorted(codes))}"
            )
