"""The migrations build exactly the schema the code declares (storage/tables.py), on each backend."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tousu.storage.db import create_db_engine
from tousu.storage.tables import metadata

# The search index lives outside the declared tables: FTS5 tables and their trigger on SQLite,
# a generated tsvector column with its GIN index on PostgreSQL (see the migrations).
SEARCH_INDEX = ("complaint_search", "search_vector", "ix_complaints_search")


def _declared(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (reflected and name is not None and name.startswith(SEARCH_INDEX))


def test_migrations_match_the_declared_tables(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _declared})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()
