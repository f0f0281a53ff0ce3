"""日报 and 周报 by e-mail: queued once per person and period at the digest hour, built when sent.

The outbox row carries only the report's parameters (kind and period), never the workbook: the
dispatcher rebuilds the report when it sends the message (`compose`), with the recipient's role
and hall as they are then, so a manager gets their hall's figures and someone who may no longer
read reports gets nothing. The workbook attached is the one `GET /api/v1/reports/kpi?format=xlsx`
gives for that scope and period.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from urllib.parse import urlencode

import sqlalchemy as sa

from tousu.domain import report_schedule
from tousu.domain.codes import Role
from tousu.domain.deadlines import LOCAL
from tousu.domain.kpi import Period
from tousu.domain.policy import Policy
from tousu.domain.report_schedule import ReportKind
from tousu.services import digest, exports, outbox, policy_settings, reports
from tousu.services import users as users_service
from tousu.services.actors import Actor
from tousu.services.senders import Attachment, SendError
from tousu.storage.tables import notification_preferences, users

READERS = (Role.MANAGER, Role.DIRECTOR, Role.ADMIN)  # who may read reports (services/reports.scope)


def queue_reports(conn: sa.Connection, *, now: datetime, hour: int) -> int:
    """Queue the reports due today for everyone subscribed to them; returns how many were queued."""
    moment = digest.digest_moment(now, hour)
    if moment is None:
        return 0
    due = report_schedule.due(moment.astimezone(LOCAL).date())
    rows = conn.execute(
        sa.select(
            notification_preferences.c.user_id,
            notification_preferences.c.email_address,
            notification_preferences.c.daily_report,
            notification_preferences.c.weekly_report,
        )
        .join(users, users.c.id == notification_preferences.c.user_id)
        .where(
            sa.or_(notification_preferences.c.daily_report, notification_preferences.c.weekly_report),
            notification_preferences.c.email_address != "",
            users.c.active,
            users.c.role.in_([r.value for r in READERS]),
        )
        .order_by(notification_preferences.c.user_id)
    ).all()
    queued = 0
    for row in rows:
        wanted = {ReportKind.DAILY: row.daily_report, ReportKind.WEEKLY: row.weekly_report}
        for kind, period in due:
            if not wanted[kind]:
                continue
            payload = {
                "subject": f"投诉{report_schedule.KIND_NAMES[kind]} {report_schedule.period_text(kind, period)}",
                "text": "",
                "link": "/reports",
                "report": {
                    "kind": kind.value,
                    "from": period.start.isoformat(),
                    "to": period.end.isoformat(),
                    "user_id": row.user_id,
                },
            }
            queued += outbox.enqueue(
                conn,
                channel="email",
                recipient=row.email_address,
                payload=payload,
                dedup_key=report_schedule.dedup_key(kind, row.user_id, period),
                now=now,
                user_id=row.user_id,
            )
    return queued


def is_report(message: outbox.Message) -> bool:
    return message.channel == "email" and isinstance(message.payload.get("report"), dict)


def _reader(conn: sa.Connection, user_id: int) -> Actor:
    """The recipient as they are now; refused (the message fails visibly) if they may not read reports."""
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).mappings().first()
    if row is None or not row["active"] or row["role"] not in {r.value for r in READERS}:
        raise SendError("收件人已停用或已无报表权限（报表仅限厅经理及以上），未发送该报表。")
    return users_service.actor_of(dict(row))


def compose(
    conn: sa.Connection, message: outbox.Message, *, now: datetime, file_policy: Policy
) -> tuple[outbox.Message, list[Attachment]]:
    """The report's e-mail as it is sent now: subject, summary and the workbook attached. The policy
    is the one requests use: the file's with the administrators' stored overrides (subscribers)."""
    params = message.payload["report"]
    try:
        kind = ReportKind(params["kind"])
        period = Period(date.fromisoformat(params["from"]), date.fromisoformat(params["to"]))
        user_id = int(params["user_id"])
    except (KeyError, TypeError, ValueError):
        raise SendError(f"报表参数无效：{params!r}") from None
    actor = _reader(conn, user_id)
    group_by = report_schedule.group_for(actor.sees_everything)
    policy = policy_settings.effective(file_policy, policy_settings.load(conn).overrides)
    report = reports.report(conn, actor=actor, period=period, group_by=group_by, now=now, policy=policy)
    name = report_schedule.filename(kind, period)
    query = urlencode({"from": period.start.isoformat(), "to": period.end.isoformat(), "group_by": group_by.value})
    payload = {
        "subject": report_schedule.subject(kind, period, report["scope"]),
        "text": report_schedule.summary(kind, report, name),
        "link": f"/reports?{query}",
    }
    workbook = Attachment(name, exports.report_workbook(report), exports.XLSX_TYPE)
    return replace(message, payload=payload), [workbook]
