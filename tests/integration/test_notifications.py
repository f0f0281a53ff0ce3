"""Notifications end to end: the event's transaction writes the bell and the outbox; the dispatcher
delivers to a real SMTP server and a real webhook receiver on loopback, retries with backoff, gives
up visibly, and never sends one message twice, even with two dispatchers at once."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tests.e2e.server import free_port
from tests.integration.conftest import Api, complaint_body
from tests.receivers import SmtpSink, WebhookSink, smtp_server, webhook_server
from tousu.services import digest, outbox, sla
from tousu.services.dispatcher import Pass, dispatch_once, writer_for
from tousu.settings import Settings
from tousu.storage.db import create_db_engine
from tousu.storage.tables import audit_events, notifications
from tousu.storage.tables import outbox as outbox_table
from tousu.web.security import csrf_for, csrf_key

PHONE = "13900001111"
PHONE_SHAPED = re.compile(r"1[3-9]\d{9}")
MANAGER_MAIL = "manager1@example.test"


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with smtp_server() as sink:
        yield sink


@pytest.fixture
def robot() -> Iterator[WebhookSink]:
    with webhook_server() as sink:
        yield sink


def _settings(api: Api, smtp_port: int, **overrides: Any) -> Settings:
    base = api.client.app.state.tousu.settings
    values = dict(
        database_url=base.database_url,
        secret_key="integration-tests-secret-0123456789",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_from="tousu@example.test",
        public_url="https://tousu.example.test",
        outbox_retry_seconds=30,
        outbox_max_attempts=3,
    )
    return Settings(**{**values, **overrides})


def _dispatch(api: Api, clock: Any, settings: Settings) -> Pass:
    state = api.client.app.state.tousu
    return dispatch_once(state.write, settings, clock=clock, digests=False)


def _choose(api: Api, who: str, **prefs: Any) -> None:
    response = api.client.put("/api/v1/me/notification-preferences", json=prefs, headers=api.as_(who))
    assert response.status_code == 200, response.text


def _mine(api: Api, who: str) -> dict[str, Any]:
    response = api.get("/notifications", who)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _new(api: Api, **overrides: Any) -> dict[str, Any]:
    created = api.post("/complaints", "agent1", complaint_body(channel="hall", category="billing", **overrides))
    assert created.status_code == 201, created.text
    return dict(created.json())


def _outbox_rows(api: Api) -> list[dict[str, Any]]:
    with api.client.app.state.tousu.read() as conn:
        return [dict(r) for r in conn.execute(sa.select(outbox_table).order_by(outbox_table.c.id)).mappings()]


def test_an_escalation_reaches_the_manager_in_app_by_email_and_by_webhook(
    api: Api, clock: Any, smtp: SmtpSink, robot: WebhookSink
) -> None:
    _choose(api, "manager1", email=True, email_address=MANAGER_MAIL, webhook=True, webhook_url=robot.url)
    complaint = _new(api)
    reason = f"客户情绪激动，留了备用电话{PHONE}要求经理回电"
    escalated = api.post(f"/complaints/{complaint['id']}/escalate", "agent1", {"version": 1, "reason": reason})
    assert escalated.status_code == 200, escalated.text

    bell = _mine(api, "manager1")
    assert bell["unread"] == 1
    [note] = bell["notifications"]
    assert note["kind"] == "escalated" and complaint["reference"] in note["title"]
    assert note["link"] == f"/complaints/{complaint['id']}"
    assert _mine(api, "agent1")["unread"] == 0, "the actor is not told of their own action"
    assert _mine(api, "agent_b")["unread"] == 0, "another hall's staff are not told"

    done = _dispatch(api, clock, _settings(api, smtp.port))
    assert (done.sent, done.retrying, done.failed) == (2, 0, 0)
    [mail] = smtp.wait_for(1)
    assert mail.to == [MANAGER_MAIL]
    assert "升级" in mail.subject and complaint["reference"] in mail.subject
    assert f"https://tousu.example.test/complaints/{complaint['id']}" in mail.text
    [post] = robot.wait_for(1)
    assert post["msgtype"] == "text" and complaint["reference"] in post["text"]["content"]

    everything = " ".join([note["title"], note["body"], mail.subject, mail.text, post["text"]["content"]])
    assert PHONE not in everything and not PHONE_SHAPED.search(everything)
    assert "139****1111" in note["body"], "the typed reason is quoted with the number masked"
    assert "王先生" not in everything, "the customer's name stays out of notifications"

    again = _dispatch(api, clock, _settings(api, smtp.port))
    assert again.sent == 0 and len(smtp.mails) == 1 and len(robot.posts) == 1, "nothing is sent twice"


def test_approval_requested_goes_to_the_manager_and_the_decision_back_to_the_proposer(api: Api) -> None:
    complaint = _new(api)
    proposal = api.post(
        f"/complaints/{complaint['id']}/settlements",
        "agent1",
        {"version": complaint["version"], "refund": 150, "description": "退还重复扣费"},
    )
    assert proposal.json()["status"] == "pending_approval", proposal.text
    [request] = _mine(api, "manager1")["notifications"]
    assert request["kind"] == "approval_requested" and "退费 150 元" in request["body"]
    assert _mine(api, "director1")["unread"] == 0, "the approval is at the manager's level"

    decided = api.post(
        f"/settlements/{proposal.json()['id']}/decision", "manager1", {"approve": False, "comment": "先核实"}
    )
    assert decided.status_code == 200, decided.text
    [outcome] = _mine(api, "agent1")["notifications"]
    assert outcome["kind"] == "approval_decided" and "被驳回" in outcome["title"] and "先核实" in outcome["body"]
    assert _mine(api, "manager1")["unread"] == 1, "the approver is not told of their own decision"


def test_the_sla_sweep_warns_the_handler_then_escalates_to_the_manager_once(api: Api, clock: Any) -> None:
    complaint = _new(api)
    assigned = api.post(f"/complaints/{complaint['id']}/assign", "manager1", {"version": 1, "username": "agent2"})
    assert assigned.status_code == 200, assigned.text
    assert [n["kind"] for n in _mine(api, "agent2")["notifications"]] == ["assigned"]
    state = api.client.app.state.tousu
    reply_by = api.get(f"/complaints/{complaint['id']}", "agent2").json()["deadlines"]["reply_by"]
    assert reply_by

    def sweep() -> None:
        with state.write() as conn:
            sla.sweep(conn, now=clock.now, policy=state.policy)

    clock.now = datetime.fromisoformat(reply_by) - timedelta(hours=1)
    sweep()
    sweep()
    assert [n["kind"] for n in _mine(api, "agent2")["notifications"]] == ["deadline_warning", "assigned"]
    clock.advance(hours=2)
    sweep()
    sweep()
    kinds = [n["kind"] for n in _mine(api, "agent2")["notifications"]]
    assert kinds == ["deadline_breached", "deadline_warning", "assigned"]
    [escalation] = [n for n in _mine(api, "manager1")["notifications"] if n["kind"] == "escalated"]
    assert "超时" in escalation["title"] and complaint["reference"] in escalation["title"]


def test_a_dissatisfied_follow_up_tells_the_responsible_and_the_managers(api: Api) -> None:
    complaint = _new(api)
    cid = complaint["id"]
    replied = api.post(f"/complaints/{cid}/reply", "agent1", {"version": 1, "reply": "已退还重复扣费。"})
    assert replied.status_code == 200, replied.text
    followed = api.post(
        f"/complaints/{cid}/follow-up",
        "agent2",
        {"version": replied.json()["version"], "satisfaction": "dissatisfied", "comments": f"要求再赔偿，电话{PHONE}"},
    )
    assert followed.status_code == 200, followed.text
    for who in ("agent1", "manager1"):
        [note] = _mine(api, who)["notifications"]
        assert note["kind"] == "dissatisfied" and PHONE not in note["body"]
    assert _mine(api, "agent2")["unread"] == 0


def _page_cookie(api: Api, username: str) -> tuple[dict[str, str], str]:
    """A browser session of `username`: its cookie header and its CSRF form token."""
    from tousu.services import users

    state = api.client.app.state.tousu
    with state.write() as conn:
        user_id = users.get_by_username(conn, username)["id"]  # type: ignore[index]
        token = users.issue_token(conn, user_id=user_id, kind="session", now=state.clock())
    key = csrf_key(state.settings.resolved_secret())
    return {"Cookie": f"tousu_csrf=browser; tousu_session={token}"}, csrf_for(key, "browser", token)


def test_a_failing_receiver_is_retried_with_backoff_then_failed_and_shown_to_the_admin(
    api: Api, clock: Any, robot: WebhookSink
) -> None:
    closed_port = free_port()  # nothing listens there: the SMTP connection is refused
    _choose(api, "manager1", email=True, email_address=MANAGER_MAIL, webhook=True, webhook_url=robot.url)
    robot.status = 500
    complaint = _new(api)
    api.post(f"/complaints/{complaint['id']}/escalate", "agent1", {"version": 1, "reason": "本厅无法解决"})
    settings = _settings(api, closed_port)

    first = _dispatch(api, clock, settings)
    assert (first.sent, first.retrying) == (0, 2)
    rows = _outbox_rows(api)
    assert all(r["status"] == "pending" and r["attempts"] == 1 for r in rows)
    assert all(r["next_attempt_at"] == clock.now + timedelta(seconds=30) for r in rows)
    assert any("HTTP 500" in (r["last_error"] or "") for r in rows)

    assert _dispatch(api, clock, settings).retrying == 0, "not retried before its time"
    clock.advance(seconds=30)
    assert _dispatch(api, clock, settings).retrying == 2
    assert all(r["next_attempt_at"] == clock.now + timedelta(seconds=60) for r in _outbox_rows(api)), "backoff doubles"
    clock.advance(seconds=60)
    assert _dispatch(api, clock, settings).failed == 2
    assert len(robot.posts) == 3
    assert {r["status"] for r in _outbox_rows(api)} == {"failed"}
    clock.advance(hours=1)
    assert _dispatch(api, clock, settings).retrying == 0 and len(robot.posts) == 3, "a failed message rests"

    headers, csrf = _page_cookie(api, "admin1")
    shown = api.client.get("/admin/outbox", headers=headers)
    assert shown.status_code == 200
    assert "HTTP 500" in shown.text and "test-robot-key" not in shown.text, "a robot's key is not shown"
    forbidden = api.client.get("/admin/outbox", headers=_page_cookie(api, "manager1")[0])
    assert forbidden.status_code == 403

    webhook_row = next(r for r in _outbox_rows(api) if r["channel"] == "webhook")
    retried = api.client.post(
        f"/admin/outbox/{webhook_row['id']}/retry", data={"csrf_token": csrf}, headers=headers, follow_redirects=False
    )
    assert retried.status_code == 303
    with api.client.app.state.tousu.read() as conn:
        audit = conn.execute(sa.select(audit_events).where(audit_events.c.action == "outbox_retried")).mappings().all()
    assert [a["data"]["outbox_id"] for a in audit] == [webhook_row["id"]]
    robot.status = 200
    assert _dispatch(api, clock, settings).sent == 1
    assert {r["channel"]: r["status"] for r in _outbox_rows(api)} == {"webhook": "sent", "email": "failed"}


def test_two_dispatchers_at_once_send_every_message_exactly_once(
    api: Api, clock: Any, database_url: str, robot: WebhookSink
) -> None:
    robot.delay = 0.005  # slow enough for the two to interleave
    with api.client.app.state.tousu.write() as conn:
        for n in range(60):
            payload = {"subject": f"消息{n}", "text": "", "link": "/notifications"}
            outbox.enqueue(
                conn, channel="webhook", recipient=robot.url, payload=payload, dedup_key=f"t:{n}", now=clock.now
            )
    settings = _settings(api, free_port())
    engines = [create_db_engine(database_url) for _ in range(2)]  # as two processes would
    results: list[Pass] = []
    errors: list[BaseException] = []

    def run(engine: sa.Engine) -> None:
        try:
            results.append(dispatch_once(writer_for(engine), settings, clock=clock, digests=False))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.dispose()
    assert not errors, errors
    subjects = [p["text"]["content"].splitlines()[0] for p in robot.posts]
    assert len(subjects) == 60 and len(set(subjects)) == 60
    assert sum(r.sent for r in results) == 60
    assert {r["status"] for r in _outbox_rows(api)} == {"sent"}


def test_the_daily_digest_replaces_single_emails_and_goes_once_a_day(api: Api, clock: Any, smtp: SmtpSink) -> None:
    _choose(api, "manager1", email=True, email_address=MANAGER_MAIL, daily_digest=True)
    for _ in range(2):
        complaint = _new(api)
        api.post(f"/complaints/{complaint['id']}/escalate", "agent1", {"version": 1, "reason": "本厅无法解决"})
    assert _mine(api, "manager1")["unread"] == 2
    assert _outbox_rows(api) == [], "no single e-mails for someone who takes the digest"

    state = api.client.app.state.tousu
    clock.now = clock.now.replace(hour=23, minute=30)  # 07:30 the next day in Shanghai: before 08:00
    with state.write() as conn:
        assert digest.queue_digests(conn, now=clock.now, hour=8) == 0
    clock.advance(minutes=45)
    for _ in range(2):
        with state.write() as conn:
            digest.queue_digests(conn, now=clock.now, hour=8)
    assert len(_outbox_rows(api)) == 1, "one digest per person and day"
    _dispatch(api, clock, _settings(api, smtp.port))
    [mail] = smtp.wait_for(1)
    assert mail.to == [MANAGER_MAIL] and "2 条未读" in mail.subject
    assert mail.text.count("升级") >= 2


def test_preferences_are_checked_and_notifications_are_private(api: Api) -> None:
    refused = api.client.put("/api/v1/me/notification-preferences", json={"email": True}, headers=api.as_("agent1"))
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "email_address"
    bad_url = api.client.put(
        "/api/v1/me/notification-preferences",
        json={"webhook": True, "webhook_url": "file:///etc/passwd"},
        headers=api.as_("agent1"),
    )
    assert bad_url.status_code == 422 and bad_url.json()["error"]["field"] == "webhook_url"
    assert api.get("/me/notification-preferences", "agent1").json() == {
        "in_app": True,
        "email": False,
        "email_address": "",
        "webhook": False,
        "webhook_url": "",
        "daily_digest": False,
        "daily_report": False,
        "weekly_report": False,
    }

    complaint = _new(api)
    api.post(f"/complaints/{complaint['id']}/escalate", "agent1", {"version": 1, "reason": "本厅无法解决"})
    [note] = _mine(api, "manager1")["notifications"]
    assert api.post(f"/notifications/{note['id']}/read", "agent2").status_code == 404, "someone else's"
    assert api.get("/notifications/unread-count", "manager1").json() == {"unread": 1}
    read = api.post(f"/notifications/{note['id']}/read", "manager1")
    assert read.status_code == 200 and read.json()["read_at"]
    assert api.get("/notifications/unread-count", "manager1").json() == {"unread": 0}
    with api.client.app.state.tousu.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(notifications)).scalar() == 1


def test_a_shops_notifications_name_its_categories_as_the_shop_does(api: Api) -> None:
    """收银/价格争议 for a shop's billing complaint, never the telecom hall's 计费/扣费争议."""
    changed = api.client.patch("/api/v1/admin/policy", json={"set": {"industry": "retail"}}, headers=api.as_("admin1"))
    assert changed.status_code == 200, changed.text
    complaint = _new(api)
    proposal = api.post(
        f"/complaints/{complaint['id']}/settlements",
        "agent1",
        {"version": complaint["version"], "refund": 150, "description": "退还多收的货款"},
    )
    assert proposal.json()["status"] == "pending_approval", proposal.text
    [request] = _mine(api, "manager1")["notifications"]
    assert f"投诉 {complaint['reference']}（收银/价格争议）" in request["body"]
    assert "计费" not in request["body"]
