"""Counts for the management dashboard, scoped like the work queue (team, or everything for directors)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from tousu.domain.workflow import OPEN_STATUSES
from tousu.services.actors import Actor
from tousu.storage.tables import complaints


@dataclass
class Dashboard:
    days: int
    total: int = 0
    open_now: int = 0
    overdue_now: int = 0
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_urgency: list[tuple[str, int]] = field(default_factory=list)
    by_status: list[tuple[str, int]] = field(default_factory=list)


def _scope(actor: Actor) -> list[sa.ColumnElement[bool]]:
    if actor.sees_everything:
        return []
    return [sa.or_(complaints.c.team == actor.team, complaints.c.owner_id == actor.id,
                   complaints.c.responsible_id == actor.id)]


def dashboard(conn: sa.Connection, *, actor: Actor, now: datetime, days: int) -> Dashboard:
    """Complaints received in the last `days` days by channel, category, urgency and status,
    plus what is open and overdue right now whenever it was received."""
    scope = _scope(actor)
    recent = [*scope, complaints.c.received_at >= now - timedelta(days=days)]
    result = Dashboard(days=days)

    def grouped(column: sa.ColumnElement[str]) -> list[tuple[str, int]]:
        rows = conn.execute(sa.select(column, sa.func.count()).where(*recent).group_by(column)
                            .order_by(sa.func.count().desc())).all()
        return [(str(value or ""), int(count)) for value, count in rows]

    result.by_channel = grouped(complaints.c.channel)
    result.by_category = grouped(complaints.c.category)
    result.by_status = grouped(complaints.c.status)
    result.total = sum(count for _, count in result.by_status)
    urgency: Counter[str] = Counter()
    for (types,) in conn.execute(sa.select(complaints.c.urgency_types).where(*recent)):
        urgency.update(types or [])
    result.by_urgency = urgency.most_common()
    is_open = complaints.c.status.in_([s.value for s in OPEN_STATUSES])
    result.open_now = conn.execute(sa.select(sa.func.count()).where(*scope, is_open)).scalar_one()
    result.overdue_now = conn.execute(
        sa.select(sa.func.count()).where(*scope, is_open, complaints.c.reply_by < now)).scalar_one()
    return result
