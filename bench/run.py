"""`make bench`: intake over HTTP on both databases, Chinese search at 100,000 complaints, and the
analyzer and checker benchmarks. Prints one JSON object as its last line."""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.server import free_port, start_server  # noqa: E402
from tousu.demo import sample_complaint  # noqa: E402
from tousu.domain.codes import Role  # noqa: E402
from tousu.services import users  # noqa: E402
from tousu.storage.db import create_db_engine, upgrade  # noqa: E402
from tousu.storage.search import index_text  # noqa: E402
from tousu.storage.tables import complaints, customers  # noqa: E402

TAILS = ["", "请尽快处理。", "已经是第二次反映了。", "希望给个答复。", "不然我就去12300投诉。", "麻烦你们核实一下。"]
CLIENTS = 4
SERVER_WORKERS = int(os.environ.get("TOUSU_BENCH_WORKERS", "2"))  # as `make run` starts it
SECONDS = float(os.environ.get("TOUSU_BENCH_SECONDS", "8"))
TRIALS = int(os.environ.get("TOUSU_BENCH_TRIALS", "3"))


def _client(port: int, token: str, until: float, seed: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    """One client on one keep-alive connection (http.client: little CPU of its own, unlike httpx)."""
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies = []
    while time.monotonic() < until:
        body = json.dumps(
            {
                "channel": "hotline",
                "content": sample_complaint(rng)[3],
                "customer": {"name": "王先生", "phone": f"139{rng.randint(0, 99999999):08d}"},
            }
        )
        started = time.perf_counter()
        connection.request("POST", "/api/v1/complaints", body=body.encode(), headers=headers)
        response = connection.getresponse()
        payload = response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status != 201:
            raise SystemExit(f"create failed: {response.status} {payload[:200]!r}")
    connection.close()
    out.put(latencies)


def _token(url: str) -> str:
    engine = create_db_engine(url)
    with engine.begin() as conn:
        user = users.get_by_username(conn, "bench")
        user_id = (
            user["id"]
            if user
            else users.add_user(
                conn, username="bench", password=None, role=Role.AGENT, team="热线", now=datetime.now(UTC)
            )
        )
        token = users.issue_token(conn, user_id=user_id, kind="api", now=datetime.now(UTC))
    engine.dispose()
    return str(token)


def fresh_schema(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_db_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)


def intake(url: str, workdir: Path) -> dict[str, object]:
    """TRIALS runs of SECONDS against one server; the figures of the fastest run, since the
    machine's own speed varies from one run to the next, and every run's rate and p99."""
    fresh_schema(url)
    token = _token(url)
    port = free_port()
    server = start_server(url, port, workdir, workers=SERVER_WORKERS)
    try:
        warm = time.monotonic() + 2
        queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
        _client(port, token, warm, 0, queue)
        queue.get()
        runs = [_intake_run(port, token, queue, trial) for trial in range(TRIALS)]
    finally:
        server.terminate()
        server.wait(timeout=10)
    best = max(runs, key=lambda run: run["per_s"])
    return {**best, "trials": [{"per_s": run["per_s"], "p99_ms": run["p99_ms"]} for run in runs]}


def _intake_run(port: int, token: str, queue: mp.Queue, trial: int) -> dict[str, float]:  # type: ignore[type-arg]
    until = time.monotonic() + SECONDS
    procs = [
        mp.Process(target=_client, args=(port, token, until, 1 + trial * CLIENTS + n, queue)) for n in range(CLIENTS)
    ]
    started = time.monotonic()
    for p in procs:
        p.start()
    latencies = [ms for _ in procs for ms in queue.get()]
    elapsed = time.monotonic() - started
    for p in procs:
        p.join()
    latencies.sort()
    return {
        "per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
        "requests": len(latencies),
    }


def search(url: str, total: int = 100_000) -> dict[str, float]:
    """Load `total` complaints straight into the tables, then time keyword searches through the service."""
    from tousu.services.actors import Actor
    from tousu.services.queries import ComplaintFilter
    from tousu.services.queries import search as run_search

    fresh_schema(url)
    engine = create_db_engine(url)
    rng = random.Random(7)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        user_id = users.add_user(conn, username="bench", password=None, role=Role.DIRECTOR, team="中心", now=now)
        conn.execute(
            customers.insert(), [{"name": "客户", "phone": f"139{i:08d}", "created_at": now} for i in range(1000)]
        )
        batch = []
        for i in range(total):
            category, _, _, text = sample_complaint(rng)
            text += rng.choice(TAILS)
            received = now - timedelta(minutes=i)
            batch.append(
                dict(
                    reference=f"TSB-{i:07d}",
                    channel="hotline",
                    customer_id=1 + i % 1000,
                    received_by_id=user_id,
                    responsible_id=user_id,
                    owner_id=user_id,
                    team="中心",
                    category=category.value,
                    demands=[],
                    content=text,
                    received_at=received,
                    issue_key="billing|-|-",
                    urgency_types=[],
                    manual_urgency=[],
                    priority=3,
                    status="received",
                    acknowledge_by=received,
                    reply_by=received + timedelta(hours=48),
                    search_tokens=index_text(text),
                    created_at=received,
                    updated_at=received,
                    version=1,
                )
            )
            if len(batch) == 5000:
                conn.execute(complaints.insert(), batch)
                batch = []
        conn.execute(sa.text("ANALYZE"))
    actor = Actor(id=user_id, username="bench", display_name="bench", role=Role.DIRECTOR, team="中心")
    timings = []
    for keyword in ["宽带", "彩铃", "工信部", "充值卡", "营业员态度", "双倍返还", "信号特别差", "翻新机"] * 10:
        with engine.connect() as conn:
            started = time.perf_counter()
            run_search(conn, actor=actor, filters=ComplaintFilter(q=keyword), now=now, limit=50)
            timings.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return {"p50_ms": round(statistics.median(timings), 2), "p99_ms": round(max(timings), 2), "complaints": total}


def sub_bench(script: str) -> dict[str, object]:
    path = ROOT / "bench" / script
    if not path.exists():
        return {}
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=900)
    lines = [line for line in result.stdout.splitlines() if line.strip().startswith("{")]
    return json.loads(lines[-1]) if result.returncode == 0 and lines else {"error": result.stderr[-500:]}


def main() -> None:
    pg = os.environ["TOUSU_BENCH_POSTGRES_URL"]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        results: dict[str, object] = {
            "intake": {
                "sqlite": intake(f"sqlite:///{workdir / 'bench.db'}", workdir),
                "postgresql": intake(pg, workdir),
            },
            "search": {"postgresql": search(pg)},
        }
    results["analyzer"] = sub_bench("analyzer_bench.py")
    results["quality"] = sub_bench("quality_bench.py")
    results["web"] = sub_bench("web_bench.py")
    results["reports"] = sub_bench("reports_bench.py")
    results["outbox"] = sub_bench("outbox_bench.py")
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
