"""`make bench-scale`: a province's complaints on one PostgreSQL, and what each page costs there.

Loads SIZE complaints (default 1,000,000) into a throw-away database with COPY: 300 halls, about
10% of complaints open, about six timeline events each, and the search text, references,
deadlines and escalation levels the application itself would have written. Then times, through
the application in process (routing, authentication, queries, rendering), the pages and the API
lists people use, the SLA sweep and intake, and prints one JSON object as its last line with
the p50 of each in milliseconds (intake in complaints per second). Last, `archive`: the finished
complaints unchanged for ARCHIVE_AFTER_DAYS are archived a chunk at a time as the scheduler does
(how long, how many), and the lists and searches are timed again on the smaller working set and
on the archive, with the sizes of the indexes that hold them apart.
"""

from __future__ import annotations

import functools
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import orjson
import sqlalchemy as sa
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tousu.api.app import create_app  # noqa: E402
from tousu.api.deps import SESSION_COOKIE  # noqa: E402
from tousu.demo import AREAS, CHANNEL_WEIGHTS, SURNAMES, TITLES, sample_complaint  # noqa: E402
from tousu.domain import urgency as rules  # noqa: E402
from tousu.domain.codes import Channel, Role, UrgencyType  # noqa: E402
from tousu.domain.deadlines import LOCAL, compute_deadlines, sla_state  # noqa: E402
from tousu.domain.policy import Policy, RetentionPolicy  # noqa: E402
from tousu.domain.workflow import CLOCK_RUNNING, Status  # noqa: E402
from tousu.services import archive, sla, users  # noqa: E402
from tousu.settings import Settings  # noqa: E402
from tousu.storage.db import create_db_engine, upgrade  # noqa: E402
from tousu.storage.search import index_text  # noqa: E402

TEAMS = 300
AGENTS_PER_TEAM = 3
SPAN_DAYS = 365
REPEATS = int(os.environ.get("TOUSU_SCALE_REPEATS", "15"))
INTAKE_COUNT = int(os.environ.get("TOUSU_SCALE_INTAKE", "200"))
COMMON_TERM = "扣费"
RARE_TERM = "冰激凌套餐"  # written into about one complaint in 50,000
TAILS = ["", "请尽快处理。", "已经是第二次反映了。", "希望给个答复。", "不然我就去12300投诉。", "麻烦你们核实一下。"]
# (status, share): about 10% still waiting for a reply, as in a working province.
STATUSES = [
    (Status.RECEIVED, 4.0),
    (Status.IN_PROGRESS, 4.0),
    (Status.PENDING_CUSTOMER, 1.0),
    (Status.REOPENED, 1.0),
    (Status.REPLIED, 1.5),
    (Status.FOLLOWED_UP, 1.5),
    (Status.REJECTED, 1.0),
    (Status.CLOSED, 86.0),
]
URGENCY = [  # a few complaints carry an urgency type
    ((), 90.0),
    ((UrgencyType.IMPORTANT_CUSTOMER,), 3.0),
    ((UrgencyType.REPEAT,), 3.0),
    ((UrgencyType.MAJOR,), 1.5),
    ((UrgencyType.OVER_LEVEL,), 1.0),
    ((UrgencyType.ESCALATED,), 1.0),
    ((UrgencyType.SENSITIVE,), 0.5),
]
EVENTS_AFTER = {  # the workflow events a complaint in each status has been through
    Status.RECEIVED: [],
    Status.IN_PROGRESS: ["started"],
    Status.PENDING_CUSTOMER: ["started", "waiting_customer"],
    Status.REOPENED: ["started", "replied", "reopened"],
    Status.REPLIED: ["started", "replied"],
    Status.FOLLOWED_UP: ["started", "replied", "followed_up"],
    Status.REJECTED: ["rejected"],
    Status.CLOSED: ["started", "replied", "followed_up", "closed"],
}

COMPLAINT_COLUMNS = [
    "id",
    "reference",
    "channel",
    "customer_id",
    "received_by_id",
    "responsible_id",
    "owner_id",
    "team",
    "category",
    "category_source",
    "demands",
    "content",
    "received_at",
    "topic",
    "area",
    "issue_key",
    "urgency_types",
    "manual_urgency",
    "priority",
    "status",
    "acknowledge_by",
    "reply_by",
    "follow_up_by",
    "escalation_level",
    "replied_at",
    "closed_at",
    "satisfaction",
    "search_tokens",
    "created_at",
    "updated_at",
    "version",
]
EVENT_COLUMNS = ["complaint_id", "kind", "actor_id", "at", "data", "dedup_key"]
ARCHIVE_AFTER_DAYS = 90  # of a year's complaints, the finished ones of its first nine months
SPLIT_INDEXES = [
    "ix_complaints_queue",
    "ix_complaints_archived_queue",
    "ix_complaints_team_queue",
    "ix_complaints_archived_team_queue",
    "ix_complaints_search",
    "ix_complaints_search_archived",
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_database(url: str) -> None:
    """The throw-away database, created when missing, its schema emptied and migrated anew."""
    target = sa.engine.make_url(url)
    admin = create_db_engine(target.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).first()
        if exists is None:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)


def _weighted(rng: random.Random, choices: list[tuple[Any, float]]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


class Staff:
    """300 halls of three agents and a manager, and the centre's directors."""

    def __init__(self, conn: sa.Connection, now: datetime) -> None:
        rows = []
        self.agents: dict[str, list[int]] = {}
        self.managers: dict[str, int] = {}
        user_id = 0
        for t in range(TEAMS):
            team = f"第{t + 1:03d}营业厅"
            for a in range(AGENTS_PER_TEAM + 1):
                user_id += 1
                role = Role.MANAGER if a == AGENTS_PER_TEAM else Role.AGENT
                rows.append((user_id, f"{role.value}{t + 1:03d}_{a}", f"员工{user_id}", role.value, team))
                if role is Role.MANAGER:
                    self.managers[team] = user_id
                else:
                    self.agents.setdefault(team, []).append(user_id)
        self.directors = []
        for d in range(3):
            user_id += 1
            rows.append((user_id, f"director{d + 1}", f"主任{d + 1}", Role.DIRECTOR.value, "客户中心"))
            self.directors.append(user_id)
        self.teams = list(self.agents)
        with _copy(conn, "users", ["id", "username", "display_name", "role", "team", "created_at"]) as copy:
            for row in rows:
                copy.write_row((*row, now))
        conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))")


class _copy:
    """COPY … FROM STDIN through psycopg on the connection's own transaction."""

    def __init__(self, conn: sa.Connection, table: str, columns: list[str]) -> None:
        raw = conn.connection.driver_connection
        assert raw is not None
        self._cursor = raw.cursor()
        self._statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"

    def __enter__(self) -> Any:
        self._context = self._cursor.copy(self._statement)
        return self._context.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._context.__exit__(*exc)
        self._cursor.close()


def _customers(conn: sa.Connection, rng: random.Random, count: int, now: datetime) -> list[str]:
    names = [rng.choice(SURNAMES) + rng.choice(TITLES) for _ in range(count)]
    with _copy(conn, "customers", ["id", "name", "phone", "vip_level", "created_at"]) as copy:
        for i, name in enumerate(names):
            vip = "normal" if rng.random() < 0.93 else rng.choice(["silver", "gold", "diamond"])
            copy.write_row((i + 1, name, f"13{i:09d}", vip, now - timedelta(days=SPAN_DAYS + 1)))
    conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT max(id) FROM customers))")
    return names


def _complaints(
    size: int,
    rng: random.Random,
    staff: Staff,
    names: list[str],
    now: datetime,
    policy: Policy,
    counters: dict[str, int],
) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """Each complaint's row and its events, oldest first, as the application would have written them."""
    ladder = len(policy.escalation.ladder)
    channels = [(c, float(w)) for c, w in CHANNEL_WEIGHTS]
    start = now - timedelta(days=SPAN_DAYS)
    step = timedelta(days=SPAN_DAYS) / size
    for i in range(size):
        cid = i + 1
        received = start + step * i + timedelta(seconds=rng.random())
        team = rng.choice(staff.teams)
        agent = rng.choice(staff.agents[team])
        channel: Channel = _weighted(rng, channels)
        category, demands, topic, content = sample_complaint(rng)
        content += rng.choice(TAILS)
        if rng.random() < 1 / 50_000:
            content += f"另外我办的{RARE_TERM}也有问题。"
        area = rng.choice(AREAS) if rng.random() < 0.3 else None
        customer_id = rng.randrange(len(names)) + 1
        types = set(_weighted(rng, URGENCY))
        status: Status = _weighted(rng, STATUSES)
        deadlines = compute_deadlines(
            received_at=received, channel=channel, team=team, urgency=types, paused=timedelta(0), policy=policy.sla
        )
        reply_by = deadlines.reply_by
        day = received.astimezone(LOCAL).strftime("%Y%m%d")
        counters[day] = counters.get(day, 0) + 1
        reference = f"TS{day}-{counters[day]:06d}"
        moment = received
        events: list[tuple[Any, ...]] = [
            (
                cid,
                "created",
                agent,
                received,
                orjson.dumps({"reference": reference, "status": "received"}).decode(),
                None,
            ),
            (cid, "analyzed", None, received, orjson.dumps({"category": category.value}).decode(), None),
        ]
        replied_at = closed_at = satisfaction = None
        for kind in EVENTS_AFTER[status]:
            moment = moment + timedelta(hours=rng.uniform(0.5, 20))
            events.append((cid, kind, agent, moment, "{}", None))
            if kind == "replied":
                replied_at = moment
            elif kind == "closed":
                closed_at = moment
            elif kind == "followed_up":
                satisfaction = rng.choice(["satisfied"] * 8 + ["neutral", "dissatisfied"])
        level = 0
        if status in CLOCK_RUNNING:
            state = sla_state(reply_by=reply_by, now=now, policy=policy.sla, ladder_size=ladder)
            level = state.level
            if state.breached and rng.random() < 0.001:
                level -= 1  # the sweep has not yet caught up with this one: due now
            if state.warn:
                events.append(
                    (
                        cid,
                        "sla_warning",
                        None,
                        reply_by - timedelta(hours=policy.sla.warn_before_hours),
                        orjson.dumps({"reply_by": reply_by.isoformat()}).decode(),
                        f"warn:{reply_by.isoformat()}",
                    )
                )
            for rung in range(1, level + 1):
                events.append((cid, "sla_breached", None, reply_by, orjson.dumps({"to_level": rung}).decode(), None))
        ordered = sorted(t.value for t in types)
        name = names[customer_id - 1]
        row = (
            cid, reference, channel.value, customer_id, agent, agent, agent, team, category.value, "analyzer",
            orjson.dumps(demands).decode(), content, received, topic, area,
            rules.issue_key(category.value, topic, area), orjson.dumps(ordered).decode(), "[]",
            rules.priority(types), status.value, deadlines.acknowledge_by, reply_by, deadlines.follow_up_by, level,
            replied_at, closed_at, satisfaction, index_text(content, name, topic, area),
            received, max(moment, received), 1 + len(events) - 2,
        )  # fmt: skip
        yield row, events


def load(url: str, size: int, now: datetime, policy: Policy) -> Staff:
    """The whole province, loaded with COPY in one transaction per table group, then analysed."""
    ensure_database(url)
    engine = create_db_engine(url)
    rng = random.Random(15)
    with engine.begin() as conn:
        staff = Staff(conn, now)
        names = _customers(conn, rng, max(1, size // 3), now)
    with engine.begin() as conn:
        counters: dict[str, int] = {}  # references per local day, as intake counts them
        generated = _complaints(size, rng, staff, names, now, policy, counters)
        events: list[tuple[Any, ...]] = []
        with _copy(conn, "complaints", COMPLAINT_COLUMNS) as copy:
            for n, (row, its_events) in enumerate(generated, 1):
                copy.write_row(row)
                events.extend(its_events)
                if n % 100_000 == 0:
                    log(f"  {n} complaints generated")
        log(f"  copying {len(events)} events")
        with _copy(conn, "events", EVENT_COLUMNS) as copy:
            for event in events:
                copy.write_row(event)
        del events
        with _copy(conn, "counters", ["name", "value"]) as copy:
            for day, value in counters.items():
                copy.write_row((f"ref:{day}", value))
        for table in ("complaints", "events"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return staff


def _list_complaints(client: Client, user_id: int, params: dict[str, Any], _: int) -> object:
    return client.api(user_id, "/api/v1/complaints", **params)


def p50(run: Callable[[int], object], repeats: int = REPEATS) -> float:
    run(-1)  # warm: the first call pays for caches and the statement's compilation
    timings = []
    for k in range(repeats):
        started = time.perf_counter()
        run(k)
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 1)


class Client:
    """The application in process, as each kind of user reaches it."""

    def __init__(self, url: str, engine: sa.Engine, now: datetime) -> None:
        settings = Settings(
            database_url=url, secret_key="scale-bench-secret-0123456789abcdef", scheduler_interval_seconds=0
        )
        self.app = create_app(settings, with_scheduler=False)
        self.http = TestClient(self.app)
        self._engine, self._now = engine, now
        self._tokens: dict[int, tuple[str, str]] = {}

    def tokens(self, user_id: int) -> tuple[str, str]:
        if user_id not in self._tokens:
            with self._engine.begin() as conn:
                self._tokens[user_id] = (
                    users.issue_token(conn, user_id=user_id, kind="api", now=self._now),
                    users.issue_token(conn, user_id=user_id, kind="session", now=self._now),
                )
        return self._tokens[user_id]

    def api(self, user_id: int, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params, headers={"Authorization": f"Bearer {self.tokens(user_id)[0]}"})
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def page(self, user_id: int, path: str) -> str:
        response = self.http.get(path, headers={"Cookie": f"{SESSION_COOKIE}={self.tokens(user_id)[1]}"})
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")
        return str(response.text)

    def post(self, user_id: int, path: str, body: dict[str, Any]) -> Any:
        response = self.http.post(path, json=body, headers={"Authorization": f"Bearer {self.tokens(user_id)[0]}"})
        if response.status_code != 201:
            raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")
        return response.json()


def _deep_link(client: Client, user_id: int, depth: int) -> str:
    """The queue page `depth` rows down, reached as a person would: following 下一页."""
    path = "/queue"
    for _ in range(depth // 50):
        html = client.page(user_id, path)
        marker = html.find('">下一页</a>')
        if marker < 0:
            break
        href = html[html.rfind('href="', 0, marker) + 6 : marker].replace("&amp;", "&")
        path = urljoin("/queue", href)
    return path


def measure(url: str, staff: Staff, now: datetime, policy: Policy, size: int) -> dict[str, Any]:
    engine = create_db_engine(url)
    client = Client(url, engine, now)
    rng = random.Random(7)
    agents = [rng.choice(staff.agents[rng.choice(staff.teams)]) for _ in range(REPEATS + 1)]
    director = staff.directors[0]
    figures: dict[str, Any] = {}
    figures["queue_agent"] = p50(lambda k: client.page(agents[k], "/queue"))
    figures["queue_director"] = p50(lambda k: client.page(director, "/queue"))
    deep = _deep_link(client, director, 5000)
    figures["queue_deep"] = p50(lambda k: client.page(director, deep))
    figures["api_list"] = p50(lambda k: client.api(director, "/api/v1/complaints"))
    figures["api_list_overdue"] = p50(lambda k: client.api(director, "/api/v1/complaints", overdue="true"))
    figures["search_common"] = p50(lambda k: client.api(director, "/api/v1/complaints", q=COMMON_TERM))
    figures["search_rare"] = p50(lambda k: client.api(director, "/api/v1/complaints", q=RARE_TERM))
    figures["dashboard_director"] = p50(lambda k: client.page(director, "/dashboard"))
    ids = [rng.randint(1, size) for _ in range(REPEATS + 1)]
    figures["complaint_page"] = p50(lambda k: client.page(director, f"/complaints/{ids[k]}"))
    figures["sla_sweep"] = p50(lambda k: _sweep(engine, now + timedelta(minutes=2 + k), policy))
    figures["intake_per_s"] = _intake(client, staff, rng)
    client.http.close()
    engine.dispose()
    return figures


def _sweep(engine: sa.Engine, now: datetime, policy: Policy) -> None:
    with engine.begin() as conn:
        sla.sweep(conn, now=now, policy=policy)


def _intake(client: Client, staff: Staff, rng: random.Random) -> float:
    """Complaints per second, one after another through the API with the analyzer reading each."""
    bodies = []
    for n in range(INTAKE_COUNT + 10):
        bodies.append(
            {
                "channel": "hotline",
                "content": sample_complaint(rng)[3] + rng.choice(TAILS),
                "customer": {"name": "王先生", "phone": f"199{n:08d}"},
            }
        )
    agent = staff.agents[staff.teams[0]][0]
    for body in bodies[:10]:  # warm
        client.post(agent, "/api/v1/complaints", body)
    started = time.perf_counter()
    for body in bodies[10:]:
        client.post(agent, "/api/v1/complaints", body)
    return round(INTAKE_COUNT / (time.perf_counter() - started), 1)


def _index_mb(engine: sa.Engine) -> dict[str, float]:
    size = sa.text("SELECT pg_relation_size(CAST(:name AS regclass))")
    with engine.connect() as conn:
        return {name: round(conn.execute(size, {"name": name}).scalar_one() / 2**20, 1) for name in SPLIT_INDEXES}


def measure_archive(url: str, staff: Staff, now: datetime, policy: Policy) -> dict[str, Any]:
    """Archive as the scheduler does, a chunk per transaction, then time the lists again."""
    engine = create_db_engine(url)
    aged = policy.model_copy(update={"retention": RetentionPolicy(archive_after_days=ARCHIVE_AFTER_DAYS)})
    figures: dict[str, Any] = {"after_days": ARCHIVE_AFTER_DAYS, "index_mb_before": _index_mb(engine)}
    chunks: list[float] = []
    archived = 0
    started = time.perf_counter()
    while True:
        began = time.perf_counter()
        with engine.begin() as conn:
            done = archive.run_pass(conn, now=now, policy=aged, wait=True)
        chunks.append((time.perf_counter() - began) * 1000)
        archived += done.archived
        if not done.more:
            break
    figures["archived"] = archived
    figures["seconds"] = round(time.perf_counter() - started, 1)
    figures["chunk_p50_ms"] = round(statistics.median(chunks), 1)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # What autovacuum does after a large change; REINDEX gives the working set's emptied pages back.
        conn.exec_driver_sql("VACUUM ANALYZE complaints")
        for name in SPLIT_INDEXES:
            if "archived" not in name:
                conn.exec_driver_sql(f"REINDEX INDEX {name}")
    figures["index_mb_after"] = _index_mb(engine)
    client = Client(url, engine, now)
    director = staff.directors[0]
    lists = {
        "api_list": {},
        "search_common": {"q": COMMON_TERM},
        "search_rare": {"q": RARE_TERM},
        "api_list_archived": {"archived": "only"},
        "search_common_archived": {"q": COMMON_TERM, "archived": "only"},
        "search_rare_archived": {"q": RARE_TERM, "archived": "only"},
        "search_rare_included": {"q": RARE_TERM, "archived": "include"},
    }
    for key, params in lists.items():
        figures[key] = p50(functools.partial(_list_complaints, client, director, params))
    figures["queue_director"] = p50(lambda k: client.page(director, "/queue"))
    figures["queue_director_included"] = p50(lambda k: client.page(director, "/queue?status=all&archived=include"))
    client.http.close()
    engine.dispose()
    return figures


def main() -> None:
    url = os.environ["TOUSU_SCALE_POSTGRES_URL"]
    size = int(os.environ.get("SIZE") or 1_000_000)
    policy = Policy()
    now = datetime.now(UTC)
    log(f"loading {size} complaints")
    started = time.perf_counter()
    staff = load(url, size, now, policy)
    load_seconds = round(time.perf_counter() - started, 1)
    log(f"loaded in {load_seconds} s; measuring")
    figures = measure(url, staff, now, policy, size)
    log("archiving")
    figures["archive"] = measure_archive(url, staff, now, policy)
    print(json.dumps({"size": size, "load_seconds": load_seconds, **figures}, ensure_ascii=False))


if __name__ == "__main__":
    main()
