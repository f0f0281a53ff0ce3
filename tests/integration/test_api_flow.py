"""The whole life of an urgent complaint over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from tests.integration.conftest import Api, complaint_body
from tousu.services import sla
from tousu.storage.db import create_db_engine


def test_health_needs_no_login(api: Api) -> None:
    response = api.client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_create_answers_the_contract(api: Api) -> None:
    response = api.post("/complaints", "agent1", complaint_body(content="家里宽带断网两天了，请尽快修复。"))
    assert response.status_code == 201
    body = response.json()
    assert body["reference"].startswith("TS20261123-")
    assert body["status"] == "received"
    assert body["deadlines"]["reply_by"] == "2026-11-25T10:00:00+08:00"  # 48 h on the hotline
    assert body["urgency_types"] == []
    assert body["customer"]["phone"] == "13900001111"


def test_a_complaint_lives_from_intake_to_close(api: Api, clock, database_url: str) -> None:
    created = api.post(
        "/complaints",
        "agent1",
        complaint_body(
            channel="government",
            category="billing",
            demands=["double_refund", "media_threat"],
            customer={"name": "李女士", "phone": "13800002222", "vip_level": "gold"},
        ),
    ).json()
    assert set(created["urgency_types"]) == {"over_level", "important_customer", "major"}
    assert created["priority"] == 1
    assert created["deadlines"]["reply_by"] == "2026-11-24T10:00:00+08:00"  # urgent: 24 h
    cid = created["id"]

    assigned = api.post(f"/complaints/{cid}/assign", "manager1", {"username": "agent2", "version": 1}).json()
    assert assigned["status"] == "in_progress" and assigned["owner_id"] != created["owner_id"]

    # The reply deadline passes: the scheduler climbs the ladder once, and not again on a second run.
    clock.advance(hours=25)
    engine = create_db_engine(database_url)
    with engine.begin() as conn:
        assert sla.sweep(conn, now=clock.now, policy=api.client.app.state.tousu.policy)["escalated"] == 1
    with engine.begin() as conn:
        assert sla.sweep(conn, now=clock.now, policy=api.client.app.state.tousu.policy)["escalated"] == 0
    engine.dispose()
    current = api.get(f"/complaints/{cid}", "agent2").json()
    assert current["escalation_level"] == 1

    # 150 yuan is past an agent's refund limit: it becomes an approval request to the manager.
    proposal = api.post(
        f"/complaints/{cid}/settlements",
        "agent2",
        {
            "version": current["version"],
            "refund": 150,
            "description": "退还重复扣费并补偿",
        },
    )
    assert proposal.status_code == 201
    settlement = proposal.json()
    assert settlement["status"] == "pending_approval" and settlement["approver_role"] == "manager"
    decision = api.post(f"/settlements/{settlement['id']}/decision", "manager1", {"approve": True})
    assert decision.json()["status"] == "approved"

    current = api.get(f"/complaints/{cid}", "agent2").json()
    replied = api.post(
        f"/complaints/{cid}/reply",
        "agent2",
        {
            "version": current["version"],
            "reply": "已退还116元重复扣费，并赠送话费。",
            "settlement_confirmed": True,
        },
    ).json()
    assert replied["status"] == "replied"
    followed = api.post(
        f"/complaints/{cid}/follow-up",
        "agent2",
        {"version": replied["version"], "satisfaction": "satisfied", "comments": "客户满意"},
    ).json()
    closed = api.post(
        f"/complaints/{cid}/close", "agent2", {"version": followed["version"], "root_cause": "计费系统批价重复"}
    )
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "closed"

    kinds = [e["kind"] for e in api.get(f"/complaints/{cid}/events", "agent2").json()["events"]]
    assert kinds == [
        "created",
        "analyzed",  # even when staff chose the labels: their differences teach the analyzer
        "assigned",
        "sla_breached",
        "approval_requested",
        "settlement_approved",
        "reply",
        "follow_up",
        "close",
    ]


def test_a_dissatisfied_customers_complaint_closes_only_with_the_reason_recorded(api: Api) -> None:
    cid = api.post("/complaints", "agent1", complaint_body()).json()["id"]
    version = api.post(f"/complaints/{cid}/reply", "agent1", {"version": 1, "reply": "已核实，按规定退还。"}).json()[
        "version"
    ]
    version = api.post(
        f"/complaints/{cid}/follow-up", "agent1", {"version": version, "satisfaction": "dissatisfied"}
    ).json()["version"]
    bare = api.post(f"/complaints/{cid}/close", "agent1", {"version": version, "root_cause": "计费批价错误"})
    assert bare.status_code == 422
    assert bare.json()["error"]["code"] == "close_reason_required"
    assert bare.json()["error"]["field"] == "close_reason"
    assert api.get(f"/complaints/{cid}", "agent1").json()["status"] == "followed_up"
    reason = "多收费用已全额退还；客户另要的三倍赔偿没有法律依据，已当面说明"
    closed = api.post(
        f"/complaints/{cid}/close",
        "agent1",
        {"version": version, "root_cause": "计费批价错误", "close_reason": reason},
    )
    assert closed.status_code == 200, closed.text
    [event] = [e for e in api.get(f"/complaints/{cid}/events", "agent1").json()["events"] if e["kind"] == "close"]
    assert event["data"]["close_reason"] == reason


def test_the_analyzer_fills_category_demands_and_urgency_unless_a_person_set_them(api: Api) -> None:
    analysed = api.post("/complaints", "agent1", complaint_body()).json()
    assert analysed["category"] == "billing" and analysed["category_source"] == "analyzer"
    assert {"double_refund", "media_threat"} <= set(analysed["demands"])
    assert "major" in analysed["urgency_types"]
    assert analysed["analyzer_version"] and analysed["analysis"]["category"] == "billing"
    kinds = [e["kind"] for e in api.get(f"/complaints/{analysed['id']}/events", "agent1").json()["events"]]
    assert kinds == ["created", "analyzed"]
    manual = api.post("/complaints", "agent1", complaint_body(category="service", demands=["apology"])).json()
    assert manual["category"] == "service" and manual["demands"] == ["apology"]
    assert manual["category_source"] == "person"


def test_a_retry_with_the_same_idempotency_key_creates_nothing_new(api: Api) -> None:
    first = api.post("/complaints", "agent1", complaint_body(), headers={"Idempotency-Key": "k-1"})
    again = api.post("/complaints", "agent1", complaint_body(), headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.get("/complaints", "agent1").json()["total"] == 1


def test_an_idempotency_key_reused_for_another_complaint_is_refused(api: Api) -> None:
    first = api.post("/complaints", "agent1", complaint_body(), headers={"Idempotency-Key": "k-2"})
    other = complaint_body(content="宽带断了整整三天，报修没人来，要求减免这几天的月租。")
    reused = api.post("/complaints", "agent1", other, headers={"Idempotency-Key": "k-2"})
    assert first.status_code == 201
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"
    assert "Key" in reused.json()["error"]["message"]
    assert api.get("/complaints", "agent1").json()["total"] == 1


def test_eleven_customers_on_one_outage_within_the_hour_form_one_batch(api: Api, clock) -> None:
    ids = []
    for n in range(11):
        response = api.post(
            "/complaints",
            "agent1",
            complaint_body(
                category="network",
                demands=["fix"],
                topic="4G信号",
                area="思明区",
                customer={"name": f"客户{n}", "phone": f"1390000{n:04d}"},
                content="小区手机没有信号，打不了电话",
            ),
        )
        ids.append(response.json()["id"])
        clock.advance(minutes=5)
    marked = [api.get(f"/complaints/{i}", "agent1").json() for i in ids]
    assert all("batch" in c["urgency_types"] for c in marked)
    assert len({c["batch_id"] for c in marked}) == 1
    alerts = [
        e
        for i in ids
        for e in api.get(f"/complaints/{i}/events", "agent1").json()["events"]
        if e["kind"] == "batch_alert"
    ]
    assert len(alerts) == 1
    assert len(api.get("/batches", "agent1").json()["batches"]) == 1


def test_ten_customers_are_no_batch(api: Api, clock) -> None:
    for n in range(10):
        body = api.post(
            "/complaints",
            "agent1",
            complaint_body(category="network", topic="宽带", customer={"name": "客户", "phone": f"1390000{n:04d}"}),
        ).json()
        clock.advance(minutes=5)
    assert "batch" not in body["urgency_types"]


def test_a_second_complaint_after_a_reply_is_a_repeat(api: Api, clock) -> None:
    first = api.post("/complaints", "agent1", complaint_body(category="billing")).json()
    api.post(f"/complaints/{first['id']}/reply", "agent1", {"version": 1, "reply": "已核实并退费"})
    clock.advance(days=30)
    second = api.post("/complaints", "agent1", complaint_body(category="billing")).json()
    assert "repeat" in second["urgency_types"]


def test_search_finds_chinese_keywords_and_masks_phones(api: Api) -> None:
    api.post("/complaints", "agent1", complaint_body(content="宽带断网三天了，报修没人来"))
    api.post("/complaints", "agent1", complaint_body(content="彩铃业务不是我订的"))
    found = api.get("/complaints", "agent1", params={"q": "断网"}).json()
    assert found["total"] == 1
    assert found["items"][0]["customer"]["phone"] == "139****1111"
    assert api.get("/complaints", "agent1", params={"q": "宽带 报修"}).json()["total"] == 0  # phrase, not words
    assert api.get("/complaints", "agent1", params={"q": "彩"}).json()["total"] == 1


def test_merging_keeps_the_record_and_points_to_the_survivor(api: Api) -> None:
    first = api.post("/complaints", "agent1", complaint_body()).json()
    second = api.post("/complaints", "agent1", complaint_body(channel="web")).json()
    merged = api.post(
        f"/complaints/{second['id']}/links", "manager1", {"other_id": first["id"], "merge": True, "version": 1}
    ).json()
    assert merged["status"] == "merged" and merged["merged_into_id"] == first["id"]
    survivor_events = api.get(f"/complaints/{first['id']}/events", "agent1").json()["events"]
    assert survivor_events[-1]["kind"] == "merged_in"


def test_waiting_on_the_customer_pauses_the_clock(api: Api, clock) -> None:
    created = api.post("/complaints", "agent1", complaint_body(content="话费账单看不懂，请解释一下。")).json()
    paused = api.post(
        f"/complaints/{created['id']}/wait-customer", "agent1", {"version": 1, "waiting_for": "请客户提供扣费短信截图"}
    ).json()
    clock.advance(hours=10)
    resumed = api.post(f"/complaints/{created['id']}/resume", "agent1", {"version": paused["version"]}).json()
    assert resumed["deadlines"]["reply_by"] == "2026-11-25T20:00:00+08:00"


def test_every_change_is_in_the_database_timeline(api: Api, database_url: str) -> None:
    created = api.post("/complaints", "agent1", complaint_body()).json()
    api.post(f"/complaints/{created['id']}/start", "agent1", {"version": 1})
    engine = create_db_engine(database_url)
    with engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version FROM complaints")).scalar_one()
        events = conn.execute(sa.text("SELECT count(*) FROM events")).scalar_one()
    engine.dispose()
    timeline = api.get(f"/complaints/{created['id']}/events", "agent1").json()["events"]
    assert versions == 2 and events == len(timeline) and timeline[-1]["kind"] == "start"
    assert timeline[-1]["data"] == {"before": {"status": "received"}, "after": {"status": "in_progress"}}


def test_two_sweepers_at_once_escalate_a_breach_once(api: Api, clock, database_url: str) -> None:
    import threading

    for n in range(5):
        api.post(
            "/complaints",
            "agent1",
            complaint_body(content=f"宽带断网第{n}天", customer={"name": "客户", "phone": f"1390000{n:04d}"}),
        )
    clock.advance(hours=49)
    policy = api.client.app.state.tousu.policy
    engine = create_db_engine(database_url)
    results: list[dict[str, int]] = []

    def run() -> None:
        with engine.begin() as conn:
            results.append(sla.sweep(conn, now=clock.now, policy=policy))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        breaches = conn.execute(sa.text("SELECT count(*) FROM events WHERE kind = 'sla_breached'")).scalar_one()
    engine.dispose()
    assert breaches == 5 and sum(r["escalated"] for r in results) == 5
