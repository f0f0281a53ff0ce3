"""The outbox: e-mails and webhook posts written in the transaction of their cause, sent later.

A row is queued once (its unique dedup key), claimed by one sender at a time (PostgreSQL:
FOR UPDATE SKIP LOCKED; SQLite: the claiming UPDATE runs under the database's single writer),
and marked sent, or rescheduled with exponential backoff until it has been tried
`max_attempts` times and is marked failed for an administrator to see and retry. A claim
lapses after `LEASE`, so a sender that died mid-send leaves no row stuck in `sending`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

# The module, not its function: customers writes to the timeline, which queues messages here.
from tousu.services import audit, customers
from tousu.services.actors import Actor
from tousu.services.errors import Conflict, NotFound
from tousu.storage.tables import outbox, users

CHANNELS = ("email", "webhook")
CHANNEL_NAMES = {"email": "电子邮件", "webhook": "群机器人"}
STATUS_NAMES = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败"}
LEASE = timedelta(minutes=5)  # far longer than a send may take (its timeouts are 10-30 s)
MAX_BACKOFF = timedelta(hours=6)
ERROR_CHARS = 500

_INSERT_ONCE = {
    # RETURNING tells whether the row was written: psycopg's rowcount is -1 for this statement.
    dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(outbox)
    .on_conflict_do_nothing(index_elements=["dedup_key"])
    .returning(outbox.c.id)
    for dialect in (postgresql, sqlite)
}


@dataclass(frozen=True)
class Message:
    """A claimed row: what to send, where, and the claim (its attempt number) to report back on."""

    id: int
    channel: str
    recipient: str
    payload: dict[str, Any]
    attempts: int


def enqueue(
    conn: sa.Connection,
    *,
    channel: str,
    recipient: str,
    payload: dict[str, Any],
    dedup_key: str,
    now: datetime,
    user_id: int | None = None,
    notification_id: int | None = None,
) -> bool:
    """Queue a message in the caller's transaction; False when that dedup key was queued before."""
    assert channel in CHANNELS, channel
    values = dict(
        channel=channel,
        recipient=recipient,
        user_id=user_id,
        notification_id=notification_id,
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        dedup_key=dedup_key,
    )
    return conn.execute(_INSERT_ONCE[conn.dialect.name], values).first() is not None


def claim(conn: sa.Connection, *, now: datetime, limit: int) -> list[Message]:
    """Take up to `limit` due messages for this sender; no other sender gets them until the claim lapses."""
    due = (
        sa.select(outbox.c.id)
        .where(outbox.c.status.in_(("pending", "sending")), outbox.c.next_attempt_at <= now)
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = conn.execute(
        outbox.update()
        .where(outbox.c.id.in_(due.scalar_subquery()))
        .values(status="sending", attempts=outbox.c.attempts + 1, next_attempt_at=now + LEASE)
        .returning(outbox.c.id, outbox.c.channel, outbox.c.recipient, outbox.c.payload, outbox.c.attempts)
    ).all()
    return sorted((Message(r.id, r.channel, r.recipient, r.payload, r.attempts) for r in rows), key=lambda m: m.id)


def _claimed(message: Message) -> Any:
    """Only the sender holding this claim may report on it (a lapsed claim may be someone else's now)."""
    return sa.and_(outbox.c.id == message.id, outbox.c.status == "sending", outbox.c.attempts == message.attempts)


def mark_sent(conn: sa.Connection, *, message: Message, now: datetime) -> None:
    conn.execute(outbox.update().where(_claimed(message)).values(status="sent", sent_at=now, last_error=None))


def backoff(attempts: int, first: timedelta) -> timedelta:
    """The wait after the `attempts`-th failure: first, 2×first, 4×first…, at most MAX_BACKOFF."""
    return min(first * (1 << min(attempts - 1, 30)), MAX_BACKOFF)


def mark_failed(
    conn: sa.Connection, *, message: Message, error: str, now: datetime, max_attempts: int, first_retry: timedelta
) -> str:
    """Reschedule with backoff, or give up after `max_attempts`; returns the new status."""
    error = customers.mask_numbers_in_text(error)[:ERROR_CHARS]
    if message.attempts >= max_attempts:
        status, values = "failed", {"next_attempt_at": now}
    else:
        status, values = "pending", {"next_attempt_at": now + backoff(message.attempts, first_retry)}
    conn.execute(outbox.update().where(_claimed(message)).values(status=status, last_error=error, **values))
    return status


def shown_recipient(channel: str, recipient: str) -> str:
    """A webhook's address without its query: a robot's key is a credential."""
    if channel != "webhook":
        return recipient
    parts = urlsplit(recipient)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "")


def listing(conn: sa.Connection, *, status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Messages newest first, with the username of the person each was for."""
    query = (
        sa.select(outbox, users.c.username)
        .outerjoin(users, users.c.id == outbox.c.user_id)
        .order_by(outbox.c.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(outbox.c.status == status)
    rows = conn.execute(query).mappings()
    return [{**r, "shown_recipient": shown_recipient(r["channel"], r["recipient"])} for r in rows]


def counts(conn: sa.Connection) -> dict[str, int]:
    rows = conn.execute(sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)).all()
    return {**dict.fromkeys(STATUS_NAMES, 0), **{r[0]: int(r[1]) for r in rows}}


def retry(conn: sa.Connection, *, message_id: int, actor: Actor | None, now: datetime) -> dict[str, Any]:
    """Send a failed message again (from its first attempt); recorded in the audit trail."""
    row = conn.execute(sa.select(outbox).where(outbox.c.id == message_id)).mappings().first()
    if row is None:
        raise NotFound("outbox_not_found", f"待发消息 {message_id} 不存在。", "id")
    done = conn.execute(
        outbox.update()
        .where(outbox.c.id == message_id, outbox.c.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=now)
    )
    if done.rowcount != 1:
        raise Conflict(
            "not_failed", f"消息 {message_id} 当前状态为“{STATUS_NAMES[row['status']]}”，只有发送失败的消息可以重发。"
        )
    audit.record(
        conn,
        action="outbox_retried",
        actor_id=actor.id if actor else None,
        at=now,
        target_user_id=row["user_id"],
        data={"outbox_id": message_id, "channel": row["channel"], "last_error": row["last_error"]},
    )
    return {**dict(row), "status": "pending", "attempts": 0, "next_attempt_at": now}
