"""Appending to a complaint's timeline: the only way complaint history is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tousu.services import notifications
from tousu.storage.tables import events


@dataclass(frozen=True)
class Entry:
    """One event to append: its kind, who acted (None for the system) and its details."""

    kind: str
    actor_id: int | None
    data: dict[str, Any]


# Built once: statements with their parameters passed separately are compiled once and cached.
_INSERT = events.insert()
_INSERT_ONCE = {
    # RETURNING tells whether the row was written: psycopg's rowcount is -1 for this statement.
    dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(events)
    .on_conflict_do_nothing(index_elements=["complaint_id", "dedup_key"])
    .returning(events.c.id)
    for dialect in (postgresql, sqlite)
}


def append(
    conn: sa.Connection,
    *,
    complaint_id: int,
    kind: str,
    actor_id: int | None,
    at: datetime,
    data: dict[str, Any],
    dedup_key: str | None = None,
) -> bool:
    """Append an event; with `dedup_key`, a second identical event is silently skipped.

    Returns whether the event was written (False only for a duplicate dedup_key).
    """
    values = dict(complaint_id=complaint_id, kind=kind, actor_id=actor_id, at=at, data=data, dedup_key=dedup_key)
    if dedup_key is None:
        conn.execute(_INSERT, values)
    elif conn.execute(_INSERT_ONCE[conn.dialect.name], values).first() is None:
        return False
    # Whoever the event concerns is told in this same transaction (bell and outbox rows).
    notifications.on_event(conn, complaint_id=complaint_id, kind=kind, actor_id=actor_id, at=at, data=data)
    return True


def append_all(conn: sa.Connection, *, complaint_id: int, at: datetime, entries: list[Entry]) -> None:
    """Append several events of one moment in a single statement (one round trip)."""
    conn.execute(
        _INSERT,
        [
            dict(complaint_id=complaint_id, kind=e.kind, actor_id=e.actor_id, at=at, data=e.data, dedup_key=None)
            for e in entries
        ],
    )
    for e in entries:
        notifications.on_event(conn, complaint_id=complaint_id, kind=e.kind, actor_id=e.actor_id, at=at, data=e.data)


def append_each(
    conn: sa.Connection, *, complaint_ids: list[int], kind: str, at: datetime, data: dict[str, Any]
) -> None:
    """Append the same system event to each of several complaints in one statement (a pass of
    the archive writes thousands)."""
    if not complaint_ids:
        return
    conn.execute(
        _INSERT,
        [dict(complaint_id=i, kind=kind, actor_id=None, at=at, data=data, dedup_key=None) for i in complaint_ids],
    )
    for complaint_id in complaint_ids:
        notifications.on_event(conn, complaint_id=complaint_id, kind=kind, actor_id=None, at=at, data=data)


def change(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The before/after pair of the fields that changed."""
    keys = [k for k in after if before.get(k) != after[k]]
    return {"before": {k: before.get(k) for k in keys}, "after": {k: after[k] for k in keys}}
