"""Batches owned and closed: an owner, the network fault ticket, who closed the batch and when

Revision ID: 0011
Revises: 0010

A batch (批量投诉: many customers, one issue) gets a person who coordinates it (`owner_id`),
the fault ticket of the network or service fault behind it (`fault_ticket`: a number or a
link), and once every member has been answered, who closed it and when (`closed_at`,
`closed_by_id`). A closed batch no longer takes in new complaints on its issue, and a new batch
on the same issue may form even with the same start time (imported complaints share times), so
the uniqueness of (issue, start) now holds for open batches only.

Batches formed before this revision have no owner and no ticket and stay open; a manager takes
or assigns them on the batch page.

Settlements get a small index of the pending approvals by the role they wait for: 我的待办 counts
them on every page a manager or director opens.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import tousu.storage.tables

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("fault_ticket", sa.String(200), nullable=True))
        batch.add_column(sa.Column("closed_at", tousu.storage.tables.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_batches_owner_id_users"), "users", ["owner_id"], ["id"])
        batch.create_foreign_key(batch.f("fk_batches_closed_by_id_users"), "users", ["closed_by_id"], ["id"])
        batch.create_index(batch.f("ix_batches_owner_id"), ["owner_id"], unique=False)
        batch.drop_constraint("uq_batches_issue_key_opened_at", type_="unique")
    op.create_index(
        "uq_batches_open_issue_key_opened_at",
        "batches",
        ["issue_key", "opened_at"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_index(
        "ix_settlements_pending_approver_role",
        "settlements",
        ["approver_role"],
        sqlite_where=sa.text("status = 'pending_approval'"),
        postgresql_where=sa.text("status = 'pending_approval'"),
    )


def downgrade() -> None:
    op.drop_index("ix_settlements_pending_approver_role", table_name="settlements")
    _separate_starts()
    op.drop_index("uq_batches_open_issue_key_opened_at", table_name="batches")
    with op.batch_alter_table("batches") as batch:
        batch.create_unique_constraint("uq_batches_issue_key_opened_at", ["issue_key", "opened_at"])
        batch.drop_index(batch.f("ix_batches_owner_id"))
        batch.drop_constraint(batch.f("fk_batches_closed_by_id_users"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_batches_owner_id_users"), type_="foreignkey")
        batch.drop_column("closed_by_id")
        batch.drop_column("closed_at")
        batch.drop_column("fault_ticket")
        batch.drop_column("owner_id")


def _separate_starts() -> None:
    """Before the old constraint returns: a closed batch that shares its issue and start with
    another has its start moved by microseconds, which nobody reads at that precision."""
    moment = tousu.storage.tables.UtcDateTime(timezone=True)
    table = sa.table(
        "batches",
        sa.column("id", sa.Integer()),
        sa.column("issue_key", sa.String()),
        sa.column("opened_at", moment),
        sa.column("closed_at", moment),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(table.c.id, table.c.issue_key, table.c.opened_at).order_by(table.c.closed_at.is_not(None), table.c.id)
    ).all()
    taken: set[tuple[str, object]] = set()
    for row in rows:
        start = row.opened_at
        while (row.issue_key, start) in taken:
            start += timedelta(microseconds=1)
        taken.add((row.issue_key, start))
        if start != row.opened_at:
            conn.execute(table.update().where(table.c.id == row.id).values(opened_at=start))
