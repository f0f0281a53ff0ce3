"""Transfers from 12300, 12315 and the ministry: where from, their case number, their reply deadline

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 16:30:00

Complaints recorded before this revision were not transferred (all three stay empty).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tousu.storage.tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("transfer_source", sa.String(16), nullable=True))
        batch.add_column(sa.Column("transfer_case_number", sa.String(64), nullable=True))
        batch.add_column(sa.Column("transfer_reply_by", tousu.storage.tables.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("transfer_reply_by")
        batch.drop_column("transfer_case_number")
        batch.drop_column("transfer_source")
