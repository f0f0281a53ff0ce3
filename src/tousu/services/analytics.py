"""Figures for the manager overview: volumes, overdue and at-risk work, batches, satisfaction.

The "silent customers" estimate uses the seeds' figure that 96% of unhappy customers never
complain, so one complainant stands for about 24 others; it is labelled as such wherever shown.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tousu.domain.deadlines import LOCAL
from tousu.domain.policy import Policy
from tousu.domain.workflow import CLOCK_RUNNING, OPEN_STATUSES
from tousu.services.actors import Actor
from tousu.services.batches import open_batches
from tousu.storage.tables import complaints

SILENT_PER_COMPLAINANT = 24
"""Seeds' figure: 96% of unhappy customers never complain."""


def _scope(actor: Actor) -> list[sa.ColumnElement[bool]]:
    return [] if actor.sees_everything else [complaints.c.team == actor.team]


def _counts(conn: sa.Connection, column: sa.ColumnElement[Any], where: list[sa.ColumnElement[bool]]) -> dict[str, int]:
    rows = conn.execute(sa.select(column, sa.func.count()).where(*where).group_by(column)).all()
    return {str(key) if key is not None else "none": int(n) for key, n in rows}


def _urgency_counts(conn: sa.Connection, where: list[sa.ColumnElement[bool]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for (types,) in conn.execute(sa.select(complaints.c.urgency_types).where(*where, complaints.c.priority < 3)):
        for kind in types:
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def overview(conn: sa.Connection, *, actor: Actor, now: datetime, policy: Policy) -> dict[str, Any]:
    local = now.astimezone(LOCAL)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - timedelta(days=today.weekday())
    scope = _scope(actor)
    open_now = [*scope, complaints.c.status.in_([s.value for s in OPEN_STATUSES])]
    # Overdue and at risk count only where the clock runs: waiting on the customer pauses it.
    clock_running = [*scope, complaints.c.status.in_([s.value for s in CLOCK_RUNNING])]
    periods: dict[str, dict[str, Any]] = {}
    for name, start in (("today", today), ("week", week)):
        where = [*scope, complaints.c.received_at >= start]
        periods[name] = {
            "total": conn.execute(sa.select(sa.func.count()).where(*where).select_from(complaints)).scalar_one(),
            "by_channel": _counts(conn, complaints.c.channel, where),
            "by_category": _counts(conn, complaints.c.category, where),
            "by_urgency": _urgency_counts(conn, where),
        }
    horizon = now + timedelta(hours=policy.sla.warn_before_hours)
    overdue = conn.execute(
        sa.select(sa.func.count()).select_from(complaints).where(*clock_running, complaints.c.reply_by < now)
    ).scalar_one()
    at_risk = conn.execute(
        sa.select(sa.func.count())
        .select_from(complaints)
        .where(*clock_running, complaints.c.reply_by >= now, complaints.c.reply_by < horizon)
    ).scalar_one()
    satisfaction = _counts(
        conn,
        complaints.c.satisfaction,
        [*scope, complaints.c.satisfaction.is_not(None), complaints.c.received_at >= week - timedelta(days=21)],
    )
    followed = sum(satisfaction.values())
    return {
        **periods,
        "open": conn.execute(sa.select(sa.func.count()).select_from(complaints).where(*open_now)).scalar_one(),
        "overdue": overdue,
        "at_risk": at_risk,
        "batches": len(open_batches(conn, now=now, policy=policy)),
        "satisfaction": {
            "counts": satisfaction,
            "rate": round(satisfaction.get("satisfied", 0) / followed, 3) if followed else None,
        },
        "silent_customers_estimate": {
            "week": periods["week"]["total"] * SILENT_PER_COMPLAINANT,
            "note": "按资料数据估算：96%的不满客户不会投诉，每1位投诉客户背后约有24位沉默客户。",
        },
    }
