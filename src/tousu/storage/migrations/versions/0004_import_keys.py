"""Import keys: each imported source row once, so an import can be re-run or resumed

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tousu.storage.tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_keys",
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("imported_at", tousu.storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_import_keys_complaint_id_complaints")
        ),
        sa.PrimaryKeyConstraint("source_key", name=op.f("pk_import_keys")),
    )
    with op.batch_alter_table("import_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_keys_complaint_id"), ["complaint_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("import_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_keys_complaint_id"))
    op.drop_table("import_keys")
