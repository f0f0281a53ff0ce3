"""SQLite: the search index is filled by the database when a complaint is inserted

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 00:05:00

PostgreSQL already derives its search vector from `search_tokens` (a generated column); a
trigger gives SQLite the same property, and saves intake a statement.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER complaints_search_insert AFTER INSERT ON complaints BEGIN "
            "INSERT INTO complaint_search(rowid, tokens) VALUES (new.id, new.search_tokens); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER complaints_search_insert")
