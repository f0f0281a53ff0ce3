"""Listing and searching complaints with the filters of the work queue.

Every list costs what its page shows, however large the table: rows come in the queue's order
(priority, reply deadline, id) straight from an index that holds that order (see the indexes
in storage/tables.py), the next page starts after the last row shown (a cursor) instead of
counting past the earlier ones, and totals stop counting at TOTAL_CAP ("10000+").

Lists are of the working set unless they ask for the archive (services/archive.py): the queue's
and the search's indexes hold the working set and the archive apart, so a list reads the one it
needs, or both as parts merged like the parts of a person's scope.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson
import sqlalchemy as sa

from tousu.domain.codes import UrgencyType
from tousu.domain.workflow import ACTIVE_STATUSES, CLOCK_RUNNING, Status
from tousu.services.actors import Actor, can_see
from tousu.services.errors import Invalid
from tousu.storage.search import query_terms
from tousu.storage.tables import complaints, customers

TOTAL_CAP = 10_000
"""Totals count up to here and then say "more" (a list of 10,000 is read by no one)."""
MAX_OFFSET = 10_000
"""The deepest page asked for by number; deeper, follow the cursor."""
SEARCH_CANDIDATES = 2_000
"""A keyword with at most this many matches is looked up in the search index and the matches
sorted; a commoner one is found by reading the list in its order until the page is full."""
Archived = Literal["exclude", "include", "only"]
"""Whether a list leaves archived complaints out (the working set), takes them in, or lists them alone."""


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
    archived: Archived | None = None  # None: "exclude", but "include" for a list bounded by a receive period


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, the total (at most TOTAL_CAP, or the search's candidate
    bound, with `total_capped` when there are more) and the cursor of the next page (None at the end)."""

    rows: list[dict[str, Any]]
    total: int
    total_capped: bool
    next_cursor: str | None


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
    complaints.c.archived_at,
    complaints.c.customer_name,
    customers.c.phone.label("customer_phone"),
    customers.c.vip_level.label("customer_vip_level"),
)
ORDER = (complaints.c.priority, complaints.c.reply_by, complaints.c.id)
_CODE = re.compile(r"[a-z_]{1,32}")


def statuses(values: Sequence[str]) -> sa.ColumnElement[bool]:
    """`status IN (...)` with the codes written into the statement: PostgreSQL uses a partial
    index only for values it sees when planning, and a prepared statement's parameters it may not."""
    if not all(_CODE.fullmatch(v) for v in values):
        raise ValueError(f"not status codes: {values!r}")
    return complaints.c.status.in_([sa.literal_column(f"'{v}'") for v in sorted(set(values))])


CLOCKED = statuses([s.value for s in CLOCK_RUNNING])


def overdue_clause(now: datetime) -> sa.ColumnElement[bool]:
    """Past the reply deadline while the clock runs (waiting on the customer pauses it)."""
    return sa.and_(CLOCKED, complaints.c.reply_by < now)


# The cursor: the last row shown's place in the queue order, opaque to the client.


def encode_cursor(row: dict[str, Any]) -> str:
    reply_by = row["reply_by"].isoformat() if row["reply_by"] is not None else None
    raw = orjson.dumps([row["priority"], reply_by, row["id"]])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[int, datetime | None, int]:
    try:
        priority, reply_by, row_id = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        moment = datetime.fromisoformat(reply_by) if reply_by is not None else None
        if moment is not None and moment.tzinfo is None:
            raise ValueError("naive time")
        if not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**31 for n in (priority, row_id)):
            raise ValueError("not a row's place")
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise Invalid(
            "bad_cursor",
            "翻页游标无效：请使用上一页返回的 next_cursor，或不带 cursor 从第一页开始。",
            "cursor",
        ) from None
    return priority, moment, row_id


def _after(cursor: str | None) -> list[sa.ColumnElement[bool] | None]:
    """The rows after the cursor's row, as index ranges: a row comparison on the queue order,
    plus the rows without a reply deadline, which sort last within their priority."""
    if cursor is None:
        return [None]
    priority, reply_by, row_id = decode_cursor(cursor)
    p, r, i = ORDER
    if reply_by is None:
        return [p > priority, sa.and_(p == priority, r.is_(None), i > row_id)]
    return [
        sa.tuple_(p, r, i) > sa.tuple_(sa.literal(priority), sa.literal(reply_by, r.type), sa.literal(row_id)),
        sa.and_(p == priority, r.is_(None)),
    ]


def _scopes(actor: Actor) -> list[sa.ColumnElement[bool] | None]:
    """The actor's complaints (the rule of actors.can_see) as disjoint parts, each served by an
    index in the queue order: the team's, then their own elsewhere. No team is no team's complaints."""
    if actor.sees_everything:
        return [None]
    own = sa.or_(
        complaints.c.owner_id == actor.id,
        complaints.c.responsible_id == actor.id,
        complaints.c.received_by_id == actor.id,
    )
    if not actor.team:
        return [own]
    return [complaints.c.team == actor.team, sa.and_(complaints.c.team != actor.team, own)]


LIVE = complaints.c.archived_at.is_(None)
ARCHIVED = complaints.c.archived_at.is_not(None)
ARCHIVABLE = sorted(s.value for s in Status if s not in ACTIVE_STATUSES)
"""The statuses a complaint is archived in (services/archive.py): finished, nobody has work left on it."""


def _shelves(f: ComplaintFilter) -> list[sa.ColumnElement[bool] | None]:
    """The working set, the archive or both, as disjoint parts each served by its own indexes.

    A list is of the working set unless it asks otherwise, but a list bounded by a receive period
    covers the whole period: archiving never hides a complaint from a question about its time.
    Only finished complaints are archived, so a list of other statuses needs no part (None)."""
    choice = f.archived or ("include" if f.received_from or f.received_to else "exclude")
    if f.status and not set(ARCHIVABLE) & set(f.status):
        return [sa.false()] if choice == "only" else [None]
    parts: dict[str, list[sa.ColumnElement[bool] | None]] = {
        "exclude": [LIVE],
        "only": [ARCHIVED],
        "include": [LIVE, ARCHIVED],
    }
    return parts[choice]


def _both(*conditions: sa.ColumnElement[bool] | None) -> sa.ColumnElement[bool] | None:
    present = [c for c in conditions if c is not None]
    return sa.and_(*present) if present else None


def _urgency(conn: sa.Connection, kind: str) -> sa.ColumnElement[bool]:
    # SQLite keeps JSON as text already: no CAST, only SQLAlchemy told to treat it as text.
    column = (
        sa.type_coerce(complaints.c.urgency_types, sa.Text)
        if conn.dialect.name == "sqlite"
        else sa.cast(complaints.c.urgency_types, sa.Text)
    )
    typed = column.contains(f'"{kind}"')
    if kind == UrgencyType.ESCALATED.value:
        # 升级 is also a complaint escalated within the company (to 厅经理 and up, by hand or by
        # the SLA sweep), not only one sent to the province, which carries the urgency type.
        return sa.or_(typed, complaints.c.escalation_level > 0)
    return typed


def _conditions(conn: sa.Connection, f: ComplaintFilter, now: datetime) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if f.status:
        where.append(statuses(f.status))
    if f.channel:
        where.append(complaints.c.channel == f.channel)
    if f.category:
        where.append(complaints.c.category == f.category)
    if f.urgency_type:
        where.append(_urgency(conn, f.urgency_type))
    if f.owner is not None:
        where.append(complaints.c.owner_id == f.owner)
    if f.customer_id is not None:
        where.append(complaints.c.customer_id == f.customer_id)
    if f.batch_id is not None:
        where.append(complaints.c.batch_id == f.batch_id)
    if f.overdue is not None:
        late = overdue_clause(now)
        where.append(late if f.overdue else sa.not_(late))
    if f.received_from:
        where.append(complaints.c.received_at >= f.received_from)
    if f.received_to:
        where.append(complaints.c.received_at < f.received_to)
    return where


def _indexed_match(conn: sa.Connection, q: str) -> sa.ColumnElement[bool] | None:
    """The search index's candidates for the keyword; None when it has too few characters to use it."""
    terms = query_terms(q)
    if not terms or (len(terms) == 1 and len(terms[0]) == 1):
        return None
    if conn.dialect.name == "postgresql":
        tsquery = " & ".join(f"'{t}'" for t in terms if "'" not in t)
        # search_vector is a PostgreSQL-only generated column (see the initial migration).
        return sa.literal_column("complaints.search_vector").bool_op("@@")(
            sa.func.to_tsquery(sa.literal_column("'simple'"), tsquery)
        )
    match = " AND ".join('"' + t.replace('"', "") + '"' for t in terms)
    ids = sa.text("SELECT rowid FROM complaint_search WHERE complaint_search MATCH :match").bindparams(match=match)
    return complaints.c.id.in_(ids.columns(sa.column("rowid")))


def _keyword(
    conn: sa.Connection,
    q: str,
    where: list[sa.ColumnElement[bool]],
    scopes: list[sa.ColumnElement[bool] | None],
    shelves: list[sa.ColumnElement[bool] | None],
) -> tuple[sa.ColumnElement[bool], int | None]:
    """The keyword's condition, and the exact number of matches when it is SEARCH_CANDIDATES or
    fewer (-1: more; None: not known).

    The search index finds up to SEARCH_CANDIDATES + 1 matches in no particular order; when that
    is all of them, the page is sorted from those. A commoner keyword is confirmed row by row
    while the list is read in its own order: the page fills long before the table ends."""
    exact = complaints.c.content.contains(q, autoescape=True)
    indexed = _indexed_match(conn, q)
    if indexed is None:
        return exact, None  # too short for the index: counted like any list
    parts = [s for s in scopes if s is not None]
    visible = sa.or_(*parts) if len(parts) == len(scopes) else sa.true()
    found: list[int] = []
    for shelf in shelves:  # the search index is partial on archived_at: each part reads its own
        wanted = SEARCH_CANDIDATES + 1 - len(found)
        shelf_where = LIVE if shelf is None else shelf  # no part: statuses never archived
        query = sa.select(complaints.c.id).where(*where, visible, shelf_where, indexed, exact).limit(wanted)
        found += conn.execute(query).scalars().all()
        if len(found) > SEARCH_CANDIDATES:
            return exact, -1
    return complaints.c.id.in_(found), len(found)


Part = tuple[sa.ColumnElement[bool] | None, ...]


def _branches(where: list[sa.ColumnElement[bool]], parts: list[Part], limit: int) -> sa.Select[Any]:
    """The ids of the first `limit` rows in the queue order: one ordered, limited read per part
    (each an index range), merged. The parts are disjoint."""
    p, r, i = ORDER
    selects = [
        sa.select(i, p, r)
        .where(*where, *[c for c in part if c is not None])
        .order_by(p, r.asc().nulls_last(), i)
        .limit(limit)
        for part in parts
    ]
    if len(selects) == 1:
        return selects[0]
    merged = sa.union_all(*[sa.select(s.subquery()) for s in selects]).subquery()
    return (
        sa.select(merged.c.id, merged.c.priority, merged.c.reply_by)
        .order_by(merged.c.priority, merged.c.reply_by.asc().nulls_last(), merged.c.id)
        .limit(limit)
    )


def _capped_count(conn: sa.Connection, where: list[sa.ColumnElement[bool]], scopes: list[Any]) -> tuple[int, bool]:
    """How many rows match, counting no further than TOTAL_CAP + 1."""
    limited = [
        sa.select(complaints.c.id).where(*where, *([s] if s is not None else [])).limit(TOTAL_CAP + 1) for s in scopes
    ]
    rows = limited[0] if len(limited) == 1 else sa.union_all(*[sa.select(s.subquery()) for s in limited])
    counted = int(conn.execute(sa.select(sa.func.count()).select_from(rows.subquery())).scalar_one())
    return min(counted, TOTAL_CAP), counted > TOTAL_CAP


def list_page(
    conn: sa.Connection,
    *,
    actor: Actor,
    filters: ComplaintFilter,
    now: datetime,
    limit: int = 50,
    offset: int = 0,
    cursor: str | None = None,
    count: bool = True,
) -> Page:
    """One page of the complaints the actor may see, most urgent and oldest deadline first:
    after `cursor` (from the previous page), else `offset` rows down."""
    where = _conditions(conn, filters, now)
    scopes = _scopes(actor)
    shelves = _shelves(filters)
    known: int | None = None
    if filters.q and filters.q.strip():
        keyword, known = _keyword(conn, filters.q.strip(), where, scopes, shelves)
        where.append(keyword)
    parts: list[Part] = [(scope, shelf, after) for scope in scopes for shelf in shelves for after in _after(cursor)]
    ids = _branches(where, parts, offset + limit + 1).subquery()
    rows = [
        dict(r)
        for r in conn.execute(
            sa.select(*LIST_COLUMNS)
            .select_from(ids.join(complaints, complaints.c.id == ids.c.id))
            .join(customers, customers.c.id == complaints.c.customer_id)
            .order_by(ids.c.priority, ids.c.reply_by.asc().nulls_last(), ids.c.id)
            .offset(offset)
        ).mappings()
    ]
    more = len(rows) > limit
    rows = rows[:limit]
    if not count:
        total, capped = 0, False
    elif known == -1:
        total, capped = SEARCH_CANDIDATES, True  # a common keyword: more matches than are worth counting
    elif known is not None:
        total, capped = known, False
    else:
        total, capped = _capped_count(conn, where, [_both(s, a) for s in scopes for a in shelves])
    return Page(rows=rows, total=total, total_capped=capped, next_cursor=encode_cursor(rows[-1]) if more else None)


def search(
    conn: sa.Connection, *, actor: Actor, filters: ComplaintFilter, now: datetime, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of complaints the actor may see and the total (capped: see `list_page`)."""
    page = list_page(conn, actor=actor, filters=filters, now=now, limit=limit, offset=offset)
    return page.rows, page.total


def walk(
    conn: sa.Connection, *, actor: Actor, filters: ComplaintFilter, now: datetime, page_size: int = 500
) -> Iterator[dict[str, Any]]:
    """Every complaint of the list, in its order, a page at a time by cursor (exports)."""
    cursor = None
    while True:
        page = list_page(conn, actor=actor, filters=filters, now=now, limit=page_size, cursor=cursor, count=False)
        yield from page.rows
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


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
