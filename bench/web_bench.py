"""Web page render times against a real server: the work queue with 1,000 open complaints, a complaint
page with 200 events, and the analysis panel's round trip. Prints one JSON object (medians in ms)."""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.server import free_port, start_server  # noqa: E402
from tousu.demo import DEMO_PASSWORD, STAFF, sample_complaint  # noqa: E402
from tousu.domain.codes import Channel  # noqa: E402
from tousu.domain.workflow import Action  # noqa: E402
from tousu.services import intake, users, workflow  # noqa: E402
from tousu.services.analysis_port import TextAnalysis  # noqa: E402
from tousu.settings import Settings  # noqa: E402
from tousu.storage.db import create_db_engine, upgrade  # noqa: E402

OPEN_COMPLAINTS = 1000
EVENTS = 200
ROUNDS = 30
ANALYSIS_TEXT = "你们上个月把同一笔38元的流量包扣了我两次，重复扣费！今天不给我把钱退回来，我就找电视台曝光你们。"


def _seed(url: str) -> int:
    """Staff, 1,000 open complaints and one more with 200 events; returns that one's id."""
    engine = create_db_engine(url)
    policy = Settings(database_url=url).policy
    now = datetime.now(UTC)
    rng = random.Random(11)
    with engine.begin() as conn:
        for username, name, role, team in STAFF:
            users.add_user(
                conn, username=username, password=DEMO_PASSWORD, role=role, team=team, display_name=name, now=now
            )
        agent = users.actor_of(users.require_user(conn, "agent1"))
    with engine.begin() as conn:
        for index in range(OPEN_COMPLAINTS + 1):
            category, demands, topic, content = sample_complaint(rng)
            received = now - timedelta(minutes=index * 7)  # spread out: no batches
            new = intake.NewComplaint(
                channel=Channel.HOTLINE,
                customer={"name": "王先生", "phone": f"139{index:08d}"},
                content=content,
                category=category,
                demands=demands,
                topic=topic,
                received_at=received,
            )
            created = intake.create(conn, new=new, analysis=TextAnalysis(), actor=agent, policy=policy, now=received)
    busy = created.complaint
    with engine.begin() as conn:
        version = workflow.transition(
            conn,
            complaint_id=busy["id"],
            action=Action.START,
            version=busy["version"],
            actor=agent,
            policy=policy,
            now=now,
        )["version"]
        for step in range((EVENTS - 3) // 2 + 1):
            paused = workflow.transition(
                conn,
                complaint_id=busy["id"],
                action=Action.WAIT_CUSTOMER,
                version=version,
                actor=agent,
                policy=policy,
                now=now,
                fields={"waiting_for": f"请客户补充第{step + 1}份账单截图"},
            )
            version = workflow.transition(
                conn,
                complaint_id=busy["id"],
                action=Action.RESUME,
                version=paused["version"],
                actor=agent,
                policy=policy,
                now=now,
            )["version"]
    engine.dispose()
    return int(busy["id"])


def _log_in(client: httpx.Client) -> None:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found is not None, "login form without CSRF token"
    response = client.post(
        "/login", data={"username": "agent1", "password": DEMO_PASSWORD, "csrf_token": found.group(1)}
    )
    if response.status_code >= 400:
        raise SystemExit(f"login failed: {response.status_code}")


def _median_ms(client: httpx.Client, method: str, path: str, texts: list[str] | None = None, **kwargs: Any) -> float:
    """Median of ROUNDS requests after one warm-up; `texts` vary the analyzed text so no cache answers."""

    def body(index: int) -> dict[str, Any]:
        return {"json": {"text": texts[index % len(texts)]}} if texts else {}

    client.request(method, path, **kwargs, **body(0))
    times = []
    for index in range(ROUNDS):
        started = time.perf_counter()
        response = client.request(method, path, **kwargs, **body(index))
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{method} {path}: {response.status_code}")
    return round(statistics.median(times), 1)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        url = f"sqlite:///{workdir / 'web-bench.db'}"
        upgrade(url)
        busy_id = _seed(url)
        port = free_port()
        server = start_server(url, port, workdir, TOUSU_SECRET_KEY="web-bench-secret-0123456789abcdef")
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                _log_in(client)
                page = client.get(f"/complaints/{busy_id}").text
                assert page.count('<li><span class="when">') >= EVENTS, "the busy complaint lacks its events"
                # The CSRF token is bound to the session: the one the logged-in page carries.
                token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
                assert token is not None, "page without its CSRF token"
                figures = {
                    "queue_1000_open_ms": _median_ms(client, "GET", "/queue?status=open"),
                    "complaint_200_events_ms": _median_ms(client, "GET", f"/complaints/{busy_id}"),
                    "analysis_roundtrip_ms": _median_ms(
                        client,
                        "POST",
                        "/api/v1/analyze",
                        texts=[f"{ANALYSIS_TEXT}（第{n}次来电）" for n in range(ROUNDS)],
                        headers={"X-CSRF-Token": token.group(1)},
                    ),
                }
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
