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
from tousu.domain.workflow import Status
from tousu.services import queries
from tousu.services.actors import Actor
from tousu.services.batches import open_batches
from tousu.storage.tables import complaints

SILENT_PER_COMPLAINANT = 24
"""Seeds' figure: 96% of unhappy customers never complain."""


def _scope(actor: Actor) -> list[sa.ColumnElement[bool]]:
    return [] if actor.sees_everything else [complaints.c.team == actor.team]


def _periods(
    conn: sa.Connection, scope: list[sa.ColumnElement[bool]], today: datetime, week: datetime
) -> dict[str, Any]:
    """Today's and this week's intake by channel and by category, from one grouped count."""
    since = min(today, week)
    is_today = sa.func.sum(sa.case((complaints.c.received_at >= today, 1), else_=0))
    rows = conn.execute(
        sa.select(complaints.c.channel, complaints.c.category, is_today, sa.func.count())
        .where(*scope, complaints.c.received_at >= since)
        .group_by(complaints.c.channel, complaints.c.category)
    ).all()
    periods: dict[str, Any] = {}
    for name, column in (("today", 2), ("week", 3)):
        by_channel: dict[str, int] = {}
        by_category: dict[str, int] = {}
        for row in rows:
            n = int(row[column] or 0)
            if n:
                by_channel[row.channel] = by_channel.get(row.channel, 0) + n
                category = row.category if row.category is not None else "none"
                by_category[category] = by_category.get(category, 0) + n
        periods[name] = {"total": sum(by_channel.values()), "by_channel": by_channel, "by_category": by_category}
    return periods


def _urgency_counts(
    conn: sa.Connection, scope: list[sa.ColumnElement[bool]], today: datetime, week: datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Urgent complaints (priority 1 and 2) of today and of this week per urgency type, counted in
    the database over each complaint's list of types."""
    if conn.dialect.name == "sqlite":  # json_each's rows have a `value` column of their own
        kind = sa.func.json_each(complaints.c.urgency_types).table_valued("value")
    else:
        kind = sa.func.json_array_elements_text(complaints.c.urgency_types).table_valued("value").render_derived()
    rows = conn.execute(
        sa.select(
            kind.c.value,
            sa.func.sum(sa.case((complaints.c.received_at >= today, 1), else_=0)),
            sa.func.count(),
        )
        .select_from(complaints)
        .join(kind, sa.true())
        .where(*scope, complaints.c.received_at >= min(today, week), complaints.c.priority < 3)
        .group_by(kind.c.value)
    ).all()
    return (
        {str(r[0]): int(r[1]) for r in rows if r[1]},
        {str(r[0]): int(r[2]) for r in rows},
    )


def _backlog(conn: sa.Connection, scope: list[sa.ColumnElement[bool]], now: datetime, horizon: datetime) -> Any:
    """Open, overdue and at-risk now, in one statement of three counts, each over an index."""

    def count(*where: sa.ColumnElement[bool]) -> sa.ScalarSelect[int]:
        return sa.select(sa.func.count()).select_from(complaints).where(*scope, *where).scalar_subquery()

    waiting = queries.statuses([Status.PENDING_CUSTOMER.value])
    return conn.execute(
        sa.select(
            (count(queries.CLOCKED) + count(waiting)).label("open"),
            count(queries.overdue_clause(now)).label("overdue"),
            count(queries.CLOCKED, complaints.c.reply_by >= now, complaints.c.reply_by < horizon).label("at_risk"),
        )
    ).one()


def overview(conn: sa.Connection, *, actor: Actor, now: datetime, policy: Policy) -> dict[str, Any]:
    """The overview in a handful of aggregate statements, whatever the number of complaints."""
    local = now.astimezone(LOCAL)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - timedelta(days=today.weekday())
    scope = _scope(actor)
    periods = _periods(conn, scope, today, week)
    periods["today"]["by_urgency"], periods["week"]["by_urgency"] = _urgency_counts(conn, scope, today, week)
    # Overdue and at risk count only where the clock runs: waiting on the customer pauses it.
    backlog = _backlog(conn, scope, now, now + timedelta(hours=policy.sla.warn_before_hours))
    satisfaction = {
        str(key): int(n)
        for key, n in conn.execute(
            sa.select(complaints.c.satisfaction, sa.func.count())
            .where(
                *scope,
                complaints.c.satisfaction.is_not(None),
                complaints.c.received_at >= week - timedelta(days=21),
            )
            .group_by(complaints.c.satisfaction)
        ).all()
    }
    followed = sum(satisfaction.values())
    return {
        **periods,
        "open": int(backlog.open),
        "overdue": int(backlog.overdue),
        "at_risk": int(backlog.at_risk),
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
