"""`tousu import`: resumable and idempotent, every bad row rejected with its reason, Excel's encodings and .xlsx read."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.integration.faults import refused_inserts
from tousu.cli import app
from tousu.storage.db import create_db_engine

runner = CliRunner()
HEADER = "工单号,channel,customer_name,customer_phone,content,category\n"


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TOUSU_DATABASE_URL", database_url)
    return database_url


def _count(url: str, table: str) -> int:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def _contents(url: str) -> list[str]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text("SELECT content FROM complaints ORDER BY id")).scalars())
    finally:
        engine.dispose()


def _import(path: Path) -> Any:
    return runner.invoke(app, ["import", str(path)])


def _rejects(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(f"{path}.rejects.jsonl").read_text(encoding="utf-8").splitlines()]


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _complaint(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "channel": "hotline",
        "customer": {"name": f"客户{n}", "phone": f"1390000{n:04d}"},
        "content": f"宽带第{n}次断网",
        **extra,
    }


def test_a_re_run_skips_every_row_already_imported(env: str, tmp_path: Path) -> None:
    source = _jsonl(tmp_path / "in.jsonl", [_complaint(n) for n in range(20)])
    first = _import(source)
    assert first.exit_code == 0, first.output
    assert "新导入 20 行，此前已导入而跳过 0 行，拒绝 0 行" in first.output
    again = _import(source)
    assert again.exit_code == 0
    assert "新导入 0 行，此前已导入而跳过 20 行，拒绝 0 行" in again.output
    assert _count(env, "complaints") == 20
    assert not Path(f"{source}.rejects.jsonl").exists()


def test_identical_rows_without_a_key_are_both_kept_and_both_skipped_on_a_re_run(env: str, tmp_path: Path) -> None:
    source = _jsonl(tmp_path / "in.jsonl", [_complaint(1), _complaint(1), _complaint(2)])
    assert "新导入 3 行" in _import(source).output
    assert "新导入 0 行，此前已导入而跳过 3 行" in _import(source).output
    assert _count(env, "complaints") == 3


def test_a_key_column_identifies_the_row_even_when_its_text_was_corrected(env: str, tmp_path: Path) -> None:
    source = tmp_path / "crm.csv"
    source.write_text(HEADER + "A-1,hall,王先生,13900001111,营业员态度差,service\n", encoding="utf-8")
    assert "新导入 1 行" in _import(source).output
    source.write_text(HEADER + "A-1,hall,王先生,13900001111,营业员态度很差,service\n", encoding="utf-8")
    assert "新导入 0 行，此前已导入而跳过 1 行" in _import(source).output
    assert _contents(env) == ["营业员态度差"]


def test_an_unstorable_row_is_rejected_and_the_run_goes_on_and_resumes(env: str, tmp_path: Path) -> None:
    records = [_complaint(n) for n in range(6)]
    records[2]["content"] = "无法保存的投诉"
    source = _jsonl(tmp_path / "in.jsonl", records)
    with refused_inserts(env, table="complaints", column="content", marker="无法保存"):
        result = _import(source)
    assert result.exit_code == 2
    assert "新导入 5 行，此前已导入而跳过 0 行，拒绝 1 行" in result.output
    [reject] = _rejects(source)
    assert reject["line"] == 3 and "第3行" in reject["reason"] and "数据库无法保存" in reject["reason"]
    assert "客户2" in reject["raw"]
    # Nothing of the refused row was half-written: its customer went with it.
    assert _count(env, "customers") == 5
    # Once the cause is gone, the same command imports just the missing row.
    again = _import(source)
    assert again.exit_code == 0
    assert "新导入 1 行，此前已导入而跳过 5 行，拒绝 0 行" in again.output
    assert _count(env, "complaints") == 6


def test_each_bad_row_says_where_what_and_how_to_fix_in_chinese(env: str, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        HEADER
        + "B-1,pigeon,王先生,13900001111,宽带断网,network\n"
        + "B-2,hall,李女士,12345,扣费,billing\n"
        + "B-3,hall,张先生,13900003333,,billing\n"
        + "B-4,营业厅,赵女士,13900004444,营业员态度差,service\n",
        encoding="utf-8",
    )
    result = _import(source)
    assert result.exit_code == 2
    assert "新导入 1 行，此前已导入而跳过 0 行，拒绝 3 行" in result.output
    rejects = {r["line"]: r for r in _rejects(source)}
    assert sorted(rejects) == [2, 3, 4]
    assert rejects[2]["field"] == "channel" and "渠道" in rejects[2]["reason"] and "hotline" in rejects[2]["reason"]
    assert rejects[3]["field"] == "customer.phone" and "11位手机号" in rejects[3]["reason"]
    assert rejects[4]["field"] == "content" and "投诉内容不能为空" in rejects[4]["reason"]
    assert all("重新运行同一导入命令" in r["reason"] for r in rejects.values())


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_excel_csv_encodings_are_read(env: str, tmp_path: Path, encoding: str) -> None:
    source = tmp_path / "excel.csv"
    source.write_bytes(
        (HEADER + "C-1,hall,王先生,13900001111,营业员态度差，还说“这不归我管”,service\n").encode(encoding)
    )
    result = _import(source)
    assert result.exit_code == 0, result.output
    assert _contents(env) == ["营业员态度差，还说“这不归我管”"]


def test_an_unreadable_encoding_imports_nothing_and_says_why(env: str, tmp_path: Path) -> None:
    source = tmp_path / "broken.csv"
    source.write_bytes(HEADER.encode() + b"\xff\xfe\xff\xff,\x81\n")
    result = _import(source)
    assert result.exit_code == 1
    assert "文字编码" in result.output and "UTF-8 或 GBK" in result.output
    assert _count(env, "complaints") == 0


def test_an_excel_workbook_is_read_with_chinese_codes_numbers_and_local_times(env: str, tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["流水号", "channel", "customer_name", "customer_phone", "content", "occurred_at", "备注"])
    sheet.append(["X-1", "营业厅", "王先生", 13900001111, "营业员态度差", datetime(2026, 11, 20, 9, 30), "内部"])
    sheet.append(["X-2", "hotline", "李女士", "13800002222", "", None, None])
    sheet.append([" ", None, None, None, None, None, None])  # a blank row, as Excel leaves them
    path = tmp_path / "book.xlsx"
    book.save(path)
    result = _import(path)
    assert result.exit_code == 2
    assert "新导入 1 行，此前已导入而跳过 0 行，拒绝 1 行" in result.output
    assert "备注" in result.output  # an unknown column is named, not silently dropped
    assert [r["line"] for r in _rejects(path)] == [3]
    engine = create_db_engine(env)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT c.channel, c.occurred_at, u.phone FROM complaints c JOIN customers u ON u.id = c.customer_id"
            )
        ).one()
    engine.dispose()
    assert row.channel == "hall" and row.phone == "13900001111"
    assert str(row.occurred_at).startswith("2026-11-20 01:30")  # 09:30 in Beijing, stored in UTC


def test_imported_complaints_follow_the_deadlines_an_administrator_set(env: str, tmp_path: Path) -> None:
    """The policy in force is the file's with the admin's changes, for imports as for intake."""

    def reply_hours(url: str) -> list[float]:
        engine = create_db_engine(url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(sa.text("SELECT received_at, reply_by FROM complaints ORDER BY id")).all()
        finally:
            engine.dispose()
        moments = [[m if isinstance(m, datetime) else datetime.fromisoformat(m) for m in row] for row in rows]
        return [(reply_by - received).total_seconds() / 3600 for received, reply_by in moments]

    _import(_jsonl(tmp_path / "one.jsonl", [_complaint(1)]))
    changed = runner.invoke(app, ["policy", "set", "sla.default.reply_hours", "12"])
    assert changed.exit_code == 0, changed.output
    _import(_jsonl(tmp_path / "two.jsonl", [_complaint(2)]))
    assert reply_hours(env) == [48, 12]


def test_channels_are_read_by_their_names_old_and_new(env: str, tmp_path: Path) -> None:
    """A sheet typed by hand names a part of a channel's name (门店); an export of an earlier
    version, the names it used then (热线(10086))."""
    named = ["门店", "客服热线", "热线(10086)", "网上营业厅/APP", "营业厅"]
    source = _jsonl(tmp_path / "named.jsonl", [_complaint(n, channel=name) for n, name in enumerate(named)])
    assert _import(source).exit_code == 0
    engine = create_db_engine(env)
    with engine.connect() as conn:
        channels = list(conn.execute(sa.text("SELECT channel FROM complaints ORDER BY id")).scalars())
    engine.dispose()
    assert channels == ["hall", "hotline", "hotline", "web", "hall"]


def test_a_shops_categories_are_read_by_its_own_names_and_the_common_ones(env: str, tmp_path: Path) -> None:
    """A shop's sheet names its categories as its pages do (收银/价格争议); an older one, or one
    typed from the common list, by the common names (终端/商品质量)."""
    assert runner.invoke(app, ["policy", "set", "industry", "retail"]).exit_code == 0
    named = ["收银/价格争议", "商品质量", "终端/商品质量", "计费/扣费争议", "会员卡/预付卡"]
    source = _jsonl(tmp_path / "shop.jsonl", [_complaint(n, category=name) for n, name in enumerate(named)])
    assert _import(source).exit_code == 0
    engine = create_db_engine(env)
    with engine.connect() as conn:
        categories = list(conn.execute(sa.text("SELECT category FROM complaints ORDER BY id")).scalars())
    engine.dispose()
    assert categories == ["billing", "product", "product", "billing", "points"]
