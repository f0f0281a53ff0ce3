"""Listing and searching complaints with the filters of the work queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tousu.domain.workflow import OPEN_STATUSES
from tousu.services.actors import Actor
from tousu.storage.search import query_terms
from tousu.storage.tables import complaints, customers


@dataclass(frozen=True)
class ComplaintFilter:
    status: list[str] | None = None
    channel: str | None = None
    category: str | None = None
    urgency_type: str | None = None
    owner: int | None = None
    overdue: bool | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    customer_id: int | None = None
    batch_id: int | None = None
    q: str | None = None


LIST_COLUMNS = (
    complaints.c.id,
    complaints.c.reference,
    complaints.c.channel,
    complaints.c.category,
    complaints.c.demands,
    complaints.c.status,
    complaints.c.urgency_types,
    complaints.c.priority,
    complaints.c.received_at,
    complaints.c.reply_by,
    complaints.c.owner_id,
    complaints.c.team,
    complaints.c.batch_id,
    complaints.c.escalation_level,
    complaints.c.version,
    complaints.c.content,
    customers.c.name.label("customer_name"),
    customers.c.phone.label("customer_phone"),
    customers.c.vip_level.label("customer_vip_level"),
)


def _search_clause(conn: sa.Connection, q: str) -> sa.ColumnElement[bool]:
    like = complaints.c.content.contains(q, autoescape=True)
    terms = query_terms(q)
    if not terms or (len(terms) == 1 and len(terms[0]) == 1):
        return like
    if conn.dialect.name == "postgresql":
        tsquery = " & ".join(f"'{t}'" for t in terms if "'" not in t)
        # search_vector is a PostgreSQL-only generated column (see the initial migration).
        indexed = sa.literal_column("complaints.search_vector").bool_op("@@")(
            sa.func.to_tsquery(sa.literal_column("'simple'"), tsquery)
        )
        return sa.and_(indexed, like)
    match = " AND ".join('"' + t.replace('"', "") + '"' for t in terms)
    ids = sa.text("SELECT rowid FROM complaint_search WHERE complaint_search MATCH :match").bindparams(match=match)
    return sa.and_(complaints.c.id.in_(ids.columns(sa.column("rowid"))), like)


def search(
    conn: sa.Connection, *, actor: Actor, filters: ComplaintFilter, now: datetime, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of complaints the actor may see, most urgent and oldest deadline first, and the total."""
    where: list[sa.ColumnElement[bool]] = []
    if not actor.sees_everything:
        where.append(
            sa.or_(
                complaints.c.team == actor.team,
                complaints.c.owner_id == actor.id,
                complaints.c.responsible_id == actor.id,
            )
        )
    f = filters
    if f.status:
        where.append(complaints.c.status.in_(f.status))
    if f.channel:
        where.append(complaints.c.channel == f.channel)
    if f.category:
        where.append(complaints.c.category == f.category)
    if f.urgency_type:
        where.append(
            complaints.c.urgency_types.contains(f'"{f.urgency_type}"')
            if conn.dialect.name == "sqlite"
            else sa.cast(complaints.c.urgency_types, sa.Text).contains(f'"{f.urgency_type}"')
        )
    if f.owner is not None:
        where.append(complaints.c.owner_id == f.owner)
    if f.customer_id is not None:
        where.append(complaints.c.customer_id == f.customer_id)
    if f.batch_id is not None:
        where.append(complaints.c.batch_id == f.batch_id)
    if f.overdue is not None:
        late = sa.and_(complaints.c.status.in_([s.value for s in OPEN_STATUSES]), complaints.c.reply_by < now)
        where.append(late if f.overdue else sa.not_(late))
    if f.received_from:
        where.append(complaints.c.received_at >= f.received_from)
    if f.received_to:
        where.append(complaints.c.received_at < f.received_to)
    if f.q and f.q.strip():
        where.append(_search_clause(conn, f.q.strip()))
    base = sa.select(*LIST_COLUMNS).join(customers, customers.c.id == complaints.c.customer_id).where(*where)
    rows = (
        conn.execute(
            base.order_by(complaints.c.priority, complaints.c.reply_by.asc().nulls_last(), complaints.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        .mappings()
        .all()
    )
    total = conn.execute(
        sa.select(sa.func.count())
        .select_from(complaints)
        .join(customers, customers.c.id == complaints.c.customer_id)
        .where(*where)
    ).scalar_one()
    return [dict(r) for r in rows], int(total)
