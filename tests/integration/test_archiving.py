"""Archiving: finished complaints past the policy's age leave the working set, a chunk per pass,
each with its 归档 event; they stay findable, openable, exportable and counted in the reports of
their period, and reopening one brings it back."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.integration.conftest import Api, complaint_body
from tousu.cli import app as cli
from tousu.domain.deadlines import LOCAL
from tousu.domain.policy import Policy, RetentionPolicy
from tousu.services import archive, queries, users
from tousu.storage.db import create_db_engine
from tousu.storage.tables import complaints, events

AGE = Policy().retention.archive_after_days or 0  # the default age: a year


def _file(api: Api, n: int, who: str = "agent1", content: str | None = None) -> dict[str, Any]:
    body = complaint_body(
        content=content or f"宽带第{n}次断网，要求减免月租",
        customer={"name": "客户", "phone": f"1360000{n:04d}"},
    )
    response = api.post("/complaints", who, body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _act(api: Api, complaint: dict[str, Any], action: str, who: str = "agent1", **fields: Any) -> dict[str, Any]:
    response = api.post(f"/complaints/{complaint['id']}/{action}", who, {"version": complaint["version"], **fields})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _closed(api: Api, n: int, who: str = "agent1", content: str | None = None) -> dict[str, Any]:
    complaint = _file(api, n, who, content)
    complaint = _act(api, complaint, "reply", who, reply="已为您减免当月月租。")
    complaint = _act(api, complaint, "follow-up", who, satisfaction="satisfied")
    return _act(api, complaint, "close", who, root_cause="光缆被施工挖断")


def _later(api: Api, clock: Any, **delta: float) -> None:
    """Move the clock on, with fresh API tokens (they expire against the same clock)."""
    clock.advance(**delta)
    state = api.client.app.state.tousu
    with state.write() as conn:
        for name in api.tokens:
            user_id = users.require_user(conn, name)["id"]
            api.tokens[name] = users.issue_token(conn, user_id=user_id, kind="api", now=clock.now)


def _pass(api: Api, clock: Any, chunk: int = archive.CHUNK) -> archive.Pass:
    state = api.client.app.state.tousu
    with state.write() as conn:
        return archive.run_pass(conn, now=clock.now, policy=state.policy, chunk=chunk)


def _ids(api: Api, who: str, **params: Any) -> list[int]:
    response = api.get("/complaints", who, params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _kinds(api: Api, complaint_id: int, who: str = "agent1") -> list[str]:
    return [e["kind"] for e in api.get(f"/complaints/{complaint_id}/events", who).json()["events"]]


def test_a_pass_archives_finished_complaints_past_the_age_oldest_first_a_chunk_at_a_time(api: Api, clock: Any) -> None:
    closed = _closed(api, 1)
    clock.advance(minutes=5)
    rejected = _act(
        api,
        _file(api, 2),
        "reject",
        "manager1",
        legal_basis="电信用户申诉处理办法第十一条",
        reasons="法院已受理同一争议",
    )
    clock.advance(minutes=5)
    survivor = _file(api, 3)
    merged = _act(api, _file(api, 4), "links", "manager1", other_id=survivor["id"], merge=True)
    waiting = _file(api, 5)  # nobody finished these: never archived, however old
    replied = _act(api, _file(api, 6), "reply", reply="已核实，正在处理。")
    _later(api, clock, days=AGE - 30)
    recent = _closed(api, 7)  # finished a month before the others' year is up
    _later(api, clock, days=30, minutes=1)

    state = api.client.app.state.tousu
    with state.read() as conn:
        assert archive.count_due(conn, now=clock.now, policy=state.policy) == 3
    first = _pass(api, clock, chunk=2)
    assert first == archive.Pass(archived=2, more=True)
    assert set(_ids(api, "director1", archived="only")) == {closed["id"], rejected["id"]}  # the oldest changes
    assert _pass(api, clock, chunk=2) == archive.Pass(archived=1, more=False)
    assert _pass(api, clock) == archive.Pass(archived=0, more=False)  # nothing twice

    archived = {closed["id"], rejected["id"], merged["id"]}
    assert set(_ids(api, "director1", archived="only")) == archived
    for complaint in (closed, rejected, merged):
        now = api.get(f"/complaints/{complaint['id']}", "director1").json()
        assert datetime.fromisoformat(now["archived_at"]) == clock.now
        assert now["status"] == complaint["status"] and now["version"] == complaint["version"] + 1
        assert _kinds(api, complaint["id"], "director1").count("archived") == 1
    for complaint in (survivor, waiting, replied, recent):
        assert api.get(f"/complaints/{complaint['id']}", "director1").json()["archived_at"] is None
        assert "archived" not in _kinds(api, complaint["id"], "director1")


def test_archiving_is_off_at_age_zero_or_none_and_a_negative_age_is_refused(api: Api, clock: Any) -> None:
    _closed(api, 1)
    _later(api, clock, days=AGE * 3)
    with api.client.app.state.tousu.write() as conn:
        for off in (0, None):
            policy = Policy(retention=RetentionPolicy(archive_after_days=off))
            assert archive.run_pass(conn, now=clock.now, policy=policy) == archive.Pass(0, False)
            assert archive.count_due(conn, now=clock.now, policy=policy) == 0
    with pytest.raises(ValueError, match="archive_after_days"):
        Policy.model_validate({"retention": {"archive_after_days": -1}})


def test_lists_and_search_leave_the_archive_out_unless_asked(
    api: Api, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    received = clock.now
    old = _closed(api, 1, content="办了冰激凌套餐以后每月多扣20元")
    _later(api, clock, days=AGE + 1)
    live = _closed(api, 2, content="冰激凌套餐的流量不够用，多扣了钱")
    working = _file(api, 3)
    assert _pass(api, clock).archived == 1

    assert set(_ids(api, "director1")) == {working["id"], live["id"]}
    assert set(_ids(api, "director1", archived="include")) == {old["id"], live["id"], working["id"]}
    assert _ids(api, "director1", archived="only") == [old["id"]]
    assert _ids(api, "director1", status="closed") == [live["id"]]
    assert _ids(api, "director1", status="received", archived="only") == []
    # A keyword, looked up in the search index, then row by row as a common keyword is.
    for candidates in (queries.SEARCH_CANDIDATES, 0):
        monkeypatch.setattr(queries, "SEARCH_CANDIDATES", candidates)
        assert _ids(api, "director1", q="冰激凌套餐") == [live["id"]]
        assert set(_ids(api, "director1", q="冰激凌套餐", archived="include")) == {old["id"], live["id"]}
        assert _ids(api, "director1", q="冰激凌套餐", archived="only") == [old["id"]]
    # A list bounded by a receive period covers the period, archive included, unless told otherwise.
    period = {"received_from": received.isoformat(), "received_to": (received + timedelta(days=1)).isoformat()}
    assert _ids(api, "director1", **period) == [old["id"]]
    assert _ids(api, "director1", **period, archived="exclude") == []

    body = api.get("/complaints", "director1", params={"archived": "include", "limit": 1}).json()
    assert body["total"] == 3 and not body["total_capped"]
    seen, cursor = [], body["next_cursor"]
    seen += [i["id"] for i in body["items"]]
    while cursor:
        page = api.get("/complaints", "director1", params={"archived": "include", "limit": 1, "cursor": cursor})
        seen += [i["id"] for i in page.json()["items"]]
        cursor = page.json()["next_cursor"]
    assert sorted(seen) == sorted({old["id"], live["id"], working["id"]})
    shown = {
        i["id"]: i["archived_at"]
        for i in api.get("/complaints", "agent1", params={"archived": "include"}).json()["items"]
    }
    assert shown[old["id"]] is not None and shown[live["id"]] is None

    # Still openable with its timeline, by those who may see it.
    opened = api.get(f"/complaints/{old['id']}", "agent1")
    assert opened.status_code == 200 and opened.json()["archived_at"] is not None
    assert _kinds(api, old["id"])[-1] == "archived"
    refused = api.get("/complaints", "director1", params={"archived": "all"})
    assert refused.status_code == 422


def _exported(api: Api, who: str, **params: Any) -> dict[str, dict[str, str]]:
    response = api.get("/exports/complaints", who, params={"format": "csv", **params})
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {row["投诉编号"]: row for row in rows}


def test_exports_take_the_list_filters_and_show_when_a_complaint_was_archived(api: Api, clock: Any) -> None:
    received = clock.now
    old = _closed(api, 1)
    _later(api, clock, days=AGE + 1)
    live = _closed(api, 2)
    assert _pass(api, clock).archived == 1

    assert set(_exported(api, "manager1")) == {live["reference"]}
    both = _exported(api, "manager1", archived="include")
    assert set(both) == {old["reference"], live["reference"]}
    assert both[old["reference"]]["归档时间"] == clock.now.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    assert both[live["reference"]]["归档时间"] == ""
    period = {"received_from": received.isoformat(), "received_to": (received + timedelta(days=1)).isoformat()}
    assert set(_exported(api, "manager1", **period)) == {old["reference"]}


def test_reopening_brings_an_archived_complaint_back_to_work(api: Api, clock: Any) -> None:
    closed = _closed(api, 1)
    _later(api, clock, days=AGE + 1)
    assert _pass(api, clock).archived == 1

    stale = api.post(f"/complaints/{closed['id']}/reopen", "agent1", {"version": closed["version"], "reason": "新证据"})
    assert stale.status_code == 409  # archiving is a change: the page read before it is out of date
    current = api.get(f"/complaints/{closed['id']}", "agent1").json()
    reopened = _act(api, current, "reopen", reason="客户提供了新的扣费短信")
    assert reopened["status"] == "reopened" and reopened["archived_at"] is None
    assert closed["id"] in _ids(api, "agent1")
    reopen = api.get(f"/complaints/{closed['id']}/events", "agent1").json()["events"][-1]
    assert reopen["kind"] == "reopen"
    assert datetime.fromisoformat(reopen["data"]["before"]["archived_at"]) == datetime.fromisoformat(
        current["archived_at"]
    )
    assert reopen["data"]["after"]["archived_at"] is None
    _later(api, clock, days=AGE + 1)
    assert _pass(api, clock).archived == 0  # at work again: not archived while someone works on it


def test_reports_of_a_period_count_archived_complaints_as_before(api: Api, clock: Any) -> None:
    start = clock.now.astimezone(LOCAL).date()
    for n in range(3):
        _closed(api, n)
    _closed(api, 10, who="agent_b")
    late = _file(api, 4)
    _act(api, late, "wait-customer", waiting_for="请提供扣费短信")
    _later(api, clock, days=AGE + 1)
    period = {"from": start.isoformat(), "to": (start + timedelta(days=6)).isoformat()}

    def figures(who: str, group_by: str) -> dict[str, Any]:
        body = api.get("/reports/kpi", who, params={**period, "group_by": group_by}).json()
        return {"rows": body["rows"], "total": body["total"]}

    before = {(who, g): figures(who, g) for who in ("director1", "manager1") for g in ("team", "month", "category")}
    assert before["director1", "team"]["total"]["kpis"]["received"] == 5
    assert _pass(api, clock).archived == 4
    after = {(who, g): figures(who, g) for who in ("director1", "manager1") for g in ("team", "month", "category")}
    assert after == before


def test_an_agent_never_sees_another_halls_archived_complaint(api: Api, clock: Any) -> None:
    theirs = _closed(api, 1, who="agent_b", content="湖里营业厅办的冰激凌套餐多扣费")
    ours = _closed(api, 2, content="思明营业厅办的冰激凌套餐多扣费")
    _later(api, clock, days=AGE + 1)
    assert _pass(api, clock).archived == 2

    for who in ("agent1", "manager1"):
        assert api.get(f"/complaints/{theirs['id']}", who).status_code == 404
        assert api.get(f"/complaints/{theirs['id']}/events", who).status_code == 404
        for params in ({"archived": "only"}, {"archived": "include", "q": "冰激凌套餐"}):
            assert _ids(api, who, **params) == [ours["id"]]
        assert set(_exported(api, who, archived="include")) == {ours["reference"]}
    assert _ids(api, "agent_b", archived="only") == [theirs["id"]]


def test_the_scheduler_pass_archives_under_its_own_lock(api: Api, clock: Any, database_url: str) -> None:
    for n in range(3):
        _closed(api, n)
    _later(api, clock, days=AGE + 1)
    policy = api.client.app.state.tousu.policy
    engine = create_db_engine(database_url)
    try:
        if engine.dialect.name == "postgresql":
            with engine.begin() as other:  # another process is archiving: this pass leaves it alone
                other.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": archive.ARCHIVE_LOCK})
                assert archive.scheduled_pass(engine, now=clock.now, policy=policy) == 0
        assert archive.scheduled_pass(engine, now=clock.now, policy=policy) == 3
        assert archive.scheduled_pass(engine, now=clock.now, policy=policy) == 0
        with engine.connect() as conn:
            assert (
                conn.execute(
                    sa.select(sa.func.count()).select_from(events).where(events.c.kind == archive.EVENT)
                ).scalar_one()
                == 3
            )
    finally:
        engine.dispose()


runner = CliRunner()


def _archived_ids(database_url: str) -> set[int]:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(sa.select(complaints.c.id).where(complaints.c.archived_at.is_not(None))).scalars())
    finally:
        engine.dispose()


def test_tousu_archive_counts_with_dry_run_then_archives_once(
    api: Api, clock: Any, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command reads the real clock: the complaints are filed that long before it.
    _later(api, clock, seconds=(datetime.now(UTC) - timedelta(days=45) - clock.now).total_seconds())
    old = _closed(api, 1)
    _file(api, 2)  # open: never archived
    _later(api, clock, days=40)
    _closed(api, 3)  # finished five days ago
    policy = tmp_path / "policy.yaml"
    policy.write_text("retention:\n  archive_after_days: 30\n", encoding="utf-8")
    monkeypatch.setenv("TOUSU_DATABASE_URL", database_url)
    monkeypatch.setenv("TOUSU_POLICY_FILE", str(policy))

    dry = runner.invoke(cli, ["archive", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 complaints" in dry.output and "dry run" in dry.output
    assert _archived_ids(database_url) == set()
    done = runner.invoke(cli, ["archive"])
    assert done.exit_code == 0, done.output
    assert "archived 1 complaints" in done.output
    assert _archived_ids(database_url) == {old["id"]}
    again = runner.invoke(cli, ["archive"])
    assert "archived 0 complaints" in again.output
    assert _kinds(api, old["id"]).count("archived") == 1

    policy.write_text("retention:\n  archive_after_days: 0\n", encoding="utf-8")
    off = runner.invoke(cli, ["archive"])
    assert off.exit_code == 0 and "archiving is off" in off.output
    policy.write_text("retention:\n  archive_after_days: -3\n", encoding="utf-8")
    refused = runner.invoke(cli, ["archive"])
    assert refused.exit_code == 1 and "archive_after_days" in refused.output
    assert _archived_ids(database_url) == {old["id"]}
