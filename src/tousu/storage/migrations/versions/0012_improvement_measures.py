"""The improvement loop (整改): root-cause kinds on complaints, improvement measures and their history

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:00:00

A free-text root cause cannot be counted, so complaints get `root_cause_kind`, one of a small
controlled list chosen at close (tousu.domain.improvement.RootCauseKind), indexed for the Pareto
of root causes. Complaints closed before this revision keep it empty and are counted as 未分类
(unclassified) until someone classifies them. `improvement_measures` holds what is done about a
kind of root cause (owner, hall, due date, status, evidence, who verified it),
`improvement_measure_complaints` links each measure to the complaints that caused it, and
`improvement_measure_events` keeps its history. The three tables start empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tousu.storage.tables

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    moment = tousu.storage.tables.UtcDateTime(timezone=True)
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("root_cause_kind", sa.String(length=32), nullable=True))
        batch.create_index("ix_complaints_root_cause_kind", ["root_cause_kind"], unique=False)

    op.create_table(
        "improvement_measures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("root_cause_kind", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=100), server_default="", nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.Text(), server_default="", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("completed_at", moment, nullable=True),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("verified_at", moment, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_improvement_measures_owner_id_users")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_improvement_measures_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"], ["users.id"], name=op.f("fk_improvement_measures_verified_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_measures")),
    )
    with op.batch_alter_table("improvement_measures") as batch:
        batch.create_index("ix_improvement_measures_root_cause_kind", ["root_cause_kind"], unique=False)
        batch.create_index("ix_improvement_measures_owner_id", ["owner_id"], unique=False)
        batch.create_index("ix_improvement_measures_status", ["status"], unique=False)

    op.create_table(
        "improvement_measure_complaints",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["improvement_measures.id"],
            name=op.f("fk_improvement_measure_complaints_measure_id_improvement_measures"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_improvement_measure_complaints_complaint_id_complaints"),
        ),
        sa.PrimaryKeyConstraint("measure_id", "complaint_id", name=op.f("pk_improvement_measure_complaints")),
    )
    with op.batch_alter_table("improvement_measure_complaints") as batch:
        batch.create_index("ix_improvement_measure_complaints_complaint_id", ["complaint_id"], unique=False)

    op.create_table(
        "improvement_measure_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", moment, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["improvement_measures.id"],
            name=op.f("fk_improvement_measure_events_measure_id_improvement_measures"),
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_improvement_measure_events_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_measure_events")),
    )
    with op.batch_alter_table("improvement_measure_events") as batch:
        batch.create_index("ix_improvement_measure_events_measure_id", ["measure_id"], unique=False)


def downgrade() -> None:
    op.drop_table("improvement_measure_events")
    op.drop_table("improvement_measure_complaints")
    op.drop_table("improvement_measures")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_index("ix_complaints_root_cause_kind")
        batch.drop_column("root_cause_kind")
