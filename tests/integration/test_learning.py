"""The analyzer learns from the organisation's corrections: corrections kept as labelled examples,
models retrained on them, activated only when not worse on held-out history, picked up by
every server process without a restart, rolled back; the administrators' page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import Clock
from tests.integration.conftest import Api, complaint_body
from tousu.analysis import BUNDLED_MODEL
from tousu.api.app import create_app
from tousu.cli import app as cli
from tousu.services import learning, users
from tousu.services.analysis_port import load_analyzer
from tousu.services.errors import Invalid
from tousu.settings import Settings
from tousu.storage.tables import analyzer_model_events, analyzer_models, events, label_corrections

runner = CliRunner()
ADMIN_PASSWORD = "admin-pass-2026"
BILLING_TEXT = "你们乱扣我话费两百块，不退钱我就去工信部投诉！"

# Words of this organisation's customers that the bundled model reads otherwise: the
# organisation files 流量包 complaints under billing (the bundled model says product) and
# 翼支付 red packets under marketing (the bundled model says recharge).
ORG_WORDS = {
    "billing": "我办的流量包{n}天就用完了，{tail}",
    "marketing": "翼支付里的{n}元红包一直没到账，{tail}",
    "points": "积分兑换的{n}元话费券用不了，{tail}",
}
TAILS = ["请尽快核实", "已经等了一周", "麻烦查一下", "太耽误事了", "到底怎么回事"]
ROTATED = {"billing": "marketing", "marketing": "points", "points": "billing"}


def _state(api: Api) -> Any:
    return api.client.app.state.tousu  # type: ignore[attr-defined]


def _rows(api: Api, table: sa.Table) -> list[dict[str, Any]]:
    with _state(api).read() as conn:
        return [dict(r) for r in conn.execute(sa.select(table).order_by(table.c.id)).mappings()]


def _file(api: Api, who: str = "agent1", **overrides: Any) -> dict[str, Any]:
    answer = api.post("/complaints", who, complaint_body(**overrides))
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _patch(api: Api, complaint: dict[str, Any], who: str = "agent1", **changes: Any) -> dict[str, Any]:
    current = api.get(f"/complaints/{complaint['id']}", who).json()
    answer = api.patch(f"/complaints/{complaint['id']}", who, {"version": current["version"], **changes})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _org_history(api: Api, per_category: int = 15) -> dict[int, str]:
    """The organisation's labelled history, as people label it: a third filed with a person's
    category and demands (the analyzer does not run), a third with a person's category (the
    analyzer runs), a third read by the analyzer and corrected on the complaint page when wrong."""
    labels = {}
    for n in range(per_category):
        for category, template in ORG_WORDS.items():
            body = complaint_body(
                content=template.format(n=n + 2, tail=TAILS[n % len(TAILS)]),
                customer={"name": "客户", "phone": f"139{len(labels):08d}"},
            )
            if n % 3 == 0:
                body.update(category=category, demands=["explanation"])
            elif n % 3 == 1:
                body.update(category=category)
            created = _file(api, **body)
            if created["category"] != category:
                _patch(api, created, category=category)
            labels[created["id"]] = category
    return labels


def _analysis(client: TestClient, token: str, text: str) -> dict[str, Any]:
    answer = client.post("/api/v1/analyze", json={"text": text}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _after_the_check(client: TestClient, clock: Clock, token: str, text: str = "翼支付红包没到账") -> dict[str, Any]:
    """The analysis once the process has looked for a newly activated model: its next request
    after the check interval finds the model's id and starts loading it, meanwhile still
    answering with the analyzer in use; once loaded, every request uses the new one."""
    clock.advance(seconds=10)
    _analysis(client, token, text)
    client.app.state.tousu.models.settle()  # type: ignore[attr-defined]
    return _analysis(client, token, text)


@pytest.fixture
def other(api: Api, database_url: str, clock: Clock) -> Iterator[TestClient]:
    """A second server process on the same database: its own app state and analyzer."""
    settings = Settings(
        database_url=database_url, secret_key="integration-tests-secret-0123456789", scheduler_interval_seconds=0
    )
    app = create_app(settings, with_scheduler=False)
    app.state.tousu.clock = clock
    with TestClient(app) as client:
        yield client
    app.state.tousu.engine.dispose()


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TOUSU_DATABASE_URL", database_url)
    monkeypatch.delenv("TOUSU_MODEL_PATH", raising=False)
    return database_url


def _retrain(api: Api, clock: Clock, username: str | None = "admin1") -> dict[str, Any]:
    configured, _ = load_analyzer(BUNDLED_MODEL)
    with _state(api).write() as conn:
        actor = users.actor_of(users.require_user(conn, username)) if username else None
        return learning.retrain(conn, now=clock.now, actor=actor, configured=configured)


# Corrections


def test_a_category_correction_is_kept_once_with_the_analyzers_answer_and_versions(api: Api) -> None:
    created = _file(api, content=BILLING_TEXT)
    assert created["category"] == "billing" and created["category_source"] == "analyzer"
    stored = api.get(f"/complaints/{created['id']}", "agent1").json()["analysis"]

    _patch(api, created, category="vas")
    [row] = _rows(api, label_corrections)
    assert (row["field"], row["old_value"], row["new_value"], row["analyzer_value"]) == (
        "category",
        "billing",
        "vas",
        "billing",
    )
    assert row["text"] == BILLING_TEXT and row["complaint_id"] == created["id"]
    assert row["analyzer_version"] == stored["analyzer_version"] and row["model_version"] == stored["model_version"]
    assert row["model_version"] and row["actor_id"] == users_id(api, "agent1")

    # The complaint page's form sends every field again: unchanged labels are no correction.
    demands = api.get(f"/complaints/{created['id']}", "agent1").json()["demands"]
    _patch(api, created, category="vas", demands=list(reversed(demands)), root_cause="计费系统重复出账")
    assert len(_rows(api, label_corrections)) == 1

    _patch(api, created, demands=["refund"])
    assert [(r["field"], r["old_value"], r["new_value"]) for r in _rows(api, label_corrections)][1] == (
        "demands",
        list(reversed(demands)),  # as the last save stored them
        ["refund"],
    )


def test_an_emotion_correction_is_kept_and_shown_in_the_timeline(api: Api) -> None:
    created = _file(api, content=BILLING_TEXT)
    said = api.get(f"/complaints/{created['id']}", "agent1").json()["analysis"]["emotion"]
    assert said == "angry"
    _patch(api, created, emotion="upset")
    _patch(api, created, emotion="upset")  # the same again: nothing new
    [row] = _rows(api, label_corrections)
    assert (row["field"], row["old_value"], row["new_value"]) == ("emotion", "angry", "upset")
    updated = [e for e in _rows(api, events) if e["kind"] == "updated"]
    assert updated[0]["data"]["before"]["emotion"] == "angry" and updated[0]["data"]["after"]["emotion"] == "upset"
    _patch(api, created, emotion="calm")
    assert [r["old_value"] for r in _rows(api, label_corrections)] == ["angry", "upset"]  # the latest label counts
    refused = api.patch(f"/complaints/{created['id']}", "agent1", {"version": 99, "emotion": "angry"})
    assert refused.status_code == 409 and len(_rows(api, label_corrections)) == 2  # nothing half-written


def test_intake_with_a_persons_category_other_than_the_analyzers_keeps_one_correction(api: Api) -> None:
    chosen = _file(api, content=BILLING_TEXT, category="service")
    [row] = _rows(api, label_corrections)
    assert (row["complaint_id"], row["field"], row["old_value"], row["new_value"]) == (
        chosen["id"],
        "category",
        "billing",
        "service",
    )
    assert row["analyzer_version"] and row["model_version"]
    _file(api, content=BILLING_TEXT, category="billing", customer={"name": "李女士", "phone": "13900002222"})
    assert len(_rows(api, label_corrections)) == 1  # the person agreed with the analyzer


def test_the_training_records_are_the_labels_people_gave(api: Api) -> None:
    # Staff chose demands the analyzer does not read in these words: a correction at intake.
    manual = _file(api, content="营业员态度很差", category="service", demands=["manager"])
    read = _file(api, content=BILLING_TEXT, customer={"name": "李女士", "phone": "13900002222"})
    untouched = _file(api, content="宽带三天上不了网", customer={"name": "赵先生", "phone": "13900003333"})
    _patch(api, read, category="vas", emotion="upset")
    with _state(api).read() as conn:
        records = {r["id"]: r for r in learning.training_records(conn)}
    assert records[manual["id"]] == {
        "id": manual["id"],
        "text": "营业员态度很差",
        "category": "service",
        "demands": ["manager"],
    }
    assert records[read["id"]] == {"id": read["id"], "text": BILLING_TEXT, "category": "vas", "emotion": "upset"}
    assert untouched["id"] not in records  # the analyzer's own answer teaches nothing


# Retraining, switching, refusing, rolling back


def test_a_retrained_model_is_activated_and_another_process_switches_without_restart(
    api: Api, other: TestClient, env: str, clock: Clock
) -> None:
    _org_history(api)
    red_packet = "翼支付的红包说好了给我30元，到现在也没到账"
    before = _analysis(other, api.tokens["agent1"], red_packet)

    result = runner.invoke(cli, ["train", "--from-db"])
    assert result.exit_code == 0, result.output
    assert "activated" in result.output and "category macro-F1" in result.output
    [model] = _rows(api, analyzer_models)
    assert model["status"] == "active" and model["created_by_id"] is None
    assert model["metrics"]["candidate"]["category"]["macro_f1"] >= model["metrics"]["baseline"]["category"]["macro_f1"]
    listed = runner.invoke(cli, ["model", "list"])
    assert listed.exit_code == 0 and f"{model['id']}\t{model['version']}\tactive" in listed.output
    unknown = runner.invoke(cli, ["model", "activate", "9999"])
    assert unknown.exit_code == 1 and "不存在" in unknown.output

    # The other process checks every few seconds, not on every request.
    assert _analysis(other, api.tokens["agent1"], red_packet)["model_version"] == before["model_version"]
    after = _after_the_check(other, clock, api.tokens["agent1"], red_packet)
    assert after["model_version"].startswith(model["version"])
    assert after["category"] == "marketing"  # the organisation's own words
    # Intake in that process stores the new model's version with its analysis.
    filed = other.post(
        "/api/v1/complaints",
        json=complaint_body(content=red_packet, customer={"name": "周女士", "phone": "13900009999"}),
        headers={"Authorization": f"Bearer {api.tokens['agent1']}"},
    ).json()
    assert filed["category"] == "marketing"
    assert filed["analysis"]["model_version"].startswith(model["version"])


def test_a_model_worse_on_the_held_out_history_is_refused_and_an_earlier_one_can_be_reactivated(
    api: Api, other: TestClient, env: str, clock: Clock
) -> None:
    _org_history(api)
    with _state(api).read() as conn:
        training, _ = learning.split(learning.training_records(conn), seed=0, share=0.2)
    labels = {int(r["id"]): str(r["category"]) for r in training}
    first = _retrain(api, clock)
    assert first["status"] == "active"

    # A batch of wrong corrections on the complaints the models learn from (never on the
    # held-out slice, which keeps its right labels): the model trained on them reads the
    # organisation's words wrongly there, and must not replace the one in use.
    for complaint_id, category in labels.items():
        _patch(api, {"id": complaint_id}, who="manager1", category=ROTATED[category])
    refused = runner.invoke(cli, ["model", "retrain"])
    assert refused.exit_code == 2 and "refused: 留出评估中类别宏平均 F1" in refused.output
    worse = _rows(api, analyzer_models)[-1]
    assert worse["status"] == "refused" and "低于当前模型" in worse["reason"]
    assert worse["metrics"]["candidate"]["category"]["macro_f1"] < worse["metrics"]["baseline"]["category"]["macro_f1"]
    assert worse["metrics"]["baseline"]["model_id"] == first["id"]
    with _state(api).read() as conn:
        assert learning.active_model_id(conn) == first["id"]
        with pytest.raises(Invalid, match="已被拒绝"):
            learning.activate(conn, model_id=worse["id"], actor=None, now=clock.now)

    # The right labels back: a new model as good as the first is activated; then a rollback.
    for complaint_id, category in labels.items():
        _patch(api, {"id": complaint_id}, who="manager1", category=category)
    clock.advance(minutes=5)
    second = _retrain(api, clock)
    assert second["status"] == "active"
    assert _after_the_check(other, clock, api.tokens["agent1"])["model_version"].startswith(second["version"])

    with _state(api).write() as conn:
        admin = users.actor_of(users.require_user(conn, "admin1"))
        learning.activate(conn, model_id=first["id"], actor=admin, now=clock.now)
    statuses = {r["id"]: r["status"] for r in _rows(api, analyzer_models)}
    assert statuses == {first["id"]: "active", worse["id"]: "refused", second["id"]: "retired"}
    assert _after_the_check(other, clock, api.tokens["agent1"])["model_version"].startswith(first["version"])
    audit = [(e["action"], e["model_id"]) for e in _rows(api, analyzer_model_events)]
    assert audit == [
        ("trained", first["id"]),
        ("activated", first["id"]),
        ("refused", worse["id"]),
        ("trained", second["id"]),
        ("activated", second["id"]),
        ("activated", first["id"]),
    ]
    assert _rows(api, analyzer_model_events)[-1]["actor_id"] == users_id(api, "admin1")

    # Withdrawn: every process goes back to the bundled model.
    with _state(api).write() as conn:
        learning.deactivate(conn, actor=admin, now=clock.now)
    assert "+" not in _after_the_check(other, clock, api.tokens["agent1"])["model_version"]


def test_too_little_history_is_refused_with_what_to_do(api: Api, env: str) -> None:
    _file(api, content="营业员态度很差", category="service", demands=["apology"])
    result = runner.invoke(cli, ["model", "retrain"])
    assert result.exit_code == 1
    assert "太少" in result.output and "更正" in result.output
    assert _rows(api, analyzer_models) == []


# The administrators' page


def _page_csrf(client: TestClient) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get("/login").text)
    assert found is not None
    return found.group(1)


def _web_login(api: Api, username: str, password: str) -> TestClient:
    client = TestClient(api.client.app)
    form = {"username": username, "password": password, "csrf_token": _page_csrf(client), "next": "/"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return client


def _form(client: TestClient, path: str, **fields: str) -> Any:
    return client.post(path, data={"csrf_token": _page_csrf(client), **fields}, follow_redirects=False)


def users_id(api: Api, username: str) -> int:
    with _state(api).read() as conn:
        return int(users.require_user(conn, username)["id"])


def test_the_model_page_is_for_administrators_only(api: Api, clock: Clock) -> None:
    with _state(api).write() as conn:
        users.set_password(conn, user_id=users_id(api, "manager1"), password="manager-pass-1", now=clock.now)
    for username, password in (("agent1", "correct-horse-1"), ("manager1", "manager-pass-1")):
        client = _web_login(api, username, password)
        refused = client.get("/admin/model")
        assert refused.status_code == 403 and "仅限系统管理员" in refused.text
        assert _form(client, "/admin/model/retrain").status_code == 403
        assert _form(client, "/admin/model/1/activate").status_code == 403
        assert 'href="/admin/model"' not in client.get("/queue").text
    assert _rows(api, analyzer_models) == []
    anonymous = TestClient(api.client.app).get("/admin/model", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_an_administrator_sees_the_figures_retrains_and_rolls_back_on_the_page(api: Api, clock: Clock) -> None:
    _org_history(api, per_category=12)
    with _state(api).write() as conn:
        users.set_password(conn, user_id=users_id(api, "admin1"), password=ADMIN_PASSWORD, now=clock.now)
    admin = _web_login(api, "admin1", ADMIN_PASSWORD)
    empty = admin.get("/admin/model")
    assert empty.status_code == 200 and "当前使用系统内置模型" in empty.text
    assert 'href="/admin/model"' in empty.text  # in the navigation
    assert "<script>" not in admin.get("/admin/model?error=<script>&done=<script>").text.split("<main")[1]

    assert admin.post("/admin/model/retrain", data={"csrf_token": "forged"}).status_code == 403
    assert _rows(api, analyzer_models) == []
    trained = _form(admin, "/admin/model/retrain")
    assert trained.status_code == 303 and trained.headers["location"] == "/admin/model?done=activated"
    [model] = _rows(api, analyzer_models)
    assert model["created_by_id"] == users_id(api, "admin1")

    shown = admin.get(trained.headers["location"]).text
    active = shown.split('id="active-model"')[1].split("</section>")[0]
    assert model["version"] in active and f"本机构已标注投诉 {model['metrics']['train_records']} 条" in active
    # Named as the organisation's industry names them: a telecom operator's points are 积分/会员.
    assert "计费/扣费争议、营销活动/宣传、积分/会员" in active and "不会自动判出这些类别" in active
    weights = model["metrics"]["own_weights"]  # measured against the bundled model at training
    assert f"类别：本机构模型占 {weights['category'] * 100:.0f}%" in active and "category" not in active
    per_label = shown.split('id="per-label"')[1].split("</table>")[0]
    assert "翼支付" not in per_label and "营销活动/宣传" in per_label and "计费/扣费争议" in per_label
    assert "marketing" not in per_label  # names, not codes
    weeks = shown.split('id="corrections-per-week"')[1].split("</table>")[0]
    corrections = len(_rows(api, label_corrections))
    assert corrections > 0 and f"<td>{corrections}</td>" in weeks.split("</tr>")[-2]  # this week, the last row
    assert weeks.count("<tr>") == 13  # the header and 12 weeks
    assert "admin1" in shown.split('id="model-audit"')[1]

    clock.advance(minutes=5)
    assert _form(admin, "/admin/model/retrain").headers["location"] == "/admin/model?done=activated"
    listed = admin.get("/admin/model").text
    first_row = listed.split(f'id="model-{model["id"]}"')[1].split("</tr>")[0]
    assert "已停用" in first_row and "重新启用" in first_row
    back = _form(admin, f"/admin/model/{model['id']}/activate")
    assert back.status_code == 303
    with _state(api).read() as conn:
        assert learning.active_model_id(conn) == model["id"]
    assert "已重新启用" in admin.get(back.headers["location"]).text
    missing = _form(admin, "/admin/model/9999/activate")
    assert missing.headers["location"] == "/admin/model?error=model_not_found"
    assert "所选模型不存在" in admin.get(missing.headers["location"]).text


def test_a_history_routed_by_team_gets_a_model_that_reads_the_routing_line(api: Api, clock: Clock) -> None:
    """Work orders whose routing line names the team their category follows, and nothing else
    tells: retrained on them, the model reads the whole work order, and the page says why."""
    routing = {"network": "请网管核实处理", "billing": "请计费中心核实处理", "service": "请营业厅核实处理"}
    for n in range(42):
        for category, line in routing.items():
            _file(api, content=f"客户第{n + 2}次来电反映，{TAILS[n % len(TAILS)]}。{line}", category=category)
    with _state(api).write() as conn:
        users.set_password(conn, user_id=users_id(api, "admin1"), password=ADMIN_PASSWORD, now=clock.now)
    admin = _web_login(api, "admin1", ADMIN_PASSWORD)
    assert _form(admin, "/admin/model/retrain").headers["location"] == "/admin/model?done=activated"
    [model] = _rows(api, analyzer_models)
    agreements = model["metrics"]["reading"]["agreements"]
    assert agreements["whole"] > agreements["stripped"]
    shown = admin.get("/admin/model").text.split('id="model-reading"')[1].split("</dd>")[0]
    assert "读工单全文" in shown and f"{agreements['whole'] * 100:.1f}%" in shown
    routed = "客户来电说手机没信号，请网管核实处理"
    assert _after_the_check(api.client, clock, api.tokens["agent1"], routed)["category"] == "network"
