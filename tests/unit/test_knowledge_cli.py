"""`tousu kb check|show|search` through a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tousu.knowledge import load_knowledge_base
from tousu.knowledge.cli import register
from tousu.knowledge.source import data_dir


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    application = typer.Typer()
    register(application)
    return application


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def test_check_prints_the_number_of_entries_of_each_kind(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["kb", "check"])
    assert result.exit_code == 0, result.output
    counts = load_knowledge_base().counts()
    for kind, count in counts.items():
        assert f"{kind}: {count}\n" in result.stdout
    assert "taxonomy: 14 categories" in result.stdout


def test_check_of_a_broken_directory_exits_1_naming_file_and_entry(
    app: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    for path in data_dir().glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "profiles.yaml":
            text = text.replace("strategies: [sandwich, broken_record", "strategies: [sandwhich, broken_record")
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["kb", "check", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "profiles.yaml: chameleon:" in result.stderr
    assert "sandwhich" in result.stderr


def test_show_strategy_by_chinese_name(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["kb", "show", "strategy", "破唱片机法"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("破唱片机法 (broken_record)")
    assert "情绪正在升级" in result.stdout
    assert "{" not in result.stdout


def test_show_raw_keeps_the_script_slots(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["kb", "show", "strategy", "broken_record", "--raw"])
    assert result.exit_code == 0
    assert "{金额}" in result.stdout


def test_show_demand_lists_laws_and_strategies_in_order(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["kb", "show", "demand", "高额赔偿"])
    assert result.exit_code == 0, result.output
    assert "《中华人民共和国民法典》第584条" in result.stdout
    assert "  1. 置之不理 (ignore_first_mention)\n  2. 皮格马利翁效应 (pygmalion)" in result.stdout


def test_show_law_says_what_it_replaced(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["kb", "show", "law", "consumer_law_55"])
    assert result.exit_code == 0
    assert "施行日期: 2014-03-15" in result.stdout
    assert "1993年）第49条" in result.stdout


@pytest.mark.parametrize(
    "kind,name,expected",
    [
        ("profile", "变色龙型", "变色龙型 (chameleon)"),
        ("scenario", "充值卡密码被套取", "如果在本公司营业厅购买"),
        ("industry", "retail", "快递/物流"),
    ],
)
def test_show_other_kinds(app: typer.Typer, runner: CliRunner, kind: str, name: str, expected: str) -> None:
    result = runner.invoke(app, ["kb", "show", kind, name])
    assert result.exit_code == 0, result.output
    assert expected in result.stdout


def test_show_unknown_name_exits_1_with_a_bilingual_message(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["kb", "show", "strategy", "破唱片"])
    assert result.exit_code == 1
    assert "未找到 (not found)" in result.stderr
    assert "破唱片机法 (broken_record)" in result.stderr


def test_show_unknown_kind_is_a_usage_error(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["kb", "show", "recipe", "x"])
    assert result.exit_code == 2


def test_search_lists_matching_entries(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["kb", "search", "霸王条款"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split() == ["demand", "unfair_terms", "霸王条款"]
    assert runner.invoke(app, ["kb", "search", "没有这种东西"]).exit_code == 1
