"""Archiving: finished complaints leave the working set and stay findable.

A complaint that is finished (closed, rejected or merged) and has not changed for the policy's
`retention.archive_after_days` is archived: `archived_at` is set, its version moves on and its
timeline gets an 归档 event. It stays a row of `complaints` (migration 0016 says why): its page,
timeline, documents and the reports of its period read it as before, and an explicit search or
export finds it; the work lists and the default search leave it out (queries.py), and their
indexes hold only the working set. Only finished complaints are archived, and reopening one
(the workflow's only way out of a finished status) brings it back, recorded in the reopen event.

A pass archives at most CHUNK complaints, oldest change first, in one short transaction, so a
first run over years of complaints never holds locks for long: the scheduler does a pass each
interval, `tousu archive` passes until nothing is left. One process archives at a time on
PostgreSQL (a transaction-level advisory lock), rows someone else holds are skipped for a later
pass, and the update re-checks every row, so passes are idempotent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tousu.domain.policy import Policy
from tousu.services import queries, timeline
from tousu.storage.tables import complaints

log = logging.getLogger(__name__)

CHUNK = 5_000
"""Complaints archived in one transaction."""
ARCHIVE_LOCK = 0x7F05_A4C1
"""The advisory lock key held by the one process archiving (PostgreSQL)."""
EVENT = "archived"


@dataclass(frozen=True)
class Pass:
    """What one pass did: how many complaints it archived, and whether it stopped at CHUNK
    (more may be waiting) or took every complaint due."""

    archived: int
    more: bool


def cutoff(policy: Policy, now: datetime) -> datetime | None:
    """Complaints unchanged since before this moment are due; None when archiving is off."""
    age = policy.retention.archive_after
    return None if age is None else now - age


def _due(before: datetime) -> list[sa.ColumnElement[bool]]:
    # As written in ix_complaints_archivable's predicate, which serves the oldest-first read.
    return [queries.LIVE, queries.statuses(queries.ARCHIVABLE), complaints.c.updated_at < before]


def count_due(conn: sa.Connection, *, now: datetime, policy: Policy) -> int:
    """How many complaints would be archived now, over every pass (`tousu archive --dry-run`)."""
    before = cutoff(policy, now)
    if before is None:
        return 0
    return int(conn.execute(sa.select(sa.func.count()).select_from(complaints).where(*_due(before))).scalar_one())


def _alone(conn: sa.Connection, *, wait: bool) -> bool:
    """Whether this transaction holds the archive lock (always, on SQLite: one writer anyway)."""
    if conn.dialect.name != "postgresql":
        return True
    if wait:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ARCHIVE_LOCK})
        return True
    return bool(conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ARCHIVE_LOCK}).scalar_one())


def run_pass(conn: sa.Connection, *, now: datetime, policy: Policy, chunk: int = CHUNK, wait: bool = False) -> Pass:
    """Archive up to `chunk` of the complaints due, each with its 归档 event. Without `wait`, a pass
    finding another process archiving does nothing (the scheduler's next pass will)."""
    before = cutoff(policy, now)
    if before is None or not _alone(conn, wait=wait):
        return Pass(0, False)
    chosen = sa.select(complaints.c.id).where(*_due(before)).order_by(complaints.c.updated_at).limit(chunk)
    if conn.dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    # Chosen first, then updated: as a subquery of the update, PostgreSQL may run the limited
    # choice more than once and take more than a chunk.
    ids = conn.execute(chosen).scalars().all()
    if not ids:
        return Pass(0, False)
    archived = sorted(
        conn.execute(
            complaints.update()
            .where(complaints.c.id.in_(ids), *_due(before))
            .values(archived_at=now, updated_at=now, version=complaints.c.version + 1)
            .returning(complaints.c.id)
        )
        .scalars()
        .all()
    )
    data: dict[str, Any] = {"archive_after_days": policy.retention.archive_after_days}
    timeline.append_each(conn, complaint_ids=archived, kind=EVENT, at=now, data=data)
    return Pass(len(archived), len(ids) >= chunk)


def scheduled_pass(engine: Engine, *, now: datetime, policy: Policy) -> int:
    """The scheduler's pass, in its own transaction: a failure is logged and retried next interval."""
    try:
        with engine.begin() as conn:
            done = run_pass(conn, now=now, policy=policy)
    except Exception:  # the scheduler keeps running: the next pass tries again
        log.exception("archive pass failed")
        return 0
    if done.archived:
        log.info("archived %d finished complaints", done.archived)
    return done.archived
