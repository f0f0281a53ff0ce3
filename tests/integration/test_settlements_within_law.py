"""Settlements within the law: each item checked against the knowledge base's rules at proposal
and again at approval; exceptions only by a role allowed to make them, with the reason recorded."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Api, complaint_body


def _complaint(api: Api, category: str, content: str = "这个月被重复扣费两次，每次58元。") -> dict[str, Any]:
    created = api.post("/complaints", "agent1", complaint_body(category=category, content=content))
    assert created.status_code == 201, created.text
    return dict(created.json())


def _propose(api: Api, who: str, complaint: dict[str, Any], **body: Any) -> Any:
    current = api.get(f"/complaints/{complaint['id']}", who).json()
    return api.post(
        f"/complaints/{complaint['id']}/settlements",
        who,
        {"version": current["version"], "description": "处理", **body},
    )


def _charged_58(api: Api) -> dict[str, Any]:
    """A billing complaint whose disputed amount (涉及金额) is a 58元 charge."""
    body = complaint_body(category="billing", content="上个月被乱扣了58元流量费，要求双倍返还。", claimed_amount=58)
    return dict(api.post("/complaints", "agent1", body).json())


def _events(api: Api, cid: int) -> list[dict[str, Any]]:
    return list(api.get(f"/complaints/{cid}/events", "director1").json()["events"])


def test_mental_damages_on_a_billing_dispute_are_refused_with_the_reason(api: Api) -> None:
    billing = _complaint(api, "billing")
    before = len(_events(api, billing["id"]))
    refused = _propose(
        api,
        "agent1",
        billing,
        items=[{"type": "compensation", "amount": 500, "basis": "civil_code_1183"}],
        facts=["personal_rights"],
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "not_allowed_by_law" and "财产纠纷不适用" in error["message"]
    assert len(_events(api, billing["id"])) == before  # nothing was proposed


def test_transport_and_lost_wages_need_a_personal_injury(api: Api) -> None:
    service = _complaint(api, "service", "营业员态度很差，我跑了三趟，要求赔偿交通费误工费。")
    refused = _propose(
        api, "manager1", service, items=[{"type": "transport_lost_wages", "amount": 80, "basis": "consumer_law_49"}]
    )
    assert refused.status_code == 422 and "人身损害" in refused.json()["error"]["message"]


def test_an_outage_gets_a_fee_waiver_not_a_double_refund(api: Api) -> None:
    network = _complaint(api, "network", "家里宽带断了三天，要求双倍返还。")
    double = _propose(
        api, "manager1", network, items=[{"type": "double_refund", "amount": 60, "basis": "policy_double_refund"}]
    )
    assert double.status_code == 422 and "减免" in double.json()["error"]["message"]
    plain = _propose(api, "agent1", network, items=[{"type": "refund", "amount": 30}])
    assert plain.status_code == 422 and "费用减免" in plain.json()["error"]["message"]
    waiver = _propose(
        api,
        "manager1",
        network,
        items=[{"type": "fee_waiver", "amount": 30, "basis": "telecom_reg_32"}],
        facts=["outage"],
    )
    assert waiver.status_code == 201 and waiver.json()["status"] == "granted"


def test_mental_damages_written_into_the_description_are_checked_as_such(api: Api) -> None:
    billing = _complaint(api, "billing")
    before = len(_events(api, billing["id"]))
    refused = _propose(
        api,
        "manager1",
        billing,
        items=[{"type": "compensation", "amount": 100, "basis": "civil_code_584"}],
        facts=["proven_loss"],
        description="精神损失费100元",
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "not_allowed_by_law"
    assert "财产纠纷不适用" in refused.json()["error"]["message"]
    assert len(_events(api, billing["id"])) == before  # nothing recorded


def test_compensation_without_a_basis_goes_to_the_director_and_needs_his_reason(api: Api) -> None:
    billing = _complaint(api, "billing")
    proposal = _propose(api, "manager1", billing, compensation=80)  # within a manager's amount, but no basis
    assert proposal.status_code == 201
    settlement = proposal.json()
    assert settlement["status"] == "pending_approval" and settlement["approver_role"] == "director"
    # The director must say why; then the exception and its reason are in the timeline.
    decision = f"/settlements/{settlement['id']}/decision"
    missing = api.post(decision, "director1", {"approve": True})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "override_reason"
    approved = api.post(
        decision, "director1", {"approve": True, "override_reason": "系统故障连续三月重复扣费，挽留客户"}
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    last = _events(api, billing["id"])[-1]
    assert last["kind"] == "settlement_approved"
    assert last["data"]["override_reason"] == "系统故障连续三月重复扣费，挽留客户"


def test_compensation_with_a_basis_and_its_facts_is_granted_within_authority(api: Api) -> None:
    marketing = _complaint(api, "marketing", "宣传说免费送流量，结果每月扣费。")
    granted = _propose(
        api,
        "manager1",
        marketing,
        items=[{"type": "compensation", "amount": 100, "basis": "civil_code_584"}],
        facts=["proven_loss"],
    )
    assert granted.status_code == 201 and granted.json()["status"] == "granted"


def test_a_manager_forwards_what_is_beyond_him(api: Api) -> None:
    billing = _complaint(api, "billing")
    proposal = _propose(api, "agent1", billing, items=[{"type": "refund", "amount": 150}]).json()
    assert proposal["approver_role"] == "manager"
    forwarded = api.post(
        f"/settlements/{proposal['id']}/decision", "manager1", {"forward": True, "comment": "金额需主任把关"}
    )
    assert forwarded.status_code == 200 and forwarded.json()["approver_role"] == "director"
    assert _events(api, billing["id"])[-1]["kind"] == "approval_forwarded"


def test_the_operator_may_not_reject_a_complaint_citing_the_appeal_time_limit(api: Api) -> None:
    billing = _complaint(api, "billing")
    rejected = api.post(
        f"/complaints/{billing['id']}/reject",
        "manager1",
        {
            "version": billing["version"],
            "legal_basis": "电信用户申诉处理办法第十一条",
            "reasons": "收费争议已超过5个月",
        },
    )
    assert rejected.status_code == 422
    assert rejected.json()["error"]["code"] == "appeal_limit_not_for_operator"


def test_refunds_add_up_to_the_charge_or_twice_it_over_every_settlement(api: Api) -> None:
    """A 40元 refund 'to calm the customer', then the double refund of a 58元 charge: 156元
    refunded on 58. What goes beyond twice the charge is compensation, with its own conditions."""
    billing = _charged_58(api)
    first = _propose(api, "agent1", billing, items=[{"type": "refund", "amount": 40}])
    assert first.status_code == 201, first.text
    double = {"type": "double_refund", "amount": 116, "basis": "policy_double_refund"}
    refused = _propose(api, "manager1", billing, items=[double], facts=["our_fault"])
    # Not the manager's to grant: it goes to the director as an exception, who must give the reason.
    assert refused.status_code == 201 and refused.json()["status"] == "pending_approval"
    assert refused.json()["approver_role"] == "director"
    pending = refused.json()["id"]
    decision = f"/settlements/{pending}/decision"
    without_reason = api.post(decision, "director1", {"approve": True})
    assert without_reason.status_code == 422 and "退费累计 156 元" in without_reason.json()["error"]["message"]
    assert "超过争议金额 58 元的两倍" in without_reason.json()["error"]["message"]

    assert api.post(decision, "director1", {"approve": False, "comment": "已退40元，按差额处理"}).status_code == 200

    # Without a double refund, the refunds come to the charge: the 18元 left is a refund like any other.
    rest = _propose(api, "agent2", billing, items=[{"type": "refund", "amount": 18}])
    assert rest.status_code == 201 and rest.json()["status"] == "granted"
    beyond = _propose(api, "agent2", billing, items=[{"type": "refund", "amount": 5}])
    assert beyond.status_code == 201 and beyond.json()["status"] == "pending_approval"


def test_a_request_waiting_for_the_director_is_not_a_managers_to_deny_or_pass_up(api: Api) -> None:
    billing = _complaint(api, "billing")
    proposal = _propose(api, "agent1", billing, compensation=50).json()  # no basis: the director's exception
    assert proposal["approver_role"] == "director"
    decision = f"/settlements/{proposal['id']}/decision"
    for body in ({"forward": True}, {"approve": False}):
        refused = api.post(decision, "manager1", body)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_addressed", body
        assert "待客户中心主任审批" in refused.json()["error"]["message"]
    assert api.post(decision, "manager1", {"approve": True}).json()["error"]["code"] == "exception_beyond_role"
    assert _events(api, billing["id"])[-1]["kind"] == "approval_requested"  # nothing moved
    page = api.client.get(
        f"/complaints/{billing['id']}", headers={"Cookie": f"tousu_session={api.tokens['manager1']}"}
    ).text
    assert f'data-settlement="{proposal["id"]}"' not in page  # no 上报 or 驳回 offered to him
    director = api.client.get(
        f"/complaints/{billing['id']}", headers={"Cookie": f"tousu_session={api.tokens['director1']}"}
    ).text
    assert f'data-settlement="{proposal["id"]}"' in director


def test_a_later_request_past_the_refund_total_does_not_hold_up_an_earlier_one(api: Api) -> None:
    billing = _charged_58(api)
    double = {"type": "double_refund", "amount": 116, "basis": "policy_double_refund"}
    earlier = _propose(api, "agent1", billing, items=[double], facts=["our_fault"]).json()
    assert earlier["status"] == "pending_approval" and earlier["approver_role"] == "manager"
    later = _propose(api, "agent1", billing, items=[{"type": "refund", "amount": 40}]).json()
    assert later["status"] == "pending_approval" and later["approver_role"] == "director"  # 156 on 58
    # Nor does the later one go through first: it still adds up with the earlier one.
    first = api.post(f"/settlements/{later['id']}/decision", "manager1", {"approve": True})
    assert first.status_code == 403 and first.json()["error"]["code"] == "exception_beyond_role"
    assert "待客户中心主任审批" in first.json()["error"]["message"]
    approved = api.post(f"/settlements/{earlier['id']}/decision", "manager1", {"approve": True})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    # With the 116 in force, the 40 is now the exception, the director's with a reason.
    last = api.post(f"/settlements/{later['id']}/decision", "director1", {"approve": True})
    assert last.status_code == 422 and "退费累计 156 元" in last.json()["error"]["message"]


def test_the_front_line_promises_no_gift_of_its_own(api: Api) -> None:
    """服务补救制度: 营业员不能自行承诺礼品; the manager gives it, within the hall's quota."""
    service = _complaint(api, "service", "营业员态度很差。")
    gift = _propose(api, "agent1", service, items=[{"type": "gift", "amount": 10}]).json()
    assert gift["status"] == "pending_approval" and gift["approver_role"] == "manager"
    assert _propose(api, "manager1", service, items=[{"type": "gift", "amount": 10}]).json()["status"] == "granted"


def test_a_double_refund_waiting_for_approval_is_named_as_one_to_the_manager(api: Api) -> None:
    billing = _charged_58(api)
    double = {"type": "double_refund", "amount": 116, "basis": "policy_double_refund"}
    proposal = _propose(api, "agent1", billing, items=[double], facts=["our_fault"]).json()
    assert proposal["approver_role"] == "manager"
    [item] = [i for i in api.get("/todo", "manager1").json()["items"] if i["kind"] == "approval"]
    assert item["title"] == "处理方案待审批：双倍返还 116 元"
    notices = api.get("/notifications", "manager1").json()["notifications"]
    [notice] = [n for n in notices if n["kind"] == "approval_requested"]
    assert "双倍返还 116 元" in notice["body"]
