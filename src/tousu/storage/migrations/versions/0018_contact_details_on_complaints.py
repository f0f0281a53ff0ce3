"""A customer's address and ID number travel with the complaint they were given for

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-11 10:00:00

They were columns of `customers`, one record for the whole organisation: whoever filed a
complaint for a phone number saw what another hall had been told. Now each complaint keeps the
address and ID number given for it (`customer_address`, `customer_id_number`), and people see
them exactly where they see the complaint. A customer's existing address and ID number move to
their earliest complaint (a customer with none keeps nothing: no one could see it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("complaints", sa.Column("customer_address", sa.String(300), nullable=False, server_default=""))
    op.add_column("complaints", sa.Column("customer_id_number", sa.String(18), nullable=True))
    op.execute(
        """
        UPDATE complaints SET
            customer_address = (SELECT address FROM customers WHERE customers.id = complaints.customer_id),
            customer_id_number = (SELECT id_number FROM customers WHERE customers.id = complaints.customer_id)
        WHERE id IN (SELECT MIN(id) FROM complaints GROUP BY customer_id)
        """
    )
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch copy of a table would drop the
    # triggers that keep SQLite's search index.
    op.drop_column("customers", "id_number")
    op.drop_column("customers", "address")


def downgrade() -> None:
    op.add_column("customers", sa.Column("address", sa.String(300), nullable=False, server_default=""))
    op.add_column("customers", sa.Column("id_number", sa.String(18), nullable=True))
    # The newest address and ID number given, per customer, back on the one record.
    for column, source in (("address", "customer_address"), ("id_number", "customer_id_number")):
        op.execute(
            f"""
            UPDATE customers SET {column} = (
                SELECT {source} FROM complaints
                WHERE complaints.customer_id = customers.id AND {source} IS NOT NULL AND {source} <> ''
                ORDER BY received_at DESC, id DESC LIMIT 1
            )
            WHERE EXISTS (
                SELECT 1 FROM complaints
                WHERE complaints.customer_id = customers.id AND {source} IS NOT NULL AND {source} <> ''
            )
            """
        )
    op.drop_column("complaints", "customer_id_number")
    op.drop_column("complaints", "customer_address")
