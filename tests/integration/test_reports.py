"""报表 and exports against a hand-built fortnight of complaints, on SQLite and PostgreSQL.

Every figure asserted below was counted by hand from the fixture (see `FIXTURE`): the report
must give exactly those numbers as JSON, the same numbers in its workbook and CSV, and only
the caller's hall.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.integration.conftest import Api
from tousu.cli import app as cli
from tousu.domain.deadlines import LOCAL
from tousu.domain.policy import Policy, UrgencyPolicy

HALL_A, HALL_B = "思明营业厅", "湖里营业厅"
PERIOD = {"from": "2026-11-23", "to": "2026-11-24"}  # the previous period: 11-21 and 11-22
REPORT_TIME = "2026-11-26 12:00"

# The fixture, in Shanghai time; "A" complaints are 思明营业厅's (agent1, agent2), "B" 湖里营业厅's.
#   P1 11-22 15:00 A plan, nothing done                         -> previous period; overdue at report time
#   A1 11-23 10:00 A hotline billing 话费 (customer 111)         replied 11:00, satisfied 12:00, closed 13:00 (3 h)
#   A2 11-23 14:00 A hall service, nothing done (due 11-25 14:00) -> overdue
#   A3 11-23 16:00 A government (越级) from 12300 (申诉), demands 越级/监管投诉,
#                  replied 18:00 on time, followed up 一般 19:00
#   A4 11-24 09:00 A hotline billing 话费, customer 111 again    -> 重复 (A1 replied within 3 months);
#                  due 24 h later, replied 11-25 10:00 (late), followed up 不满意 11:00
#   A5 11-24 10:00 A network 4G信号 思明区 (customer 555)        } a batch (the test policy: 2 customers);
#   A6 11-24 10:30 A network 4G信号 思明区 (customer 666, agent2) } batch deadlines (72 h): not due yet
#   B1 11-24 11:00 B hotline billing 流量: replied 12:00, satisfied 13:00, closed 15:00 (4 h)
#   B2 11-24 23:30 B vas 彩铃, nothing done, due 11-26 23:30: not due yet
#   C1 11-25 00:00 A: the day after the period, not counted
# Hand counts, 11-23..11-24:
#   hall A: received 6; on time A1 A3 = 2; overdue A2 A4 = 2 (rate 0.5); closed 1, 3.0 h; replied 3;
#           followed up 3 (rate 1.0); satisfied 1 (0.3333); repeat 1 (1/6 = 0.1667); over-level 1;
#           appeals 1; regulator threats 1; batches 1; subscribers 200,000 -> 30.0 per million
#   hall B: received 2; on time 1, overdue 0 (1.0); closed 1, 4.0 h; replied 1; followed up 1 (1.0);
#           satisfied 1 (1.0); repeat 0 (0.0); subscribers 50,000 -> 40.0 per million
#   all:    received 8; on time 3, overdue 2 (0.6); closed 2, 3.5 h; replied 4; followed 4 (1.0);
#           satisfied 2 (0.5); repeat 1 (0.125); over-level 1; appeals 1; threats 1; batches 1;
#           subscribers 250,000 (both halls configured) -> 32.0 per million
#   previous (11-21..11-22): P1 alone: received 1, overdue 1, on time 0 (rate 0.0);
#           4.0 per million of all halls, 5.0 of hall A's
#   by day: 11-23 A1 A2 A3 = 3 (on time 2, overdue 1: 0.6667); 11-24 A4 A5 A6 B1 B2 = 5 (1 and 1: 0.5)
#   by channel: hotline 6, hall 1, government 1; by handler (hall A): agent1 5, agent2 1
HALL_A_FIGURES = {
    "received": 6,
    "on_time": 2,
    "overdue": 2,
    "on_time_rate": 0.5,
    "closed": 1,
    "avg_handling_hours": 3.0,
    "replied": 3,
    "followed_up": 3,
    "follow_up_rate": 1.0,
    "satisfied": 1,
    "satisfaction_rate": 0.3333,
    "repeat": 1,
    "repeat_rate": 0.1667,
    "over_level": 1,
    "appeals": 1,
    "regulator_threats": 1,
    "batches": 1,
    "subscribers": 200_000,
    "per_million": 30.0,
}
HALL_B_FIGURES = {
    "received": 2,
    "on_time": 1,
    "overdue": 0,
    "on_time_rate": 1.0,
    "closed": 1,
    "avg_handling_hours": 4.0,
    "replied": 1,
    "followed_up": 1,
    "follow_up_rate": 1.0,
    "satisfied": 1,
    "satisfaction_rate": 1.0,
    "repeat": 0,
    "repeat_rate": 0.0,
    "over_level": 0,
    "appeals": 0,
    "regulator_threats": 0,
    "batches": 0,
    "subscribers": 50_000,
    "per_million": 40.0,
}
ALL_FIGURES = {
    "received": 8,
    "on_time": 3,
    "overdue": 2,
    "on_time_rate": 0.6,
    "closed": 2,
    "avg_handling_hours": 3.5,
    "replied": 4,
    "followed_up": 4,
    "follow_up_rate": 1.0,
    "satisfied": 2,
    "satisfaction_rate": 0.5,
    "repeat": 1,
    "repeat_rate": 0.125,
    "over_level": 1,
    "appeals": 1,
    "regulator_threats": 1,
    "batches": 1,
    "subscribers": 250_000,
    "per_million": 32.0,
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL)


class Fixture:
    def __init__(self, api: Api, clock: Any) -> None:
        self.api, self.clock = api, clock
        self.refs: dict[str, str] = {}
        self.versions: dict[str, tuple[int, int]] = {}

    def file(self, name: str, when: str, who: str, phone: str, **fields: Any) -> None:
        self.clock.now = at(when)
        body = {"channel": "hotline", "customer": {"name": f"客户{name}", "phone": phone}, **fields}
        created = self.api.post("/complaints", who, body)
        assert created.status_code == 201, created.text
        self.refs[name] = created.json()["reference"]
        self.versions[name] = (created.json()["id"], created.json()["version"])

    def act(self, name: str, action: str, when: str, who: str, **fields: Any) -> dict[str, Any]:
        self.clock.now = at(when)
        complaint_id, _ = self.versions[name]
        version = self.api.get(f"/complaints/{complaint_id}", who).json()["version"]
        done = self.api.post(f"/complaints/{complaint_id}/{action}", who, {"version": version, **fields})
        assert done.status_code == 200, done.text
        return dict(done.json())


@pytest.fixture
def world(api: Api, clock: Any) -> Fixture:
    state = api.client.app.state.tousu
    state.policy = Policy(urgency=UrgencyPolicy(batch_min_ordinary=2), subscribers={HALL_A: 200_000, HALL_B: 50_000})
    f = Fixture(api, clock)
    f.file(
        "P1", "2026-11-23 09:00", "agent1", "13700000001", content="套餐资费没说清楚。", category="plan",
        topic="套餐", received_at=at("2026-11-22 15:00").isoformat(),
    )  # fmt: skip
    f.file("A1", "2026-11-23 10:00", "agent1", "13900000111", content="本月话费多扣了20元，请核实。",
           category="billing", topic="话费")  # fmt: skip
    f.act("A1", "reply", "2026-11-23 11:00", "agent1", reply="已核实，多扣的20元已退回。")
    f.act("A1", "follow-up", "2026-11-23 12:00", "agent1", satisfaction="satisfied", comments="满意")
    f.act("A1", "close", "2026-11-23 13:00", "agent1", root_cause="计费系统重复出账")
    f.file("A2", "2026-11-23 14:00", "agent1", "13900000222", content="营业员办理业务太慢。", channel="hall",
           category="service", topic="营业员")  # fmt: skip
    f.file(
        "A3", "2026-11-23 16:00", "agent1", "13900000333", content="宽带经常断线，已向工信部申诉。",
        channel="government", category="network", topic="宽带", demands=["regulator_threat"],
        transfer_source="12300", transfer_case_number="GX2026-001",
        transfer_reply_by=at("2026-11-25 16:00").isoformat(),
    )  # fmt: skip
    f.act("A3", "reply", "2026-11-23 18:00", "agent1", reply="已派工程师上门检修线路。")
    f.act("A3", "follow-up", "2026-11-23 19:00", "agent1", satisfaction="neutral", comments="一般")
    f.file("A4", "2026-11-24 09:00", "agent1", "13900000111", content="本月话费又多扣了，请核实。",
           category="billing", topic="话费")  # fmt: skip
    f.file("A5", "2026-11-24 10:00", "agent1", "13900000555", content="4G信号很差。", category="network",
           topic="4G信号", area="思明区")  # fmt: skip
    f.file("A6", "2026-11-24 10:30", "agent2", "13900000666", content="手机4G没有信号。", category="network",
           topic="4G信号", area="思明区")  # fmt: skip
    f.file("B1", "2026-11-24 11:00", "agent_b", "13800000888", content="流量扣费有疑问。", category="billing",
           topic="流量")  # fmt: skip
    f.act("B1", "reply", "2026-11-24 12:00", "agent_b", reply="已为您说明流量计费规则。")
    f.act("B1", "follow-up", "2026-11-24 13:00", "agent_b", satisfaction="satisfied", comments="满意")
    f.act("B1", "close", "2026-11-24 15:00", "agent_b", root_cause="客户不了解计费规则")
    f.file("B2", "2026-11-24 23:30", "agent_b", "13800000999", content="彩铃没开通却扣费。", category="vas",
           topic="彩铃")  # fmt: skip
    f.file("C1", "2026-11-25 00:00", "agent1", "13900000777", content="充值没到账。", category="recharge",
           topic="充值")  # fmt: skip
    f.act("A4", "reply", "2026-11-25 10:00", "agent1", reply="已核实并退费。")
    f.act("A4", "follow-up", "2026-11-25 11:00", "agent1", satisfaction="dissatisfied", comments="不满意")
    f.clock.now = at(REPORT_TIME)
    return f


def kpi(api: Api, who: str, **params: str) -> Any:
    return api.get("/reports/kpi", who, params={**PERIOD, **params})


def test_the_fixture_is_what_the_hand_counts_assume(api: Api, world: Fixture) -> None:
    """The counts rest on the urgency the intake gave (repeat, over-level, batch) and on the deadlines."""
    complaint = {name: api.get(f"/complaints/{cid}", "director1").json() for name, (cid, _) in world.versions.items()}
    assert "repeat" in complaint["A4"]["urgency_types"]
    assert "over_level" in complaint["A3"]["urgency_types"]
    assert complaint["A5"]["batch_id"] is not None and complaint["A5"]["batch_id"] == complaint["A6"]["batch_id"]
    assert complaint["A5"]["deadlines"]["reply_by"] > at(REPORT_TIME).isoformat()
    assert complaint["B2"]["deadlines"]["reply_by"] > at(REPORT_TIME).isoformat()
    assert complaint["A2"]["deadlines"]["reply_by"] < at(REPORT_TIME).isoformat()
    assert complaint["A4"]["replied_at"] > complaint["A4"]["deadlines"]["reply_by"]


def test_hall_figures_equal_the_hand_counts(api: Api, world: Fixture) -> None:
    body = kpi(api, "director1", group_by="team").json()
    rows = {row["key"]: row for row in body["rows"]}
    assert set(rows) == {HALL_A, HALL_B}
    assert rows[HALL_A]["kpis"] == HALL_A_FIGURES
    assert rows[HALL_B]["kpis"] == HALL_B_FIGURES
    assert body["total"]["kpis"] == ALL_FIGURES
    previous = body["total"]["previous"]
    assert (previous["received"], previous["overdue"], previous["on_time"]) == (1, 1, 0)
    assert previous["on_time_rate"] == 0.0 and previous["per_million"] == 4.0
    assert body["total"]["change"]["received"] == 7
    assert rows[HALL_A]["previous"]["received"] == 1 and rows[HALL_B]["previous"]["received"] == 0
    assert body["previous_period"] == {"from": "2026-11-21", "to": "2026-11-22", "days": 2}


def test_trends_channels_and_handlers(api: Api, world: Fixture) -> None:
    days = kpi(api, "director1", group_by="day").json()["rows"]
    assert [(r["key"], r["kpis"]["received"]) for r in days] == [("2026-11-23", 3), ("2026-11-24", 5)]
    assert [r["kpis"]["on_time_rate"] for r in days] == [0.6667, 0.5]
    weeks = kpi(api, "director1", group_by="week").json()["rows"]
    assert [(r["key"], r["kpis"]["received"]) for r in weeks] == [("2026-11-23", 8)]
    channels = {r["key"]: r["kpis"]["received"] for r in kpi(api, "director1", group_by="channel").json()["rows"]}
    assert channels == {"hotline": 6, "hall": 1, "government": 1}
    handlers = {r["label"]: r["kpis"]["received"] for r in kpi(api, "manager1", group_by="agent").json()["rows"]}
    assert handlers == {"agent1": 5, "agent2": 1}


def test_a_manager_sees_only_their_hall(api: Api, world: Fixture) -> None:
    body = kpi(api, "manager1", group_by="team").json()
    assert [row["key"] for row in body["rows"]] == [HALL_A]
    assert body["total"]["kpis"] == HALL_A_FIGURES
    assert body["total"]["previous"]["per_million"] == 5.0
    workbook = kpi(api, "manager1", group_by="category", format="csv").content.decode("utf-8-sig")
    assert "彩铃" not in workbook and "增值业务" not in workbook  # hall B's only category
    refused = kpi(api, "agent1")
    assert refused.status_code == 403


def test_the_workbook_and_the_csv_show_the_json_numbers(api: Api, world: Fixture) -> None:
    body = kpi(api, "director1", group_by="team").json()
    names = [c["name"] for c in body["columns"]]
    response = kpi(api, "director1", group_by="team", format="xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["报表"]
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == ["营业厅/班组", *names]
    by_label = {row[0]: dict(zip(names, row[1:], strict=True)) for row in table[1:]}
    expected = {row["label"]: row["kpis"] for row in body["rows"]} | {"合计": body["total"]["kpis"]}
    for label, figures in expected.items():
        assert by_label[label] == {c["name"]: figures[c["key"]] for c in body["columns"]}
    text = kpi(api, "director1", group_by="team", format="csv").content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["营业厅/班组", *names]
    total = dict(zip(names, rows[-1][1:], strict=True))
    assert rows[-1][0] == "合计" and total["受理量"] == "8" and total["及时率"] == "60.00%"
    assert total["平均处理时长(小时)"] == "3.5" and total["百万用户申诉率"] == "32.0"


def test_unknown_subscribers_leave_the_rate_blank(api: Api, world: Fixture) -> None:
    api.client.app.state.tousu.policy = Policy(subscribers={HALL_A: 200_000})
    body = kpi(api, "director1", group_by="team").json()
    rows = {row["key"]: row["kpis"] for row in body["rows"]}
    assert rows[HALL_A]["per_million"] == 30.0
    assert rows[HALL_B]["per_million"] is None and body["total"]["kpis"]["per_million"] is None


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to", "不能早于"),
        ({"from": "2025-01-01", "to": "2026-11-01"}, "to", "最长 366 天"),
        ({"from": "2026/11/01", "to": "2026-11-30"}, "from", "YYYY-MM-DD"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from", "YYYY-MM-DD"),
    ],
)
def test_bad_periods_are_refused_with_the_reason(api: Api, params: dict[str, str], field: str, words: str) -> None:
    response = api.get("/reports/kpi", "director1", params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == field and words in error["message"]


def test_bad_grouping_and_format_are_refused(api: Api) -> None:
    for params in ({**PERIOD, "group_by": "planet"}, {**PERIOD, "format": "pdf"}, {"to": "2026-11-30"}):
        response = api.get("/reports/kpi", "director1", params=params)
        assert response.status_code == 422, params
        assert response.json()["error"]["message"]


def _export(api: Api, who: str, fmt: str, **params: str) -> Any:
    response = api.get("/exports/complaints", who, params={"format": fmt, "status": list(STATUSES), **params})
    assert response.status_code == 200, response.text
    return response


STATUSES = ("received", "in_progress", "replied", "followed_up", "closed")


def test_exports_keep_to_the_hall_and_mask_phones_for_agents(api: Api, world: Fixture) -> None:
    hall_a = {world.refs[n] for n in ("P1", "A1", "A2", "A3", "A4", "A5", "A6", "C1")}
    hall_b = {world.refs[n] for n in ("B1", "B2")}
    text = _export(api, "agent1", "csv").content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert {r["投诉编号"] for r in rows} == hall_a
    assert all("****" in r["客户电话"] for r in rows) and "13900000111" not in text
    assert {r["状态"] for r in rows} <= {"已受理", "已答复", "已回访", "已结案", "处理中"}
    workbook = load_workbook(io.BytesIO(_export(api, "agent_b", "xlsx").content), read_only=True)
    listed = list(workbook["投诉清单"].iter_rows(values_only=True))
    assert listed[0][:3] == ("投诉编号", "受理时间", "渠道")
    assert {r[0] for r in listed[1:]} == hall_b
    manager = list(csv.DictReader(io.StringIO(_export(api, "manager1", "csv").content.decode("utf-8-sig"))))
    assert {r["投诉编号"] for r in manager} == hall_a
    assert "13900000111" in {r["客户电话"] for r in manager}  # managers call customers back (回访)


def test_the_export_takes_the_lists_filters(api: Api, world: Fixture) -> None:
    rows = list(
        csv.DictReader(io.StringIO(_export(api, "director1", "csv", category="billing").content.decode("utf-8-sig")))
    )
    assert sorted(r["投诉编号"] for r in rows) == sorted(world.refs[n] for n in ("A1", "A4", "B1"))
    assert {r["类别"] for r in rows} == {"计费/扣费争议"}
    bad = api.get("/exports/complaints", "director1", params={"format": "pdf"})
    assert bad.status_code == 422


def _page(api: Api, who: str, path: str, **params: str) -> Any:
    api.client.cookies.clear()
    return api.client.get(path, params=params, headers={"Cookie": f"tousu_session={api.tokens[who]}"})


def test_the_drill_down_lists_the_complaints_behind_a_figure(api: Api, world: Fixture) -> None:
    overdue = _page(api, "director1", "/reports/complaints", **PERIOD, group_by="team", key=HALL_A, measure="overdue")
    assert overdue.status_code == 200
    assert {ref for ref in world.refs.values() if ref in overdue.text} == {world.refs["A2"], world.refs["A4"]}
    day = _page(api, "director1", "/reports/complaints", **PERIOD, group_by="day", key="2026-11-23")
    assert {ref for ref in world.refs.values() if ref in day.text} == {world.refs[n] for n in ("A1", "A2", "A3")}
    hidden = _page(api, "manager1", "/reports/complaints", **PERIOD, group_by="team", key=HALL_B)
    assert world.refs["B1"] not in hidden.text and "共 0 件" in hidden.text
    export = _page(api, "manager1", "/reports/complaints", **PERIOD, measure="repeat", format="csv")
    assert [r["投诉编号"] for r in csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")))] == [
        world.refs["A4"]
    ]


def test_the_reports_page_shows_the_table_and_the_chart(api: Api, world: Fixture) -> None:
    shown = _page(api, "manager1", "/reports", **PERIOD, group_by="team")
    assert shown.status_code == 200
    assert "<svg" in shown.text and "及时率" in shown.text and HALL_B not in shown.text
    assert _page(api, "agent1", "/reports").status_code == 403
    assert _page(api, "manager1", "/reports", **{"from": "2026-11-30", "to": "2026-11-01"}).status_code == 422


def test_the_command_line_export_masks_unless_asked(
    api: Api, world: Fixture, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TOUSU_DATABASE_URL", database_url)
    runner = CliRunner()
    masked = runner.invoke(cli, ["export"])
    assert masked.exit_code == 0, masked.output
    records = [json.loads(line) for line in masked.stdout.splitlines() if line.startswith("{")]
    assert len(records) == len(world.refs) and "13900000111" not in masked.stdout
    assert {r["customer_phone"][3:7] for r in records} == {"****"}
    target = tmp_path / "all.xlsx"
    full = runner.invoke(cli, ["export", "--format", "xlsx", "--unmasked", "-o", str(target)])
    assert full.exit_code == 0, full.output
    listed = list(load_workbook(target, read_only=True)["投诉清单"].iter_rows(values_only=True))
    assert len(listed) == len(world.refs) + 1 and "13900000111" in {row[9] for row in listed}
