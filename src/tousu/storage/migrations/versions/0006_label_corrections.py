"""Label corrections and the organisation's analyzer models: what people corrected, models trained on it

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tousu.storage.tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "label_corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=False),
        sa.Column("analyzer_value", sa.JSON(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("analyzer_version", sa.String(length=64), nullable=True),
        sa.Column("model_version", sa.String(length=100), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", tousu.storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_label_corrections_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_label_corrections_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_corrections")),
    )
    with op.batch_alter_table("label_corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_label_corrections_complaint_id"), ["complaint_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_label_corrections_created_at"), ["created_at"], unique=False)

    op.create_table(
        "analyzer_models",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", tousu.storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("artifact", sa.LargeBinary(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("activated_at", tousu.storage.tables.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_analyzer_models_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analyzer_models")),
    )
    with op.batch_alter_table("analyzer_models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analyzer_models_status"), ["status"], unique=False)

    op.create_table(
        "analyzer_model_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", tousu.storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["analyzer_models.id"], name=op.f("fk_analyzer_model_events_model_id_analyzer_models")
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_analyzer_model_events_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analyzer_model_events")),
    )
    with op.batch_alter_table("analyzer_model_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analyzer_model_events_model_id"), ["model_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("analyzer_model_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analyzer_model_events_model_id"))
    op.drop_table("analyzer_model_events")
    with op.batch_alter_table("analyzer_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analyzer_models_status"))
    op.drop_table("analyzer_models")
    with op.batch_alter_table("label_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_label_corrections_created_at"))
        batch_op.drop_index(batch_op.f("ix_label_corrections_complaint_id"))
    op.drop_table("label_corrections")
