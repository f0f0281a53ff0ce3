"""Indexes of each person's complaints still worked on: owned, responsible for, received

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-10 10:00:00

An agent's queue and 我的待办 read the complaints still worked on that the agent owns, is
responsible for or received (in other halls too). At five million complaints the planner
walked the whole queue-order index to find an agent's few complaints elsewhere (5 s a page):
the full per-person indexes hold every complaint of years, so reading them looked dearer than
it is. These partial indexes hold only the complaints still worked on, a few hundred per
person, and the planner reads them instead (milliseconds). Existing rows need no change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The active status codes as they were at this revision (tousu.domain.workflow.ACTIVE_STATUSES):
# the predicate must match the queries' lists.
ACTIVE = "status IN ('followed_up', 'in_progress', 'pending_customer', 'received', 'reopened', 'replied')"
COLUMNS = ("owner_id", "responsible_id", "received_by_id")


def upgrade() -> None:
    for column in COLUMNS:
        predicate = sa.text(ACTIVE)
        op.create_index(
            f"ix_complaints_active_{column}", "complaints", [column], postgresql_where=predicate, sqlite_where=predicate
        )


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.drop_index(f"ix_complaints_active_{column}", table_name="complaints")
