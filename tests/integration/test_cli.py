"""The `tousu` command through its runner: migrations, tokens, import with rejects, export, admissibility."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tousu.cli import app

runner = CliRunner()


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TOUSU_DATABASE_URL", database_url)
    return database_url


def test_help_explains_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "db", "user", "token", "import", "export", "demo-data", "check-admissibility"):
        assert command in result.output


def test_token_create_prints_the_token_last_and_creates_admin(env: str) -> None:
    result = runner.invoke(app, ["token", "create", "--user", "admin"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("tsu_")
    assert runner.invoke(app, ["token", "create", "--user", "nobody"]).exit_code == 1


def test_import_reports_each_bad_row_and_keeps_the_good_ones(env: str, tmp_path: Path) -> None:
    runner.invoke(app, ["token", "create"])
    source = tmp_path / "in.jsonl"
    good = {"channel": "hotline", "customer": {"name": "王先生", "phone": "13900001111"}, "content": "宽带断网"}
    source.write_text(
        "\n".join(
            [
                json.dumps(good, ensure_ascii=False),
                "{not json",
                json.dumps({**good, "channel": "pigeon"}, ensure_ascii=False),
                json.dumps({**good, "content": "  "}, ensure_ascii=False),
                json.dumps({**good, "customer": {"name": "李女士", "phone": "13800002222"}}, ensure_ascii=False),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(source)])
    assert result.exit_code == 2
    assert "新导入 2 行，此前已导入而跳过 0 行，拒绝 3 行" in result.output
    rejects = [json.loads(line) for line in (tmp_path / "in.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejects] == [2, 3, 4]
    exported = runner.invoke(app, ["export"])
    lines = [json.loads(line) for line in exported.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 2


def test_import_csv(env: str, tmp_path: Path) -> None:
    runner.invoke(app, ["token", "create"])
    source = tmp_path / "in.csv"
    source.write_text(
        "channel,customer_name,customer_phone,content,category,demands\n"
        "hall,王先生,13900001111,营业员态度差,service,apology;manager\n"
        "hall,李女士,bad-phone,扣费,billing,\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(source)])
    assert "新导入 1 行，此前已导入而跳过 0 行，拒绝 1 行" in result.output
    assert "第3行" in result.output


def test_check_admissibility_explains_in_chinese(env: str) -> None:
    result = runner.invoke(app, ["check-admissibility", "--occurred", "2020-01-01"])
    body = json.loads(result.output)
    assert body["admissible"] is False
    assert {"matter_expired", "operator_not_contacted"} <= {r["code"] for r in body["reasons"]}


def test_a_database_never_migrated_is_refused_with_the_command_that_fixes_it(tmp_path: Path) -> None:
    env = {**os.environ, "TOUSU_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}

    def tousu(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tousu", *args], capture_output=True, text=True, env=env, timeout=120
        )

    for args in (["user", "add", "alice", "--team", "思明营业厅", "--password", "long-enough-1"], ["policy", "show"]):
        refused = tousu(*args)
        assert refused.returncode == 1, refused.stderr
        assert "请先运行 tousu db upgrade" in refused.stderr and "Traceback" not in refused.stderr
    assert tousu("db", "upgrade").returncode == 0
    added = tousu("user", "add", "alice", "--team", "思明营业厅", "--password", "long-enough-1")
    assert added.returncode == 0, added.stderr
