"""Real database faults for tests: a trigger that refuses certain rows, as a full disk or a constraint would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tousu.storage.db import create_db_engine


@contextmanager
def refused_inserts(database_url: str, *, table: str, column: str, marker: str) -> Iterator[None]:
    """Inserts into `table` whose `column` contains `marker` fail in the database itself."""
    engine = create_db_engine(database_url)
    name = f"refuse_{table}"
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(
                f"CREATE TRIGGER {name} BEFORE INSERT ON {table} WHEN instr(new.{column}, '{marker}') > 0 "
                "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
            )
        else:
            conn.exec_driver_sql(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF position('{marker}' in NEW.{column}) > 0 THEN RAISE EXCEPTION 'refused by test trigger'; END IF; "
                "RETURN NEW; END $$"
            )
            conn.exec_driver_sql(
                f"CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TRIGGER {name}" + (f" ON {table}" if engine.dialect.name != "sqlite" else ""))
            if engine.dialect.name != "sqlite":
                conn.exec_driver_sql(f"DROP FUNCTION {name}()")
        engine.dispose()
