"""Engines and migrations. SQLite (WAL) is the embedded default; PostgreSQL for production."""

from __future__ import annotations

import fcntl
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO, Any

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# JSON columns (a complaint's analysis, event data) are written on every change: orjson
# encodes them several times faster than the standard library.
_JSON = {"json_serializer": _json_text, "json_deserializer": orjson.loads}
# A failed statement's error text must never carry its parameters (names, phones, ID numbers)
# into a log or a traceback.
_OPTIONS: dict[str, Any] = {**_JSON, "hide_parameters": True}


def create_db_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **_OPTIONS)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        # Our own BEGIN IMMEDIATE: the writer lock is taken up front, so two writers queue
        # on busy_timeout instead of failing when a read lock is upgraded.
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_size=10, max_overflow=20, **_OPTIONS)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" listener issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Another process's commit empties this connection's page cache; re-reading pages
    # through a memory map instead of read() calls keeps that cheap with several workers.
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    readonly = conn.get_execution_options().get("readonly", False)
    conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database to `revision` (creates it for SQLite)."""
    engine = create_db_engine(url)
    engine.dispose()
    command.upgrade(alembic_config(url), revision)


class DatabaseNotReady(RuntimeError):
    """The database cannot be reached, or its schema is not the one this version needs; the
    message (Chinese) says what to do."""


def open_database(url: str) -> Engine:
    """The engine of a reachable database whose schema is this version's (the latest
    migration); for the command line and the server's start, so that a database never
    migrated, migrated by another version or out of reach is refused with what to do, rather
    than failing at its first query."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    engine = create_db_engine(url)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except sa.exc.OperationalError as exc:
        engine.dispose()
        shown = engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        if engine.url.password:
            reason = reason.replace(str(engine.url.password), "***")
        raise DatabaseNotReady(f"无法连接数据库 {shown}：{reason}（请检查 TOUSU_DATABASE_URL 和数据库服务）") from None
    if current == head:
        return engine
    engine.dispose()
    if current is None:
        raise DatabaseNotReady("数据库尚未建表：请先运行 tousu db upgrade（按 TOUSU_DATABASE_URL 建表）")
    raise DatabaseNotReady(f"数据库结构版本 {current} 不是本程序需要的 {head}：请先备份数据库，再运行 tousu db upgrade")


class SqliteWriteLock:
    """Writers queue here instead of in SQLite's busy handler, which sleeps up to 100 ms per try.

    A thread lock orders the threads of one process; an flock on a file beside the database
    orders the processes (several server workers), and the kernel wakes the next one at once.
    """

    def __init__(self, database: str) -> None:
        self._threads = threading.Lock()
        self._path = Path(f"{database}.write-lock")
        self._file: IO[bytes] | None = None

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            if self._file is None:
                self._file = self._path.open("ab")
            fcntl.flock(self._file, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            assert self._file is not None
            fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()


def write_lock_for(engine: Engine) -> AbstractContextManager[None]:
    """The lock every write transaction of this engine should hold (none needed on PostgreSQL)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return nullcontext()
    return SqliteWriteLock(database)
