"""Customers and their history, hand-over, escalation, configuration and admissibility over HTTP."""

from __future__ import annotations

from tests.integration.conftest import Api, complaint_body


def test_customer_history_and_filing_notes_only_for_managers(api: Api) -> None:
    created = api.post("/complaints", "agent1", complaint_body()).json()
    customer_id = created["customer"]["id"]
    assert (
        api.post(f"/customers/{customer_id}/notes", "agent1", {"kind": "filing", "text": "多次无理要求"}).status_code
        == 403
    )
    assert (
        api.post(
            f"/customers/{customer_id}/notes", "manager1", {"kind": "filing", "text": "多次无理要求，已备案"}
        ).status_code
        == 201
    )
    assert (
        api.post(f"/customers/{customer_id}/notes", "agent1", {"kind": "note", "text": "下午方便接电话"}).status_code
        == 201
    )
    as_agent = api.get("/customers", "agent1", params={"phone": "13900001111"}).json()
    as_manager = api.get(f"/customers/{customer_id}", "manager1").json()
    assert [n["kind"] for n in as_agent["history"]["notes"]] == ["note"]
    assert sorted(n["kind"] for n in as_manager["history"]["notes"]) == ["filing", "note"]
    assert as_agent["history"]["complaints"][0]["reference"] == created["reference"]
    assert api.get("/customers", "agent1", params={"phone": "13700000000"}).status_code == 404


def test_flagging_a_customer_sensitive_makes_the_next_complaint_urgent(api: Api) -> None:
    customer = api.post("/complaints", "agent1", complaint_body(content="话费有疑问")).json()["customer"]
    assert api.patch(f"/customers/{customer['id']}", "agent1", {"version": 1, "sensitive": True}).status_code == 403
    flagged = api.patch(f"/customers/{customer['id']}", "manager1", {"version": 1, "sensitive": True})
    assert flagged.json()["sensitive"] is True
    stale = api.patch(f"/customers/{customer['id']}", "manager1", {"version": 1, "important": True})
    assert stale.status_code == 409
    again = api.post("/complaints", "agent2", complaint_body(content="又有扣费疑问")).json()
    assert "sensitive" in again["urgency_types"]


def test_hand_over_moves_responsibility_with_a_note(api: Api) -> None:
    created = api.post("/complaints", "agent1", complaint_body()).json()
    refused = api.post(
        f"/complaints/{created['id']}/hand-over", "agent2", {"version": 1, "username": "agent2", "note": "接手"}
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "not_responsible"
    moved = api.post(
        f"/complaints/{created['id']}/hand-over",
        "agent1",
        {"version": 1, "username": "agent2", "note": "已核实扣费记录，待退费审批"},
    ).json()
    assert moved["responsible_id"] == moved["owner_id"] != created["responsible_id"]
    assert moved["received_by_id"] == created["received_by_id"]


def test_a_hand_over_to_another_hall_is_done_and_said_so_though_it_leaves_the_actors_view(api: Api) -> None:
    created = api.post("/complaints", "agent1", complaint_body()).json()
    to_b = {"version": created["version"], "username": "agent_b", "note": "湖里片区的宽带"}
    there = api.post(f"/complaints/{created['id']}/hand-over", "agent1", to_b).json()
    assert there["team"] == "湖里营业厅"  # agent1 received it: still in view
    back = api.post(
        f"/complaints/{created['id']}/hand-over",
        "agent_b",
        {"version": there["version"], "username": "agent2", "note": "查明属思明营业厅"},
    )
    # agent_b neither received it nor is its hall's any more: the answer says it is done, not 404.
    assert back.status_code == 200, back.text
    answer = back.json()
    assert answer["out_of_view"] is True and "思明营业厅" in answer["message"] and "content" not in answer
    assert api.get(f"/complaints/{created['id']}", "agent_b").status_code == 404
    assert api.get(f"/complaints/{created['id']}", "agent2").json()["owner_id"] == api.get("/me", "agent2").json()["id"]


def test_escalating_to_the_province_makes_it_an_escalated_complaint(api: Api) -> None:
    created = api.post("/complaints", "agent1", complaint_body(content="宽带故障一直没修好")).json()
    escalated = api.post(
        f"/complaints/{created['id']}/escalate",
        "agent1",
        {"version": created["version"], "reason": "分公司无法解决，需省公司协调", "to_province": True},
    ).json()
    assert "escalated" in escalated["urgency_types"] and escalated["escalation_level"] == 1
    event = api.get(f"/complaints/{created['id']}/events", "agent1").json()["events"][-1]
    assert event["kind"] == "escalated" and event["data"]["to"] == "省公司"
    assert event["data"]["to_role"] == "manager"  # followed in-house by the hall's manager


def test_a_manager_escalates_above_himself(api: Api) -> None:
    created = api.post("/complaints", "agent1", complaint_body(content="宽带故障一直没修好")).json()
    escalated = api.post(
        f"/complaints/{created['id']}/escalate",
        "manager1",
        {"version": created["version"], "reason": "本厅无法协调装维，需主任出面"},
    ).json()
    assert escalated["escalation_level"] == 2
    event = api.get(f"/complaints/{created['id']}/events", "manager1").json()["events"][-1]
    assert event["data"]["to"] == "客户中心主任" and event["data"]["to_role"] == "director"


def test_linking_relates_both_complaints(api: Api) -> None:
    first = api.post("/complaints", "agent1", complaint_body()).json()
    second = api.post("/complaints", "agent1", complaint_body(channel="web")).json()
    linked = api.post(
        f"/complaints/{second['id']}/links",
        "agent1",
        {"other_id": first["id"], "merge": False, "version": second["version"]},
    )
    assert linked.json()["status"] == second["status"]
    assert api.get(f"/complaints/{first['id']}/events", "agent1").json()["events"][-1]["kind"] == "linked"
    assert (
        api.post(
            f"/complaints/{second['id']}/links",
            "agent1",
            {"other_id": first["id"], "merge": True, "version": linked.json()["version"]},
        ).status_code
        == 403
    )


def test_configuration_and_admissibility_are_served(api: Api) -> None:
    config = api.get("/config", "agent1").json()["policy"]
    assert config["urgency"]["batch_window_minutes"] == 60 and config["sla"]["default"]["reply_hours"] == 48
    verdict = api.post(
        "/admissibility", "agent1", {"billing_dispute": True, "occurred_at": "2026-01-01T00:00:00+08:00"}
    ).json()
    assert verdict["admissible"] is False
    assert "billing_dispute_expired" in {r["code"] for r in verdict["reasons"]}


def test_phone_numbers_are_masked_in_lists_and_id_numbers_for_agents(api: Api) -> None:
    created = api.post(
        "/complaints",
        "agent1",
        complaint_body(customer={"name": "王先生", "phone": "13900001111", "id_number": "350203199001011234"}),
    ).json()
    assert created["customer"]["id_number"] == "350***********1234"
    full = api.get(f"/complaints/{created['id']}", "manager1").json()["customer"]["id_number"]
    assert full == "350203199001011234"
    assert api.get("/complaints", "agent1").json()["items"][0]["customer"]["phone"] == "139****1111"


def test_the_overview_counts_what_managers_need(api: Api, clock) -> None:
    # 48 calendar hours for the hall's (no threat in its words), 24 for the over-level one.
    hall = complaint_body(channel="hall", category="network", demands=["fix"], content="家里宽带断网三天，请尽快修复。")
    api.post("/complaints", "agent1", hall)
    api.post("/complaints", "agent1", complaint_body(channel="government", category="billing", demands=["refund"]))
    assert api.get("/stats/overview", "agent1").status_code == 403
    clock.advance(hours=30)  # the over-level one (24 h) is overdue, the other (48 h) is not yet
    stats = api.get("/stats/overview", "manager1").json()
    assert stats["today"]["total"] == 0 and stats["week"]["total"] == 2
    assert stats["week"]["by_channel"] == {"hall": 1, "government": 1}
    assert stats["week"]["by_urgency"]["over_level"] == 1
    assert stats["overdue"] == 1 and stats["open"] == 2
    assert stats["silent_customers_estimate"]["week"] == 48
