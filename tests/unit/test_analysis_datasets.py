"""An organisation's own history as training data: CSV (GBK or UTF-8), Excel, partial labels, its own codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tousu.analysis import BUNDLED_MODEL, load_model
from tousu.analysis.cli import register
from tousu.analysis.datasets import DatasetError, read_labelled, read_mapping
from tousu.analysis.model import LayeredModel

# Their own category tree, in the words a work-order system uses.
HISTORY = [
    ("W1", "宽带每天晚上掉线，网速只有几十K", "网络质量"),
    ("W2", "家里手机信号一格都没有，打电话断断续续", "网络质量"),
    ("W3", "小区4G网速特别慢，视频根本打不开", "网络质量"),
    ("W4", "光猫红灯闪，宽带上不了网两天了", "网络质量"),
    ("W5", "室内没有信号，要求尽快处理", "网络质量"),
    ("W6", "本月话费多扣了30元，要求核实退还", "资费争议"),
    ("W7", "账单里有一笔不认识的流量费", "资费争议"),
    ("W8", "已经交了钱还显示欠费，扣费有问题", "资费争议"),
    ("W9", "套外流量收费太贵，扣了我一百多", "资费争议"),
    ("W10", "话费被重复扣了两次", "资费争议"),
]


def _csv(path: Path, encoding: str, rows: list[tuple[str, str, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["工单号", "工单内容", "投诉分类"])
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _mapping(tmp_path: Path) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text("category:\n  网络质量: network\n  资费争议: billing\n", encoding="utf-8")
    return path


def test_a_mapping_that_maps_one_label_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("category:\n  网络质量: network\n  网络质量: billing\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"重复的键.*网络质量"):
        read_mapping(path)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_the_encodings_excel_writes_is_read_with_its_own_codes_mapped(tmp_path: Path, encoding: str) -> None:
    path = _csv(tmp_path / "history.csv", encoding, HISTORY)
    records = read_labelled(path, read_mapping(_mapping(tmp_path)))
    assert [r["id"] for r in records] == [h[0] for h in HISTORY]
    assert records[0] == {"id": "W1", "text": HISTORY[0][1], "category": "network"}
    assert {r["category"] for r in records} == {"network", "billing"}


def test_excel_workbooks_are_read(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["id", "text", "category", "demands"])
    sheet.append(["a", "彩铃不是我订的，给我退订", "vas", "cancel、refund"])
    sheet.append(["b", "", "vas", ""])  # no text: not a record
    workbook.save(tmp_path / "history.xlsx")
    records = read_labelled(tmp_path / "history.xlsx")
    assert records == [
        {"id": "a", "text": "彩铃不是我订的，给我退订", "category": "vas", "demands": ["cancel", "refund"]}
    ]


def test_labels_outside_the_codes_are_refused_with_the_values_to_map(tmp_path: Path) -> None:
    path = _csv(tmp_path / "history.csv", "utf-8", HISTORY)
    with pytest.raises(DatasetError, match=r"网络质量（5 条）.*--map"):
        read_labelled(path)


def test_a_file_without_a_text_column_says_which_names_it_looks_for(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("编号,分类\n1,billing\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="投诉内容"):
        read_labelled(path)


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_a_model_trained_on_categories_alone_takes_the_rest_from_the_bundled_one(
    tmp_path: Path, app: typer.Typer
) -> None:
    path = _csv(tmp_path / "history.csv", "gb18030", HISTORY)
    model_path = tmp_path / "own.npz"
    trained = CliRunner().invoke(app, ["train", str(path), "--map", str(_mapping(tmp_path)), "--out", str(model_path)])
    assert trained.exit_code == 0, trained.output
    assert "category (2" in trained.output and "demands" not in trained.output.split("features,")[1]
    model = load_model(model_path)
    assert isinstance(model, LayeredModel) and model.fallback.version == load_model(BUNDLED_MODEL).version
    line = json.dumps({"id": "x", "text": "宽带又掉线了，不修好我就去工信部投诉"}, ensure_ascii=False) + "\n"
    result = CliRunner().invoke(app, ["analyze", "--model", str(model_path)], input=line)
    out = json.loads(result.output)
    # Its own category head knows only these two; demands and emotion come from the bundled model.
    assert out["category"] in {"network", "billing"} and out["model_version"] == model.version
    assert "regulator_threat" in out["demands"] and out["emotion"] in {"upset", "angry"}


def test_cross_validation_scores_each_record_with_a_model_that_did_not_see_it(tmp_path: Path, app: typer.Typer) -> None:
    rows = [*HISTORY, *((f"{i}b", f"{text}，请尽快处理", label) for i, text, label in HISTORY)]
    path = _csv(tmp_path / "history.csv", "utf-8", rows)
    mapping = ["--map", str(_mapping(tmp_path))]
    result = CliRunner().invoke(app, ["eval", str(path), *mapping, "--cv", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["records"] == len(rows)
    assert 0.0 <= report["category"]["calibration_error"] <= 1.0
    refused = CliRunner().invoke(app, ["eval", str(path), *mapping, "--cv", "2", "--rules-only"])
    assert refused.exit_code == 2 and "--cv" in refused.output
