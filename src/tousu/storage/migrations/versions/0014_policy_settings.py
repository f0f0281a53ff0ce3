"""Policy overrides set by administrators in the browser or the API

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09 10:00:00

Thresholds, SLA hours, opening hours and holidays, authority limits and subscriber counts were
set only in the policy file, read at start-up. `policy_settings` keeps what administrators set
over that file: each change inserts a row holding the whole override document (setting key →
value) with the next version number, who made it and when; the highest version is in force, and
every server process notices a new version within seconds. The version is the primary key, so of
two changes made at once from the same version only one is stored. The table starts empty: the
effective policy stays exactly the file's until an administrator changes something.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tousu.storage.tables

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_settings",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", tousu.storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["changed_by_id"], ["users.id"], name=op.f("fk_policy_settings_changed_by_id_users")),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_policy_settings")),
    )


def downgrade() -> None:
    op.drop_table("policy_settings")
