"""One SLA clock: waiting on the customer pauses it in the sweep, the work queue and the dashboard alike."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Api, complaint_body
from tousu.domain.workflow import CLOCK_RUNNING, OPEN_STATUSES, Status
from tousu.services import sla


def _overdue_ids(api: Api, flag: str) -> set[int]:
    listed = api.get("/complaints", "manager1", params={"overdue": flag}).json()["items"]
    return {item["id"] for item in listed}


def _queue(api: Api, **params: str) -> str:
    """The work queue page as a manager sees it."""
    cookie = {"Cookie": f"tousu_session={api.tokens['manager1']}"}
    page = api.client.get("/queue", params={"status": "open", **params}, headers=cookie, follow_redirects=False)
    assert page.status_code == 200
    return str(page.text)


def _sweep(api: Api, clock: Any) -> dict[str, int]:
    state = api.client.app.state.tousu
    with state.write() as conn:
        return sla.sweep(conn, now=clock.now, policy=state.policy)


def test_waiting_on_the_customer_is_not_running_the_clock() -> None:
    assert Status.PENDING_CUSTOMER in OPEN_STATUSES
    assert Status.PENDING_CUSTOMER not in CLOCK_RUNNING
    assert CLOCK_RUNNING < OPEN_STATUSES


def test_a_paused_complaint_past_its_deadline_is_not_overdue_until_it_resumes(api: Api, clock: Any) -> None:
    created = api.post("/complaints", "agent1", complaint_body(content="话费账单看不懂，请解释一下。")).json()
    clock.advance(hours=49)  # the hotline's 48 hours are over
    assert _overdue_ids(api, "true") == {created["id"]}
    assert api.get("/stats/overview", "manager1").json()["overdue"] == 1

    paused = api.post(
        f"/complaints/{created['id']}/wait-customer", "agent1", {"version": 1, "waiting_for": "请客户提供扣费短信截图"}
    ).json()
    assert paused["status"] == "pending_customer"
    assert _overdue_ids(api, "true") == set()
    assert _overdue_ids(api, "false") == {created["id"]}
    stats = api.get("/stats/overview", "manager1").json()
    assert stats["overdue"] == 0 and stats["at_risk"] == 0 and stats["open"] == 1
    assert _sweep(api, clock) == {"warned": 0, "escalated": 0}
    assert created["reference"] not in _queue(api, overdue="1")
    listed = _queue(api)
    assert created["reference"] in listed and 'class="countdown"' not in listed  # no countdown while paused

    clock.advance(hours=1)
    resumed = api.post(f"/complaints/{created['id']}/resume", "agent1", {"version": paused["version"]}).json()
    assert resumed["status"] == "in_progress"  # the deadline moved by the hour waited, still behind us
    assert _overdue_ids(api, "true") == {created["id"]}
    assert api.get("/stats/overview", "manager1").json()["overdue"] == 1
    assert _sweep(api, clock)["escalated"] == 1
    overdue_page = _queue(api, overdue="1")
    assert created["reference"] in overdue_page and 'class="countdown"' in overdue_page
