"""`tousu check-reply` through typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tousu.quality.cli import register

DIALOGUES = Path(__file__).resolve().parents[1] / "data" / "dialogues"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:
        """Keeps check-reply a named sub-command, as in the real application."""

    return app


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def test_a_reply_from_stdin_is_reported_in_chinese(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["check-reply"], input="您搞錯了，這不歸我管。".encode())
    assert result.exit_code == 0
    assert "得分：" in result.output
    assert "“您搞錯了”" in result.output and "建议改为：我觉得我们的沟通存在误解" in result.output
    assert "“這不歸我管”" in result.output and "建议：不要说这句话" in result.output
    assert "修改后的回复：\n我觉得我们的沟通存在误解。" in result.output


def test_the_rules_are_those_of_the_industrys_staff(app: typer.Typer, runner: CliRunner) -> None:
    reply = "投诉时效已过，无法处理。".encode()
    hall = json.loads(runner.invoke(app, ["check-reply", "--json"], input=reply).output)
    shop = json.loads(runner.invoke(app, ["check-reply", "--json", "--industry", "retail"], input=reply).output)
    # One refusal each, the telecom one naming the 12300 appeal limits, the shop's not.
    assert [p["code"] for p in hall["problems"]] == ["appeal_time_limit_refusal"]
    assert [p["code"] for p in shop["problems"]] == ["time_limit_refusal"]
    unknown = runner.invoke(app, ["check-reply", "--industry", "bank"], input=reply)
    assert unknown.exit_code == 2 and "未知的行业 'bank'；可用：telecom、retail" in unknown.output


def test_json_output_carries_offsets(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["check-reply", "-", "--json"], input="王先生，您搞错了".encode())
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [(p["start"], p["end"], p["code"]) for p in data["problems"]] == [(4, 8, "you_are_mistaken")]
    assert 0 <= data["score"] <= 100


def test_a_dialogue_file_is_checked_turn_by_turn(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["check-reply", str(DIALOGUES / "poor_followup_argued.txt"), "--dialogue"])
    assert result.exit_code == 0
    assert "第16轮 客服 “请您让我说完”" in result.output
    assert "承诺（需跟踪）：" in result.output and "48个小时内" in result.output
    assert "客户诉求：" in result.output


def test_a_dialogue_as_json(app: typer.Typer, runner: CliRunner) -> None:
    path = DIALOGUES / "good_plan_restored.txt"
    result = runner.invoke(app, ["check-reply", str(path), "--dialogue", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["turns"][0]["speaker"] == "客户"


def test_gb18030_files_are_read(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "reply.txt"
    path.write_bytes("我也没办法".encode("gb18030"))
    result = runner.invoke(app, ["check-reply", str(path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["problems"][0]["code"] == "nothing_i_can_do"


def test_untagged_text_in_dialogue_mode_is_a_note_not_a_failure(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["check-reply", "--dialogue"], input="您搞错了".encode())
    assert result.exit_code == 0
    assert "无法评分" in result.output and "没有找到说话人标记" in result.output


def test_binary_input_still_gives_a_result(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["check-reply", "--json"], input=bytes(range(1, 256)) * 20)
    assert result.exit_code == 0
    assert "score" in json.loads(result.output)


def test_empty_input_exits_2_with_a_message(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["check-reply"], input=b"  \n")
    assert result.exit_code == 2
    assert "内容为空" in result.output


def test_a_missing_file_exits_2_with_a_message(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check-reply", str(tmp_path / "none.txt")])
    assert result.exit_code == 2
    assert "找不到文件" in result.output
