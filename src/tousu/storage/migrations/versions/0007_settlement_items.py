"""Settlement items with their legal basis, the facts they rest on and an exception's reason

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 16:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("items", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("facts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("override_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_column("override_reason")
        batch_op.drop_column("facts")
        batch_op.drop_column("items")
