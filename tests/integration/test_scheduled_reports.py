"""日报 and 周报 by e-mail, end to end: a subscription in the preferences, the dispatcher's pass at
the digest hour (controlled clock), a real SMTP server on loopback, and the attached workbook read
back with openpyxl against GET /api/v1/reports/kpi for the same scope and period."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.integration.conftest import Api, complaint_body
from tests.integration.test_notifications import _page_cookie
from tests.receivers import Mail, SmtpSink, smtp_server
from tousu.domain.codes import Role
from tousu.domain.deadlines import LOCAL
from tousu.services import scheduled_reports, users
from tousu.services.dispatcher import Dispatcher, Pass, dispatch_once, writer_for
from tousu.settings import Settings
from tousu.storage.db import create_db_engine
from tousu.storage.tables import outbox as outbox_table

HALL_A, HALL_B = "思明营业厅", "湖里营业厅"
MANAGER_MAIL, DIRECTOR_MAIL = "manager1@example.test", "director1@example.test"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL)


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with smtp_server() as sink:
        yield sink


def _settings(api: Api, smtp_port: int) -> Settings:
    base = api.client.app.state.tousu.settings
    return Settings(
        database_url=base.database_url,
        secret_key="integration-tests-secret-0123456789",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_from="tousu@example.test",
        public_url="https://tousu.example.test",
        digest_hour=8,
        outbox_max_attempts=3,
    )


def _subscribe(api: Api, who: str, address: str, **switches: bool) -> None:
    response = api.client.put(
        "/api/v1/me/notification-preferences",
        json={"email_address": address, **switches},
        headers=api.as_(who),
    )
    assert response.status_code == 200, response.text


def _file(api: Api, clock: Any, when: str, who: str, **fields: Any) -> int:
    clock.now = at(when)
    created = api.post("/complaints", who, complaint_body(**fields))
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _act(api: Api, clock: Any, complaint_id: int, action: str, when: str, who: str, **fields: Any) -> None:
    clock.now = at(when)
    version = api.get(f"/complaints/{complaint_id}", who).json()["version"]
    done = api.post(f"/complaints/{complaint_id}/{action}", who, {"version": version, **fields})
    assert done.status_code == 200, done.text


@pytest.fixture
def week(api: Api, clock: Any) -> None:
    """Complaints of the week of Monday 2026-11-23, in Shanghai time:
    11-23 one of hall A's; 11-24 two of hall A's (one answered on time, the customer satisfied)
    and one of hall B's; 11-26 one of hall B's."""
    _file(api, clock, "2026-11-23 10:00", "agent1", category="billing", customer={"name": "甲", "phone": "13900000001"})
    answered = _file(
        api, clock, "2026-11-24 09:00", "agent1", category="billing", customer={"name": "乙", "phone": "13900000002"}
    )
    _act(api, clock, answered, "reply", "2026-11-24 10:00", "agent1", reply="已核实，多扣的费用已退回。")
    _act(api, clock, answered, "follow-up", "2026-11-24 11:00", "agent1", satisfaction="satisfied", comments="满意")
    _file(
        api, clock, "2026-11-24 14:00", "agent2", channel="hall", category="service",
        customer={"name": "丙", "phone": "13900000003"}, content="营业员办理业务太慢，等了一个小时。",
    )  # fmt: skip
    _file(api, clock, "2026-11-24 11:00", "agent_b", category="vas", customer={"name": "丁", "phone": "13800000004"})
    _file(api, clock, "2026-11-26 15:00", "agent_b", category="plan", customer={"name": "戊", "phone": "13800000005"})


def _pass(api: Api, clock: Any, settings: Settings) -> Pass:
    return dispatch_once(api.client.app.state.tousu.write, settings, clock=clock, digests=True)


def _attachment(mail: Mail) -> tuple[str, str, bytes]:
    [part] = list(mail.message.iter_attachments())
    return str(part.get_filename()), part.get_content_type(), part.get_payload(decode=True)


def _sheets(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def _api_report(api: Api, who: str, start: str, end: str, group_by: str) -> tuple[dict[str, Any], bytes]:
    params = {"from": start, "to": end, "group_by": group_by}
    body = api.get("/reports/kpi", who, params=params)
    workbook = api.get("/reports/kpi", who, params={**params, "format": "xlsx"})
    assert body.status_code == 200 and workbook.status_code == 200
    return dict(body.json()), workbook.content


def _assert_same_numbers(content: bytes, body: dict[str, Any]) -> None:
    """The attachment's table holds the API's figures, group by group and in total."""
    names = [c["name"] for c in body["columns"]]
    table = _sheets(content)["报表"]
    assert list(table[0]) == [body["group_name"], *names]
    # Empty trailing cells (用户数 and 百万用户申诉率 with no subscribers configured) are not stored.
    shown = {
        row[0]: dict(zip(names, [*row[1:], *[None] * (len(names) + 1 - len(row))], strict=True)) for row in table[1:]
    }
    expected = {row["label"]: row["kpis"] for row in body["rows"]} | {"合计": body["total"]["kpis"]}
    assert shown == {label: {c["name"]: kpis[c["key"]] for c in body["columns"]} for label, kpis in expected.items()}


def test_a_subscribed_manager_gets_yesterdays_report_of_their_hall_once_after_the_hour(
    api: Api, clock: Any, smtp: SmtpSink, week: None
) -> None:
    _subscribe(api, "manager1", MANAGER_MAIL, daily_report=True)
    settings = _settings(api, smtp.port)

    clock.now = at("2026-11-25 07:59")
    assert _pass(api, clock, settings).reports == 0
    assert smtp.mails == [], "nothing before the configured hour"

    clock.now = at("2026-11-25 08:00")
    done = _pass(api, clock, settings)
    assert (done.reports, done.sent, done.failed) == (1, 1, 0)
    [mail] = smtp.wait_for(1)
    assert mail.to == [MANAGER_MAIL]
    assert "日报" in mail.subject and "2026-11-24" in mail.subject and HALL_A in mail.subject
    assert "受理量：2 件（前一日 1 件，+1 件）" in mail.text, mail.text
    assert "满意率：100.00%（前一日 —，无法比较）" in mail.text
    assert "及时率" in mail.text and "超时" in mail.text
    assert "https://tousu.example.test/reports?from=2026-11-24&to=2026-11-24&group_by=category" in mail.text
    assert "1390000" not in mail.text and "甲" not in mail.text, "no customer's data in the body"

    filename, media_type, content = _attachment(mail)
    assert filename == "投诉日报-2026-11-24.xlsx" and media_type == XLSX
    body, api_workbook = _api_report(api, "manager1", "2026-11-24", "2026-11-24", "category")
    _assert_same_numbers(content, body)
    assert body["total"]["kpis"]["received"] == 2, "hall A's two complaints of the day, not hall B's"
    assert _sheets(content) == _sheets(api_workbook), "the workbook the API gives for that scope and day"
    assert ("统计范围", HALL_A) in _sheets(content)["说明"]

    clock.now = at("2026-11-25 17:00")
    again = _pass(api, clock, settings)
    assert (again.reports, again.sent) == (0, 0) and len(smtp.mails) == 1, "once per day"


def test_a_directors_daily_report_covers_every_hall_by_hall(api: Api, clock: Any, smtp: SmtpSink, week: None) -> None:
    _subscribe(api, "director1", DIRECTOR_MAIL, daily_report=True, weekly_report=True)
    clock.now = at("2026-11-25 08:30")  # a Wednesday: no weekly report
    _pass(api, clock, _settings(api, smtp.port))
    [mail] = smtp.wait_for(1)
    assert "日报" in mail.subject and "全部营业厅" in mail.subject
    filename, _, content = _attachment(mail)
    assert filename == "投诉日报-2026-11-24.xlsx"
    body, _ = _api_report(api, "director1", "2026-11-24", "2026-11-24", "team")
    _assert_same_numbers(content, body)
    halls = {row[0] for row in _sheets(content)["报表"][1:]}
    assert halls == {HALL_A, HALL_B, "合计"}
    assert body["total"]["kpis"]["received"] == 3


def test_the_weekly_report_goes_on_mondays_for_last_week(api: Api, clock: Any, smtp: SmtpSink, week: None) -> None:
    _subscribe(api, "manager1", MANAGER_MAIL, weekly_report=True)
    settings = _settings(api, smtp.port)
    for day in ("2026-11-24", "2026-11-27", "2026-11-29"):  # Tuesday to Sunday: nothing
        clock.now = at(f"{day} 09:00")
        assert _pass(api, clock, settings).reports == 0
    clock.now = at("2026-11-30 07:00")
    assert _pass(api, clock, settings).reports == 0, "Monday, before the hour"
    clock.now = at("2026-11-30 08:05")
    assert _pass(api, clock, settings).reports == 1
    [mail] = smtp.wait_for(1)
    assert "周报" in mail.subject and "2026-11-23 至 2026-11-29" in mail.subject
    assert "受理量：3 件（前一周 0 件，+3 件）" in mail.text, mail.text
    filename, _, content = _attachment(mail)
    assert filename == "投诉周报-2026-11-23至2026-11-29.xlsx"
    body, api_workbook = _api_report(api, "manager1", "2026-11-23", "2026-11-29", "category")
    _assert_same_numbers(content, body)
    assert _sheets(content) == _sheets(api_workbook)
    clock.now = at("2026-12-01 08:05")
    assert _pass(api, clock, settings).reports == 0 and len(smtp.mails) == 1, "no daily report: not subscribed"


def test_two_dispatchers_and_repeated_passes_send_each_report_once(
    api: Api, clock: Any, smtp: SmtpSink, week: None, database_url: str
) -> None:
    _subscribe(api, "manager1", MANAGER_MAIL, daily_report=True, weekly_report=True)
    _subscribe(api, "director1", DIRECTOR_MAIL, daily_report=True, weekly_report=True)
    settings = _settings(api, smtp.port)
    clock.now = at("2026-11-30 08:00")  # Monday: a daily and a weekly report each
    engines = [create_db_engine(database_url) for _ in range(2)]  # as two processes would
    errors: list[BaseException] = []

    def run(engine: sa.Engine) -> None:
        try:
            for _ in range(2):
                Dispatcher(writer_for(engine), settings, clock=clock).run_once()
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
    _pass(api, clock, settings)
    mails = smtp.wait_for(4)
    sent = sorted((m.to[0], _attachment(m)[0]) for m in mails)
    assert sent == [
        (DIRECTOR_MAIL, "投诉周报-2026-11-23至2026-11-29.xlsx"),
        (DIRECTOR_MAIL, "投诉日报-2026-11-29.xlsx"),
        (MANAGER_MAIL, "投诉周报-2026-11-23至2026-11-29.xlsx"),
        (MANAGER_MAIL, "投诉日报-2026-11-29.xlsx"),
    ]
    with api.client.app.state.tousu.read() as conn:
        keys = conn.execute(sa.select(outbox_table.c.dedup_key, outbox_table.c.status)).all()
    assert len(keys) == 4 and {status for _, status in keys} == {"sent"}


def test_the_report_is_built_in_the_recipients_scope_when_it_is_sent(
    api: Api, clock: Any, smtp: SmtpSink, week: None
) -> None:
    _subscribe(api, "manager1", MANAGER_MAIL, daily_report=True)
    _subscribe(api, "director1", DIRECTOR_MAIL, daily_report=True)
    state = api.client.app.state.tousu
    clock.now = at("2026-11-25 08:00")
    with state.write() as conn:
        assert scheduled_reports.queue_reports(conn, now=clock.now, hour=8) == 2
        manager = users.get_by_username(conn, "manager1")
        director = users.get_by_username(conn, "director1")
        assert manager is not None and director is not None
        users.change_role_and_team(conn, user_id=manager["id"], role=Role.MANAGER, team=HALL_B, now=clock.now)
        users.change_role_and_team(conn, user_id=director["id"], role=Role.AGENT, team=HALL_B, now=clock.now)
    done = dispatch_once(state.write, _settings(api, smtp.port), clock=clock, digests=False)
    assert (done.sent, done.retrying) == (1, 1)
    [mail] = smtp.wait_for(1)
    assert mail.to == [MANAGER_MAIL] and HALL_B in mail.subject
    content = _attachment(mail)[2]
    assert ("统计范围", HALL_B) in _sheets(content)["说明"]
    assert _sheets(content)["报表"][-1][1] == 1, "hall B's one complaint of the day"
    with state.read() as conn:
        errors = conn.execute(sa.select(outbox_table.c.last_error).where(outbox_table.c.last_error.is_not(None)))
        [error] = errors.scalars().all()
    assert "报表权限" in error, "an agent gets no report: the message fails visibly"


def test_only_report_readers_may_subscribe(api: Api) -> None:
    refused = api.client.put(
        "/api/v1/me/notification-preferences",
        json={"email_address": "agent1@example.test", "daily_report": True},
        headers=api.as_("agent1"),
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "daily_report" and "厅经理" in error["message"]
    no_address = api.client.put(
        "/api/v1/me/notification-preferences", json={"weekly_report": True}, headers=api.as_("manager1")
    )
    assert no_address.status_code == 422 and no_address.json()["error"]["field"] == "email_address"
    _subscribe(api, "manager1", MANAGER_MAIL, weekly_report=True)
    saved = api.get("/me/notification-preferences", "manager1").json()
    assert (saved["daily_report"], saved["weekly_report"], saved["email"]) == (False, True, False)

    headers, _ = _page_cookie(api, "manager1")
    page = api.client.get("/notifications/preferences", headers=headers)
    assert page.status_code == 200 and 'name="weekly_report" value="on" checked' in page.text
    agent_headers, agent_csrf = _page_cookie(api, "agent1")
    assert 'name="daily_report"' not in api.client.get("/notifications/preferences", headers=agent_headers).text
    posted = api.client.post(
        "/notifications/preferences",
        data={"csrf_token": agent_csrf, "email_address": "agent1@example.test", "daily_report": "on"},
        headers=agent_headers,
    )
    assert posted.status_code == 422 and "仅限厅经理及以上人员订阅" in posted.text
    assert api.get("/me/notification-preferences", "agent1").json()["daily_report"] is False
