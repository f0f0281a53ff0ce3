"""The daily digest: one e-mail a day, at the configured hour, listing a person's unread notifications.

For people who chose it, notifications are not e-mailed one by one (services/notifications.py);
the day's digest lists those still unread from the 24 hours before the digest hour. Queued once
per person and day (the outbox's dedup key), whichever process or cron run gets there first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tousu.domain.deadlines import LOCAL
from tousu.services import outbox
from tousu.storage.tables import notification_preferences, notifications, users

LISTED = 50  # more than this in a day is summed up, not listed


def digest_moment(now: datetime, hour: int) -> datetime | None:
    """Today's digest time (Asia/Shanghai) once it has come; None before it."""
    local = now.astimezone(LOCAL)
    moment = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return moment.astimezone(UTC) if local >= moment else None


def queue_digests(conn: sa.Connection, *, now: datetime, hour: int) -> int:
    """Queue today's digest for everyone who takes it and has unread notifications; returns how many."""
    moment = digest_moment(now, hour)
    if moment is None:
        return 0
    day = moment.astimezone(LOCAL).date()
    rows = conn.execute(
        sa.select(
            notification_preferences.c.user_id,
            notification_preferences.c.email_address,
            notifications.c.title,
            notifications.c.created_at,
        )
        .join(users, users.c.id == notification_preferences.c.user_id)
        .join(notifications, notifications.c.user_id == notification_preferences.c.user_id)
        .where(
            notification_preferences.c.daily_digest,
            notification_preferences.c.email,
            notification_preferences.c.email_address != "",
            users.c.active,
            notifications.c.read_at.is_(None),
            notifications.c.created_at >= moment - timedelta(days=1),
            notifications.c.created_at < moment,
        )
        .order_by(notification_preferences.c.user_id, notifications.c.id)
    ).all()
    unread: dict[int, list[tuple[str, datetime]]] = {}
    addresses: dict[int, str] = {}
    for row in rows:
        unread.setdefault(row.user_id, []).append((row.title, row.created_at))
        addresses[row.user_id] = row.email_address
    queued = 0
    for user_id, items in unread.items():
        lines = [
            f"{n}. {title}（{at.astimezone(LOCAL):%m-%d %H:%M}）" for n, (title, at) in enumerate(items[:LISTED], 1)
        ]
        if len(items) > LISTED:
            lines.append(f"……另有 {len(items) - LISTED} 条，请登录系统查看。")
        payload = {
            "subject": f"每日通知摘要（{day:%m月%d日}）：{len(items)} 条未读",
            "text": "\n".join(lines),
            "link": "/notifications",
        }
        queued += outbox.enqueue(
            conn,
            channel="email",
            recipient=addresses[user_id],
            payload=payload,
            dedup_key=f"digest:{user_id}:{day.isoformat()}",
            now=now,
            user_id=user_id,
        )
    return queued
