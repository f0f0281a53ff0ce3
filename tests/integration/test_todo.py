"""我的待办: each kind of item reaches the right person only, and leaves once it is acted on."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Clock
from tests.integration.conftest import Api, complaint_body
from tousu.domain.codes import Role
from tousu.services import sla, todo, users
from tousu.storage.tables import complaints

EVERYONE = ("agent1", "agent2", "agent_b", "manager1", "manager_b", "director1", "admin1")


@pytest.fixture
def halls(api: Api) -> Api:
    """A manager for 湖里营业厅 beside the conftest's staff."""
    state = api.client.app.state.tousu
    with state.write() as conn:
        user_id = users.add_user(
            conn, username="manager_b", password=None, role=Role.MANAGER, team="湖里营业厅", now=state.clock()
        )
        api.tokens["manager_b"] = users.issue_token(conn, user_id=user_id, kind="api", now=state.clock())
    return api


def _todo(api: Api, who: str) -> dict[str, Any]:
    response = api.get("/todo", who)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["total"] == sum(body["counts"].values())
    return body


def _items(api: Api, who: str, kind: str) -> list[dict[str, Any]]:
    body = _todo(api, who)
    found = [i for i in body["items"] if i["kind"] == kind]
    assert len(found) == body["counts"][kind]
    return found


def _nobody_else(api: Api, kind: str, *, but: tuple[str, ...]) -> None:
    for who in EVERYONE:
        if who not in but:
            assert _items(api, who, kind) == [], f"{who} was offered a {kind} item"


def _new(api: Api, who: str = "agent1", **overrides: Any) -> dict[str, Any]:
    created = api.post("/complaints", who, complaint_body(**overrides))
    assert created.status_code == 201, created.text
    return dict(created.json())


def _moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def test_an_approval_waits_for_its_halls_manager_and_leaves_once_decided(halls: Api) -> None:
    api = halls
    complaint = _new(api)
    proposal = api.post(
        f"/complaints/{complaint['id']}/settlements",
        "agent1",
        {"version": complaint["version"], "refund": 150, "description": "退还重复扣费"},
    ).json()
    assert proposal["status"] == "pending_approval" and proposal["approver_role"] == "manager"

    [item] = _items(api, "manager1", "approval")
    assert item["settlement_id"] == proposal["id"] and item["reference"] == complaint["reference"]
    assert item["url"].startswith(f"/complaints/{complaint['id']}") and "150" in item["title"]
    _nobody_else(api, "approval", but=("manager1",))

    decided = api.post(f"/settlements/{proposal['id']}/decision", "manager1", {"approve": True})
    assert decided.status_code == 200, decided.text
    assert _items(api, "manager1", "approval") == []


def test_an_approval_beyond_a_manager_waits_for_the_director_and_moves_up_when_forwarded(halls: Api) -> None:
    api = halls
    big = _new(api)
    beyond = api.post(
        f"/complaints/{big['id']}/settlements",
        "agent1",
        {"version": big["version"], "refund": 1500, "description": "退还全年重复扣费"},
    ).json()
    assert beyond["approver_role"] == "director"
    assert [i["settlement_id"] for i in _items(api, "director1", "approval")] == [beyond["id"]]
    assert _items(api, "manager1", "approval") == []

    small = _new(api, customer={"name": "李女士", "phone": "13700000002"})
    request = api.post(
        f"/complaints/{small['id']}/settlements",
        "agent1",
        {"version": small["version"], "refund": 100, "description": "退还重复扣费"},
    ).json()
    assert [i["settlement_id"] for i in _items(api, "manager1", "approval")] == [request["id"]]
    forwarded = api.post(f"/settlements/{request['id']}/decision", "manager1", {"forward": True})
    assert forwarded.status_code == 200, forwarded.text
    assert _items(api, "manager1", "approval") == []
    assert {i["settlement_id"] for i in _items(api, "director1", "approval")} == {beyond["id"], request["id"]}


def test_an_escalation_reaches_the_rung_it_climbed_to_in_its_hall_until_answered(halls: Api) -> None:
    api = halls
    complaint = _new(api)
    escalated = api.post(
        f"/complaints/{complaint['id']}/escalate", "agent1", {"version": complaint["version"], "reason": "要求经理出面"}
    )
    assert escalated.status_code == 200, escalated.text
    [item] = _items(api, "manager1", "escalation")
    assert item["complaint_id"] == complaint["id"] and "厅经理" in item["title"]
    _nobody_else(api, "escalation", but=("manager1",))

    again = api.post(
        f"/complaints/{complaint['id']}/escalate",
        "manager1",
        {"version": escalated.json()["version"], "reason": "涉及跨部门赔偿"},
    )
    assert again.status_code == 200, again.text
    assert _items(api, "manager1", "escalation") == []
    assert [i["complaint_id"] for i in _items(api, "director1", "escalation")] == [complaint["id"]]

    replied = api.post(
        f"/complaints/{complaint['id']}/reply", "director1", {"version": again.json()["version"], "reply": "已退费。"}
    )
    assert replied.status_code == 200, replied.text
    _nobody_else(api, "escalation", but=())


def test_a_breach_escalated_by_the_sweep_comes_first_for_the_manager(halls: Api, clock: Clock) -> None:
    api = halls
    late = _new(api)
    reply_by = _moment(late["deadlines"]["reply_by"])
    # Another of agent1's, received so that its deadline is two hours off when the first has passed.
    clock.now = reply_by + timedelta(minutes=5) - (reply_by - _moment(late["received_at"])) + timedelta(hours=2)
    near = _new(api, customer={"name": "赵先生", "phone": "13700000003"})
    clock.now = reply_by + timedelta(minutes=5)
    state = api.client.app.state.tousu
    with state.write() as conn:
        sla.sweep(conn, now=clock.now, policy=state.policy)
    [item] = _items(api, "manager1", "escalation")
    assert item["complaint_id"] == late["id"] and item["overdue"] and "答复已超时" in item["title"]
    _nobody_else(api, "escalation", but=("manager1",))
    # The responsible agent sees its passed deadline first, then the one about to pass.
    mine = [(i["complaint_id"], i["overdue"]) for i in _todo(api, "agent1")["items"]]
    assert mine == [(late["id"], True), (near["id"], False)]


def test_a_breach_left_for_weeks_stays_with_the_director_not_the_administrators(halls: Api, clock: Clock) -> None:
    api = halls
    late = _new(api)
    state = api.client.app.state.tousu
    clock.now = _moment(late["deadlines"]["reply_by"]) + timedelta(days=30)
    with state.write() as conn:
        sla.sweep(conn, now=clock.now, policy=state.policy)
    [item] = _items(api, "director1", "escalation")
    assert item["complaint_id"] == late["id"] and "客户中心主任" in item["title"]
    _nobody_else(api, "escalation", but=("director1",))
    # A level reached on a longer ladder the policy has since shortened is the top rung's.
    with state.write() as conn:
        conn.execute(complaints.update().where(complaints.c.id == late["id"]).values(escalation_level=5))
    assert [i["complaint_id"] for i in _items(api, "director1", "escalation")] == [late["id"]]
    _nobody_else(api, "escalation", but=("director1",))


def test_deadlines_warn_their_owner_within_the_window_and_leave_when_met(halls: Api, clock: Clock) -> None:
    api = halls
    complaint = _new(api)
    reply_by = _moment(complaint["deadlines"]["reply_by"])
    warn = api.client.app.state.tousu.policy.sla.warn_before_hours
    clock.now = reply_by - timedelta(hours=warn + 1)
    assert _items(api, "agent1", "deadline") == []

    clock.now = reply_by - timedelta(hours=warn - 1)
    [soon] = _items(api, "agent1", "deadline")
    assert soon["complaint_id"] == complaint["id"] and soon["title"] == "答复时限将到" and not soon["overdue"]
    _nobody_else(api, "deadline", but=("agent1",))

    clock.now = reply_by + timedelta(minutes=1)
    [passed] = _items(api, "agent1", "deadline")
    assert passed["title"] == "答复时限已过" and passed["overdue"]

    replied = api.post(
        f"/complaints/{complaint['id']}/reply", "agent1", {"version": complaint["version"], "reply": "已核实并退费。"}
    ).json()
    assert _items(api, "agent1", "deadline") == []
    clock.now = _moment(replied["deadlines"]["follow_up_by"]) - timedelta(hours=1)
    [follow_up] = _items(api, "agent1", "deadline")
    assert follow_up["title"] == "回访时限将到"
    api.post(
        f"/complaints/{complaint['id']}/follow-up",
        "agent1",
        {"version": replied["version"], "satisfaction": "satisfied"},
    )
    assert _items(api, "agent1", "deadline") == []


def test_waiting_on_the_customer_stops_the_deadline_item(halls: Api, clock: Clock) -> None:
    api = halls
    complaint = _new(api)
    clock.now = _moment(complaint["deadlines"]["reply_by"]) - timedelta(hours=1)
    assert len(_items(api, "agent1", "deadline")) == 1
    api.post(
        f"/complaints/{complaint['id']}/wait-customer",
        "agent1",
        {"version": complaint["version"], "waiting_for": "扣费截图"},
    )
    assert _items(api, "agent1", "deadline") == []


def test_a_dissatisfied_follow_up_waits_for_its_handler_and_hall_manager_until_reopened(halls: Api) -> None:
    api = halls
    complaint = _new(api)
    replied = api.post(
        f"/complaints/{complaint['id']}/reply", "agent1", {"version": complaint["version"], "reply": "已核实。"}
    ).json()
    followed = api.post(
        f"/complaints/{complaint['id']}/follow-up",
        "agent1",
        {"version": replied["version"], "satisfaction": "dissatisfied", "comments": "钱没退"},
    ).json()
    for who in ("agent1", "manager1"):
        assert [i["complaint_id"] for i in _items(api, who, "dissatisfied")] == [complaint["id"]]
    _nobody_else(api, "dissatisfied", but=("agent1", "manager1"))

    reopened = api.post(
        f"/complaints/{complaint['id']}/reopen",
        "agent1",
        {"version": followed["version"], "reason": "客户称未收到退款"},
    )
    assert reopened.status_code == 200, reopened.text
    _nobody_else(api, "dissatisfied", but=())


def test_the_header_badge_counts_what_the_page_lists(halls: Api) -> None:
    api = halls
    complaint = _new(api)
    api.post(
        f"/complaints/{complaint['id']}/settlements",
        "agent1",
        {"version": complaint["version"], "refund": 150, "description": "退还重复扣费"},
    )
    escalate = {"version": complaint["version"] + 1, "reason": "要求经理出面"}
    assert api.post(f"/complaints/{complaint['id']}/escalate", "agent1", escalate).status_code == 200
    cookie = {"Cookie": f"tousu_session={api.tokens['manager1']}"}
    queue = api.client.get("/queue", headers=cookie)
    badge = re.search(r'id="todo-count"[^>]*>(\d+)<', queue.text)
    assert badge is not None and int(badge.group(1)) == _todo(api, "manager1")["total"] == 2
    listed = api.client.get("/todo", headers=cookie)
    assert listed.status_code == 200 and "处理方案待审批" in listed.text and "投诉已升级至厅经理" in listed.text
    # Nothing waits for the other hall: no badge at all.
    other = api.client.get("/queue", headers={"Cookie": f"tousu_session={api.tokens['agent_b']}"})
    assert 'id="todo-count"' not in other.text


def test_the_badge_counts_each_kind_only_up_to_its_cap(halls: Api, clock: Clock) -> None:
    api = halls
    made = [_new(api, customer={"name": "客户", "phone": f"1370000{n:04d}"}) for n in range(3)]
    clock.now = _moment(made[-1]["deadlines"]["reply_by"]) + timedelta(minutes=1)
    state = api.client.app.state.tousu
    with state.read() as conn:
        agent = users.actor_of(users.require_user(conn, "agent1"))
        full = todo.counts(conn, actor=agent, now=clock.now, policy=state.policy)
        capped = todo.counts(conn, actor=agent, now=clock.now, policy=state.policy, cap=2)
    assert full["deadline"] == 3 and capped["deadline"] == 2
