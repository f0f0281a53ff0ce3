"""Intake records the address, ID number, proxy and a regulator's transfer, and the pages show them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.integration.conftest import Api, complaint_body

ADDRESS = "厦门市思明区湖滨南路100号"
ID_NUMBER = "350203199001011234"


def _page(api: Api, path: str, who: str) -> Any:
    return api.client.get(path, headers={"Cookie": f"tousu_session={api.tokens[who]}"}, follow_redirects=False)


def _transferred(api: Api, reply_by: datetime, **extra: Any) -> Any:
    body = complaint_body(
        customer={"name": "王先生", "phone": "13900005555", "address": ADDRESS, "id_number": ID_NUMBER},
        proxy_name="王小明",
        proxy_authorisation="书面委托书，代理退费事项，至2026年底有效",
        transfer_source="12300",
        transfer_case_number="GX2026-11-00123",
        transfer_reply_by=reply_by.isoformat(),
        **extra,
    )
    return api.post("/complaints", "agent1", body)


def test_a_transfer_is_stored_and_its_earlier_deadline_is_the_one_to_meet(api: Api, clock: Any) -> None:
    theirs = clock.now + timedelta(days=1)
    created = _transferred(api, theirs)
    assert created.status_code == 201, created.text
    c = created.json()
    assert c["transfer"] == {
        "source": "12300",
        "source_name": "12300(电信用户申诉受理中心)",
        "reply_name": "申诉回复",
        "case_number": "GX2026-11-00123",
        "reply_by": c["transfer"]["reply_by"],
    }
    assert datetime.fromisoformat(c["transfer"]["reply_by"]) == theirs
    assert datetime.fromisoformat(c["deadlines"]["reply_by"]) == theirs  # earlier than ours: the queue shows it
    assert c["proxy_name"] == "王小明" and c["proxy_authorisation"].startswith("书面委托书")
    queued = api.get("/complaints", "agent1").json()
    item = next(i for i in queued["items"] if i["id"] == c["id"])
    assert datetime.fromisoformat(item["reply_by"]) == theirs

    page = _page(api, f"/complaints/{c['id']}", "agent1").text
    assert "12300(电信用户申诉受理中心) 工单号 GX2026-11-00123" in page
    assert "转办方时限" in page and "代理人" in page and "王小明" in page
    assert ADDRESS in page


def test_a_pause_does_not_move_the_deadline_past_the_transfer_deadline(api: Api, clock: Any) -> None:
    theirs = clock.now + timedelta(days=1)
    c = _transferred(api, theirs).json()
    paused = api.post(
        f"/complaints/{c['id']}/wait-customer", "agent1", {"version": c["version"], "waiting_for": "请客户补充材料"}
    ).json()
    clock.advance(hours=20)  # our clock stops while we wait on the customer; theirs does not
    resumed = api.post(f"/complaints/{c['id']}/resume", "agent1", {"version": paused["version"]}).json()
    assert resumed["status"] == "in_progress"
    assert datetime.fromisoformat(resumed["deadlines"]["reply_by"]) == theirs


def test_a_later_transfer_deadline_leaves_ours(api: Api, clock: Any) -> None:
    plain = api.post("/complaints", "agent1", complaint_body(customer={"name": "李女士", "phone": "13900006666"}))
    ours = datetime.fromisoformat(plain.json()["deadlines"]["reply_by"])
    later = _transferred(api, ours + timedelta(days=10)).json()
    assert datetime.fromisoformat(later["deadlines"]["reply_by"]) == ours
    assert datetime.fromisoformat(later["transfer"]["reply_by"]) == ours + timedelta(days=10)
    assert plain.json()["transfer"] is None


def test_a_transfer_without_its_source_or_case_number_is_refused_in_chinese(api: Api, clock: Any) -> None:
    no_source = api.post(
        "/complaints", "agent1", complaint_body(transfer_case_number="GX1", transfer_reply_by=clock.now.isoformat())
    )
    assert no_source.status_code == 422
    assert no_source.json()["error"]["field"] == "transfer_source"
    assert "请选择转办来源" in no_source.json()["error"]["message"]
    no_case = api.post("/complaints", "agent1", complaint_body(transfer_source="12315"))
    assert no_case.status_code == 422
    assert no_case.json()["error"]["field"] == "transfer_case_number"
    unknown = api.post("/complaints", "agent1", complaint_body(transfer_source="12345", transfer_case_number="X"))
    assert unknown.status_code == 422
    assert "transfer_source" in unknown.json()["error"]["field"]


def test_who_sees_the_address_and_id_number_is_unchanged(api: Api, clock: Any) -> None:
    c = _transferred(api, clock.now + timedelta(days=1)).json()
    as_agent = api.get(f"/complaints/{c['id']}", "agent1").json()["customer"]
    assert as_agent["address"] == ADDRESS
    assert as_agent["id_number"] != ID_NUMBER and as_agent["id_number"].startswith("350")  # masked for agents
    assert api.get(f"/complaints/{c['id']}", "manager1").json()["customer"]["id_number"] == ID_NUMBER
    agent_page = _page(api, f"/complaints/{c['id']}", "agent1").text
    assert ID_NUMBER not in agent_page
    assert ID_NUMBER in _page(api, f"/complaints/{c['id']}", "manager1").text
    # Another hall sees neither the complaint nor the customer's address and number.
    other = api.get(f"/complaints/{c['id']}", "agent_b")
    assert other.status_code == 404
    assert ADDRESS not in other.text and ID_NUMBER not in other.text
    assert ADDRESS not in _page(api, f"/complaints/{c['id']}", "agent_b").text
    card = api.get("/customers?phone=13900005555", "agent_b").json()
    assert card["scope"] == "limited" and ADDRESS not in str(card) and ID_NUMBER not in str(card)


def test_the_lookup_history_names_the_business_for_the_similar_complaint_warning(api: Api) -> None:
    created = api.post("/complaints", "agent1", complaint_body(topic="宽带")).json()
    found = api.get("/customers?phone=13900001111", "agent1").json()
    [item] = found["history"]["complaints"]
    assert item["id"] == created["id"] and item["topic"] == "宽带" and item["status"] == "received"
    assert api.get("/customers?phone=13900001111", "agent_b").json()["scope"] == "limited"


def test_a_transfer_deadline_already_past_when_it_reached_us_is_refused(api: Api, clock: Any) -> None:
    """A deadline six days gone at intake is a typo (or a lost transfer): not a case born 已超时."""
    past = _transferred(api, clock.now - timedelta(days=6))
    assert past.status_code == 422
    error = past.json()["error"]
    assert error["field"] == "transfer_reply_by" and "早于受理时间" in error["message"]
    created = _transferred(api, clock.now + timedelta(days=1)).json()
    edited = api.client.patch(
        f"/api/v1/complaints/{created['id']}",
        json={"version": created["version"], "transfer_reply_by": (clock.now - timedelta(days=1)).isoformat()},
        headers=api.as_("agent1"),
    )
    assert edited.status_code == 422 and edited.json()["error"]["field"] == "transfer_reply_by"
