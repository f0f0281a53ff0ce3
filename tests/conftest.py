"""Shared fixtures: real databases (SQLite always, PostgreSQL when the test command started one)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import tousu.analysis
from tousu.storage.db import create_db_engine, upgrade
from tousu.storage.tables import metadata

POSTGRES_URL = os.environ.get("TOUSU_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"]


def postgres_database(name: str) -> str:
    """The URL of database `name` on the test command's PostgreSQL server, created when missing.
    Each pytest-xdist worker gets a copy of its own: the tests empty their database as they go."""
    assert POSTGRES_URL, "TOUSU_TEST_POSTGRES_URL is not set"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        name = f"{name}_{worker}"
    server = make_url(POSTGRES_URL)
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar() is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def pytest_sessionstart(session: pytest.Session) -> None:
    """A compiled module (setup.py) is imported in place of its source: after an edit, the
    tests would run the old build without saying so."""
    folder = Path(tousu.analysis.__file__).parent
    stale = []
    for built in folder.glob("*.so"):
        source = folder / f"{built.name.split('.')[0]}.py"
        if not source.exists() or source.stat().st_mtime > built.stat().st_mtime:
            stale.append(source.name)
    if stale:
        pytest.exit(f"compiled before their source last changed: {', '.join(stale)}; run `make install`", returncode=2)


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One migrated database per backend for the whole session."""
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'tousu.db'}"}
    if POSTGRES_URL:
        url = postgres_database(make_url(POSTGRES_URL).database or "tousu_test")
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        urls["postgresql"] = url
    for url in urls.values():
        upgrade(url)
    return urls


def _wipe(url: str) -> None:
    engine = create_db_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in metadata.sorted_tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())
            conn.execute(sa.text("INSERT INTO complaint_search(complaint_search) VALUES ('delete-all')"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, migrated: dict[str, str]) -> Iterator[str]:
    """A clean, migrated database of each backend; PostgreSQL is required under `make test`."""
    if request.param not in migrated:
        if os.environ.get("CI"):
            pytest.fail("TOUSU_TEST_POSTGRES_URL is not set: run the suite with `make test`")
        pytest.skip("PostgreSQL not started (run `make test`)")
    url = migrated[request.param]
    _wipe(url)
    yield url


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai, a Monday


ROOT = Path(__file__).resolve().parents[1]
