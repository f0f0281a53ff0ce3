"""Batch complaints (批量): many customers, one issue, one window — decided in the database.

Every process takes the same per-issue lock (an advisory lock on PostgreSQL; SQLite
has one writer at a time), so exactly one request sees the batch form and raises
its alert; later complaints on the same issue join the open batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tousu.domain import urgency as rules
from tousu.domain.codes import Channel, UrgencyType
from tousu.domain.deadlines import compute_deadlines, within_transfer_deadline
from tousu.domain.policy import Policy
from tousu.domain.workflow import Status
from tousu.services import timeline
from tousu.services.industry import category_names
from tousu.storage.tables import batches, complaints, customers

SIMULTANEOUS = timedelta(minutes=1)
"""How far a complaint's time may run ahead of another's and still count as the same moment.
A server reads the clock before it queues for the issue's lock, and machines' clocks differ: a
complaint may take the lock after one received a moment later (by its clock) formed the batch."""


@dataclass(frozen=True)
class BatchPlacement:
    """Where a new complaint stands: in an open batch, forming a new one with others, or neither."""

    batch_id: int
    formed_with: list[int]  # earlier complaints that form the batch with it (empty when joining)


def place_new(
    conn: sa.Connection, *, key: str, customer_id: int, is_vip: bool, at: datetime, policy: Policy
) -> BatchPlacement | None:
    """Decide, before the complaint is written, whether it belongs to a batch.

    Joining an open batch or forming a new one both happen here, under the per-issue lock
    that is held until the transaction ends.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    start = rules.batch_window_start(at, policy.urgency)
    open_batch = conn.execute(
        sa.select(batches.c.id, batches.c.last_at)
        .where(
            batches.c.issue_key == key,
            batches.c.last_at >= start,
            batches.c.opened_at <= at + SIMULTANEOUS,
            batches.c.closed_at.is_(None),  # a closed batch takes in no one (services/batch_handling.py)
        )
        .order_by(batches.c.last_at.desc())
        .limit(1)
    ).first()
    if open_batch is not None:
        conn.execute(
            batches.update()
            .where(batches.c.id == open_batch.id)
            .values(last_at=max(open_batch.last_at, at), member_count=batches.c.member_count + 1)
        )
        return BatchPlacement(batch_id=int(open_batch.id), formed_with=[])
    members = conn.execute(
        sa.select(complaints.c.id, complaints.c.customer_id, customers.c.vip_level)
        .join(customers, customers.c.id == complaints.c.customer_id)
        .where(
            complaints.c.issue_key == key,
            complaints.c.received_at >= start,
            complaints.c.received_at <= at + SIMULTANEOUS,
            complaints.c.status != Status.MERGED.value,
            # Members of a batch (one closed, since an open one was joined above) stay in theirs.
            complaints.c.batch_id.is_(None),
        )
    ).all()
    arrivals = [(str(m.customer_id), m.vip_level != "normal") for m in members] + [(str(customer_id), is_vip)]
    if not rules.forms_batch(arrivals, policy.urgency):
        return None
    batch_id: int = conn.execute(
        batches.insert().values(issue_key=key, opened_at=at, last_at=at, member_count=len(members) + 1)
    ).inserted_primary_key[0]  # type: ignore[index]
    return BatchPlacement(batch_id=batch_id, formed_with=[m.id for m in members])


def announce(
    conn: sa.Connection, *, complaint_id: int, placement: BatchPlacement, key: str, policy: Policy, now: datetime
) -> None:
    """After the new complaint is written: mark the earlier members and raise the one alert."""
    if not placement.formed_with:
        return
    _mark(conn, placement.formed_with, batch_id=placement.batch_id, policy=policy, now=now)
    timeline.append(
        conn,
        complaint_id=complaint_id,
        kind="batch_alert",
        actor_id=None,
        at=now,
        dedup_key=f"batch:{placement.batch_id}",
        data={
            "batch_id": placement.batch_id,
            "issue_key": key,
            "members": len(placement.formed_with) + 1,
            "window_minutes": policy.urgency.batch_window_minutes,
        },
    )


def _mark(conn: sa.Connection, ids: list[int], *, batch_id: int, policy: Policy, now: datetime) -> None:
    # Locked (in id order, as every locker does): a workflow action committing on one of these
    # meanwhile would otherwise be overwritten from a stale read, its version number reused.
    query = sa.select(complaints).where(complaints.c.id.in_(ids)).order_by(complaints.c.id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    rows = conn.execute(query).mappings().all()
    for row in rows:
        types = {UrgencyType(t) for t in row["urgency_types"]} | {UrgencyType.BATCH}
        deadlines = compute_deadlines(
            received_at=row["received_at"],
            channel=Channel(row["channel"]),
            team=row["team"],
            urgency=types,
            paused=timedelta(seconds=row["paused_seconds"]),
            policy=policy.sla,
        )
        after = {
            "urgency_types": sorted(t.value for t in types),
            "priority": rules.priority(types),
            "batch_id": batch_id,
            "reply_by": within_transfer_deadline(deadlines.reply_by, row["transfer_reply_by"]),
            "follow_up_by": deadlines.follow_up_by,
        }
        conn.execute(
            complaints.update()
            .where(complaints.c.id == row["id"])
            .values(**after, version=row["version"] + 1, updated_at=now)
        )
        timeline.append(
            conn,
            complaint_id=row["id"],
            kind="urgency_changed",
            actor_id=None,
            at=now,
            data={
                "reason": "batch",
                "before": {
                    "urgency_types": row["urgency_types"],
                    "priority": row["priority"],
                    "reply_by": row["reply_by"].isoformat() if row["reply_by"] else None,
                },
                "after": {
                    "urgency_types": after["urgency_types"],
                    "priority": after["priority"],
                    "batch_id": batch_id,
                    "reply_by": deadlines.reply_by.isoformat(),
                },
            },
        )


def open_batches(conn: sa.Connection, *, now: datetime, policy: Policy) -> list[dict[str, Any]]:
    """Batches whose window is still open: the banner on the work queue."""
    since = now - timedelta(minutes=policy.urgency.batch_window_minutes)
    rows = (
        conn.execute(
            sa.select(batches)
            .where(batches.c.last_at >= since, batches.c.closed_at.is_(None))
            .order_by(batches.c.opened_at.desc())
        )
        .mappings()
        .all()
    )
    names = category_names(policy.industry)
    return [{**r, "issue": rules.describe_issue_key(r["issue_key"], names)} for r in rows]
