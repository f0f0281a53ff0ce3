"""The SLA sweep: warn before the reply deadline, climb the escalation ladder after it.

A pass reads only the complaints with something due: a warning not yet given inside the warning
window, or an escalation level behind the one the deadline's age calls for (a complaint at
level L is due once reply_by + L × escalate_every_hours has passed; see domain.deadlines.sla_state).
Both are index ranges (ix_complaints_sla_due), so a pass costs what it does, not the backlog.

One process sweeps at a time on PostgreSQL (a transaction-level advisory lock: the others skip
the pass), and rows are locked with SKIP LOCKED against anything else holding them; SQLite has
one writer anyway. A pass is idempotent (a warning is deduplicated per deadline; an escalation
happens only when the level rises).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tousu.domain.deadlines import sla_state
from tousu.domain.policy import Policy
from tousu.services import archive, queries, timeline
from tousu.services import complaints as store
from tousu.services.industry import serving
from tousu.storage.tables import complaints, events

log = logging.getLogger(__name__)
SWEEP_LOCK = 0x7F05_5A11
"""The advisory lock key that one sweeping process holds for its pass (PostgreSQL)."""


def _due_ids(conn: sa.Connection, *, now: datetime, policy: Policy) -> list[int]:
    """The complaints whose next warning or escalation is due, and no others."""
    step = timedelta(hours=policy.sla.escalate_every_hours)
    behind = [
        sa.and_(complaints.c.escalation_level == level, complaints.c.reply_by <= now - step * level)
        for level in range(len(policy.escalation.ladder) - 1)
    ]
    escalations = conn.execute(sa.select(complaints.c.id).where(queries.CLOCKED, sa.or_(*behind))).scalars().all()
    horizon = now + timedelta(hours=policy.sla.warn_before_hours)
    window = conn.execute(
        sa.select(complaints.c.id, complaints.c.reply_by).where(
            queries.CLOCKED, complaints.c.reply_by > now, complaints.c.reply_by <= horizon
        )
    ).all()
    warned: set[tuple[int, str | None]] = set()
    if window:
        warned = {
            (int(e.complaint_id), e.dedup_key)
            for e in conn.execute(
                sa.select(events.c.complaint_id, events.c.dedup_key).where(
                    events.c.complaint_id.in_([w.id for w in window]), events.c.dedup_key.like("warn:%")
                )
            )
        }
    warnings = [w.id for w in window if (w.id, f"warn:{w.reply_by.isoformat()}") not in warned]
    return sorted({*escalations, *warnings})


def _sweeping_alone(conn: sa.Connection) -> bool:
    """Whether this transaction is the one sweeping now (always, on SQLite)."""
    if conn.dialect.name != "postgresql":
        return True
    return bool(conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": SWEEP_LOCK}).scalar_one())


def sweep(conn: sa.Connection, *, now: datetime, policy: Policy) -> dict[str, int]:
    """One pass over the complaints whose warning or escalation is due."""
    counts = {"warned": 0, "escalated": 0}
    serving(conn, policy.industry)  # the warnings it sends name the categories as the organisation does
    if not _sweeping_alone(conn):
        log.debug("SLA sweep skipped: another process is sweeping")
        return counts
    due = _due_ids(conn, now=now, policy=policy)
    if not due:
        return counts
    # Locked in id order, as every locker does; re-read under the lock, still on the clock.
    query = sa.select(complaints).where(complaints.c.id.in_(due), queries.CLOCKED).order_by(complaints.c.id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ladder = policy.escalation.ladder
    for row in conn.execute(query).mappings().all():
        complaint = dict(row)
        state = sla_state(reply_by=complaint["reply_by"], now=now, policy=policy.sla, ladder_size=len(ladder))
        deadline = complaint["reply_by"].isoformat()
        if not state.breached:
            if state.warn and timeline.append(
                conn,
                complaint_id=complaint["id"],
                kind="sla_warning",
                actor_id=None,
                at=now,
                dedup_key=f"warn:{deadline}",
                data={"reply_by": deadline},
            ):
                counts["warned"] += 1
            continue
        if state.level > complaint["escalation_level"]:
            rung, role = ladder[state.level]
            store.update(
                conn,
                complaint=complaint,
                expected_version=None,
                changes={"escalation_level": state.level},
                kind="sla_breached",
                actor=None,
                now=now,
                data={"reply_by": deadline, "to": rung, "to_role": role.value},
            )
            counts["escalated"] += 1
    return counts


class Scheduler:
    """Runs the sweep (and an archive pass: services/archive.py) every `interval` seconds in a
    daemon thread of the server process, each pass with the policy in force then (`policy()`:
    administrators change it without a restart)."""

    def __init__(
        self,
        engine: Engine,
        policy: Callable[[], Policy],
        interval: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine, self._policy, self._interval, self._clock = engine, policy, interval, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tousu-sla", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                with self._engine.begin() as conn:
                    counts = sweep(conn, now=self._clock(), policy=self._policy())
                if any(counts.values()):
                    log.info("SLA sweep: %s", counts)
            except Exception:  # keep sweeping: one failed pass must not stop the scheduler
                log.exception("SLA sweep failed")
            # Then a chunk of the finished complaints due for the archive, in a transaction of its own.
            archive.scheduled_pass(self._engine, now=self._clock(), policy=self._policy())
