"""Login throttle: failed logins per account and per client address, shared by every process

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 15:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tousu.storage.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("until", tousu.storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "subject", name=op.f("pk_login_throttle")),
    )
    op.create_index(op.f("ix_login_throttle_until"), "login_throttle", ["until"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_login_throttle_until"), table_name="login_throttle")
    op.drop_table("login_throttle")
