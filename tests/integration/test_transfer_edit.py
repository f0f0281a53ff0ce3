"""A transfer's source, case number and deadline given after intake, with the reply deadline they move."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.integration.conftest import Api, complaint_body
from tousu.domain.deadlines import LOCAL


def _plain(api: Api) -> dict[str, Any]:
    created = api.post("/complaints", "agent1", complaint_body())
    assert created.status_code == 201, created.text
    assert created.json()["transfer"] is None
    return dict(created.json())


def _edit(api: Api, c: dict[str, Any], who: str = "agent1", **fields: Any) -> Any:
    body = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}
    return api.patch(f"/complaints/{c['id']}", who, {"version": c["version"], **body})


def _reply_by(c: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(c["deadlines"]["reply_by"])


def _transfer_deadline(c: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(c["transfer"]["reply_by"])


def test_an_earlier_transfer_deadline_given_later_becomes_the_one_to_meet(api: Api) -> None:
    c = _plain(api)
    ours = _reply_by(c)
    theirs = ours - timedelta(hours=10)
    edited = _edit(api, c, transfer_source="12300", transfer_case_number=" GX2026-11-0456 ", transfer_reply_by=theirs)
    assert edited.status_code == 200, edited.text
    e = edited.json()
    assert e["transfer"]["source"] == "12300" and e["transfer"]["case_number"] == "GX2026-11-0456"
    assert _transfer_deadline(e) == theirs and _reply_by(e) == theirs
    assert e["version"] == c["version"] + 1
    # The queue counts down by it too.
    item = next(i for i in api.get("/complaints", "agent1").json()["items"] if i["id"] == c["id"])
    assert datetime.fromisoformat(item["reply_by"]) == theirs

    # The regulator extends its deadline past ours: ours is the one to meet again.
    extended = _edit(api, e, transfer_reply_by=ours + timedelta(days=2)).json()
    assert _reply_by(extended) == ours and _transfer_deadline(extended) == ours + timedelta(days=2)


def test_a_later_transfer_deadline_leaves_ours_and_clearing_restores_ours(api: Api) -> None:
    c = _plain(api)
    ours = _reply_by(c)
    later = _edit(
        api, c, transfer_source="12315", transfer_case_number="SC-1", transfer_reply_by=ours + timedelta(days=5)
    )
    assert later.status_code == 200, later.text
    assert _reply_by(later.json()) == ours

    earlier = _edit(api, later.json(), transfer_reply_by=ours - timedelta(hours=3)).json()
    assert _reply_by(earlier) == ours - timedelta(hours=3)
    no_deadline = _edit(api, earlier, transfer_reply_by=None).json()
    assert _reply_by(no_deadline) == ours
    assert no_deadline["transfer"] == {**no_deadline["transfer"], "case_number": "SC-1", "reply_by": None}

    earlier_again = _edit(api, no_deadline, transfer_reply_by=ours - timedelta(hours=3)).json()
    cleared = _edit(api, earlier_again, transfer_source=None).json()  # not a transfer after all: all three go
    assert cleared["transfer"] is None and _reply_by(cleared) == ours


def test_time_spent_waiting_on_the_customer_still_counts_for_our_deadline(api: Api, clock: Any) -> None:
    c = _plain(api)
    paused = api.post(
        f"/complaints/{c['id']}/wait-customer", "agent1", {"version": c["version"], "waiting_for": "账单"}
    )
    clock.advance(hours=20)
    resumed = api.post(f"/complaints/{c['id']}/resume", "agent1", {"version": paused.json()["version"]}).json()
    ours = _reply_by(resumed)
    assert ours > _reply_by(c)  # the pause pushed ours back

    later = _edit(
        api, resumed, transfer_source="miit", transfer_case_number="GX-9", transfer_reply_by=ours + timedelta(hours=1)
    )
    assert _reply_by(later.json()) == ours  # not the deadline ours had before the pause
    earlier = _edit(api, later.json(), transfer_reply_by=ours - timedelta(hours=1)).json()
    assert _reply_by(earlier) == ours - timedelta(hours=1)
    restored = _edit(api, earlier, transfer_reply_by=None).json()
    assert _reply_by(restored) == ours


def test_a_pause_in_progress_is_added_to_ours_when_it_ends(api: Api, clock: Any) -> None:
    c = _plain(api)
    ours = _reply_by(c)
    paused = api.post(
        f"/complaints/{c['id']}/wait-customer", "agent1", {"version": c["version"], "waiting_for": "账单"}
    )
    theirs = ours + timedelta(hours=5)
    during = _edit(api, paused.json(), transfer_source="12300", transfer_case_number="GX-1", transfer_reply_by=theirs)
    assert _reply_by(during.json()) == ours
    clock.advance(hours=20)
    resumed = api.post(f"/complaints/{c['id']}/resume", "agent1", {"version": during.json()["version"]}).json()
    assert _reply_by(resumed) == theirs  # ours moved past theirs with the pause; theirs did not move


def test_after_the_reply_the_transfer_is_corrected_but_the_reply_deadline_kept(api: Api) -> None:
    c = _plain(api)
    replied = api.post(
        f"/complaints/{c['id']}/reply", "agent1", {"version": c["version"], "reply": "您好，已为您退还重复扣除的58元。"}
    ).json()
    assert replied["status"] == "replied"
    edited = _edit(
        api,
        replied,
        transfer_source="12300",
        transfer_case_number="GX-2",
        transfer_reply_by=_reply_by(c) - timedelta(hours=10),
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["transfer"]["case_number"] == "GX-2"
    assert _reply_by(edited.json()) == _reply_by(c)


def test_bad_transfer_values_are_refused_naming_the_field_and_nothing_changes(api: Api, clock: Any) -> None:
    c = _plain(api)
    cases = [
        ({"transfer_case_number": "GX-1"}, "transfer_source", "请选择转办来源"),
        ({"transfer_source": "12300"}, "transfer_case_number", "转办工单号为空"),
        ({"transfer_source": "12345", "transfer_case_number": "GX-1"}, "transfer_source", None),
        (
            {"transfer_source": "12300", "transfer_case_number": "GX-1", "transfer_reply_by": "2026-11-24T10:00:00"},
            "transfer_reply_by",
            None,
        ),
        ({"transfer_source": "12300", "transfer_case_number": "X" * 65}, "transfer_case_number", None),
    ]
    for fields, field, message in cases:
        refused = _edit(api, c, **fields)
        assert refused.status_code == 422, (fields, refused.text)
        error = refused.json()["error"]
        assert field in error["field"], (fields, error)
        if message:
            assert message in error["message"]
    set_ = _edit(api, c, transfer_source="12300", transfer_case_number="GX-1").json()
    emptied = _edit(api, set_, transfer_case_number="  ")  # a transfer keeps its case number
    assert emptied.status_code == 422 and emptied.json()["error"]["field"] == "transfer_case_number"
    unchanged = api.get(f"/complaints/{c['id']}", "agent1").json()
    assert unchanged["version"] == set_["version"] and unchanged["transfer"]["case_number"] == "GX-1"


def test_a_stale_version_is_refused_and_another_hall_sees_nothing(api: Api) -> None:
    c = _plain(api)
    first = _edit(api, c, transfer_source="12300", transfer_case_number="GX-1")
    assert first.status_code == 200
    stale = _edit(api, c, "agent2", transfer_case_number="GX-2")  # read before the first edit
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    assert api.get(f"/complaints/{c['id']}", "agent1").json()["transfer"]["case_number"] == "GX-1"
    other_hall = _edit(api, first.json(), "agent_b", transfer_case_number="GX-3")
    assert other_hall.status_code == 404
    by_manager = _edit(api, first.json(), "manager1", transfer_case_number="GX-4")
    assert by_manager.status_code == 200 and by_manager.json()["transfer"]["case_number"] == "GX-4"


def test_each_change_is_in_the_timeline_in_chinese(api: Api) -> None:
    c = _plain(api)
    ours = _reply_by(c)
    theirs = ours - timedelta(hours=20)  # earlier than ours even as 越级, after it reached us
    set_ = _edit(api, c, transfer_source="12300", transfer_case_number="GX-7", transfer_reply_by=theirs).json()
    _edit(api, set_, transfer_source=None)
    events = api.get(f"/complaints/{c['id']}/events", "agent1").json()["events"]
    changes = [e["data"] for e in events if e["kind"] == "transfer_updated"]
    assert len(changes) == 2
    assert {k: v for k, v in changes[0]["before"].items() if k.startswith("transfer_")} == {
        "transfer_source": None,
        "transfer_case_number": None,
        "transfer_reply_by": None,
    }
    # Recorded as 越级 with the transfer, and no longer once it is cleared.
    assert "over_level" in changes[0]["after"]["urgency_types"]
    assert "over_level" not in changes[1]["after"]["urgency_types"]
    assert datetime.fromisoformat(changes[0]["before"]["reply_by"]) == ours
    assert changes[0]["after"]["transfer_source"] == "12300"
    assert datetime.fromisoformat(changes[0]["after"]["reply_by"]) == theirs
    assert datetime.fromisoformat(changes[1]["after"]["reply_by"]) == ours
    assert changes[1]["after"]["transfer_source"] is None

    page = api.client.get(f"/complaints/{c['id']}", headers={"Cookie": f"tousu_session={api.tokens['agent1']}"}).text
    start = page.index('id="timeline-title"')
    timeline = page[start : page.index("</ol>", start)]
    assert timeline.count("转办信息变更") == 2
    assert "转办来源 12300(电信用户申诉受理中心)" in timeline and "转办工单号 GX-7" in timeline
    local = theirs.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    assert f"转办方答复时限 {local}" in timeline
    assert "transfer_" not in timeline


def test_a_transfer_changed_with_a_correction_is_one_change(api: Api) -> None:
    c = _plain(api)
    theirs = _reply_by(c) - timedelta(hours=2)
    edited = _edit(
        api,
        c,
        emotion="calm",
        category="billing",
        transfer_source="12300",
        transfer_case_number="GX-8",
        transfer_reply_by=theirs,
    )
    assert edited.status_code == 200, edited.text
    assert _reply_by(edited.json()) == theirs and edited.json()["version"] == c["version"] + 1
    events = api.get(f"/complaints/{c['id']}/events", "agent1").json()["events"]
    [updated] = [e for e in events if e["kind"] in ("updated", "transfer_updated")]
    assert updated["kind"] == "updated"
    assert updated["data"]["after"]["emotion"] == "calm"
    assert datetime.fromisoformat(updated["data"]["after"]["transfer_reply_by"]) == theirs


def test_saving_the_transfer_unchanged_writes_nothing(api: Api) -> None:
    c = _edit(api, _plain(api), transfer_source="12300", transfer_case_number="GX-5").json()
    again = _edit(api, c, transfer_source="12300", transfer_case_number="GX-5", transfer_reply_by=None)
    assert again.status_code == 422 and again.json()["error"]["code"] == "nothing_to_change"
    assert api.get(f"/complaints/{c['id']}", "agent1").json()["version"] == c["version"]
