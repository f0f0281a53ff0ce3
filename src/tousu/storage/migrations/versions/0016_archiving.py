"""Archiving: finished complaints leave the working set and stay in their table

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-10 10:00:00

A province keeps years of complaints, while the work pages deal with the live ones. Archived
complaints stay rows of `complaints`, marked by the new `archived_at`: every table that refers
to a complaint (events, settlements, links, batches, measures, notifications...) keeps its
foreign key, and every query stays one query. Moving rows to an archive table would break those
keys or double every query; PostgreSQL's declarative partitioning would need the partition key
(the archive flag or the month) in the primary key, and so in every foreign key to complaints.

What keeps the working set small is its indexes: the queue order for everyone and per hall
(ix_complaints_queue, ix_complaints_team_queue) and, on PostgreSQL, the keyword search's GIN
index (ix_complaints_search) now hold only complaints not archived; the archive has copies of
its own (ix_complaints_archived_queue, ix_complaints_archived_team_queue,
ix_complaints_search_archived), which an explicit search of archived complaints reads. The
partial ix_complaints_archivable holds the finished complaints not yet archived, by their last
change: what an archive pass takes next.

Existing rows are not archived (archived_at is NULL): the scheduler's passes or `tousu archive`
archive those the policy's age allows, a chunk at a time. On a large database the upgrade
rebuilds those indexes, which takes minutes and holds writes to complaints meanwhile: run it at
a quiet time. Downgrading puts every archived complaint back in the working set (their 归档
events stay in their timelines) and restores the indexes of 0013.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tousu.storage.tables

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

LIVE = "archived_at IS NULL"
ARCHIVED = "archived_at IS NOT NULL"
# The finished statuses as they are at this revision (tousu.domain.workflow: not ACTIVE_STATUSES);
# the archive pass's query names them as written here.
FINISHED = "status IN ('closed', 'merged', 'rejected')"
QUEUES = [("queue", ["priority", "reply_by", "id"]), ("team_queue", ["team", "priority", "reply_by", "id"])]


def _index(name: str, columns: list[str], where: str | None) -> None:
    predicate = sa.text(where) if where else None
    op.create_index(name, "complaints", columns, postgresql_where=predicate, sqlite_where=predicate)


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("archived_at", tousu.storage.tables.UtcDateTime(timezone=True), nullable=True))
    for suffix, columns in QUEUES:
        op.drop_index(f"ix_complaints_{suffix}", table_name="complaints")
        _index(f"ix_complaints_{suffix}", columns, LIVE)
        _index(f"ix_complaints_archived_{suffix}", columns, ARCHIVED)
    _index("ix_complaints_archivable", ["updated_at"], f"{LIVE} AND {FINISHED}")
    if op.get_bind().dialect.name == "postgresql":  # SQLite's search index is an FTS5 table
        op.execute("DROP INDEX ix_complaints_search")
        op.execute(f"CREATE INDEX ix_complaints_search ON complaints USING gin (search_vector) WHERE {LIVE}")
        op.execute(
            f"CREATE INDEX ix_complaints_search_archived ON complaints USING gin (search_vector) WHERE {ARCHIVED}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_complaints_search_archived")
        op.execute("DROP INDEX ix_complaints_search")
        op.execute("CREATE INDEX ix_complaints_search ON complaints USING gin (search_vector)")
    op.drop_index("ix_complaints_archivable", table_name="complaints")
    for suffix, columns in reversed(QUEUES):
        op.drop_index(f"ix_complaints_archived_{suffix}", table_name="complaints")
        op.drop_index(f"ix_complaints_{suffix}", table_name="complaints")
        _index(f"ix_complaints_{suffix}", columns, None)
    if op.get_bind().dialect.name == "sqlite":
        # Dropped in place: a batch operation would copy the table and lose its search trigger (0002).
        op.execute("ALTER TABLE complaints DROP COLUMN archived_at")
    else:
        op.drop_column("complaints", "archived_at")
