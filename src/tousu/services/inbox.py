"""A person's own notifications (the bell and its list) and their choice of channels."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tousu.domain.codes import Role
from tousu.services.actors import Actor
from tousu.services.errors import Invalid, NotFound
from tousu.services.notifications import KIND_NAMES
from tousu.storage.tables import notification_preferences, notifications

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def unread_count(conn: sa.Connection, *, actor: Actor) -> int:
    query = sa.select(sa.func.count()).where(notifications.c.user_id == actor.id, notifications.c.read_at.is_(None))
    return int(conn.execute(query).scalar_one())


def listing(
    conn: sa.Connection, *, actor: Actor, unread_only: bool = False, limit: int = 50, before_id: int | None = None
) -> list[dict[str, Any]]:
    """Newest first; `before_id` pages back."""
    query = sa.select(notifications).where(notifications.c.user_id == actor.id)
    if unread_only:
        query = query.where(notifications.c.read_at.is_(None))
    if before_id is not None:
        query = query.where(notifications.c.id < before_id)
    rows = conn.execute(query.order_by(notifications.c.id.desc()).limit(limit)).mappings()
    return [{**r, "kind_name": KIND_NAMES.get(r["kind"], r["kind"])} for r in rows]


def mark_read(conn: sa.Connection, *, notification_id: int, actor: Actor, now: datetime) -> dict[str, Any]:
    """Mark one of this person's notifications read (someone else's is 404: no hint that it exists)."""
    mine = sa.and_(notifications.c.id == notification_id, notifications.c.user_id == actor.id)
    conn.execute(notifications.update().where(mine, notifications.c.read_at.is_(None)).values(read_at=now))
    row = conn.execute(sa.select(notifications).where(mine)).mappings().first()
    if row is None:
        raise NotFound("notification_not_found", f"通知 {notification_id} 不存在。", "notification_id")
    return {**row, "kind_name": KIND_NAMES.get(row["kind"], row["kind"])}


def mark_all_read(conn: sa.Connection, *, actor: Actor, now: datetime) -> int:
    done = conn.execute(
        notifications.update()
        .where(notifications.c.user_id == actor.id, notifications.c.read_at.is_(None))
        .values(read_at=now)
    )
    return int(done.rowcount)


@dataclass(frozen=True)
class Preferences:
    """Besides the bell, which is always on: e-mail (one by one, or a daily digest) and a group-chat robot;
    for those who read reports, 日报 and 周报 by e-mail (services/scheduled_reports.py)."""

    email: bool = False
    email_address: str = ""
    webhook: bool = False
    webhook_url: str = ""
    daily_digest: bool = False
    daily_report: bool = False
    weekly_report: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"in_app": True, **asdict(self)}


def preferences(conn: sa.Connection, *, actor: Actor) -> Preferences:
    row = (
        conn.execute(sa.select(notification_preferences).where(notification_preferences.c.user_id == actor.id))
        .mappings()
        .first()
    )
    if row is None:
        return Preferences()
    return Preferences(
        email=row["email"],
        email_address=row["email_address"],
        webhook=row["webhook"],
        webhook_url=row["webhook_url"],
        daily_digest=row["daily_digest"],
        daily_report=row["daily_report"],
        weekly_report=row["weekly_report"],
    )


def validate(prefs: Preferences, *, actor: Actor) -> Preferences:
    """Refuse a choice that could not be delivered, saying what to fill in; returns it tidied."""
    address, url = prefs.email_address.strip(), prefs.webhook_url.strip()
    if address and not _EMAIL.fullmatch(address):
        raise Invalid("invalid_email", "电子邮箱格式不正确（例：zhang.san@example.com）。", "email_address")
    if (prefs.email or prefs.daily_digest) and not address:
        raise Invalid("email_required", "选择邮件通知或每日摘要时，请填写电子邮箱。", "email_address")
    if prefs.daily_digest and not prefs.email:
        raise Invalid("digest_needs_email", "每日摘要通过邮件发送：请同时勾选邮件通知。", "daily_digest")
    if (prefs.daily_report or prefs.weekly_report) and not actor.at_least(Role.MANAGER):
        field = "daily_report" if prefs.daily_report else "weekly_report"
        raise Invalid("reports_not_allowed", "日报、周报仅限厅经理及以上人员订阅（一线人员没有报表权限）。", field)
    if (prefs.daily_report or prefs.weekly_report) and not address:
        raise Invalid("email_required", "日报、周报以邮件附件发送：请填写电子邮箱。", "email_address")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Invalid(
                "invalid_webhook_url",
                "群机器人地址须是以 https:// 开头的完整网址（企业微信或钉钉群机器人的 Webhook 地址）。",
                "webhook_url",
            )
    if prefs.webhook and not url:
        raise Invalid("webhook_url_required", "选择群机器人通知时，请填写机器人的 Webhook 地址。", "webhook_url")
    return Preferences(
        email=prefs.email,
        email_address=address,
        webhook=prefs.webhook,
        webhook_url=url,
        daily_digest=prefs.daily_digest,
        daily_report=prefs.daily_report,
        weekly_report=prefs.weekly_report,
    )


def save_preferences(conn: sa.Connection, *, actor: Actor, prefs: Preferences, now: datetime) -> Preferences:
    prefs = validate(prefs, actor=actor)
    values = {**asdict(prefs), "updated_at": now}
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        insert(notification_preferences)
        .values(user_id=actor.id, **values)
        .on_conflict_do_update(index_elements=["user_id"], set_=values)
    )
    return prefs
