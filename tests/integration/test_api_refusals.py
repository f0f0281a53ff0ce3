"""Refusals: invalid transitions, wrong roles, stale versions and bad input — each a clear 4xx that writes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.integration.conftest import Api, complaint_body
from tousu.domain.workflow import TRANSITIONS, Action, Status
from tousu.storage.db import create_db_engine

ACTION_PATHS = {
    Action.START: ("start", {}),
    Action.WAIT_CUSTOMER: ("wait-customer", {"waiting_for": "截图"}),
    Action.RESUME: ("resume", {}),
    Action.REPLY: ("reply", {"reply": "答复内容"}),
    Action.FOLLOW_UP: ("follow-up", {"satisfaction": "satisfied"}),
    Action.CLOSE: ("close", {"root_cause": "原因"}),
    Action.REJECT: ("reject", {"legal_basis": "第十一条", "reasons": "法院已受理"}),
    Action.REOPEN: ("reopen", {"reason": "客户不认可"}),
}


def _counts(url: str) -> tuple[int, int, int]:
    engine = create_db_engine(url)
    with engine.connect() as conn:
        counts = tuple(
            conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("complaints", "events", "customers")
        )
    engine.dispose()
    return counts  # type: ignore[return-value]


@pytest.mark.parametrize("action", [a for a in ACTION_PATHS if Status.RECEIVED not in TRANSITIONS[a][0]])
def test_every_action_not_allowed_on_a_new_complaint_is_refused(api: Api, action: Action) -> None:
    created = api.post("/complaints", "agent1", complaint_body()).json()
    path, fields = ACTION_PATHS[action]
    who = "manager1" if action is Action.REJECT else "agent1"
    response = api.post(f"/complaints/{created['id']}/{path}", who, {"version": 1, **fields})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert "已受理" in response.json()["error"]["message"]
    assert api.get(f"/complaints/{created['id']}", "agent1").json()["version"] == 1


def test_closing_without_root_cause_is_refused(api: Api) -> None:
    cid = api.post("/complaints", "agent1", complaint_body()).json()["id"]
    v = api.post(f"/complaints/{cid}/reply", "agent1", {"version": 1, "reply": "已处理"}).json()["version"]
    v = api.post(f"/complaints/{cid}/follow-up", "agent1", {"version": v, "satisfaction": "neutral"}).json()["version"]
    response = api.post(f"/complaints/{cid}/close", "agent1", {"version": v})
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "root_cause_required",
        "field": "root_cause",
        "message": response.json()["error"]["message"],
    }


def test_a_work_quality_complaint_needs_responsible_person_and_measure(api: Api) -> None:
    cid = api.post("/complaints", "agent1", complaint_body(category="service")).json()["id"]
    v = api.post(f"/complaints/{cid}/reply", "agent1", {"version": 1, "reply": "已道歉"}).json()["version"]
    v = api.post(f"/complaints/{cid}/follow-up", "agent1", {"version": v, "satisfaction": "neutral"}).json()["version"]
    refused = api.post(f"/complaints/{cid}/close", "agent1", {"version": v, "root_cause": "营业员态度差"})
    assert refused.json()["error"]["code"] == "responsible_person_required"
    ok = api.post(
        f"/complaints/{cid}/close",
        "agent1",
        {"version": v, "root_cause": "营业员态度差", "responsible_person": "营业员甲", "improvement_measure": "培训"},
    )
    assert ok.status_code == 200


def test_reopening_a_confirmed_settlement_needs_new_evidence(api: Api) -> None:
    cid = api.post("/complaints", "agent1", complaint_body()).json()["id"]
    v = api.post(
        f"/complaints/{cid}/reply", "agent1", {"version": 1, "reply": "退费116元", "settlement_confirmed": True}
    ).json()["version"]
    refused = api.post(f"/complaints/{cid}/reopen", "agent1", {"version": v, "reason": "客户又不满意了"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "new_evidence_required"
    ok = api.post(f"/complaints/{cid}/reopen", "agent1", {"version": v, "new_evidence": "新的扣费短信，金额不同"})
    assert ok.json()["status"] == "reopened"


def test_a_stale_version_gets_409_and_changes_nothing(api: Api) -> None:
    cid = api.post("/complaints", "agent1", complaint_body()).json()["id"]
    assert api.post(f"/complaints/{cid}/start", "agent1", {"version": 1}).status_code == 200
    stale = api.post(f"/complaints/{cid}/reply", "agent1", {"version": 1, "reply": "答复"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    assert api.get(f"/complaints/{cid}", "agent1").json()["status"] == "in_progress"


def test_roles_are_enforced(api: Api) -> None:
    cid = api.post("/complaints", "agent1", complaint_body()).json()["id"]
    reject = api.post(f"/complaints/{cid}/reject", "agent1", {"version": 1, "legal_basis": "x", "reasons": "y"})
    assert reject.status_code == 403 and reject.json()["error"]["code"] == "forbidden_role"
    assign_other = api.post(f"/complaints/{cid}/assign", "agent1", {"version": 1, "username": "agent2"})
    assert assign_other.status_code == 403
    # Another hall's agent does not see the complaint at all.
    assert api.get(f"/complaints/{cid}", "agent_b").status_code == 404
    assert api.get("/complaints", "agent_b").json()["total"] == 0
    assert api.get(f"/complaints/{cid}", "director1").status_code == 200
    proposal = api.post(
        f"/complaints/{cid}/settlements", "agent1", {"version": 1, "compensation": 800, "description": "赔偿"}
    ).json()
    assert proposal["approver_role"] == "director"
    beyond = api.post(f"/settlements/{proposal['id']}/decision", "manager1", {"approve": True})
    assert beyond.status_code == 403 and beyond.json()["error"]["code"] == "beyond_authority"
    assert api.post(f"/settlements/{proposal['id']}/decision", "agent2", {"approve": True}).status_code == 403


def test_without_a_token_everything_but_health_is_401(api: Api) -> None:
    for path in ("/api/v1/complaints", "/api/v1/config", "/api/v1/me", "/api/v1/batches"):
        response = api.client.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "not_authenticated"
    assert api.client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_login_issues_a_session_that_expires(api: Api, clock) -> None:
    assert (
        api.client.post("/api/v1/auth/login", json={"username": "agent1", "password": "wrong-pass-1"}).status_code
        == 401
    )
    token = api.client.post("/api/v1/auth/login", json={"username": "agent1", "password": "correct-horse-1"}).json()[
        "token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/me", headers=headers).json()["username"] == "agent1"
    clock.advance(hours=9)
    expired = api.client.get("/api/v1/me", headers=headers)
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "session_expired"


BAD_BODIES = [
    ("empty content", complaint_body(content=""), 422, "content"),
    ("whitespace content", complaint_body(content="   \n\t "), 422, "content"),
    ("unknown channel", complaint_body(channel="pigeon"), 422, "channel"),
    ("unknown category", complaint_body(category="weather"), 422, "category"),
    ("unknown demand", complaint_body(demands=["a_pony"]), 422, "demands.0"),
    ("wrong type", complaint_body(claimed_amount="lots"), 422, "claimed_amount"),
    ("customer not an object", complaint_body(customer="王先生"), 422, "customer"),
    ("invalid phone", complaint_body(customer={"name": "王先生", "phone": "12345"}), 422, "customer.phone"),
    ("future occurrence", complaint_body(occurred_at="2027-01-01T10:00:00+08:00"), 422, "occurred_at"),
    ("naive datetime", complaint_body(occurred_at="2026-11-01T10:00:00"), 422, "occurred_at"),
    ("unknown field", complaint_body(colour="red"), 422, "colour"),
]


@pytest.mark.parametrize("label,body,status,field", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_input_gets_a_clear_error_and_writes_nothing(
    api: Api, database_url: str, label: str, body: dict, status: int, field: str
) -> None:
    before = _counts(database_url)
    response = api.post("/complaints", "agent1", body)
    assert response.status_code == status, response.json()
    error = response.json()["error"]
    assert error["field"] == field and error["message"]
    assert _counts(database_url) == before


def test_malformed_json_and_huge_bodies(api: Api, database_url: str) -> None:
    before = _counts(database_url)
    malformed = api.client.post(
        "/api/v1/complaints",
        content=b'{"channel": "hotline",',
        headers={**api.as_("agent1"), "content-type": "application/json"},
    )
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "malformed_json"
    huge = api.post("/complaints", "agent1", complaint_body(content="扣费" * 500_000))
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "payload_too_large"
    assert _counts(database_url) == before
