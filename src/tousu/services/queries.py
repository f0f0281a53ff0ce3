"""Listing and searching complaints with the filters of the work queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tousu.domain.workflow import CLOCK_RUNNING
from tousu.services.actors import Actor, can_see
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
    if not actor.sees_everything:  # the same rule as actors.can_see: no team is no team's complaints
        where.append(
            sa.or_(
                complaints.c.team == actor.team if actor.team else sa.false(),
                complaints.c.owner_id == actor.id,
                complaints.c.responsible_id == actor.id,
                complaints.c.received_by_id == actor.id,
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
        late = sa.and_(complaints.c.status.in_([s.value for s in CLOCK_RUNNING]), complaints.c.reply_by < now)
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


def visible_batches(
    conn: sa.Connection, *, actor: Actor, batches: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """The batches with at least one complaint the actor can see (by `can_see` itself), and how
    many others there are: another hall's batch shows only as a number."""
    if actor.sees_everything or not batches:
        return batches, 0
    members = conn.execute(
        sa.select(
            complaints.c.batch_id,
            complaints.c.team,
            complaints.c.owner_id,
            complaints.c.responsible_id,
            complaints.c.received_by_id,
        ).where(complaints.c.batch_id.in_([b["id"] for b in batches]))
    ).mappings()
    seen = {m["batch_id"] for m in members if can_see(actor, dict(m))}
    shown = [b for b in batches if b["id"] in seen]
    return shown, len(batches) - len(shown)
