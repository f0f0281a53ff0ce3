"""报表 at 100,000 complaints: the KPI API and the reports page against a real server, on SQLite and
(when TOUSU_BENCH_POSTGRES_URL is set) PostgreSQL. Prints one JSON object (medians in ms)."""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.server import free_port, start_server  # noqa: E402
from tousu.demo import sample_complaint  # noqa: E402
from tousu.domain.codes import Role  # noqa: E402
from tousu.domain.deadlines import LOCAL  # noqa: E402
from tousu.services import users  # noqa: E402
from tousu.storage.db import create_db_engine, upgrade  # noqa: E402
from tousu.storage.search import index_text  # noqa: E402
from tousu.storage.tables import complaints, customers  # noqa: E402

TOTAL = int(os.environ.get("TOUSU_BENCH_REPORT_COMPLAINTS", "100000"))
DAYS = 365  # the complaints are spread over a year; a report reads the last 30 days of them
ROUNDS = 20
PASSWORD = "bench-reports-2026"
TEAMS = ["思明营业厅", "湖里营业厅", "集美营业厅", "海沧营业厅", "同安营业厅", "翔安营业厅", "热线中心"]
CHANNELS = ["hotline", "hotline", "hotline", "hall", "web", "government", "consumer_body"]
STATUSES = ["received", "in_progress", "replied", "followed_up", "closed", "closed", "closed"]


def fresh_schema(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_db_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)


def _row(i: int, rng: random.Random, now: datetime, staff: list[int]) -> dict[str, object]:
    category, _, _, text = sample_complaint(rng)
    received = now - timedelta(seconds=rng.uniform(0, DAYS * 86400))
    reply_by = received + timedelta(hours=48)
    status = rng.choice(STATUSES)
    replied = received + timedelta(hours=rng.uniform(1, 60)) if status in ("replied", "followed_up", "closed") else None
    followed = status in ("followed_up", "closed")
    channel = rng.choice(CHANNELS)
    owner = rng.choice(staff)
    return dict(
        reference=f"TSR-{i:07d}",
        channel=channel,
        customer_id=1 + i % 20_000,
        received_by_id=owner,
        responsible_id=owner,
        owner_id=owner,
        team=TEAMS[owner % len(TEAMS)],
        category=category.value,
        demands=["regulator_threat"] if rng.random() < 0.03 else [],
        content=text,
        received_at=received,
        issue_key=f"{category.value}|-|-",
        urgency_types=(["repeat"] if rng.random() < 0.05 else [])
        + (["over_level"] if channel in ("government", "consumer_body") else []),
        manual_urgency=[],
        priority=3,
        status=status,
        acknowledge_by=received + timedelta(hours=2),
        reply_by=reply_by,
        replied_at=replied,
        closed_at=replied + timedelta(hours=30) if replied and status == "closed" else None,
        satisfaction=rng.choice(["satisfied", "satisfied", "neutral", "dissatisfied"]) if followed else None,
        transfer_source="12300" if channel == "government" and rng.random() < 0.5 else None,
        search_tokens=index_text(text),
        created_at=received,
        updated_at=received,
        version=1,
    )


def _load(url: str) -> None:
    """`TOTAL` complaints straight into the tables (as the search benchmark loads them)."""
    fresh_schema(url)
    engine = create_db_engine(url)
    rng = random.Random(5)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        users.add_user(conn, username="manager", password=PASSWORD, role=Role.MANAGER, team=TEAMS[0], now=now)
        users.add_user(conn, username="director", password=PASSWORD, role=Role.DIRECTOR, team="客户中心", now=now)
        staff = [
            users.add_user(conn, username=f"agent{n}", password=None, role=Role.AGENT, team=TEAMS[n % 7], now=now)
            for n in range(7, 70)
        ]
        conn.execute(
            customers.insert(), [{"name": "客户", "phone": f"139{i:08d}", "created_at": now} for i in range(20_000)]
        )
        batch = []
        for i in range(TOTAL):
            batch.append(_row(i, rng, now, staff))
            if len(batch) == 5000:
                conn.execute(complaints.insert(), batch)
                batch = []
        if batch:
            conn.execute(complaints.insert(), batch)
        conn.execute(sa.text("ANALYZE"))
    engine.dispose()


def _log_in(client: httpx.Client, username: str) -> None:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found is not None, "login form without CSRF token"
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": found.group(1)})
    if response.status_code >= 400:
        raise SystemExit(f"login failed: {response.status_code}")


def _median_ms(client: httpx.Client, path: str) -> float:
    client.get(path)
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code} {response.text[:200]}")
    return round(statistics.median(times), 1)


def measure(url: str, workdir: Path) -> dict[str, float]:
    _load(url)
    port = free_port()
    server = start_server(url, port, workdir, TOUSU_SECRET_KEY="reports-bench-secret-0123456789abcdef")
    today = datetime.now(LOCAL).date()
    month = f"from={today - timedelta(days=29)}&to={today}"
    year = f"from={today - timedelta(days=364)}&to={today}"
    figures: dict[str, float] = {"complaints": TOTAL}
    try:
        for who in ("director", "manager"):
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
                _log_in(client, who)  # the session cookie serves the API's GETs too
                figures[f"kpi_api_30_days_by_team_{who}_p50_ms"] = _median_ms(
                    client, f"/api/v1/reports/kpi?{month}&group_by=team"
                )
                figures[f"kpi_api_year_by_month_{who}_p50_ms"] = _median_ms(
                    client, f"/api/v1/reports/kpi?{year}&group_by=month"
                )
                figures[f"reports_page_30_days_{who}_p50_ms"] = _median_ms(client, f"/reports?{month}&group_by=team")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
            _log_in(client, "director")
            started = time.perf_counter()
            workbook = client.get(f"/api/v1/reports/kpi?{year}&group_by=day&format=xlsx")
            figures["kpi_xlsx_year_by_day_ms"] = round((time.perf_counter() - started) * 1000, 1)
            assert workbook.status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
    return figures


def main() -> None:
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        results["sqlite"] = measure(f"sqlite:///{workdir / 'reports-bench.db'}", workdir)
        pg = os.environ.get("TOUSU_BENCH_POSTGRES_URL")
        if pg:
            results["postgresql"] = measure(pg, workdir)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
