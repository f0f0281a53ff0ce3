"""Scheduled reports: each person's subscription to 日报 and 周报 by e-mail

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09 10:00:00

Two switches in `notification_preferences`, beside the daily digest: `daily_report` (yesterday's
KPIs, every day at the digest hour) and `weekly_report` (last Monday to Sunday, on Mondays). The
dispatcher queues one e-mail per person and period in the outbox (dedup key
`report:<kind>:<user>:<first day>`) and builds the report and its workbook when it sends it.
Existing rows get both switches off: nobody receives a report they did not ask for.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification_preferences") as batch:
        batch.add_column(sa.Column("daily_report", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("weekly_report", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("notification_preferences") as batch:
        batch.drop_column("weekly_report")
        batch.drop_column("daily_report")
