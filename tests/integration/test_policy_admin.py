"""Administrators change the policy in force (authority limits, thresholds, deadlines, halls)
through the API and the pages: validated, audited, and followed at once without a restart."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.conftest import Clock
from tests.integration.conftest import Api, complaint_body
from tousu.api.app import create_app
from tousu.domain.deadlines import LOCAL
from tousu.services import archive, users
from tousu.settings import Settings
from tousu.storage.tables import audit_events
from tousu.storage.tables import users as users_table

PLAIN = "宽带这两天网速很慢，晚上看视频一直卡，麻烦尽快处理。"
ADMIN_PASSWORD = "admin-pass-2026"


def _patch(api: Api, who: str, body: dict[str, Any]) -> Any:
    return api.client.patch("/api/v1/admin/policy", json=body, headers=api.as_(who))


def _policy_events(api: Api) -> list[dict[str, Any]]:
    with api.client.app.state.tousu.read() as conn:
        rows = conn.execute(
            sa.select(audit_events).where(audit_events.c.action == "policy_changed").order_by(audit_events.c.id)
        ).mappings()
        return [dict(r) for r in rows]


def _propose(api: Api, who: str, cid: int, **body: Any) -> Any:
    current = api.get(f"/complaints/{cid}", who).json()
    return api.post(
        f"/complaints/{cid}/settlements", who, {"version": current["version"], "description": "退费", **body}
    )


def test_a_raised_authority_limit_lets_the_manager_approve_at_once(api: Api) -> None:
    cid = api.post("/complaints", "agent1", complaint_body(content="这个月话费多扣了", category="billing")).json()["id"]
    proposal = _propose(api, "agent1", cid, refund=500).json()
    assert proposal["status"] == "pending_approval" and proposal["approver_role"] == "director"
    decision = f"/settlements/{proposal['id']}/decision"
    beyond = api.post(decision, "manager1", {"approve": True})
    assert beyond.status_code == 403 and beyond.json()["error"]["code"] == "beyond_authority"

    changed = _patch(api, "admin1", {"set": {"authority.by_role.manager.max_refund": 600}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["policy"]["authority"]["by_role"]["manager"]["max_refund"] == 600
    approved = api.post(decision, "manager1", {"approve": True})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    [event] = _policy_events(api)
    with api.client.app.state.tousu.read() as conn:
        assert event["actor_id"] == users.require_user(conn, "admin1")["id"]
    [change] = event["data"]["changes"]
    assert change["key"] == "authority.by_role.manager.max_refund" and "退费上限" in change["name"]
    assert (change["before"], change["after"], change["reset"]) == (300, 600, False)


def test_a_shorter_reply_deadline_holds_from_the_next_intake(api: Api) -> None:
    def reply_hours(created: dict[str, Any]) -> float:
        received = datetime.fromisoformat(created["received_at"])
        return (datetime.fromisoformat(created["deadlines"]["reply_by"]) - received) / timedelta(hours=1)

    before = api.post("/complaints", "agent1", complaint_body(content=PLAIN)).json()
    assert before["urgency_types"] == [] and reply_hours(before) == 48
    assert _patch(api, "admin1", {"set": {"sla.default.reply_hours": 12}}).status_code == 200
    after = api.post(
        "/complaints",
        "agent1",
        complaint_body(content=PLAIN + "第二次", customer={"name": "李女士", "phone": "13900002222"}),
    ).json()
    assert reply_hours(after) == 12
    # Resetting brings the file's (here the default) value back.
    reset = _patch(api, "admin1", {"reset": ["sla.default.reply_hours"]})
    assert reset.json()["overrides"] == [] and reset.json()["policy"]["sla"]["default"]["reply_hours"] == 48
    third = api.post(
        "/complaints",
        "agent1",
        complaint_body(content=PLAIN + "第三次", customer={"name": "赵先生", "phone": "13900003333"}),
    ).json()
    assert reply_hours(third) == 48
    assert [e["data"]["changes"][0]["reset"] for e in _policy_events(api)] == [False, True]


def test_a_lower_batch_threshold_makes_the_next_complaints_a_batch(api: Api) -> None:
    outage = "小区宽带断网了，从早上到现在一直连不上。"
    assert _patch(api, "admin1", {"set": {"urgency.batch_min_ordinary": 2}}).status_code == 200
    first = api.post("/complaints", "agent1", complaint_body(content=outage, category="network"))
    second = api.post(
        "/complaints",
        "agent2",
        complaint_body(content=outage, category="network", customer={"name": "李女士", "phone": "13900002222"}),
    )
    assert first.status_code == second.status_code == 201
    assert "batch" in second.json()["urgency_types"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            {"set": {"authority.by_role.manager.max_refund": -1, "sla.default.reply_hours": 10}},
            "authority.by_role.manager.max_refund",
            "退费上限",
        ),
        ({"set": {"sla.default.reply_hours": "很快"}}, "sla.default.reply_hours", "请填写数字"),
        (
            {"set": {"sla.calendars.service_hall.hours.closes": "08:00"}},
            "sla.calendars.service_hall.hours.closes",
            "结束时间须晚于开始时间",
        ),
        ({"set": {"escalation.ladder": []}}, "escalation.ladder", "配置文件"),
        (
            {"set": {"sla.hall_calendars.思明营业厅": {"hours": {"opens": "20:00", "closes": "08:30"}}}},
            "sla.hall_calendars.思明营业厅.hours",
            "思明营业厅 · 营业时间：结束时间须晚于开始时间",
        ),
        (
            {"set": {"sla.hall_calendars.思明营业厅": {"holidays": ["2026-12-31"], "extra_workdays": ["2026-12-31"]}}},
            "sla.hall_calendars.思明营业厅.extra_workdays",
            "同一天不能既是休息日又是工作日：2026-12-31",
        ),
        (
            {"set": {"sla.hall_calendars.鼓浪屿营业厅": {"hours": {"opens": "08:30", "closes": "20:00"}}}},
            "sla.hall_calendars.鼓浪屿营业厅",
            "没有这个营业厅",
        ),
        ({"set": {"authority.by_role.manager.max_refnd": 1}}, "authority.by_role.manager.max_refnd", "没有这一项"),
    ],
)
def test_an_invalid_value_is_refused_and_nothing_changes(
    api: Api, body: dict[str, Any], field: str, words: str
) -> None:
    before = api.get("/admin/policy", "admin1").json()
    refused = _patch(api, "admin1", body)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == field and words in error["message"], error
    assert api.get("/admin/policy", "admin1").json() == before
    assert _policy_events(api) == []


def test_a_stale_version_is_refused(api: Api) -> None:
    assert _patch(api, "admin1", {"set": {"urgency.batch_min_vip": 4}, "version": 0}).status_code == 200
    stale = _patch(api, "admin1", {"set": {"urgency.batch_min_vip": 5}, "version": 0})
    assert stale.status_code == 409
    assert api.get("/admin/policy", "admin1").json()["policy"]["urgency"]["batch_min_vip"] == 4


def test_only_administrators_read_or_change_the_policy(api: Api) -> None:
    for who in ("agent1", "manager1", "director1"):
        assert api.get("/admin/policy", who).status_code == 403
        assert _patch(api, who, {"set": {"authority.by_role.agent.max_refund": 5000}}).status_code == 403
        put = api.client.put("/api/v1/admin/policy", json={"overrides": {}}, headers=api.as_(who))
        assert put.status_code == 403
    assert api.get("/config", "agent1").json()["policy"]["authority"]["by_role"]["agent"]["max_refund"] == 50
    assert _policy_events(api) == []


def test_put_replaces_every_override(api: Api) -> None:
    _patch(api, "admin1", {"set": {"urgency.batch_min_vip": 4, "subscribers.思明营业厅": 200000}})
    put = api.client.put(
        "/api/v1/admin/policy", json={"overrides": {"urgency.repeat_window_months": 6}}, headers=api.as_("admin1")
    )
    assert put.status_code == 200
    answer = put.json()
    assert [o["key"] for o in answer["overrides"]] == ["urgency.repeat_window_months"]
    assert answer["policy"]["urgency"]["batch_min_vip"] == 6 and answer["policy"]["subscribers"] == {}
    assert answer["version"] == 2


def test_another_server_process_follows_the_change_within_seconds(api: Api, database_url: str, clock: Clock) -> None:
    other = create_app(
        Settings(
            database_url=database_url, secret_key="integration-tests-secret-0123456789", scheduler_interval_seconds=0
        ),
        with_scheduler=False,
    ).state.tousu
    other.clock = clock
    try:
        assert other.policy.authority.by_role["manager"].max_refund == 300  # read and cached now
        assert _patch(api, "admin1", {"set": {"authority.by_role.manager.max_refund": 800}}).status_code == 200
        clock.now += timedelta(seconds=6)
        assert other.policy.authority.by_role["manager"].max_refund == 800
    finally:
        other.engine.dispose()


# The pages


def _page_csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


@pytest.fixture
def admin_web(api: Api, clock: Clock) -> TestClient:
    state = api.client.app.state.tousu
    with state.write() as conn:
        users.set_password(
            conn, user_id=users.require_user(conn, "admin1")["id"], password=ADMIN_PASSWORD, now=clock.now
        )
    client = TestClient(api.client.app)
    login = re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get("/login").text)
    assert login is not None
    form = {"username": "admin1", "password": ADMIN_PASSWORD, "csrf_token": login.group(1), "next": "/"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return client


def test_the_authority_page_saves_a_limit_and_keeps_a_refused_one_as_typed(api: Api, admin_web: TestClient) -> None:
    path = "/admin/policy/authority"
    page = admin_web.get(path)
    assert page.status_code == 200 and "厅经理/店长" in page.text and "max_refund" not in page.text.split("<form")[0]
    csrf = _page_csrf(admin_web, path)
    saved = admin_web.post(
        path, data={"csrf_token": csrf, "authority.by_role.manager.max_refund": "450"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert api.get("/config", "manager1").json()["policy"]["authority"]["by_role"]["manager"]["max_refund"] == 450
    shown = admin_web.get(path).text
    assert 'value="450"' in shown and "管理员设置" in shown

    refused = admin_web.post(path, data={"csrf_token": csrf, "authority.by_role.agent.max_gift": "二十"})
    assert refused.status_code == 422
    assert 'value="二十"' in refused.text and "请填写数字" in refused.text
    assert api.get("/config", "agent1").json()["policy"]["authority"]["by_role"]["agent"]["max_gift"] == 0
    assert len(_policy_events(api)) == 1

    reset = admin_web.post(
        path, data={"csrf_token": csrf, "reset": "authority.by_role.manager.max_refund"}, follow_redirects=False
    )
    assert reset.status_code == 303
    assert api.get("/config", "manager1").json()["policy"]["authority"]["by_role"]["manager"]["max_refund"] == 300


def test_the_halls_page_lists_every_team_with_its_subscribers(api: Api, admin_web: TestClient) -> None:
    path = "/admin/policy/halls"
    page = admin_web.get(path).text
    for team in ("思明营业厅", "湖里营业厅", "客户中心"):
        assert f'name="subscribers.{team}"' in page
    csrf = _page_csrf(admin_web, path)
    saved = admin_web.post(path, data={"csrf_token": csrf, "subscribers.湖里营业厅": "150000"}, follow_redirects=False)
    assert saved.status_code == 303
    assert api.get("/admin/policy", "admin1").json()["policy"]["subscribers"] == {"湖里营业厅": 150000}
    cleared = admin_web.post(path, data={"csrf_token": csrf, "subscribers.湖里营业厅": ""}, follow_redirects=False)
    assert cleared.status_code == 303
    assert api.get("/admin/policy", "admin1").json()["policy"]["subscribers"] == {}


def test_the_pages_refuse_non_administrators(api: Api, clock: Clock) -> None:
    client = TestClient(api.client.app)
    login = re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get("/login").text)
    assert login is not None
    form = {"username": "agent1", "password": "correct-horse-1", "csrf_token": login.group(1), "next": "/"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    for section in ("authority", "thresholds", "halls"):
        assert client.get(f"/admin/policy/{section}").status_code == 403
    refused = client.post(
        "/admin/policy/authority",
        data={"csrf_token": login.group(1), "authority.by_role.agent.max_refund": "9999"},
    )
    assert refused.status_code == 403
    assert _policy_events(api) == []


# The command line


def test_the_command_line_sets_and_resets_with_the_same_checks(
    api: Api, database_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from tousu.cli import app

    monkeypatch.setenv("TOUSU_DATABASE_URL", database_url)
    runner = CliRunner()
    refused = runner.invoke(app, ["policy", "set", "--", "sla.default.reply_hours", "-3"])
    assert refused.exit_code == 1 and "必须大于 0" in refused.output
    assert runner.invoke(app, ["policy", "set", "authority.by_role.agent.max_refund", "80"]).exit_code == 0
    shown = runner.invoke(app, ["policy", "show"]).output
    assert "authority.by_role.agent.max_refund = 80" in shown and "退费上限" in shown
    clock.now += timedelta(seconds=6)  # the server process looks again
    assert api.get("/config", "agent1").json()["policy"]["authority"]["by_role"]["agent"]["max_refund"] == 80
    assert runner.invoke(app, ["policy", "reset", "authority"]).exit_code == 0
    events = _policy_events(api)
    assert [e["actor_id"] for e in events] == [None, None]  # recorded as the command line's
    assert events[1]["data"]["changes"][0] == {
        "key": "authority.by_role.agent.max_refund",
        "name": "岗位权限 · 一线客服/营业员 · 退费上限（元）",
        "before": 80,
        "after": 50,
        "reset": True,
    }


# API tokens made in the browser


def test_an_admin_makes_an_api_token_with_its_expiry_in_the_browser(
    api: Api, admin_web: TestClient, clock: Clock
) -> None:
    csrf = _page_csrf(admin_web, "/admin/tokens")
    made = admin_web.post(
        "/admin/tokens", data={"csrf_token": csrf, "username": "agent_b", "name": "对接", "days": "7"}
    )
    assert made.status_code == 200
    secret = re.search(r'<code id="token-secret">([^<]+)</code>', made.text)
    assert secret is not None
    headers = {"Authorization": f"Bearer {secret.group(1)}"}
    assert api.client.get("/api/v1/me", headers=headers).json()["username"] == "agent_b"
    assert secret.group(1) not in admin_web.get("/admin/tokens").text  # shown once
    refused = admin_web.post("/admin/tokens", data={"csrf_token": csrf, "username": "agent_b", "days": "0"})
    assert refused.status_code == 422 and "有效期" in refused.text
    clock.now += timedelta(days=7, seconds=1)
    assert api.client.get("/api/v1/me", headers=headers).status_code == 401
    with api.client.app.state.tousu.read() as conn:
        actions = conn.execute(sa.select(audit_events.c.action)).scalars().all()
    assert actions.count("token_created") == 1


# A hall's own calendar

WALK_IN_REPLY_IN_BUSINESS_HOURS = {
    "sla.by_channel.hall": {
        "acknowledge_hours": 2,
        "reply_hours": 8,
        "follow_up_hours": 72,
        "business_hours": ["reply"],
    }
}
LATE_HALL = {"hours": {"opens": "08:30", "closes": "20:00"}, "weekdays": [0, 1, 2, 3, 4, 5, 6]}


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL)


def _walk_in(api: Api, who: str, phone: str) -> dict[str, Any]:
    created = api.post(
        "/complaints",
        who,
        complaint_body(channel="hall", content=PLAIN + phone, customer={"name": "李女士", "phone": phone}),
    )
    assert created.status_code == 201, created.text
    assert created.json()["urgency_types"] == []
    return dict(created.json())


def _reply_by(complaint: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(complaint["deadlines"]["reply_by"])


def test_a_walk_in_of_a_hall_with_its_own_hours_is_counted_on_them(api: Api, clock: Clock) -> None:
    clock.now = _local(2026, 11, 21, 19, 0).astimezone(UTC)  # Saturday evening
    changed = _patch(
        api, "admin1", {"set": {**WALK_IN_REPLY_IN_BUSINESS_HOURS, "sla.hall_calendars.思明营业厅": LATE_HALL}}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["policy"]["sla"]["hall_calendars"]["思明营业厅"]["hours"]["closes"] == "20:00:00"
    assert {"思明营业厅", "湖里营业厅"} <= set(changed.json()["halls"])
    [event] = _policy_events(api)
    assert "sla.hall_calendars.思明营业厅" in {c["key"] for c in event["data"]["changes"]}

    ours = _walk_in(api, "agent1", "13900002222")
    # An hour before 思明 closes at 20:00, then 7 hours from Sunday 08:30.
    assert _reply_by(ours) == _local(2026, 11, 22, 15, 30)
    theirs = _walk_in(api, "agent_b", "13900003333")
    # 湖里 keeps the shared hall calendar (09:00–18:00): 8 hours from Sunday 09:00.
    assert _reply_by(theirs) == _local(2026, 11, 22, 17, 0)
    # The hotline keeps its 48 hours on the clock, whatever the hall.
    hotline = api.post(
        "/complaints",
        "agent1",
        complaint_body(content=PLAIN + "热线", customer={"name": "赵先生", "phone": "13900004444"}),
    ).json()
    assert _reply_by(hotline) == _local(2026, 11, 23, 19, 0)

    # Waiting on the customer from 19:30 to Sunday 09:00 is 1 hour of 思明's (19:30–20:00, 08:30–09:00).
    clock.now += timedelta(minutes=30)
    waiting = api.post(f"/complaints/{ours['id']}/wait-customer", "agent1", {"version": 1, "waiting_for": "截图"})
    assert waiting.status_code == 200, waiting.text
    clock.now = _local(2026, 11, 22, 9, 0).astimezone(UTC)
    resumed = api.post(f"/complaints/{ours['id']}/resume", "agent1", {"version": waiting.json()["version"]})
    assert resumed.status_code == 200, resumed.text
    assert _reply_by(resumed.json()) == _local(2026, 11, 22, 16, 30)

    # Removed, the hall's next walk-in follows the shared calendar again: from Sunday 15:00, three
    # hours to 18:00 and five from Monday 09:00 (on 思明's own it would be Monday 11:30).
    assert _patch(api, "admin1", {"reset": ["sla.hall_calendars.思明营业厅"]}).status_code == 200
    clock.now = _local(2026, 11, 22, 15, 0).astimezone(UTC)
    assert _reply_by(_walk_in(api, "agent2", "13900005555")) == _local(2026, 11, 23, 14, 0)


def test_the_halls_page_adds_edits_and_removes_a_hall_calendar(api: Api, admin_web: TestClient) -> None:
    path = "/admin/policy/halls"
    page = admin_web.get(path).text
    assert "各营业厅营业时间" in page and '<option value="湖里营业厅"' in page
    csrf = _page_csrf(admin_web, path)
    every_day = {f"new_hall_calendar.weekdays.{d}": "1" for d in range(7)}
    added = admin_web.post(
        path,
        data={
            "csrf_token": csrf,
            "new_hall_calendar.row": "1",
            "new_hall_calendar.hall": "湖里营业厅",
            "new_hall_calendar.hours.opens": "8:30",
            "new_hall_calendar.hours.closes": "20:00",
            **every_day,
            "new_hall_calendar.public_holidays": "1",
            "new_hall_calendar.holidays": "2026-12-31",
            "new_hall_calendar.extra_workdays": "",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    calendars = api.get("/admin/policy", "admin1").json()["policy"]["sla"]["hall_calendars"]
    assert calendars == {
        "湖里营业厅": {
            "hours": {"opens": "08:30:00", "closes": "20:00:00"},
            "weekdays": [0, 1, 2, 3, 4, 5, 6],
            "public_holidays": True,
            "holidays": ["2026-12-31"],
            "extra_workdays": [],
        }
    }
    page = admin_web.get(path).text
    assert '<option value="湖里营业厅"' not in page  # it has one now: edited in its own row
    assert "营业时间 08:30–20:00，营业日 每天，按国家法定节假日" in page  # the change history, in words

    row = "sla.hall_calendars.湖里营业厅"
    edited = {
        "csrf_token": csrf,
        f"{row}.row": "1",
        f"{row}.hours.opens": "08:30",
        f"{row}.hours.closes": "08:00",
        **{f"{row}.weekdays.{d}": "1" for d in range(6)},  # Sunday unticked
        f"{row}.holidays": "2026-12-31",
        f"{row}.extra_workdays": "",
    }
    refused = admin_web.post(path, data=edited)
    assert refused.status_code == 422
    assert 'value="08:00"' in refused.text
    assert re.search(r'id="err-sla-hall_calendars-湖里营业厅-hours-closes">[^<]*结束时间须晚于开始时间', refused.text)
    clash = admin_web.post(path, data={**edited, f"{row}.hours.closes": "20:00", f"{row}.extra_workdays": "2026-12-31"})
    assert clash.status_code == 422
    assert re.search(r'id="err-sla-hall_calendars-湖里营业厅-extra_workdays">[^<]*既是休息日又是工作日', clash.text)
    unnamed = admin_web.post(
        path, data={"csrf_token": csrf, "new_hall_calendar.row": "1", "new_hall_calendar.hours.opens": "07:00"}
    )
    assert unnamed.status_code == 422 and "请选择营业厅" in unnamed.text
    assert api.get("/admin/policy", "admin1").json()["policy"]["sla"]["hall_calendars"] == calendars
    assert len(_policy_events(api)) == 1

    saved = admin_web.post(path, data={**edited, f"{row}.hours.closes": "21:00"}, follow_redirects=False)
    assert saved.status_code == 303
    now = api.get("/admin/policy", "admin1").json()["policy"]["sla"]["hall_calendars"]["湖里营业厅"]
    assert now["hours"]["closes"] == "21:00:00" and now["weekdays"] == [0, 1, 2, 3, 4, 5]
    assert now["public_holidays"] is False  # unticked in the row sent

    removed = admin_web.post(path, data={"csrf_token": csrf, "reset": row}, follow_redirects=False)
    assert removed.status_code == 303
    assert api.get("/admin/policy", "admin1").json()["policy"]["sla"]["hall_calendars"] == {}
    assert len(_policy_events(api)) == 3


def test_the_command_line_sets_a_hall_calendar_for_a_known_hall_only(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from tousu.cli import app

    monkeypatch.setenv("TOUSU_DATABASE_URL", database_url)
    runner = CliRunner()
    halls = runner.invoke(app, ["policy", "show", "--halls"]).output.splitlines()
    assert {"思明营业厅", "湖里营业厅"} <= set(halls)
    value = json.dumps(LATE_HALL)
    refused = runner.invoke(app, ["policy", "set", "sla.hall_calendars.鼓浪屿营业厅", value])
    assert refused.exit_code == 1 and "没有这个营业厅" in refused.output
    assert runner.invoke(app, ["policy", "set", "sla.hall_calendars.湖里营业厅", value]).exit_code == 0
    calendar = api.get("/admin/policy", "admin1").json()["policy"]["sla"]["hall_calendars"]["湖里营业厅"]
    assert calendar["hours"] == {"opens": "08:30:00", "closes": "20:00:00"}


def test_the_thresholds_page_sets_when_finished_complaints_are_archived(
    api: Api, admin_web: TestClient, clock: Clock
) -> None:
    path = "/admin/policy/thresholds"
    page = admin_web.get(path).text
    field = 'name="retention.archive_after_days" value="365"'
    assert (
        field in page and "办结后未变动满（天）" in page and "retention" not in page.split("<main")[1].split("<form")[0]
    )
    csrf = _page_csrf(admin_web, path)
    state = api.client.app.state.tousu

    refused = admin_web.post(path, data={"csrf_token": csrf, "retention.archive_after_days": "-5"})
    assert refused.status_code == 422 and 'value="-5"' in refused.text and "办结后未变动满" in refused.text
    assert state.policy.retention.archive_after_days == 365 and _policy_events(api) == []

    saved = admin_web.post(
        path, data={"csrf_token": csrf, "retention.archive_after_days": "30"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert archive.cutoff(state.policy, clock.now) == clock.now - timedelta(days=30)  # the next pass uses it
    assert "办结后 30 天未变动即归档" in admin_web.get("/admin/config").text
    off = admin_web.post(path, data={"csrf_token": csrf, "retention.archive_after_days": ""}, follow_redirects=False)
    assert off.status_code == 303 and archive.cutoff(state.policy, clock.now) is None
    assert [e["data"]["changes"][0]["name"] for e in _policy_events(api)] == ["归档 · 办结后未变动满（天）"] * 2


def test_the_settings_page_says_which_deadlines_run_in_business_hours(api: Api, admin_web: TestClient) -> None:
    def hall_row() -> str:
        page = admin_web.get("/admin/config").text
        return page.split("渠道：营业厅")[1].split("</tr>")[0]

    assert "（营业时间）" not in admin_web.get("/admin/config").text  # calendar hours by default
    assert _patch(api, "admin1", {"set": WALK_IN_REPLY_IN_BUSINESS_HOURS}).status_code == 200
    assert "8（营业时间）" in hall_row() and "2（营业时间）" not in hall_row()


def test_which_deadlines_run_in_business_hours_is_chosen_on_the_page(api: Api, admin_web: TestClient) -> None:
    path = "/admin/policy/thresholds"
    page = admin_web.get(path).text
    assert 'name="sla.default.business_hours"' in page and "无（全部按日历小时）" in page
    csrf = _page_csrf(admin_web, path)
    state = api.client.app.state.tousu
    refused = admin_web.post(path, data={"csrf_token": csrf, "sla.default.business_hours": "reply,lunch"})
    assert refused.status_code == 422 and state.policy.sla.default.business_hours == frozenset()
    saved = admin_web.post(
        path, data={"csrf_token": csrf, "sla.default.business_hours": "reply,follow_up"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert state.policy.sla.default.business_hours == {"reply", "follow_up"}
    with state.write() as conn:
        conn.execute(sa.update(users_table).where(users_table.c.username == "admin1").values(display_name="王工"))
    history = admin_web.get(path).text.split('id="policy-history"')[1]
    assert "按营业时间计的时限：无（全部按日历小时） → 答复、回访" in history
    assert "王工（admin1）" in history  # who changed it, by name
    assert "8（营业时间）" not in admin_web.get("/admin/config").text.split("默认")[0]
    assert "48（营业时间）" in admin_web.get("/admin/config").text  # the default row's reply, now so counted


# The organisation's industry: every reading of a complaint follows it (intake's stored analysis,
# the advice, /analyze, the categories offered at intake).

SHOP = "在你们店里买的面包过期了三天，吃完拉肚子，要求退款并赔偿医药费，不然我就去市场监管局投诉。"


def _set_industry(api: Api, code: str) -> Any:
    return api.client.patch("/api/v1/admin/policy", json={"set": {"industry": code}}, headers=api.as_("admin1"))


def _scripts(analysis: dict[str, Any]) -> str:
    return "".join(s for strategy in analysis["recommendations"]["strategies"] for s in strategy["scripts"])


def test_a_shop_reads_its_complaints_as_a_shop(api: Api) -> None:
    hall = api.post("/analyze", "agent1", {"text": SHOP}).json()
    assert hall["industry"] == "telecom"

    assert _set_industry(api, "retail").status_code == 200
    assert api.get("/config", "agent1").json()["policy"]["industry"] == "retail"
    shop = api.post("/analyze", "agent1", {"text": SHOP}).json()
    assert shop["industry"] == "retail"
    # The shop's wording in the scripts, and the issue topic as a shop names the category.
    assert "本店" in _scripts(shop) and "营业厅" not in _scripts(shop)
    assert shop["issue_topic"] != hall["issue_topic"]
    # A caller may still name another industry for one text.
    assert api.post("/analyze", "agent1", {"text": SHOP, "industry": "telecom"}).json()["industry"] == "telecom"

    created = api.post("/complaints", "agent1", complaint_body(content=SHOP)).json()
    assert created["analysis"]["industry"] == "retail"
    assert created["topic"] == shop["issue_topic"]


def test_an_industry_the_knowledge_base_lacks_is_refused(api: Api) -> None:
    refused = _set_industry(api, "bank")
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "industry" and "没有这个行业" in error["message"] and "零售与生活服务" in error["message"]
    assert api.get("/config", "agent1").json()["policy"]["industry"] == "telecom"

    unknown = api.post("/analyze", "agent1", {"text": SHOP, "industry": "bank"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["field"] == "industry" and "电信运营" in unknown.json()["error"]["message"]


def test_the_industry_page_sets_it_and_intake_offers_the_shops_categories(api: Api, admin_web: TestClient) -> None:
    path = "/admin/policy/industry"
    page = admin_web.get(path).text
    selected = re.search(r'<option value="(\w+)" selected>([^<]+)</option>', page)
    assert selected is not None and selected.groups() == ("telecom", "电信运营")
    intake = admin_web.get("/complaints/new").text
    assert "增值业务/代收费" in intake and "网络/信号" in intake

    saved = admin_web.post(
        path, data={"csrf_token": _page_csrf(admin_web, path), "industry": "retail"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert api.get("/config", "agent1").json()["policy"]["industry"] == "retail"
    shown = admin_web.get(path).text
    assert '<option value="retail" selected>零售与生活服务</option>' in shown
    # The change history names the industries, not their codes.
    assert "电信运营 → 零售与生活服务" in shown

    intake = admin_web.get("/complaints/new").text
    # The categories a shop uses, named as on every page.
    assert ">商品质量<" in intake and "增值业务/代收费" not in intake and "网络/信号" not in intake
    assert ">消协/12315<" in intake and ">集团公司转办<" not in intake and ">短信<" not in intake  # a shop's channels
    assert ">客服热线<" in intake and "10086" not in intake
    assert re.search(r'id="industry">零售与生活服务<', admin_web.get("/admin/config").text)
    # The advice on the complaint page speaks as the shop does.
    cid = api.post("/complaints", "agent1", complaint_body(content=SHOP)).json()["id"]
    advice = admin_web.get(f"/complaints/{cid}").text
    assert "本店" in advice and "营业厅经理" not in advice
    # The bases a settlement may rest on are the laws that bind a shop: no telecom regulation.
    bases = re.findall(r'<option value="(\w+)" data-types=', advice)
    assert "consumer_law_55" in bases and not [b for b in bases if b.startswith(("telecom_reg", "appeal_rules"))]
    facts = re.findall(r'name="facts" value="(\w+)"', advice)
    assert "personal_injury" in facts and "install_delay" not in facts  # no installation to be late
    # A shop's complaint has no network fault for a root cause.
    kinds = re.findall(r'<option value="(\w+)"', advice.split('id="fix-root-cause-kind"')[1].split("</select>")[0])
    assert "product_quality" in kinds and "network_fault" not in kinds
    measure_kinds = admin_web.get("/improvement").text.split('id="measure-kind"')[1].split("</select>")[0]
    assert "商品质量" in measure_kinds and "网络故障" not in measure_kinds
    # Nor does a settlement sent through the API rest on one.
    version = api.get(f"/complaints/{cid}", "agent1").json()["version"]
    waiver = {"type": "fee_waiver", "amount": 20, "basis": "telecom_reg_34"}
    refused = api.post(
        f"/complaints/{cid}/settlements", "agent1", {"version": version, "description": "减免", "items": [waiver]}
    )
    assert refused.status_code == 422 and "不约束本单位所属的行业" in refused.json()["error"]["message"]
    assert api.get(f"/complaints/{cid}", "agent1").json()["version"] == version  # nothing was written


def test_a_shop_is_offered_and_allowed_only_the_transfer_sources_it_has(api: Api, admin_web: TestClient) -> None:
    telecom = api.post("/complaints", "agent1", complaint_body(transfer_source="12300", transfer_case_number="A1"))
    assert telecom.status_code == 201
    assert _set_industry(api, "retail").status_code == 200

    transfer_select = admin_web.get("/complaints/new").text.split('id="transfer_source"')[1].split("</select>")[0]
    assert ">12315(市场监管)<" in transfer_select and "12300" not in transfer_select and "工信部" not in transfer_select

    refused = api.post("/complaints", "agent1", complaint_body(transfer_source="12300", transfer_case_number="A2"))
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "transfer_source"
    assert "转办来源" in error["message"] and "12315(市场监管)" in error["message"]

    shop = api.post("/complaints", "agent1", complaint_body(content=SHOP))
    page = admin_web.get(f"/complaints/{shop.json()['id']}").text
    note = re.search(r'id="no-regulator-reply">([^<]+)<', page)
    assert note is not None and note.group(1).startswith("投诉处理情况回复只用于12315(市场监管)转办的投诉")
    offered = page.split('id="transfer-source"')[1].split("</select>")[0]
    assert ">12315(市场监管)<" in offered and "12300" not in offered and "工信部" not in offered
    version = api.get(f"/complaints/{shop.json()['id']}", "agent1").json()["version"]
    changed = api.patch(
        f"/complaints/{shop.json()['id']}",
        "agent1",
        {"version": version, "transfer_source": "miit", "transfer_case_number": "B1"},
    )
    assert changed.status_code == 422 and changed.json()["error"]["field"] == "transfer_source"

    # A transfer recorded before the industry changed stays shown, and can still be corrected.
    earlier = telecom.json()
    shown = admin_web.get(f"/complaints/{earlier['id']}").text.split('id="transfer-source"')[1].split("</select>")[0]
    assert 'value="12300" selected' in shown and "工信部" not in shown
    corrected = api.patch(
        f"/complaints/{earlier['id']}", "agent1", {"version": earlier["version"], "transfer_case_number": "A1-2"}
    )
    assert corrected.status_code == 200, corrected.text


def test_a_shop_escalates_to_its_head_office_and_is_asked_about_its_own_business(
    api: Api, admin_web: TestClient
) -> None:
    assert (
        "升级至省公司"
        in admin_web.get(f"/complaints/{api.post('/complaints', 'agent1', complaint_body()).json()['id']}").text
    )
    assert 'placeholder="如：宽带"' in admin_web.get("/complaints/new").text
    assert _set_industry(api, "retail").status_code == 200

    assert 'placeholder="如：会员储值卡"' in admin_web.get("/complaints/new").text
    created = api.post("/complaints", "agent1", complaint_body(content=SHOP)).json()
    page = admin_web.get(f"/complaints/{created['id']}").text
    assert "升级至上级公司/总部" in page and "省公司" not in page
    escalated = api.post(
        f"/complaints/{created['id']}/escalate",
        "agent1",
        {"version": created["version"], "reason": "店长无法解决", "to_province": True},
    )
    assert escalated.status_code == 200, escalated.text
    assert "移交/升级至：上级公司/总部" in admin_web.get(f"/complaints/{created['id']}").text


def test_every_screen_names_a_shops_category_as_the_shop_does(api: Api, admin_web: TestClient) -> None:
    assert _set_industry(api, "retail").status_code == 200
    body = complaint_body(
        content=SHOP, category="product", topic="商品质量", customer={"name": "周女士", "phone": "13900008811"}
    )
    created = api.post("/complaints", "agent1", body)
    assert created.status_code == 201, created.text
    complaint = created.json()
    assert complaint["category_name"] == "商品质量"

    # Intake: the choices and the names its script reads back and warns with.
    intake = admin_web.get("/complaints/new").text
    assert ">商品质量<" in intake and ">收银/价格争议<" in intake
    names = re.search(r'<script type="application/json" id="code-names">(.*?)</script>', intake, re.S)
    assert names is not None
    read_back = json.loads(names.group(1))["category"]
    assert read_back["product"] == "商品质量" and read_back["billing"] == "收银/价格争议"
    # The complaint page, its timeline, the queue.
    page = admin_web.get(f"/complaints/{complaint['id']}").text
    assert "<dd>商品质量</dd>" in page and "终端/商品质量" not in page
    version = complaint["version"]
    assert (
        api.patch(f"/complaints/{complaint['id']}", "agent1", {"version": version, "category": "billing"}).status_code
        == 200
    )
    page = admin_web.get(f"/complaints/{complaint['id']}").text
    assert "收银/价格争议" in page and "计费/扣费争议" not in page and "终端/商品质量" not in page  # the timeline too
    queue = admin_web.get("/queue").text
    assert "<td>收银/价格争议</td>" in queue and "计费/扣费争议" not in queue
    # The export.
    exported = api.get("/exports/complaints", "admin1", params={"format": "csv"}).content.decode("utf-8-sig")
    assert "收银/价格争议" in exported and "计费/扣费争议" not in exported
    # A printed document states the matter as the shop names it.
    version = api.get(f"/complaints/{complaint['id']}", "agent1").json()["version"]
    api.patch(f"/complaints/{complaint['id']}", "agent1", {"version": version, "category": "product"})
    version = api.get(f"/complaints/{complaint['id']}", "agent1").json()["version"]
    assert (
        api.post(
            f"/complaints/{complaint['id']}/reply", "agent1", {"version": version, "reply": "已为您退款。"}
        ).status_code
        == 200
    )
    letter = admin_web.get(f"/complaints/{complaint['id']}/documents/reply").text
    assert "您反映商品质量方面的问题" in letter and "终端/商品质量" not in letter and "涉及业务" not in letter


CALM_SHOP = "在你们店买的面包过期了，要求退款。"
LATE = "顾客：我三个月前在你们店办的储值卡多扣了钱，要求退还。\n客服：投诉时效已过，无法处理。"
TELECOM_ONLY = ("5个月", "12300", "通信管理局", "申诉时限")


def test_a_shop_is_not_told_of_the_telecom_appeal_time_limit(api: Api) -> None:
    """Refusing for lateness is forbidden in a shop too, but a shop's staff are told why without
    the telecom 申诉时限 (5个月, 12300, 通信管理局), in the reply check and the advice's 忌语."""
    hall = api.post("/check-reply", "agent1", {"text": "投诉时效已过，无法处理。"}).json()
    [problem] = hall["problems"]
    assert problem["severity"] == "forbidden" and "12300" in problem["message"]
    telecom_avoid = api.post("/analyze", "agent1", {"text": CALM_SHOP}).json()["recommendations"]["avoid_phrases"]
    assert any("5个月" in phrase for phrase in telecom_avoid)

    assert _set_industry(api, "retail").status_code == 200
    for body in ({"text": "投诉时效已过，无法处理。"}, {"text": LATE, "dialogue": True}):
        checked = api.post("/check-reply", "agent1", body).json()
        [problem] = checked["problems"]
        assert problem["severity"] == "forbidden" and problem["suggestion"], problem
        told = problem["name"] + problem["message"]
        assert not [fact for fact in TELECOM_ONLY if fact in told], told
    shop_avoid = api.post("/analyze", "agent1", {"text": CALM_SHOP}).json()["recommendations"]["avoid_phrases"]
    assert "投诉时效已过，无法处理" in shop_avoid and not [
        p for p in shop_avoid if any(fact in p for fact in TELECOM_ONLY)
    ], shop_avoid


def test_a_shop_names_the_cancel_demand_as_a_shop_does(api: Api, admin_web: TestClient) -> None:
    """退订/销号/解约 is a telecom hall's words: a shop's intake form, read-back, complaint page,
    written reply and export name the demand 退货/退卡/解约, and an export of it is read back."""
    assert _set_industry(api, "retail").status_code == 200
    form = admin_web.get("/complaints/new").text
    assert '<input type="checkbox" name="demands" value="cancel"> 退货/退卡/解约</label>' in form
    names = json.loads(form.split('id="code-names">')[1].split("</script>")[0])
    assert names["demand"]["cancel"] == "退货/退卡/解约" and "退订" not in names["demand_said"]["cancel"]

    body = complaint_body(content="在你们店办的健身卡，门店要搬走了，我要退卡退钱。", category="points")
    created = api.post("/complaints", "agent1", {**body, "demands": ["cancel", "refund"]}).json()
    page = admin_web.get(f"/complaints/{created['id']}").text
    assert "<dt>诉求</dt><dd>退货/退卡/解约、退费</dd>" in page and "退订/销号/解约" not in page
    replied = api.post(
        f"/complaints/{created['id']}/reply", "agent1", {"version": created["version"], "reply": "已为您办理退卡。"}
    )
    assert replied.status_code == 200, replied.text
    letter = admin_web.get(f"/complaints/{created['id']}/documents/reply").text
    assert "诉求：退货/退卡/解约、退费。" in letter
    exported = api.get("/exports/complaints", "admin1", params={"format": "csv"}).content.decode("utf-8")
    assert "退货/退卡/解约" in exported and "退订/销号/解约" not in exported
