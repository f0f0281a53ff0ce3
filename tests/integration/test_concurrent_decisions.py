"""Decisions made at the same moment by two people: exactly one wins, the other is told why (409).

On PostgreSQL the race is provoked for real: the test holds the complaint's row lock while both
requests are sent, waits until both are queued behind it, then lets them go together. On
SQLite writers take turns, so the same requests check the loser's answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from tests.integration.conftest import Api, complaint_body
from tousu.domain.codes import Role
from tousu.domain.policy import AuthorityPolicy, Policy, RoleAuthority
from tousu.storage.db import create_db_engine
from tousu.storage.tables import complaints, users


def race(database_url: str, complaint_ids: list[int], calls: list[Callable[[], Any]], *, rows: Any = None) -> list[Any]:
    """Send the requests at once; on PostgreSQL, each queued behind the held row locks in turn, then released.

    The complaints' rows are held, or `rows` (a SELECT) when given.
    """
    engine = create_db_engine(database_url)
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                held = (
                    rows if rows is not None else sa.select(complaints.c.id).where(complaints.c.id.in_(complaint_ids))
                )
                conn.execute(held.with_for_update())
            for queued, thread in enumerate(threads, start=1):
                thread.start()
                _wait_for_waiters(conn, queued)
            conn.rollback()  # releases the locks: the queued requests go at once
        for thread in threads:
            thread.join(timeout=60)
    finally:
        engine.dispose()
    return results


def _wait_for_waiters(holder: sa.Connection, count: int) -> None:
    """Until `count` other sessions wait on a lock (PostgreSQL); SQLite writers simply take turns."""
    if holder.dialect.name != "postgresql":
        return
    me = holder.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    probe = sa.text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> :me"
    )
    for _ in range(2000):
        with holder.engine.connect() as conn:
            if conn.execute(probe, {"me": me}).scalar_one() >= count:
                return
        threading.Event().wait(0.005)
    raise AssertionError("the requests never queued behind the held lock")


def test_approve_and_deny_at_once_one_wins_the_other_gets_409(api: Api, database_url: str) -> None:
    for trial in range(3):
        created = api.post("/complaints", "agent1", complaint_body(category="billing", demands=["refund"])).json()
        cid = created["id"]
        proposal = api.post(
            f"/complaints/{cid}/settlements", "agent1", {"version": 1, "refund": 150, "description": f"退费 {trial}"}
        ).json()
        assert proposal["status"] == "pending_approval"
        decision = f"/settlements/{proposal['id']}/decision"
        deciders = [("manager1", True), ("director1", False)]
        if trial % 2:
            deciders.reverse()
        answers = race(
            database_url,
            [cid],
            [lambda d=decision, who=who, ok=ok: api.post(d, who, {"approve": ok}) for who, ok in deciders],
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 409], [a.json() for a in answers]
        winner = next(a.json() for a in answers if a.status_code == 200)
        loser = next(a.json() for a in answers if a.status_code == 409)
        outcome = "已批准" if winner["status"] == "approved" else "已驳回"
        assert loser["error"]["code"] == "already_decided" and outcome in loser["error"]["message"]
        events = api.get(f"/complaints/{cid}/events", "director1").json()
        kinds = [e["kind"] for e in events["events"]]
        assert kinds.count("settlement_approved") + kinds.count("settlement_denied") == 1
        assert [s["status"] for s in events["settlements"]] == [winner["status"]]


def test_a_decided_settlement_cannot_be_decided_again(api: Api) -> None:
    cid = api.post("/complaints", "agent1", complaint_body()).json()["id"]
    proposal = api.post(
        f"/complaints/{cid}/settlements", "agent1", {"version": 1, "refund": 150, "description": "退费"}
    )
    decision = f"/settlements/{proposal.json()['id']}/decision"
    assert api.post(decision, "manager1", {"approve": False}).status_code == 200
    again = api.post(decision, "director1", {"approve": True})
    assert again.status_code == 409 and "已驳回" in again.json()["error"]["message"]


def test_two_complaints_merged_into_each_other_at_once_one_merge_wins(api: Api, database_url: str) -> None:
    for trial in range(3):
        first = api.post("/complaints", "agent1", complaint_body(content=f"宽带断网 {trial} 甲")).json()
        second = api.post("/complaints", "agent1", complaint_body(content=f"宽带断网 {trial} 乙")).json()
        pairs = [(first, second), (second, first)]
        answers = race(
            database_url,
            [first["id"], second["id"]],
            [
                lambda a=a, b=b: api.post(
                    f"/complaints/{a['id']}/links", "manager1", {"other_id": b["id"], "merge": True, "version": 1}
                )
                for a, b in pairs
            ],
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 422], [a.json() for a in answers]
        refused = next(a.json() for a in answers if a.status_code == 422)
        assert refused["error"]["code"] == "survivor_not_active"
        statuses = [api.get(f"/complaints/{c['id']}", "manager1").json()["status"] for c in (first, second)]
        assert sorted(statuses) != ["merged", "merged"] and "merged" in statuses


def _outage(phone: str) -> dict[str, Any]:
    return complaint_body(
        category="network",
        demands=["fix"],
        topic="4G信号",
        area="思明区",
        customer={"name": "客户", "phone": phone},
        content="小区手机没有信号，打不了电话",
    )


def test_a_batch_does_not_overwrite_an_action_committed_meanwhile(api: Api, database_url: str) -> None:
    """Marking the earlier members of a new batch locks them: a start committed meanwhile is kept."""
    members = [api.post("/complaints", "agent1", _outage(f"1390000{n:04d}")).json() for n in range(10)]
    target = members[0]
    started, eleventh = race(
        database_url,
        [target["id"]],
        [
            lambda: api.post(f"/complaints/{target['id']}/start", "agent1", {"version": 1}),
            lambda: api.post("/complaints", "agent1", _outage("13900009999")),
        ],
    )
    assert eleventh.status_code == 201 and "batch" in eleventh.json()["urgency_types"]
    if database_url.startswith("postgresql"):
        assert started.status_code == 200  # it queued first
    final = api.get(f"/complaints/{target['id']}", "agent1").json()
    events = api.get(f"/complaints/{target['id']}/events", "agent1").json()["events"]
    assert "batch" in final["urgency_types"]
    assert final["status"] == ("in_progress" if started.status_code == 200 else "received")
    # One version per recorded change; the analysis is recorded with the creation, at its version.
    changes = [e for e in events if e["kind"] != "analyzed"]
    assert final["version"] == len(changes), [e["kind"] for e in events]


def test_two_gifts_at_once_cannot_both_fit_the_last_of_the_monthly_quota(api: Api, database_url: str) -> None:
    """Each gift alone fits the hall's remaining quota, both together do not: one needs approval."""
    state = api.client.app.state.tousu
    limits = dict(AuthorityPolicy().by_role)
    limits[Role.MANAGER] = RoleAuthority(max_refund=300, max_compensation=100, max_gift=100, monthly_gift_quota=100)
    state.policy = Policy(authority=AuthorityPolicy(by_role=limits))
    ids = [api.post("/complaints", "agent1", complaint_body(content=f"网络故障第{n}次")).json()["id"] for n in (1, 2)]
    # Both proposals read the month's total, then queue on the proposer's row (the settlement's
    # reference to it) until released together.
    answers = race(
        database_url,
        [],
        [
            lambda cid=cid: api.post(
                f"/complaints/{cid}/settlements", "manager1", {"version": 1, "gift": 60, "description": "赠送流量"}
            )
            for cid in ids
        ],
        rows=sa.select(users.c.id).where(users.c.username == "manager1"),
    )
    assert [a.status_code for a in answers] == [201, 201]
    assert sorted(a.json()["status"] for a in answers) == ["granted", "pending_approval"]
