"""A complaint transferred by a regulator is 越级 however it was entered: the customer already went
over the hall's head, so it gets the regulator's urgency and deadline, not a walk-in's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.integration.conftest import Api, complaint_body

CONTENT = "宽带每天晚上断线，报修两次都没人上门。"


def _hall_complaint(api: Api, phone: str, **transfer: Any) -> dict[str, Any]:
    body = complaint_body(channel="hall", category="network", content=CONTENT, **transfer)
    body["customer"] = {"name": "李女士", "phone": phone}
    created = api.post("/complaints", "agent1", body)
    assert created.status_code == 201, created.text
    return dict(created.json())


@pytest.mark.parametrize("source", ["12300", "12315", "miit"])
def test_a_regulators_transfer_entered_as_a_walk_in_is_urgent_over_level(api: Api, source: str) -> None:
    walk_in = _hall_complaint(api, "13900002001")
    transferred = _hall_complaint(
        api, "13900002002", transfer_source=source, transfer_case_number=f"{source}-2026-0815"
    )
    assert "over_level" not in walk_in["urgency_types"]
    assert "over_level" in transferred["urgency_types"]
    ours = datetime.fromisoformat(walk_in["deadlines"]["reply_by"])
    theirs = datetime.fromisoformat(transferred["deadlines"]["reply_by"])
    assert theirs < ours  # the regulator's 24 hours, not the hall's 48
    queue = api.get("/complaints?status=received", "agent1").json()["items"]
    order = [item["id"] for item in queue]
    assert order.index(transferred["id"]) < order.index(walk_in["id"])


def test_a_transfer_recorded_after_intake_makes_it_over_level_too(api: Api) -> None:
    walk_in = _hall_complaint(api, "13900002003")
    changed = api.patch(
        f"/complaints/{walk_in['id']}",
        "agent1",
        {"version": walk_in["version"], "transfer_source": "12300", "transfer_case_number": "12300-2026-0901"},
    )
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert "over_level" in after["urgency_types"] and after["priority"] < walk_in["priority"]
    assert datetime.fromisoformat(after["deadlines"]["reply_by"]) < datetime.fromisoformat(
        walk_in["deadlines"]["reply_by"]
    )
    event = api.get(f"/complaints/{walk_in['id']}/events", "agent1").json()["events"][-1]
    assert "over_level" in event["data"]["after"]["urgency_types"]
