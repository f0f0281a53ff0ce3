"""`tousu backup` and `tousu restore`: a backup taken while complaints are written holds every acknowledged one."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tousu.cli import app
from tousu.domain.codes import Channel, Role
from tousu.domain.workflow import Action
from tousu.services import intake, users, workflow
from tousu.services.analysis_port import TextAnalysis
from tousu.settings import load_policy
from tousu.storage.db import create_db_engine, upgrade, write_lock_for

runner = CliRunner()
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _timelines(url: str, ids: list[int]) -> dict[int, list[tuple[Any, ...]]]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT complaint_id, id, kind, at, data FROM events ORDER BY id")).all()
    finally:
        engine.dispose()
    wanted = set(ids)
    timelines: dict[int, list[tuple[Any, ...]]] = {}
    for complaint_id, *event in rows:
        if complaint_id in wanted:
            timelines.setdefault(complaint_id, []).append(tuple(event))
    return timelines


class Writer(threading.Thread):
    """Takes complaints in and starts work on each, as a busy hall would; lists each once both are committed."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = create_db_engine(url)
        self.lock = write_lock_for(self.engine)
        self.policy = load_policy(None)
        with self.engine.begin() as conn:
            users.add_user(conn, username="agent1", password=None, role=Role.AGENT, team="思明营业厅", now=NOW)
            self.actor = users.actor_of(users.get_by_username(conn, "agent1") or {})
        self.acknowledged: list[int] = []
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            n = 0
            while not self.stop.is_set():
                n += 1
                new = intake.NewComplaint(
                    channel=Channel.HOTLINE,
                    customer={"name": f"客户{n}", "phone": f"139{n:08d}", "id_number": None},
                    content=f"宽带第{n}次断网，要求尽快修复。",
                )
                with self.lock, self.engine.begin() as conn:
                    created = intake.create(
                        conn, new=new, analysis=TextAnalysis(), actor=self.actor, policy=self.policy, now=NOW
                    )
                complaint_id = created.complaint["id"]
                with self.lock, self.engine.begin() as conn:
                    workflow.transition(
                        conn,
                        complaint_id=complaint_id,
                        action=Action.START,
                        version=1,
                        actor=self.actor,
                        policy=self.policy,
                        now=NOW,
                    )
                self.acknowledged.append(complaint_id)
        except BaseException as exc:
            self.failure = exc
        finally:
            self.engine.dispose()

    def wait_for(self, count: int) -> None:
        while len(self.acknowledged) < count and self.failure is None:
            self.stop.wait(0.01)


def test_a_backup_during_writes_restores_every_acknowledged_complaint_with_its_timeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade(live)
    writer = Writer(live)
    writer.start()
    try:
        writer.wait_for(30)
        acknowledged = list(writer.acknowledged)  # before the backup starts
        monkeypatch.setenv("TOUSU_DATABASE_URL", live)
        made = runner.invoke(app, ["backup", str(tmp_path / "tousu.backup")])
        writer.wait_for(len(acknowledged) + 20)  # the writer went on during and after the backup
    finally:
        writer.stop.set()
        writer.join()
    assert writer.failure is None, writer.failure
    assert made.exit_code == 0, made.output
    assert "备份完成" in made.output

    restored = f"sqlite:///{tmp_path / 'restored' / 'tousu.db'}"
    monkeypatch.setenv("TOUSU_DATABASE_URL", restored)
    result = runner.invoke(app, ["restore", str(tmp_path / "tousu.backup")])
    assert result.exit_code == 0, result.output
    expected = _timelines(live, acknowledged)
    assert len(expected) == len(acknowledged) and all(len(t) >= 2 for t in expected.values())
    assert _timelines(restored, acknowledged) == expected


def test_restore_refuses_to_overwrite_a_database_without_force_and_keeps_a_copy_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = tmp_path / "live.db"
    upgrade(f"sqlite:///{live}")
    monkeypatch.setenv("TOUSU_DATABASE_URL", f"sqlite:///{live}")
    assert runner.invoke(app, ["backup", str(tmp_path / "b.db")]).exit_code == 0
    refused = runner.invoke(app, ["restore", str(tmp_path / "b.db")])
    assert refused.exit_code == 1
    assert "已存在" in refused.output and "--force" in refused.output and "停止" in refused.output
    assert not list(tmp_path.glob("live.db.before-restore-*"))
    forced = runner.invoke(app, ["restore", "--force", str(tmp_path / "b.db")])
    assert forced.exit_code == 0, forced.output
    assert len(list(tmp_path.glob("live.db.before-restore-*"))) == 1


def test_restore_checks_the_file_is_a_tousu_database_at_a_known_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOUSU_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    text = tmp_path / "notes.txt"
    text.write_text("不是数据库", encoding="utf-8")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (id INTEGER)")
    future = tmp_path / "future.db"
    upgrade(f"sqlite:///{future}")
    with sqlite3.connect(future) as conn:
        conn.execute("DELETE FROM alembic_version")
        conn.execute("INSERT INTO alembic_version VALUES ('9999')")
    for path, reason in ((text, "不是 SQLite"), (other, "不是 tousu"), (future, "9999")):
        result = runner.invoke(app, ["restore", str(path)])
        assert result.exit_code == 1 and reason in result.output, result.output
        assert not (tmp_path / "new.db").exists()


def test_postgresql_is_backed_up_with_pg_dump_or_told_exactly_how(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_dump is for PostgreSQL")
    monkeypatch.setenv("TOUSU_DATABASE_URL", database_url)
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump here
    told = runner.invoke(app, ["backup", str(tmp_path / "tousu.dump")])
    assert told.exit_code == 1
    assert f"pg_dump -Fc --file {tmp_path / 'tousu.dump'} --dbname postgresql://" in told.output
    monkeypatch.undo()
    import shutil

    if shutil.which("pg_dump") is None:
        return
    monkeypatch.setenv("TOUSU_DATABASE_URL", database_url)
    done = runner.invoke(app, ["backup", str(tmp_path / "tousu.dump")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "tousu.dump").read_bytes()[:5] == b"PGDMP"
