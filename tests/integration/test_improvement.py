"""The improvement loop (整改) through the API: the Pareto of root-cause kinds, a measure's
lifecycle, its effect, who sees what, and the refusals."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

import pytest

from tests.conftest import Clock
from tests.integration.conftest import Api, complaint_body
from tousu.domain.deadlines import LOCAL

AGENT_OF_HALL = {"思明营业厅": "agent1", "湖里营业厅": "agent_b"}
_PHONES = count(13800000000)


def closed(api: Api, hall: str, kind: str | None, *, received_at: datetime | None = None) -> dict[str, Any]:
    """A complaint of `hall` taken through reply and follow-up and closed with `kind` (None: none)."""
    who = AGENT_OF_HALL[hall]
    body = complaint_body(customer={"name": "陈女士", "phone": str(next(_PHONES))}, category="billing")
    if received_at is not None:
        body["received_at"] = received_at.isoformat()
    created = api.post("/complaints", who, body)
    assert created.status_code == 201, created.text
    c = created.json()
    c = api.post(f"/complaints/{c['id']}/reply", who, {"version": c["version"], "reply": "已核实并退还。"}).json()
    c = api.post(f"/complaints/{c['id']}/follow-up", who, {"version": c["version"], "satisfaction": "satisfied"}).json()
    close = {"version": c["version"], "root_cause": "核实后的原因说明"}
    if kind is not None:
        close["root_cause_kind"] = kind
    done = api.post(f"/complaints/{c['id']}/close", who, close)
    assert done.status_code == 200, done.text
    assert done.json()["root_cause_kind"] == kind
    return dict(done.json())


def local_day(clock: Clock, days: float = 0) -> str:
    return (clock.now + timedelta(days=days)).astimezone(LOCAL).date().isoformat()


def event_kinds(api: Api, complaint_id: int, who: str = "manager1") -> list[str]:
    return [e["kind"] for e in api.get(f"/complaints/{complaint_id}/events", who).json()["events"]]


def new_measure(api: Api, clock: Clock, ids: list[int], **overrides: Any) -> Any:
    body = {
        "title": "计费规则上线前双人复核",
        "root_cause_kind": "billing_error",
        "owner": "agent1",
        "due_on": local_day(clock, 14),
        "complaint_ids": ids,
        **overrides,
    }
    return api.post("/improvement/measures", "manager1", body)


def test_pareto_counts_kinds_of_closed_complaints_in_the_period_and_the_hall(api: Api, clock: Clock) -> None:
    # Closed before the period: one 思明 billing_error (not counted).
    closed(api, "思明营业厅", "billing_error")
    clock.advance(days=30)
    # In the period, 思明营业厅: billing_error 3, network_fault 2, service_attitude 1, no kind 1.
    # 湖里营业厅: billing_error 2, system_fault 1.
    for kind in ("network_fault", "billing_error", "service_attitude", "billing_error", None, "network_fault"):
        closed(api, "思明营业厅", kind)
    closed(api, "思明营业厅", "billing_error")
    for kind in ("billing_error", "system_fault", "billing_error"):
        closed(api, "湖里营业厅", kind)
    # A complaint still open with nothing chosen is not counted anywhere.
    assert api.post("/complaints", "agent1", complaint_body()).status_code == 201
    period = {"closed_from": local_day(clock), "closed_to": local_day(clock)}

    hall = api.get("/improvement/pareto", "manager1", params=period).json()
    # 思明营业厅: 3 of 6 (50%, cumulative 50%), 2 (33.3%, 83.3%), 1 (16.7%, 100%); 1 unclassified.
    assert [(b["kind"], b["count"]) for b in hall["bars"]] == [
        ("billing_error", 3),
        ("network_fault", 2),
        ("service_attitude", 1),
    ]
    assert [b["cumulative"] for b in hall["bars"]] == [0.5, 0.8333, 1.0]
    assert (hall["classified"], hall["unclassified"], hall["team"]) == (6, 1, "思明营业厅")
    assert hall["bars"][0]["name"].startswith("计费差错")

    everywhere = api.get("/improvement/pareto", "director1", params=period).json()
    # Every hall: billing_error 5, network_fault 2, then the tie of 1s in the list's order.
    assert [(b["kind"], b["count"]) for b in everywhere["bars"]] == [
        ("billing_error", 5),
        ("network_fault", 2),
        ("service_attitude", 1),
        ("system_fault", 1),
    ]
    assert [b["cumulative"] for b in everywhere["bars"]] == [0.5556, 0.7778, 0.8889, 1.0]

    huli = api.get("/improvement/pareto", "director1", params={**period, "team": "湖里营业厅"}).json()
    assert [(b["kind"], b["count"]) for b in huli["bars"]] == [("billing_error", 2), ("system_fault", 1)]
    # A manager cannot look into another hall by naming it.
    assert api.get("/improvement/pareto", "manager1", params={**period, "team": "湖里营业厅"}).json()["bars"] == []

    wider = api.get("/improvement/pareto", "manager1", params={**period, "closed_from": local_day(clock, -31)})
    top = wider.json()["bars"][0]
    assert (top["kind"], top["count"]) == ("billing_error", 4)


def test_a_measure_from_creation_to_verification(api: Api, clock: Clock) -> None:
    causes = [closed(api, "思明营业厅", "billing_error") for _ in range(3)]
    ids = [c["id"] for c in causes]
    created = new_measure(api, clock, ids)
    assert created.status_code == 201, created.text
    m = created.json()
    assert (m["status"], m["status_name"], m["owner"]["username"], m["team"]) == (
        "open",
        "待办",
        "agent1",
        "思明营业厅",
    )
    assert m["complaint_count"] == 3 and sorted(c["id"] for c in m["complaints"]) == sorted(ids)
    for cid in ids:
        assert event_kinds(api, cid)[-1] == "measure_created"

    # Its owner (an agent) sees it; another agent of the hall and the other hall do not.
    assert api.get(f"/improvement/measures/{m['id']}", "agent1").status_code == 200
    assert [x["id"] for x in api.get("/improvement/measures", "agent1").json()["items"]] == [m["id"]]
    assert api.get(f"/improvement/measures/{m['id']}", "agent2").status_code == 404
    assert api.get("/improvement/measures", "agent2").json()["items"] == []
    assert api.get(f"/improvement/measures/{m['id']}", "agent_b").status_code == 404

    path = f"/improvement/measures/{m['id']}"
    no_evidence = api.patch(path, "agent1", {"version": m["version"], "status": "done"})
    assert no_evidence.status_code == 422 and no_evidence.json()["error"]["field"] == "evidence"
    started = api.patch(path, "agent1", {"version": m["version"], "status": "in_progress"})
    assert started.status_code == 200 and started.json()["status_name"] == "进行中"
    stale = api.patch(path, "agent1", {"version": m["version"], "status": "done", "evidence": "x"})
    assert stale.status_code == 409

    clock.advance(days=3)
    evidence = "新增计费规则上线双人复核，已培训6人，复核记录见共享盘"
    done = api.patch(path, "agent1", {"version": started.json()["version"], "status": "done", "evidence": evidence})
    assert done.status_code == 200, done.text
    m = done.json()
    assert m["status"] == "done" and m["evidence"] == evidence
    assert datetime.fromisoformat(m["completed_at"]) == clock.now
    for cid in ids:
        events = api.get(f"/complaints/{cid}/events", "manager1").json()["events"]
        assert events[-1]["kind"] == "measure_completed"
        assert events[-1]["data"]["evidence"] == evidence

    own_check = api.patch(path, "agent1", {"version": m["version"], "status": "verified"})
    assert own_check.status_code == 422 and own_check.json()["error"]["code"] == "verifier_not_allowed"
    verified = api.patch(path, "manager1", {"version": m["version"], "status": "verified"})
    assert verified.status_code == 200
    assert (verified.json()["status_name"], verified.json()["verified_by"]["username"]) == ("已核实", "manager1")
    final = api.patch(path, "manager1", {"version": verified.json()["version"], "status": "in_progress"})
    assert final.status_code == 422 and final.json()["error"]["code"] == "invalid_measure_transition"

    history = [(h["kind"], h["data"].get("to")) for h in verified.json()["history"]]
    assert history == [
        ("created", None),
        ("status", "in_progress"),
        ("evidence", None),
        ("status", "done"),
        ("status", "verified"),
    ]


def test_linking_every_complaint_of_the_kind_in_the_period(api: Api, clock: Clock) -> None:
    mine = [closed(api, "思明营业厅", "network_fault")["id"] for _ in range(2)]
    closed(api, "思明营业厅", "billing_error")
    closed(api, "湖里营业厅", "network_fault")
    body = {"root_cause_kind": "network_fault", "complaint_ids": [], "title": "基站巡检加密"}
    period = {"closed_from": local_day(clock), "closed_to": local_day(clock)}
    created = new_measure(api, clock, [], **body, **period)
    assert created.status_code == 201, created.text
    assert sorted(c["id"] for c in created.json()["complaints"]) == mine
    assert created.json()["complaints_elsewhere"] == 0


def test_effect_counts_the_kind_per_week_before_and_after_completion(api: Api, clock: Clock) -> None:
    start = clock.now
    clock.advance(days=30)
    done_at = clock.now
    # Received before the completion (weeks counted back from it): week -1: 3, week -2: 2,
    # week -3: 0, week -4: 1; and at -29 days one outside the four weeks.
    for days in (0.5, 3, 6.9, 8, 13, 22, 29):
        closed(api, "思明营业厅", "billing_error", received_at=done_at - timedelta(days=days))
    # Not counted: another kind, and the same kind in another hall.
    closed(api, "思明营业厅", "network_fault", received_at=done_at - timedelta(days=1))
    closed(api, "湖里营业厅", "billing_error", received_at=done_at - timedelta(days=1))
    seed = closed(api, "思明营业厅", "billing_error", received_at=start)
    m = new_measure(api, clock, [seed["id"]]).json()
    evidence = {"status": "done", "evidence": "规则复核已上线"}
    m = api.patch(f"/improvement/measures/{m['id']}", "manager1", {"version": m["version"], **evidence}).json()
    assert datetime.fromisoformat(m["completed_at"]) == done_at

    clock.advance(days=15)  # after: week +1 and +2 have passed, +3 has begun
    closed(api, "思明营业厅", "billing_error", received_at=done_at + timedelta(days=2))
    effect = api.get(f"/improvement/measures/{m['id']}", "manager1", params={"weeks": 4}).json()["effect"]
    weeks = effect["weeks"]
    assert [w["count"] for w in weeks if not w["after"]] == [1, 0, 2, 3]
    assert [w["count"] for w in weeks if w["after"]] == [1, 0, 0, 0]
    assert [w["elapsed"] for w in weeks if w["after"]] == [True, True, False, False]
    assert [w["started"] for w in weeks if w["after"]] == [True, True, True, False]
    # Before: 6 in 4 weeks; after: 1 in the 2 weeks that have passed.
    assert (effect["before_per_week"], effect["after_per_week"], effect["after_weeks_elapsed"]) == (1.5, 0.5, 2)


def test_due_and_overdue_measures_for_the_owner(api: Api, clock: Clock) -> None:
    from tousu.services import improvement, users

    cid = closed(api, "思明营业厅", "billing_error")["id"]
    soon = new_measure(api, clock, [cid], title="本周内完成", due_on=local_day(clock, 2)).json()
    later = new_measure(api, clock, [cid], title="一月后完成", due_on=local_day(clock, 30)).json()
    state = api.client.app.state.tousu
    with state.read() as conn:
        agent = users.get_by_username(conn, "agent1")
        assert agent is not None
        due_now = improvement.due_measures(conn, agent["id"], clock.now)
        assert [(d["id"], d["overdue"]) for d in due_now] == [(soon["id"], False)]
        late = improvement.due_measures(conn, agent["id"], clock.now + timedelta(days=5))
        assert [(d["id"], d["overdue"]) for d in late] == [(soon["id"], True)]
        assert late[0]["link"] == f"/improvement/measures/{soon['id']}"
        # Overdue from the end of the due day, Beijing time.
        end_of_due_day = late[0]["due"]
        assert end_of_due_day.astimezone(LOCAL).isoformat() == f"{local_day(clock, 3)}T00:00:00+08:00"
        assert improvement.due_measures(conn, agent["id"], end_of_due_day - timedelta(seconds=1))[0]["overdue"] is False
        assert improvement.due_measures(conn, agent["id"], end_of_due_day)[0]["overdue"] is True
        manager = users.get_by_username(conn, "manager1")
        assert manager is not None and improvement.due_measures(conn, manager["id"], clock.now) == []
    listed = api.get("/improvement/measures", "manager1").json()["items"]
    assert [x["id"] for x in listed] == [soon["id"], later["id"]]
    clock.advance(days=5)
    overdue = {x["id"]: x["due_state"] for x in api.get("/improvement/measures", "manager1").json()["items"]}
    assert overdue == {soon["id"]: "overdue", later["id"]: None}


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"root_cause_kind": "weather"}, "unknown_root_cause_kind", "root_cause_kind"),
        ({"owner": "agent_b"}, "owner_other_hall", "owner"),
        ({"owner": "nobody"}, "owner_not_found", "owner"),
        ({"root_cause_kind": "network_fault"}, "complaint_kind_mismatch", "complaint_ids"),
        ({"due_on": "2020-01-01"}, "due_in_past", "due_on"),
        ({"due_on": "2026-13-01"}, "validation_failed", "due_on"),
        ({"complaint_ids": []}, "complaints_required", "complaint_ids"),
    ],
)
def test_a_measure_the_rules_refuse(api: Api, clock: Clock, overrides: dict[str, Any], code: str, field: str) -> None:
    cid = closed(api, "思明营业厅", "billing_error")["id"]
    refused = new_measure(api, clock, [cid], **overrides)
    assert refused.status_code == 422, refused.text
    assert (refused.json()["error"]["code"], refused.json()["error"]["field"]) == (code, field)
    assert api.get("/improvement/measures", "manager1").json()["items"] == []


def test_refusals_of_kinds_roles_and_halls(api: Api, clock: Clock) -> None:
    other_hall = closed(api, "湖里营业厅", "billing_error")
    refused = new_measure(api, clock, [other_hall["id"]])
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "complaint_not_found"
    assert event_kinds(api, other_hall["id"], "director1")[-1] == "close"  # nothing written to it

    c = api.post("/complaints", "agent1", complaint_body()).json()
    c = api.post(f"/complaints/{c['id']}/reply", "agent1", {"version": c["version"], "reply": "已处理。"}).json()
    c = api.post(f"/complaints/{c['id']}/follow-up", "agent1", {"version": c["version"], "satisfaction": "neutral"})
    version = c.json()["version"]
    bad = api.post(
        f"/complaints/{c.json()['id']}/close",
        "agent1",
        {"version": version, "root_cause": "原因", "root_cause_kind": "bad-luck"},
    )
    assert bad.status_code == 422
    assert (bad.json()["error"]["code"], bad.json()["error"]["field"]) == ("unknown_root_cause_kind", "root_cause_kind")
    assert "网络故障" in bad.json()["error"]["message"]
    assert api.get(f"/complaints/{c.json()['id']}", "agent1").json()["status"] == "followed_up"

    # Classifying a complaint closed without a kind, afterwards.
    old = closed(api, "思明营业厅", None)
    fixed = api.patch(f"/complaints/{old['id']}", "manager1", {"version": old["version"], "root_cause_kind": "other"})
    assert fixed.status_code == 200 and fixed.json()["root_cause_kind_name"] == "其他"

    assert api.get("/improvement/pareto", "agent1").status_code == 403
    assert new_measure_as(api, "agent1", clock).status_code == 403
    reversed_period = {"closed_from": local_day(clock, 1), "closed_to": local_day(clock)}
    assert api.get("/improvement/pareto", "manager1", params=reversed_period).status_code == 422


def new_measure_as(api: Api, who: str, clock: Clock) -> Any:
    body = {"title": "t", "root_cause_kind": "other", "owner": who, "due_on": local_day(clock, 3), "complaint_ids": [1]}
    return api.post("/improvement/measures", who, body)


def test_a_measure_falling_due_is_in_its_owners_to_do_until_done(api: Api, clock: Clock) -> None:
    cid = closed(api, "思明营业厅", "billing_error")["id"]
    m = new_measure(api, clock, [cid], title="计费规则双人复核", due_on=local_day(clock, 1)).json()
    far = new_measure(api, clock, [cid], title="一月后完成", due_on=local_day(clock, 30)).json()

    def measures(who: str) -> list[dict[str, Any]]:
        return [i for i in api.get("/todo", who).json()["items"] if i["kind"] == "measure"]

    (item,) = measures("agent1")
    assert item["url"] == f"/improvement/measures/{m['id']}" and "计费规则双人复核" in item["title"]
    assert all(measures(who) == [] for who in ("agent2", "manager1", "director1"))
    assert far["id"] not in {int(i["url"].rsplit("/", 1)[1]) for i in measures("agent1")}

    clock.advance(days=3)
    (late,) = measures("agent1")
    assert "已逾期" in late["title"]
    done = api.patch(
        f"/improvement/measures/{m['id']}", "agent1", {"version": m["version"], "status": "done", "evidence": "已上线"}
    )
    assert done.status_code == 200, done.text
    assert measures("agent1") == []
