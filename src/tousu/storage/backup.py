"""Backups that are consistent while the server writes, and restores that check what they restore.

SQLite: SQLite's online backup API copies the database as of one moment (a read transaction
in WAL mode: the server keeps writing meanwhile), unlike a plain file copy, which can miss
what is still in the write-ahead log. PostgreSQL: `pg_dump -Fc`, the database's own tool.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url

from tousu.storage.db import alembic_config, upgrade


class BackupError(Exception):
    """What went wrong and what to do, in Chinese; nothing was changed."""


@dataclass(frozen=True)
class Summary:
    """What a backup file holds."""

    revisions: tuple[str, ...]
    complaints: int
    events: int

    def __str__(self) -> str:
        return f"投诉 {self.complaints} 件，时间线事件 {self.events} 条，数据库版本 {'+'.join(self.revisions)}"


def backup(url: str, target: Path) -> Summary | None:
    """Back the database up to `target`: the summary of an SQLite copy, None for a pg_dump archive."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        _pg_dump(parsed, target)
        return None
    database = _sqlite_path(parsed)
    if not database.exists():
        raise BackupError(f"数据库文件 {database} 不存在：请检查 TOUSU_DATABASE_URL。")
    return _sqlite_copy(database, target)


def restore(url: str, source: Path, *, force: bool) -> Summary:
    """Replace the SQLite database of `url` by the backup `source`, then migrate it to the current schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        raise BackupError(
            "PostgreSQL 的备份用它自己的工具恢复：先停止所有 tousu serve 进程，再执行\n  "
            + " ".join([*command, "--dbname", _libpq_url(parsed), str(source)])
            + "\n（密码用环境变量 PGPASSWORD 提供），最后执行 tousu db upgrade。"
        )
    summary = inspect(source)
    database = _sqlite_path(parsed)
    if database.exists() and not force:
        raise BackupError(
            f"目标数据库 {database} 已存在，可能正被运行中的 tousu serve 使用。"
            "请先停止所有服务进程，再加 --force 覆盖（覆盖前会把当前数据库另存一份）。"
        )
    if database.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        _sqlite_copy(database, database.with_name(f"{database.name}.before-restore-{stamp}"), check=False)
    database.parent.mkdir(parents=True, exist_ok=True)
    # Through SQLite rather than a file copy, so a write-ahead log left beside the old database
    # cannot be replayed into the restored one.
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(database, timeout=30)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    upgrade(url)
    return summary


def inspect(path: Path) -> Summary:
    """The backup's contents, or BackupError when it is not an intact tousu database at a known migration."""
    if not path.is_file():
        raise BackupError(f"备份文件 {path} 不存在。")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise BackupError(f"备份文件 {path} 已损坏（完整性检查未通过）：请换用另一份备份。")
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "complaints", "events"} <= tables:
                raise BackupError(f"{path} 不是 tousu 的数据库备份（缺少投诉数据表）。")
            revisions = tuple(sorted(v for (v,) in conn.execute("SELECT version_num FROM alembic_version")))
            complaints = conn.execute("SELECT count(*) FROM complaints").fetchone()[0]
            events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    except sqlite3.DatabaseError:
        raise BackupError(f"{path} 不是 SQLite 数据库文件：tousu 的备份由 tousu backup 生成。") from None
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()}
    unknown = [r for r in revisions if r not in known]
    if not revisions or unknown:
        raise BackupError(
            f"备份的数据库版本（{'、'.join(unknown) or '无'}）不是本版 tousu 认识的版本：请用生成该备份的 tousu 版本或更新的版本恢复。"
        )
    return Summary(revisions, int(complaints), int(events))


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("TOUSU_DATABASE_URL 指向内存数据库，没有可备份或恢复的文件。")
    return Path(url.database)


def _sqlite_copy(database: Path, target: Path, *, check: bool = True) -> Summary:
    """One consistent snapshot of `database` in `target` (written beside it first, then renamed)."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(sqlite3.connect(database, timeout=30)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)  # all pages in one step: a single read transaction, one moment
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        summary = inspect(partial) if check else Summary((), 0, 0)
        os.replace(partial, target)
        return summary
    finally:
        partial.unlink(missing_ok=True)


def _libpq_url(url: URL) -> str:
    """The URL as PostgreSQL's own tools read it, without the password (given as PGPASSWORD)."""
    bare = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    return bare.render_as_string(hide_password=False)


def _pg_dump(url: URL, target: Path) -> None:
    command = ["pg_dump", "-Fc", "--file", str(target), "--dbname", _libpq_url(url)]
    if shutil.which("pg_dump") is None:
        raise BackupError(
            "没有找到 pg_dump（PostgreSQL 客户端工具）。请在装有它的机器上执行：\n  "
            + " ".join(command)
            + "\n（密码用环境变量 PGPASSWORD 提供；pg_dump 的版本不能低于数据库服务器的版本）。"
        )
    env = {**os.environ, **({"PGPASSWORD": str(url.password)} if url.password else {})}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump 失败（退出码 {done.returncode}）：{done.stderr.strip()}")
