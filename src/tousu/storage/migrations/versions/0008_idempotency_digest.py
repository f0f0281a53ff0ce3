"""The request an Idempotency-Key was first used with, so a reuse with another body is refused

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 16:10:00

Keys stored before this revision have no digest and replay as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(sa.Column("request_digest", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_column("request_digest")
