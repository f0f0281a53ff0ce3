"""A server killed with SIGKILL under load loses no acknowledged complaint and duplicates none."""

from __future__ import annotations

import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.e2e.server import free_port, start_server
from tousu.domain.codes import Role
from tousu.services import users
from tousu.storage.db import create_db_engine

pytestmark = pytest.mark.e2e


def _token(database_url: str) -> str:
    engine = create_db_engine(database_url)
    with engine.begin() as conn:
        user_id = users.add_user(
            conn, username="loader", password=None, role=Role.AGENT, team="热线", now=datetime.now(UTC)
        )
        token = users.issue_token(conn, user_id=user_id, kind="api", now=datetime.now(UTC))
    engine.dispose()
    return token


def _create(client: httpx.Client, key: str) -> httpx.Response:
    return client.post(
        "/api/v1/complaints",
        headers={"Idempotency-Key": key},
        json={
            "channel": "hotline",
            "customer": {"name": "王先生", "phone": "13900001111"},
            "content": f"宽带断网，要求尽快修复（{key}）",
        },
    )


def test_sigkill_under_load_keeps_every_acknowledged_complaint_once(database_url: str, tmp_path: Path) -> None:
    headers = {"Authorization": f"Bearer {_token(database_url)}"}
    port = free_port()
    server = start_server(database_url, port, tmp_path)
    acknowledged: dict[str, int] = {}
    attempted: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def load(worker: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=5) as client:
            for n in range(10_000):  # bounded; the kill or `stop` ends it much sooner
                if stop.is_set():
                    return
                key = f"w{worker}-{n}"
                with lock:
                    attempted.append(key)
                try:
                    response = _create(client, key)
                except httpx.HTTPError:
                    return
                if response.status_code == 201:
                    with lock:
                        acknowledged[key] = response.json()["id"]

    workers = [threading.Thread(target=load, args=(w,)) for w in range(4)]
    for worker in workers:
        worker.start()
    # Kill once the load is going, however slow the machine: mid-stream, not before the first write.
    deadline = time.monotonic() + 60
    while len(acknowledged) <= 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for worker in workers:
        worker.join(timeout=10)
    assert len(acknowledged) > 20, "the load did not get going before the kill"

    server = start_server(database_url, port, tmp_path)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=10) as client:
            for key in attempted:  # every client retries whatever it sent, acknowledged or not
                response = _create(client, key)
                assert response.status_code == 201
                if key in acknowledged:
                    assert response.json()["id"] == acknowledged[key]
    finally:
        server.terminate()
        server.wait(timeout=10)
    engine = create_db_engine(database_url)
    with engine.connect() as conn:
        complaints = conn.execute(sa.text("SELECT count(*) FROM complaints")).scalar_one()
        keys = conn.execute(sa.text("SELECT count(DISTINCT key) FROM idempotency_keys")).scalar_one()
        customers = conn.execute(sa.text("SELECT count(*) FROM customers")).scalar_one()
    engine.dispose()
    assert complaints == keys == len(set(attempted))
    assert customers == 1  # every request came from the same phone number
