"""Account control: token prefixes, last use and expiry, last login, the administrators' audit trail

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 15:00:00

API tokens issued before this revision never expired; they now expire 90 days after the
upgrade, so every integration gets a renewal date instead of a credential that lasts forever.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import tousu.storage.tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LEGACY_TOKEN_DAYS = 90


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_at", tousu.storage.tables.UtcDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prefix", sa.String(length=16), server_default="", nullable=False))
        batch_op.add_column(sa.Column("last_used_at", tousu.storage.tables.UtcDateTime(timezone=True), nullable=True))
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", tousu.storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target_user_id", sa.Integer(), nullable=True),
        sa.Column("target_token_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_events_actor_id_users")),
        sa.ForeignKeyConstraint(["target_user_id"], ["users.id"], name=op.f("fk_audit_events_target_user_id_users")),
        sa.ForeignKeyConstraint(
            ["target_token_id"], ["api_tokens.id"], name=op.f("fk_audit_events_target_token_id_api_tokens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_target_user_id"), ["target_user_id"], unique=False)

    api_tokens = sa.table(
        "api_tokens",
        sa.column("kind", sa.String),
        sa.column("expires_at", tousu.storage.tables.UtcDateTime(timezone=True)),
        sa.column("revoked_at", tousu.storage.tables.UtcDateTime(timezone=True)),
    )
    op.execute(
        api_tokens.update()
        .where(api_tokens.c.kind == "api", api_tokens.c.expires_at.is_(None), api_tokens.c.revoked_at.is_(None))
        .values(expires_at=datetime.now(UTC) + timedelta(days=LEGACY_TOKEN_DAYS))
    )


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_target_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))
    op.drop_table("audit_events")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("prefix")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("last_login_at")
