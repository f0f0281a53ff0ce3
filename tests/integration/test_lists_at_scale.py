"""Lists that cost what a page shows: cursor paging, capped totals, keyword search by either
path, the SLA sweep acting on exactly what is due (by one process at a time), and the 升级 filter."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.integration.conftest import Api, complaint_body
from tousu.domain.codes import Role
from tousu.services import queries, sla, users
from tousu.storage.db import create_db_engine

URGENCY_MIX = [[], ["important_customer"], ["major"], [], ["repeat"]]


def _file(api: Api, n: int, who: str = "agent1", **fields: Any) -> dict[str, Any]:
    body = complaint_body(
        **{
            "content": f"宽带断网第{n}次，还多扣了{n}元",
            "customer": {"name": "客户", "phone": f"1370000{n:04d}"},
            "urgency": URGENCY_MIX[n % len(URGENCY_MIX)],
            **fields,
        }
    )
    response = api.post("/complaints", who, body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _walk(api: Api, who: str, params: dict[str, Any], during: Any = None) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = api.get("/complaints", who, params={**params, "limit": 4, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [item["id"] for item in body["items"]]
        if during is not None:
            during(len(seen))
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.parametrize("who", ["agent1", "director1"])
def test_the_cursor_walks_every_row_once_while_complaints_are_filed(api: Api, clock: Any, who: str) -> None:
    filed = [_file(api, n) for n in range(14)]
    other_hall = _file(api, 90, who="agent_b")
    for n in range(3):  # several on one deadline: the id orders them
        _file(api, 40 + n)
    clock.advance(minutes=5)
    before = {c["id"] for c in api.get("/complaints", who, params={"limit": 200}).json()["items"]}
    added: list[int] = []

    def file_more(position: int) -> None:
        if len(added) < 4:
            clock.advance(minutes=1)
            added.append(_file(api, 100 + position)["id"])

    seen = _walk(api, who, {}, during=file_more)
    assert len(seen) == len(set(seen)), "a row was shown twice"
    assert before <= set(seen), "a row that was there all along was skipped"
    assert set(seen) <= before | set(added)
    assert (other_hall["id"] in seen) == (who == "director1")
    assert {c["id"] for c in filed} <= set(seen)
    # The pages together are the list in its order, as one long page shows it.
    assert [i for i in seen if i in before] == [
        c["id"] for c in api.get("/complaints", who, params={"limit": 200}).json()["items"] if c["id"] in before
    ]


def test_a_damaged_cursor_is_refused_with_the_way_back(api: Api) -> None:
    _file(api, 1)
    for bad in ("bm90LWpzb24", "WzEsIm5vdCBhIHRpbWUiLDFd", "x"):
        response = api.get("/complaints", "agent1", params={"cursor": bad})
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "cursor"
    assert api.get("/complaints", "agent1", params={"offset": queries.MAX_OFFSET + 1}).status_code == 422


def test_totals_stop_counting_at_the_cap(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(5):
        _file(api, n)
    exact = api.get("/complaints", "director1").json()
    assert exact["total"] == 5 and exact["total_capped"] is False
    monkeypatch.setattr(queries, "TOTAL_CAP", 3)
    capped = api.get("/complaints", "director1", params={"limit": 2}).json()
    assert capped["total"] == 3 and capped["total_capped"] is True and len(capped["items"]) == 2
    cookie = {"Cookie": f"tousu_session={api.tokens['director1']}"}
    page = api.client.get("/queue", headers=cookie).text
    assert "共 3+ 件" in page


def test_a_common_keyword_finds_the_same_page_as_a_rare_one(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(7):
        _file(api, n)
    _file(api, 50, content="彩铃业务不是我订的")
    by_index = api.get("/complaints", "agent1", params={"q": "断网", "limit": 3}).json()
    assert by_index["total"] == 7 and by_index["total_capped"] is False
    monkeypatch.setattr(queries, "SEARCH_CANDIDATES", 2)  # now "断网" has more matches than candidates
    by_walk = api.get("/complaints", "agent1", params={"q": "断网", "limit": 3}).json()
    assert [i["id"] for i in by_walk["items"]] == [i["id"] for i in by_index["items"]]
    assert by_walk["total_capped"] is True
    walked = _walk(api, "agent1", {"q": "断网"})
    assert len(walked) == 7 == len(set(walked))


def _events(database_url: str) -> list[tuple[int, str]]:
    engine = create_db_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT complaint_id, kind FROM events WHERE kind LIKE 'sla_%' ORDER BY id")).all()
    engine.dispose()
    return [(int(r[0]), str(r[1])) for r in rows]


def _sweep(api: Api, clock: Any) -> dict[str, int]:
    state = api.client.app.state.tousu
    with state.write() as conn:
        return sla.sweep(conn, now=clock.now, policy=state.policy)


def test_the_sweep_acts_on_exactly_the_complaints_due(api: Api, clock: Any, database_url: str) -> None:
    # The hotline answers in 48 hours, warns 4 hours ahead, climbs a rung every 24 hours overdue.
    late_a_day = _file(api, 1, urgency=[])  # due at +48 h
    clock.advance(hours=20)
    late_hours = _file(api, 2, urgency=[])  # due at +68 h
    clock.advance(hours=7)
    nearly_due = _file(api, 3, urgency=[])  # due at +75 h
    waiting = _file(api, 4, urgency=[])  # due at +75 h, but waiting on the customer
    api.post(f"/complaints/{waiting['id']}/wait-customer", "agent1", {"version": 1, "waiting_for": "补充材料"})
    clock.advance(hours=5)
    not_yet = _file(api, 5, urgency=[])  # due at +80 h
    clock.advance(hours=40, minutes=1)  # now +72 h 1 min

    assert _sweep(api, clock) == {"warned": 1, "escalated": 2}
    acted = _events(database_url)
    assert sorted(acted) == sorted(
        [(late_a_day["id"], "sla_breached"), (late_hours["id"], "sla_breached"), (nearly_due["id"], "sla_warning")]
    )
    levels = {c["id"]: c["escalation_level"] for c in api.get("/complaints", "director1").json()["items"]}
    assert levels[late_a_day["id"]] == 2 and levels[late_hours["id"]] == 1
    assert levels[not_yet["id"]] == 0 and levels[waiting["id"]] == 0

    assert _sweep(api, clock) == {"warned": 0, "escalated": 0}  # nothing more is due
    clock.advance(hours=20)  # +92 h: the second is a day late, the third and the last late by hours
    assert _sweep(api, clock) == {"warned": 0, "escalated": 3}
    assert _events(database_url)[len(acted) :] == [
        (late_hours["id"], "sla_breached"),
        (nearly_due["id"], "sla_breached"),
        (not_yet["id"], "sla_breached"),
    ]


def test_of_two_sweeps_at_once_one_sweeps(api: Api, clock: Any, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: sweeps queue behind each other")
    for n in range(3):
        _file(api, n)
    clock.advance(hours=49)
    policy = api.client.app.state.tousu.policy
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as first, engine.connect() as second:
            with first.begin():
                assert sla.sweep(first, now=clock.now, policy=policy)["escalated"] == 3
                with second.begin():  # while the first pass is still open
                    assert sla.sweep(second, now=clock.now, policy=policy) == {"warned": 0, "escalated": 0}
            with second.begin():  # after it: nothing left to do
                assert sla.sweep(second, now=clock.now, policy=policy) == {"warned": 0, "escalated": 0}
    finally:
        engine.dispose()
    assert len(_events(database_url)) == 3


def test_complaints_escalated_to_the_manager_are_in_the_escalated_filter(api: Api) -> None:
    escalated = _file(api, 1)
    plain = _file(api, 2)
    to_province = _file(api, 3)
    api.post(f"/complaints/{escalated['id']}/escalate", "agent1", {"version": 1, "reason": "客户要求找经理"})
    api.post(
        f"/complaints/{to_province['id']}/escalate",
        "agent1",
        {"version": 1, "reason": "需省公司协调", "to_province": True},
    )
    listed = api.get("/complaints", "manager1", params={"urgency_type": "escalated"}).json()
    assert {i["id"] for i in listed["items"]} == {escalated["id"], to_province["id"]}
    cookie = {"Cookie": f"tousu_session={api.tokens['manager1']}"}
    page = api.client.get("/queue", params={"urgency_type": "escalated"}, headers=cookie).text
    shown = set(re.findall(r"TS\d{8}-\d{6}", page))
    assert escalated["reference"] in shown and plain["reference"] not in shown


def test_the_dashboard_counts_in_the_database_what_the_lists_show(api: Api, clock: Any) -> None:
    filed = [_file(api, n) for n in range(6)]  # Monday, in the manager's hall
    _file(api, 80, who="agent_b")  # another hall: not the manager's
    clock.advance(hours=30)  # Tuesday: the 24-hour ones are overdue, the others not yet
    overview = api.get("/stats/overview", "manager1").json()
    assert overview["week"]["by_urgency"] == dict(Counter(kind for c in filed for kind in c["urgency_types"]))
    assert overview["week"]["total"] == len(filed) and overview["today"]["total"] == 0
    assert overview["week"]["by_channel"] == {"hotline": len(filed)}
    overdue = api.get("/complaints", "manager1", params={"overdue": "true"}).json()
    assert overview["overdue"] == overdue["total"] > 0
    waiting = api.get("/complaints", "manager1", params={"status": ["received", "in_progress"]}).json()
    assert overview["open"] == waiting["total"] == len(filed)


def test_the_complaint_page_offers_its_hall_and_the_managers_not_every_account(api: Api, clock: Any) -> None:
    """A province has thousands of accounts: listing them all in the pickers made the complaint
    page a dozen times slower and bigger. It offers the complaint's hall and every hall's
    managers and directors, and still names whoever its timeline names."""
    state = api.client.app.state.tousu
    with state.write() as conn:
        for n in range(30):
            users.add_user(conn, username=f"jimei{n}", password=None, role=Role.AGENT, team="集美营业厅", now=clock.now)
        users.add_user(conn, username="jimei_lead", password=None, role=Role.MANAGER, team="集美营业厅", now=clock.now)
        far = users.add_user(
            conn,
            username="jimei_far",
            password=None,
            role=Role.AGENT,
            team="集美营业厅",
            display_name="陈远航",
            now=clock.now,
        )
        token = users.issue_token(conn, user_id=far, kind="api", now=clock.now)
        director = users.require_user(conn, "director1")["id"]
        users.set_password(conn, user_id=director, password="director-pass-2026", now=clock.now)
    api.tokens["jimei_far"] = token
    created = _file(api, 1)
    path = f"/complaints/{created['id']}/hand-over"
    there = api.post(path, "agent1", {"version": created["version"], "username": "jimei_far", "note": "集美片区"})
    assert there.status_code == 200, there.text
    back = api.post(path, "jimei_far", {"version": there.json()["version"], "username": "agent1", "note": "退回"})
    assert back.status_code == 200, back.text

    web = TestClient(api.client.app)
    login = re.search(r'<meta name="csrf-token" content="([^"]+)">', web.get("/login").text)
    assert login is not None
    form = {"username": "director1", "password": "director-pass-2026", "csrf_token": login.group(1), "next": "/"}
    assert web.post("/login", data=form, follow_redirects=False).status_code == 303
    page = web.get(f"/complaints/{created['id']}").text
    picker = re.search(r'<select id="handover-user".*?</select>', page, re.S)
    assert picker is not None
    offered = set(re.findall(r'<option value="([^"]+)"', picker.group(0)))
    assert {"agent2", "manager1", "jimei_lead", "director1"} <= offered  # its hall, and the managers
    assert not offered & {f"jimei{n}" for n in range(30)} and "jimei_far" not in offered and "agent_b" not in offered
    assert "陈远航" in page  # the timeline names the one it was handed to
