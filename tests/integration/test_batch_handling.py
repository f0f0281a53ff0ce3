"""A batch handled as one: an owner, the fault ticket, one reply to every customer, and closing it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Clock
from tests.integration.conftest import Api, complaint_body
from tousu.domain.codes import Role
from tousu.services import users

REPLY = "您好，思明区4G信号中断系基站故障所致，现已修复，给您带来不便深表歉意。"
TICKET = "GZ-20261123-0042"


@pytest.fixture
def halls(api: Api) -> Api:
    """A third hall's agent, who sees none of the batch's complaints."""
    state = api.client.app.state.tousu
    with state.write() as conn:
        user_id = users.add_user(
            conn, username="agent_c", password=None, role=Role.AGENT, team="集美营业厅", now=state.clock()
        )
        api.tokens["agent_c"] = users.issue_token(conn, user_id=user_id, kind="api", now=state.clock())
    return api


def _outage(api: Api, who: str, n: int) -> dict[str, Any]:
    body = complaint_body(
        category="network",
        demands=["fix"],
        topic="4G信号",
        area="思明区",
        customer={"name": f"客户{n}", "phone": f"1390000{n:04d}"},
        content="小区手机没有信号，打不了电话",
    )
    created = api.post("/complaints", who, body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def _batch(api: Api, clock: Clock) -> tuple[list[int], list[int], int]:
    """Eleven customers on one outage within the hour: nine at 思明营业厅, two at 湖里营业厅."""
    hall_a, hall_b = [], []
    for n in range(11):
        who = "agent1" if n < 9 else "agent_b"
        (hall_a if n < 9 else hall_b).append(_outage(api, who, n)["id"])
        clock.advance(minutes=2)
    batch_id = api.get(f"/complaints/{hall_a[0]}", "agent1").json()["batch_id"]
    assert batch_id is not None
    return hall_a, hall_b, int(batch_id)


def _complaint(api: Api, complaint_id: int, who: str = "agent1") -> dict[str, Any]:
    return dict(api.get(f"/complaints/{complaint_id}", who).json())


def _kinds(api: Api, complaint_id: int, who: str = "agent1") -> list[str]:
    return [e["kind"] for e in api.get(f"/complaints/{complaint_id}/events", who).json()["events"]]


def test_each_hall_sees_its_own_members_and_a_stranger_sees_no_batch(halls: Api, clock: Clock) -> None:
    api = halls
    hall_a, hall_b, batch_id = _batch(api, clock)
    mine = api.get(f"/batches/{batch_id}", "agent1").json()
    assert [m["id"] for m in mine["members"]] == hall_a and mine["other_halls"] == 2
    assert mine["progress"] == {"members": 11, "waiting": 11, "replied": 0, "finished": 0}
    theirs = api.get(f"/batches/{batch_id}", "agent_b").json()
    assert [m["id"] for m in theirs["members"]] == hall_b and theirs["other_halls"] == 9
    assert all(_complaint(api, i)["reference"] not in str(theirs) for i in hall_a)
    assert api.get(f"/batches/{batch_id}", "agent_c").status_code == 404
    assert len(api.get(f"/batches/{batch_id}", "director1").json()["members"]) == 11
    # Each member names its handler.
    first = _complaint(api, hall_a[0])
    assigned = api.post(
        f"/complaints/{hall_a[0]}/assign", "manager1", {"version": first["version"], "username": "agent2"}
    )
    assert assigned.status_code == 200, assigned.text
    handlers = {m["id"]: m["owner_name"] for m in api.get(f"/batches/{batch_id}", "agent1").json()["members"]}
    assert handlers[hall_a[0]] == "agent2"


def test_a_manager_owns_the_batch_and_records_the_ticket_in_every_member(halls: Api, clock: Clock) -> None:
    api = halls
    hall_a, hall_b, batch_id = _batch(api, clock)
    assert api.post(f"/batches/{batch_id}/owner", "agent1", {"username": "agent1"}).status_code == 403
    stranger = api.post(f"/batches/{batch_id}/owner", "manager1", {"username": "agent_c"})
    assert stranger.status_code == 422 and stranger.json()["error"]["code"] == "owner_cannot_see"

    taken = api.post(f"/batches/{batch_id}/owner", "manager1", {"username": "manager1"})
    assert taken.status_code == 200, taken.text
    assert taken.json()["owner"]["username"] == "manager1"
    [item] = [i for i in api.get("/todo", "manager1").json()["items"] if i["kind"] == "batch"]
    assert item["url"] == f"/batches/{batch_id}" and "11 件待答复" in item["title"]
    assert not [i for i in api.get("/todo", "agent1").json()["items"] if i["kind"] == "batch"]

    # Only the owner or a manager edits the ticket; it is written into every member's timeline.
    assert api.post(f"/batches/{batch_id}/fault-ticket", "agent1", {"fault_ticket": TICKET}).status_code == 403
    ticketed = api.post(f"/batches/{batch_id}/fault-ticket", "manager1", {"fault_ticket": TICKET})
    assert ticketed.status_code == 200 and ticketed.json()["fault_ticket"] == TICKET
    for member in (hall_a[0], hall_b[0]):
        kinds = _kinds(api, member, "director1")
        assert "batch_owner_changed" in kinds and "batch_ticket_changed" in kinds
    page = api.client.get(f"/complaints/{hall_a[0]}", headers={"Cookie": f"tousu_session={api.tokens['agent1']}"})
    assert "批量投诉故障单变更" in page.text and f"变更后：故障单 {TICKET}" in page.text
    assert f'href="/batches/{batch_id}"' in page.text


def test_one_reply_answers_every_waiting_member_and_reports_the_others(halls: Api, clock: Clock) -> None:
    api = halls
    hall_a, hall_b, batch_id = _batch(api, clock)
    waiting = _complaint(api, hall_a[0])
    paused = {"version": waiting["version"], "waiting_for": "故障时段截图"}
    assert api.post(f"/complaints/{hall_a[0]}/wait-customer", "agent1", paused).status_code == 200
    assert api.post(f"/batches/{batch_id}/reply", "agent_b", {"reply": REPLY}).status_code == 403

    answer = api.post(f"/batches/{batch_id}/reply", "manager1", {"reply": REPLY})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [r["id"] for r in body["replied"]] == hall_a[1:]
    assert [m["id"] for m in body["not_replied"]] == [hall_a[0]] and "恢复处理" in body["not_replied"][0]["reason"]
    assert body["other_halls"] == 2
    for member in hall_a[1:]:
        complaint = _complaint(api, member)
        assert complaint["status"] == "replied" and complaint["replied_at"] is not None
        replies = [
            e for e in api.get(f"/complaints/{member}/events", "agent1").json()["events"] if e["kind"] == "reply"
        ]
        assert [e["data"]["reply"] for e in replies] == [REPLY]
    assert _complaint(api, hall_a[0])["status"] == "pending_customer"
    assert _complaint(api, hall_b[0], "agent_b")["status"] != "replied"
    assert body["batch"]["progress"] == {"members": 11, "waiting": 3, "replied": 8, "finished": 0}

    # Sent again, nobody is left to answer: refused with the reasons, nothing written.
    again = api.post(f"/batches/{batch_id}/reply", "manager1", {"reply": REPLY})
    assert again.status_code == 422 and "其他营业厅" in again.json()["error"]["message"]


def test_a_batch_closes_only_once_every_member_is_answered(halls: Api, clock: Clock) -> None:
    api = halls
    hall_a, hall_b, batch_id = _batch(api, clock)
    api.post(f"/batches/{batch_id}/owner", "manager1", {"username": "manager1"})
    api.post(f"/batches/{batch_id}/reply", "manager1", {"reply": REPLY})
    refused = api.post(f"/batches/{batch_id}/close", "manager1")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "members_waiting"
    assert "2 件" in refused.json()["error"]["message"] and "其他营业厅" in refused.json()["error"]["message"]
    assert api.get(f"/batches/{batch_id}", "manager1").json()["closed_at"] is None

    for member in hall_b:
        version = _complaint(api, member, "agent_b")["version"]
        replied = api.post(f"/complaints/{member}/reply", "agent_b", {"version": version, "reply": REPLY})
        assert replied.status_code == 200, replied.text
    closed = api.post(f"/batches/{batch_id}/close", "manager1")
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_at"] is not None and closed.json()["closed_by"] == "manager1"
    assert all("batch_closed" in _kinds(api, m, "director1") for m in hall_a + hall_b)
    assert not [i for i in api.get("/todo", "manager1").json()["items"] if i["kind"] == "batch"]
    assert api.post(f"/batches/{batch_id}/close", "manager1").status_code == 409
    assert api.post(f"/batches/{batch_id}/fault-ticket", "manager1", {"fault_ticket": TICKET}).status_code == 409
    assert batch_id not in [b["id"] for b in api.get("/batches", "manager1").json()["batches"]]

    # A new complaint on the same issue, within the hour, does not join the closed batch.
    assert _outage(api, "agent1", 20)["batch_id"] is None


def test_the_batch_page_offers_the_actions_to_who_may_take_them(halls: Api, clock: Clock) -> None:
    api = halls
    _, _, batch_id = _batch(api, clock)

    def page(who: str) -> Any:
        return api.client.get(f"/batches/{batch_id}", headers={"Cookie": f"tousu_session={api.tokens[who]}"})

    manager = page("manager1")
    assert manager.status_code == 200
    assert "统一答复" in manager.text and "关闭批次" in manager.text and "我来负责" in manager.text
    agent = page("agent1")
    assert agent.status_code == 200 and "统一答复" not in agent.text and "整批处理由本批负责人" in agent.text
    assert page("agent_c").status_code == 404
    # Whom it may be given to: those who see its complaints, not every account.
    offered = set(re.findall(r'<option value="([^"]+)"', page("director1").text))
    assert {"agent1", "manager1", "agent_b", "director1"} <= offered and "agent_c" not in offered
    assert set(re.findall(r'<option value="([^"]+)"', manager.text)) == {"agent1", "agent2", "manager1"}
    queue = api.client.get("/queue", headers={"Cookie": f"tousu_session={api.tokens['agent1']}"})
    assert f'href="/batches/{batch_id}"' in queue.text


def test_after_closing_the_same_outage_forms_a_new_batch_and_the_old_keeps_its_members(halls: Api) -> None:
    api = halls
    first = [_outage(api, "agent1", n)["id"] for n in range(11)]  # all at one moment, as an import may
    batch_id = _complaint(api, first[0])["batch_id"]
    assert api.post(f"/batches/{batch_id}/reply", "manager1", {"reply": REPLY}).status_code == 200
    assert api.post(f"/batches/{batch_id}/close", "manager1").status_code == 200

    again = [_outage(api, "agent1", 100 + n)["id"] for n in range(11)]
    new_batch = _complaint(api, again[0])["batch_id"]
    assert new_batch is not None and new_batch != batch_id
    assert {_complaint(api, i)["batch_id"] for i in again} == {new_batch}
    assert {_complaint(api, i)["batch_id"] for i in first} == {batch_id}
    assert api.get(f"/batches/{batch_id}", "manager1").json()["progress"]["members"] == 11


def test_a_shops_batch_is_described_by_the_shops_category_names(api: Api) -> None:
    """A shop's batch, in its page, the owner's 待办 and the managers' notification, names its
    category as the shop does (商品质量), not the telecom hall's 终端/商品质量."""
    changed = api.client.patch("/api/v1/admin/policy", json={"set": {"industry": "retail"}}, headers=api.as_("admin1"))
    assert changed.status_code == 200, changed.text
    first = []
    for n in range(11):
        body = complaint_body(
            category="product",
            demands=["exchange"],
            topic="鲜奶",
            area="思明区",
            customer={"name": f"顾客{n}", "phone": f"1390000{n:04d}"},
            content="昨天买的鲜奶打开就是酸的，已经过期了",
        )
        created = api.post("/complaints", "agent1", body)
        assert created.status_code == 201, created.text
        first.append(created.json()["id"])
    batch_id = _complaint(api, first[0])["batch_id"]
    assert batch_id is not None

    assert api.get(f"/batches/{batch_id}", "manager1").json()["issue"] == "商品质量 · 鲜奶 · 思明区"
    assert api.post(f"/batches/{batch_id}/owner", "manager1", {"username": "manager1"}).status_code == 200
    [item] = [i for i in api.get("/todo", "manager1").json()["items"] if i["kind"] == "batch"]
    assert item["title"].startswith("批量投诉：商品质量 · 鲜奶")
    [alert] = [n for n in api.get("/notifications", "manager1").json()["notifications"] if n["kind"] == "batch_formed"]
    assert alert["title"] == "批量投诉：商品质量 · 鲜奶 · 思明区"
    told = " ".join(n["title"] + n["body"] for n in api.get("/notifications", "manager1").json()["notifications"])
    assert "终端" not in told
