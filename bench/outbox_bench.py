"""Outbox throughput: messages per second the dispatcher delivers to receivers on loopback, on SQLite
and (with TOUSU_BENCH_POSTGRES_URL) PostgreSQL; one dispatcher, and two at once as two server
processes would run them. Prints one JSON object as its last line."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.receivers import smtp_server, webhook_server  # noqa: E402
from tousu.services import outbox  # noqa: E402
from tousu.services.dispatcher import dispatch_once, writer_for  # noqa: E402
from tousu.settings import Settings  # noqa: E402
from tousu.storage.db import create_db_engine, upgrade  # noqa: E402
from tousu.storage.tables import outbox as outbox_table  # noqa: E402

MESSAGES = int(os.environ.get("TOUSU_BENCH_OUTBOX_MESSAGES", "1000"))


def _fresh(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_db_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)


def _queue(url: str, channel: str, recipient: str, run: str) -> None:
    engine = create_db_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(outbox_table.delete())
        for n in range(MESSAGES):
            payload = {"subject": f"升级：投诉 TS20261123-{n:06d} 已升级至厅经理", "text": "请您督办。", "link": "/"}
            outbox.enqueue(conn, channel=channel, recipient=recipient, payload=payload, dedup_key=f"{run}:{n}", now=now)
    engine.dispose()


def _rate(url: str, settings: Settings, dispatchers: int) -> float:
    engines = [create_db_engine(url) for _ in range(dispatchers)]
    sent: list[int] = []
    threads = [
        threading.Thread(
            target=lambda e=engine: sent.append(dispatch_once(writer_for(e), settings, digests=False).sent)
        )
        for engine in engines
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for engine in engines:
        engine.dispose()
    if sum(sent) != MESSAGES:
        raise SystemExit(f"sent {sum(sent)} of {MESSAGES}")
    return round(MESSAGES / elapsed, 1)


def measure(url: str) -> dict[str, float]:
    _fresh(url)
    figures = {}
    with smtp_server() as smtp, webhook_server() as robot:
        settings = Settings(database_url=url, smtp_host="127.0.0.1", smtp_port=smtp.port, secret_key="bench-" * 8)
        for channel, recipient in (("webhook", robot.url), ("email", "manager1@example.test")):
            for dispatchers in (1, 2):
                _queue(url, channel, recipient, f"{channel}{dispatchers}")
                figures[f"{channel}_per_s_{dispatchers}_dispatchers"] = _rate(url, settings, dispatchers)
    return figures


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results: dict[str, object] = {"messages": MESSAGES, "sqlite": measure(f"sqlite:///{Path(tmp) / 'outbox.db'}")}
    pg = os.environ.get("TOUSU_BENCH_POSTGRES_URL")
    if pg:
        results["postgresql"] = measure(pg)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
