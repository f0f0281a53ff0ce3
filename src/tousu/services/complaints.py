"""Reading complaints and changing them safely: visibility, versions and the timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tousu.services import timeline
from tousu.services.actors import Actor, can_see
from tousu.services.errors import Conflict, NotFound
from tousu.storage.tables import complaints, events, users


def load(conn: sa.Connection, *, complaint_id: int, actor: Actor, for_update: bool = False) -> dict[str, Any]:
    """The complaint if this actor may see it (404 otherwise: no hint that it exists)."""
    query = sa.select(complaints).where(complaints.c.id == complaint_id)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    if row is None or not can_see(actor, dict(row)):
        raise NotFound("complaint_not_found", f"投诉 {complaint_id} 不存在或您无权查看。")
    return dict(row)


def jsonable(value: Any) -> Any:
    """A column's value as the timeline stores it (moments as ISO 8601 text)."""
    return value.isoformat() if isinstance(value, datetime) else value


def update(
    conn: sa.Connection,
    *,
    complaint: dict[str, Any],
    expected_version: int | None,
    changes: dict[str, Any],
    kind: str,
    actor: Actor | None,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Apply `changes` if nobody changed the complaint since `expected_version`; record the event.

    expected_version None is for the system (scheduler), which re-reads under lock instead.
    """
    version = complaint["version"] if expected_version is None else expected_version
    if version != complaint["version"]:
        raise stale_error(complaint)
    result = conn.execute(
        complaints.update()
        .where(complaints.c.id == complaint["id"], complaints.c.version == version)
        .values(**changes, version=version + 1, updated_at=now)
    )
    if result.rowcount == 0:
        raise stale_error(complaint)
    diff = timeline.change(
        {k: jsonable(complaint.get(k)) for k in changes}, {k: jsonable(v) for k, v in changes.items()}
    )
    timeline.append(
        conn,
        complaint_id=complaint["id"],
        kind=kind,
        actor_id=actor.id if actor else None,
        at=now,
        data={**diff, **(data or {})},
    )
    return {**complaint, **changes, "version": version + 1, "updated_at": now}


def stale_error(complaint: dict[str, Any]) -> Conflict:
    return Conflict(
        "stale_version",
        f"投诉 {complaint['reference']} 已被他人更新（当前版本 {complaint['version']}），请刷新后再操作。",
        "version",
    )


def timeline_of(conn: sa.Connection, *, complaint_id: int) -> list[dict[str, Any]]:
    rows = (
        conn.execute(
            sa.select(events, users.c.username.label("actor"), users.c.display_name.label("actor_name"))
            .outerjoin(users, users.c.id == events.c.actor_id)
            .where(events.c.complaint_id == complaint_id)
            .order_by(events.c.id)
        )
        .mappings()
        .all()
    )
    return [dict(r) for r in rows]
