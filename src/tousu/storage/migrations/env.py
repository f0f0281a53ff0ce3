"""Alembic environment: runs migrations on the URL given by tousu.storage.db.alembic_config."""

from __future__ import annotations

from alembic import context

from tousu.storage.db import create_db_engine
from tousu.storage.tables import metadata

url = context.config.get_main_option("sqlalchemy.url")
assert url, "sqlalchemy.url is not set"
engine = create_db_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
engine.dispose()
