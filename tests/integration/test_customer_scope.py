"""Who sees a customer: the complaint rule applied to customers, their history, notes and settlements."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Api, complaint_body
from tousu.domain.codes import Role
from tousu.services import users

PHONE = "13900001111"
ADDRESS = "厦门市思明区湖滨南路100号"
ID_NUMBER = "350203199001011234"


@pytest.fixture
def world(api: Api) -> dict[str, Any]:
    """A customer known only to 思明营业厅: a complaint, a settlement, a note and a filing note."""
    state = api.client.app.state.tousu
    with state.write() as conn:
        user_id = users.add_user(
            conn, username="manager_b", password=None, role=Role.MANAGER, team="湖里营业厅", now=state.clock()
        )
        api.tokens["manager_b"] = users.issue_token(conn, user_id=user_id, kind="api", now=state.clock())
    customer = {"name": "王先生", "phone": PHONE, "address": ADDRESS, "id_number": ID_NUMBER}
    created = api.post("/complaints", "agent1", complaint_body(customer=customer)).json()
    settlement = api.post(
        f"/complaints/{created['id']}/settlements",
        "agent1",
        {"version": created["version"], "refund": 30, "description": "退还重复扣费30元"},
    )
    assert settlement.status_code == 201, settlement.text
    assert (
        api.post(f"/customers/{created['customer']['id']}/notes", "agent1", {"text": "下午方便接电话"}).status_code
        == 201
    )
    filing = {"kind": "filing", "text": "多次无理要求，已备案"}
    assert api.post(f"/customers/{created['customer']['id']}/notes", "manager1", filing).status_code == 201
    return {"complaint": created, "customer_id": created["customer"]["id"]}


def _page(api: Api, path: str, who: str) -> Any:
    return api.client.get(path, headers={"Cookie": f"tousu_session={api.tokens[who]}"}, follow_redirects=False)


@pytest.mark.parametrize("who", ["agent_b", "manager_b"])
def test_another_hall_cannot_read_change_or_annotate_the_customer(api: Api, world: dict[str, Any], who: str) -> None:
    customer_id = world["customer_id"]
    missing = api.get("/customers/999999", who)
    read = api.get(f"/customers/{customer_id}", who)
    assert read.status_code == missing.status_code == 404
    assert read.json()["error"]["code"] == missing.json()["error"]["code"] == "customer_not_found"
    assert PHONE not in read.text and ADDRESS not in read.text
    assert api.patch(f"/customers/{customer_id}", who, {"version": 1, "sensitive": True}).status_code == 404
    assert api.post(f"/customers/{customer_id}/notes", who, {"text": "乱写的备注"}).status_code == 404
    # Nothing was written.
    as_manager = api.get(f"/customers/{customer_id}", "manager1").json()
    assert as_manager["customer"]["sensitive"] is False and as_manager["customer"]["version"] == 1
    assert sorted(n["text"] for n in as_manager["history"]["notes"]) == ["下午方便接电话", "多次无理要求，已备案"]


def test_a_caller_known_elsewhere_gets_only_the_limited_card(api: Api, world: dict[str, Any]) -> None:
    found = api.get("/customers", "agent_b", params={"phone": PHONE})
    assert found.status_code == 200
    body = found.json()
    assert body["scope"] == "limited"
    assert body["customer"] == {
        "name": "王先生",
        "phone": "139****1111",
        "vip_level": "normal",
        "important": False,
        "sensitive": False,
    }
    assert body["elsewhere"] == {"complaints": 1, "open": 1, "last_contact_on": "2026-11-23"}
    assert "history" not in body
    for secret in (ADDRESS, ID_NUMBER, world["complaint"]["reference"], "退还", "备注", "备案", PHONE):
        assert secret not in found.text


def test_in_scope_history_lists_only_what_the_actor_can_see(api: Api, world: dict[str, Any]) -> None:
    # The customer now calls 湖里营业厅: its agent files a complaint and so may see the customer,
    # but still not 思明营业厅's complaint, its settlement, what it was told or its notes.
    own = api.post("/complaints", "agent_b", complaint_body(content="宽带又断了", channel="hall"))
    assert ADDRESS not in own.text and "1234" not in own.text and "下午方便" not in own.text
    own = own.json()
    body = api.get("/customers", "agent_b", params={"phone": PHONE}).json()
    assert body["scope"] == "full"
    assert body["customer"]["address"] == "" and body["customer"]["id_number"] is None
    assert [c["reference"] for c in body["history"]["complaints"]] == [own["reference"]]
    assert body["history"]["settlements"] == []
    assert body["history"]["notes"] == []
    assert body["elsewhere"]["complaints"] == 1
    for path in (f"/customers/{world['customer_id']}", f"/complaints/{own['id']}"):
        seen = api.get(path, "agent_b").text
        assert world["complaint"]["reference"] not in seen and ADDRESS not in seen and "1234" not in seen
    page = _page(api, f"/complaints/{own['id']}", "agent_b").text
    assert ADDRESS not in page and "下午方便" not in page
    # What 湖里营业厅 is told and writes is its own, and 思明营业厅 sees its own only.
    assert api.post(f"/customers/{world['customer_id']}/notes", "agent_b", {"text": "周末可上门"}).status_code == 201
    told = complaint_body(content="宽带第三次断了", customer={"name": "王先生", "phone": PHONE, "address": "湖里区2号"})
    second = api.post("/complaints", "agent_b", told).json()
    assert second["customer"]["address"] == "湖里区2号"
    mine = api.get(f"/customers/{world['customer_id']}", "agent_b").json()
    assert mine["customer"]["address"] == "湖里区2号"
    assert [n["text"] for n in mine["history"]["notes"]] == ["周末可上门"]
    theirs = api.get(f"/customers/{world['customer_id']}", "agent1").json()
    assert theirs["customer"]["address"] == ADDRESS
    assert [n["text"] for n in theirs["history"]["notes"]] == ["下午方便接电话"]

    as_manager_a = api.get(f"/customers/{world['customer_id']}", "manager1").json()
    assert [c["reference"] for c in as_manager_a["history"]["complaints"]] == [world["complaint"]["reference"]]
    assert len(as_manager_a["history"]["settlements"]) == 1
    assert as_manager_a["customer"]["id_number"] == ID_NUMBER
    for who in ("director1", "admin1"):
        everything = api.get(f"/customers/{world['customer_id']}", who).json()
        assert {c["reference"] for c in everything["history"]["complaints"]} == {
            own["reference"],
            second["reference"],
            world["complaint"]["reference"],
        }
        assert len(everything["history"]["settlements"]) == 1
        assert sorted(n["kind"] for n in everything["history"]["notes"]) == ["filing", "note", "note"]
        assert everything["elsewhere"]["complaints"] == 0


def test_the_complaint_page_relates_only_visible_complaints(api: Api, world: dict[str, Any]) -> None:
    own = api.post("/complaints", "agent_b", complaint_body(content="宽带又断了", channel="hall")).json()
    other = world["complaint"]["reference"]
    page = _page(api, f"/complaints/{own['id']}", "agent_b")
    assert page.status_code == 200
    assert other not in page.text
    assert "该客户在其他营业厅另有 1 条投诉记录，其中 1 条未结" in page.text
    director = _page(api, f"/complaints/{own['id']}", "director1")
    assert other in director.text and "其他营业厅另有" not in director.text


def test_lists_mask_numbers_typed_in_the_complaint_text(api: Api) -> None:
    text = f"我的身份证号{ID_NUMBER}，联系电话13812345678，座机0592-5551234，被重复扣费58元。"
    created = api.post("/complaints", "agent1", complaint_body(content=text)).json()
    listed = api.get("/complaints", "agent1").json()["items"][0]
    assert listed["summary"].startswith("我的身份证号350***********1234，联系电话138****5678，座机059****1234")
    assert "58元" in listed["summary"]
    queue = _page(api, "/queue", "manager1")
    for number in (ID_NUMBER, "13812345678", "5551234"):
        assert number not in queue.text and number not in api.get("/complaints", "director1").text
    # The complaint itself keeps the customer's words for those who may see it.
    assert api.get(f"/complaints/{created['id']}", "agent1").json()["content"] == text
    assert ID_NUMBER in _page(api, f"/complaints/{created['id']}", "agent1").text


def test_changing_a_customers_flags_is_recorded_in_their_complaints_timelines(api: Api, world: dict[str, Any]) -> None:
    customer_id, complaint_id = world["customer_id"], world["complaint"]["id"]
    changed = api.patch(
        f"/customers/{customer_id}", "manager1", {"version": 1, "sensitive": True, "address": "厦门市湖里区1号"}
    )
    assert changed.status_code == 200 and changed.json()["sensitive"] is True
    assert changed.json()["address"] == "厦门市湖里区1号"
    flags, address = api.get(f"/complaints/{complaint_id}/events", "agent1").json()["events"][-2:]
    assert flags["kind"] == address["kind"] == "customer_updated" and flags["actor"] == "manager1"
    assert flags["data"] == {"before": {"sensitive": False}, "after": {"sensitive": True}}
    assert address["data"] == {"before": {}, "after": {"address": "（已修改）"}}
    assert api.get(f"/complaints/{complaint_id}", "agent1").json()["customer"]["address"] == "厦门市湖里区1号"
    page = _page(api, f"/complaints/{complaint_id}", "agent1").text
    assert "客户资料变更" in page and "敏感客户 是" in page and "customer_updated" not in page
    nothing = api.patch(f"/customers/{customer_id}", "manager1", {"version": 2})
    assert nothing.status_code == 422 and nothing.json()["error"]["code"] == "nothing_to_change"
    # An agent in scope is refused for the role, not told the customer is missing.
    assert api.patch(f"/customers/{customer_id}", "agent1", {"version": 2, "important": True}).status_code == 403


def test_another_halls_batch_shows_only_as_a_number(api: Api) -> None:
    for index in range(11):
        response = api.post(
            "/complaints",
            "agent1",
            complaint_body(
                customer={"name": f"客户{index}", "phone": f"1370000{index:04d}"},
                content="思明区家里宽带从中午开始完全断网",
                category="network",
                demands=["fix"],
                topic="宽带",
                area="思明区",
            ),
        )
        assert response.status_code == 201, response.text
    assert [b["member_count"] for b in api.get("/batches", "agent1").json()["batches"]] == [11]
    elsewhere = api.get("/batches", "agent_b").json()
    assert elsewhere == {"other_halls": 1, "batches": []}
    queue = _page(api, "/queue", "agent_b").text
    assert "思明区" not in queue and "另有 1 组批量投诉正在其他营业厅形成" in queue
    assert "思明区" in _page(api, "/queue", "director1").text
