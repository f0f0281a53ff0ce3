"""The SLA sweep: warn before the reply deadline, climb the escalation ladder after it.

Safe with several processes on one PostgreSQL (rows are locked with SKIP LOCKED, so
each complaint is handled by one sweeper) and idempotent when run twice (a warning
is deduplicated per deadline; an escalation happens only when the level rises).
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
from tousu.domain.workflow import CLOCK_RUNNING
from tousu.services import complaints as store
from tousu.services import timeline
from tousu.storage.tables import complaints

log = logging.getLogger(__name__)
CLOCKED = sorted(s.value for s in CLOCK_RUNNING)


def sweep(conn: sa.Connection, *, now: datetime, policy: Policy) -> dict[str, int]:
    """One pass over the complaints near or past their reply deadline."""
    horizon = now + timedelta(hours=policy.sla.warn_before_hours)
    query = sa.select(complaints).where(complaints.c.status.in_(CLOCKED), complaints.c.reply_by <= horizon)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ladder = policy.escalation.ladder
    counts = {"warned": 0, "escalated": 0}
    for row in conn.execute(query).mappings().all():
        complaint = dict(row)
        state = sla_state(reply_by=complaint["reply_by"], now=now, policy=policy.sla, ladder_size=len(ladder))
        deadline = complaint["reply_by"].isoformat()
        if not state.breached:
            if timeline.append(
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
    """Runs the sweep every `interval` seconds in a daemon thread of the server process."""

    def __init__(
        self, engine: Engine, policy: Policy, interval: float, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
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
                    counts = sweep(conn, now=self._clock(), policy=self._policy)
                if any(counts.values()):
                    log.info("SLA sweep: %s", counts)
            except Exception:  # keep sweeping: one failed pass must not stop the scheduler
                log.exception("SLA sweep failed")
