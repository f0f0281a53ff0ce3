"""Each complaint keeps the name its caller gave

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-12 10:00:00

A customer is their phone number, and numbers change hands: the next holder's complaint was
shown, printed and exported under the previous holder's name, and the name given at intake was
dropped. Now each complaint keeps the name given for it (`customer_name`), and the customer
record takes the latest one given. Existing complaints get their customer's current name.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("complaints", sa.Column("customer_name", sa.String(100), nullable=False, server_default=""))
    op.execute(
        "UPDATE complaints SET customer_name = (SELECT name FROM customers WHERE customers.id = complaints.customer_id)"
    )


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch copy of a table would drop the
    # triggers that keep SQLite's search index.
    op.drop_column("complaints", "customer_name")
