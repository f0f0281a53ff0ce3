"""Indexes for a province's complaints: every list's filter and order, the SLA sweep, batches, merges

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 10:00:00

At a million complaints every list scanned and sorted the whole table. These indexes serve the
queue's order (priority, reply_by, id) for everyone and per hall, with smaller partial copies
holding only the complaints someone still works on; the SLA sweep's due rows (escalation level
and reply deadline of complaints whose clock runs); batch detection by issue and time; and the
complaints merged into another (deleting or merging no longer scans the table); and the
dashboard's recent satisfaction, read from an index of followed-up complaints; and the complaints
escalated to a rung and still waiting (我的待办 of directors and managers). The single
issue_key index is replaced by the (issue_key, received_at) one, which serves the same lookups.
Existing rows need no change; on a large database the upgrade takes a few minutes and holds
writes to complaints meanwhile, so run it at a quiet time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The status codes as they were at this revision (tousu.domain.workflow): the partial indexes'
# predicates must match the queries' lists exactly.
ACTIVE = "status IN ('followed_up', 'in_progress', 'pending_customer', 'received', 'reopened', 'replied')"
CLOCKED = "status IN ('in_progress', 'received', 'reopened')"
OPEN = "status IN ('in_progress', 'pending_customer', 'received', 'reopened')"

INDEXES: list[tuple[str, list[str], str | None]] = [
    ("ix_complaints_queue", ["priority", "reply_by", "id"], None),
    ("ix_complaints_team_queue", ["team", "priority", "reply_by", "id"], None),
    ("ix_complaints_active_queue", ["priority", "reply_by", "id"], ACTIVE),
    ("ix_complaints_active_team_queue", ["team", "priority", "reply_by", "id"], ACTIVE),
    ("ix_complaints_sla_due", ["escalation_level", "reply_by"], CLOCKED),
    ("ix_complaints_open_escalation", ["escalation_level", "team"], OPEN),
    ("ix_complaints_issue_key_received_at", ["issue_key", "received_at"], None),
    ("ix_complaints_received_by_id", ["received_by_id"], None),
    ("ix_complaints_merged_into_id", ["merged_into_id"], None),
    ("ix_complaints_satisfaction_received_at", ["received_at", "satisfaction"], "satisfaction IS NOT NULL"),
]


def upgrade() -> None:
    for name, columns, where in INDEXES:
        predicate = sa.text(where) if where else None
        op.create_index(name, "complaints", columns, postgresql_where=predicate, sqlite_where=predicate)
    op.drop_index("ix_complaints_issue_key", table_name="complaints")


def downgrade() -> None:
    op.create_index("ix_complaints_issue_key", "complaints", ["issue_key"])
    for name, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name="complaints")
