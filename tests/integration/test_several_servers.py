"""Several servers, as the README's "Several servers" deploys them: three real `tousu serve`
processes on one PostgreSQL database with one secret key, behind a round-robin reverse proxy that
passes X-Forwarded-For and is the one trusted proxy. Through the proxy, as users do: a login made
on one server holds on the others (and a logout ends it on all), clients behind the proxy are told
apart by their own addresses and throttled across every server together, complaints taken at once
through all three are all kept with distinct references, one batch forms for one issue, and with
the three sweeping the SLA every breach is escalated once and every notification is sent once to a
real SMTP server and a real webhook receiver. Every server then stops on SIGTERM.

The last test pins, with one controllable clock, the ordering those servers race into when a
batch forms: a server that read the clock a moment earlier takes the issue's lock later."""

from __future__ import annotations

import contextlib
import http.client
import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import Clock
from tests.e2e.server import free_port
from tests.integration.conftest import Api, complaint_body
from tests.receivers import SmtpSink, WebhookSink, smtp_server, webhook_server
from tousu.domain.codes import Role
from tousu.services import users
from tousu.storage.db import create_db_engine
from tousu.storage.tables import batches, complaints, events, login_throttle, outbox

SERVERS = 3
SECRET = "several-servers-share-this-secret-0123456789"
PASSWORD = "plum-blossom-2026"
SMTP_FROM = "tousu@example.test"
# The proxy reaches the servers from its own loopback address, the only one they trust; the
# clients come from others, which only the proxy's X-Forwarded-For can tell the servers.
PROXY_ADDRESS = "127.0.0.2"
CLIENT = "127.0.0.3"
FLOODER = "127.0.0.5"
PER_ADDRESS_LIMIT = 3
STAFF = [
    ("agent1", Role.AGENT, "思明营业厅"),
    ("agent2", Role.AGENT, "思明营业厅"),
    ("agent_b", Role.AGENT, "湖里营业厅"),
    ("manager1", Role.MANAGER, "思明营业厅"),
    ("director1", Role.DIRECTOR, "客户中心"),
]
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


# --- the reverse proxy ------------------------------------------------------------------------


class RoundRobinProxy:
    """Sends each request to the next server in turn, from PROXY_ADDRESS, appending the client's
    address to X-Forwarded-For as nginx's $proxy_add_x_forwarded_for does; says which server
    answered in X-Upstream."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self._turn = itertools.cycle(ports)
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive towards the clients, as a real proxy does

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                forwarded = [h for h in (self.headers.get("X-Forwarded-For"), self.client_address[0]) if h]
                headers["X-Forwarded-For"] = ", ".join(forwarded)
                port = proxy.next_port()
                upstream = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(PROXY_ADDRESS, 0))
                try:
                    upstream.request(self.command, self.path, body=body or None, headers=headers)
                    answer = upstream.getresponse()
                    status, reason, content = answer.status, answer.reason, answer.read()
                    passed = [
                        (k, v) for k, v in answer.getheaders() if k.lower() not in {*HOP_BY_HOP, "content-length"}
                    ]
                except OSError as exc:  # the server is gone: what a proxy answers then
                    status, reason, content, passed = 502, "Bad Gateway", str(exc).encode(), []
                finally:
                    upstream.close()
                self.send_response_only(status, reason)  # the server's own Date and Server headers follow
                for name, value in passed:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.send_header("X-Upstream", str(port))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="proxy", daemon=True)

    def next_port(self) -> int:
        with self._lock:
            return next(self._turn)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() would wait forever for a loop never started
            self._server.shutdown()
        self._server.server_close()


# --- the servers ------------------------------------------------------------------------------


@dataclass
class Cluster:
    database: sa.Engine  # the test's own look at the shared database
    proxy: RoundRobinProxy
    processes: list[subprocess.Popen[bytes]]
    logs: list[Path]
    smtp: SmtpSink
    robot: WebhookSink
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, address: str = CLIENT, token: str | None = None) -> httpx.Client:
        """A user's HTTP client, connecting to the proxy from `address`."""
        client = httpx.Client(
            base_url=self.proxy.url,
            transport=httpx.HTTPTransport(local_address=address),
            headers={"Authorization": f"Bearer {token}"} if token else {},
            timeout=60,
        )
        self.clients.append(client)
        return client

    def login(self, username: str, address: str = CLIENT) -> httpx.Client:
        """An API client holding the token `POST /api/v1/auth/login` gave through the proxy."""
        answer = self.client(address).post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return self.client(address, token=answer.json()["token"])

    def rows(self, query: Any) -> list[dict[str, Any]]:
        with self.database.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def assert_stops_cleanly(self) -> None:
        """Every server stops on SIGTERM (uvicorn finishes its shutdown, then exits by the signal it
        caught) without being killed, and none logged an error meanwhile (a failed sweep or send)."""
        assert self.stop() == [-signal.SIGTERM] * len(self.processes)
        errors = [line for log in self.logs for line in log.read_text().splitlines() if _is_error(line)]
        assert not errors, errors

    def stop(self) -> list[int | None]:
        """SIGTERM to each server's process group, SIGKILL after 20 s; the exit codes."""
        for client in self.clients:
            client.close()
        for process in self.processes:
            if process.poll() is None:
                _signal_group(process, signal.SIGTERM)
        codes: list[int | None] = []
        for process in self.processes:
            try:
                codes.append(process.wait(timeout=20))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=10)
                codes.append(None)  # did not stop on its own
        return codes


def _is_error(line: str) -> bool:
    return "level=ERROR" in line or "level=CRITICAL" in line or line.startswith("Traceback")


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(process.pid, sig)  # the server and anything it started


def _start(database_url: str, port: int, workdir: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = workdir / f"server-{port}.log"
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "tousu", "serve", "--port", str(port)],
            cwd=workdir,
            env={**_inherited(os.environ), **env, "TOUSU_DATABASE_URL": database_url},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )


def _inherited(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment without settings of its own: tousu's are the test's alone, and uvicorn's
    trust in proxies (FORWARDED_ALLOW_IPS) stays at its default, 127.0.0.1, so that the proxy's
    address is trusted by TOUSU_TRUSTED_PROXIES alone."""
    return {k: v for k, v in environ.items() if not k.startswith("TOUSU_") and k != "FORWARDED_ALLOW_IPS"}


def _wait_healthy(processes: list[subprocess.Popen[bytes]], ports: list[int], logs: list[Path]) -> None:
    deadline = time.monotonic() + 60
    pending = dict(zip(ports, zip(processes, logs, strict=True), strict=True))
    while pending and time.monotonic() < deadline:
        for port, (process, log) in list(pending.items()):
            if process.poll() is not None:
                raise RuntimeError(f"server on port {port} exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                    del pending[port]
            except httpx.HTTPError:
                pass
        time.sleep(0.1)
    if pending:
        raise RuntimeError(f"servers on ports {sorted(pending)} not healthy within 60 s")


def _add_staff(database_url: str) -> None:
    engine = create_db_engine(database_url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for username, role, team in STAFF:
            users.add_user(conn, username=username, password=PASSWORD, role=role, team=team, now=now)
    engine.dispose()


@pytest.fixture
def cluster(database_url: str, tmp_path: Path) -> Iterator[Cluster]:
    if not database_url.startswith("postgresql"):
        pytest.skip("several servers share one PostgreSQL database; SQLite serves one machine")
    _add_staff(database_url)
    with smtp_server() as smtp, webhook_server() as robot:
        ports = [free_port() for _ in range(SERVERS)]
        env = {
            "TOUSU_SECRET_KEY": SECRET,
            "TOUSU_TRUSTED_PROXIES": PROXY_ADDRESS,
            "TOUSU_SCHEDULER_INTERVAL_SECONDS": "0.5",
            "TOUSU_OUTBOX_INTERVAL_SECONDS": "0.5",
            "TOUSU_SMTP_HOST": "127.0.0.1",
            "TOUSU_SMTP_PORT": str(smtp.port),
            "TOUSU_SMTP_FROM": SMTP_FROM,
            "TOUSU_PUBLIC_URL": "https://tousu.example.test",
            "TOUSU_LOGIN_MAX_FAILURES_PER_ADDRESS": str(PER_ADDRESS_LIMIT),
        }
        processes: list[subprocess.Popen[bytes]] = []
        proxy = RoundRobinProxy(ports)
        logs = [tmp_path / f"server-{p}.log" for p in ports]
        running = Cluster(create_db_engine(database_url), proxy, processes, logs, smtp, robot)
        try:
            for port in ports:  # appended one by one: a failed start still stops those started
                processes.append(_start(database_url, port, tmp_path, env))
            _wait_healthy(processes, ports, running.logs)
            proxy.start()
            yield running
        finally:
            running.stop()
            proxy.stop()
            running.database.dispose()


# --- helpers ----------------------------------------------------------------------------------


def _upstream(answer: httpx.Response) -> int:
    return int(answer.headers["X-Upstream"])


def _eventually(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.2)


def _at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..count-1) in threads released together; their results, or the first error."""
    start = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait(timeout=30)
            results[n] = work(n)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def _complaint(phone: str, content: str, **overrides: Any) -> dict[str, Any]:
    return {
        "channel": "hotline",
        "customer": {"name": "林女士", "phone": phone},
        "content": content,
        "category": "service",
        **overrides,
    }


# --- the tests --------------------------------------------------------------------------------


def test_users_behind_the_proxy_are_served_alike_by_every_server(cluster: Cluster) -> None:
    _a_login_holds_on_every_server(cluster)
    _clients_are_told_apart_and_throttled_across_servers(cluster)
    _complaints_taken_at_once_are_all_kept_once(cluster)
    cluster.assert_stops_cleanly()


def _a_login_holds_on_every_server(cluster: Cluster) -> None:
    browser = cluster.client()
    form = browser.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert form.status_code == 200 and token is not None
    logged_in = browser.post(
        "/login", data={"username": "agent1", "password": PASSWORD, "next": "/", "csrf_token": token.group(1)}
    )
    assert logged_in.status_code == 303, f"{logged_in.status_code}: the form one server served, refused by another"
    assert _upstream(logged_in) != _upstream(form)

    pages = [browser.get("/queue") for _ in range(SERVERS)]  # 工作台
    assert {_upstream(p) for p in pages} == set(cluster.proxy.ports)
    assert [p.status_code for p in pages] == [200] * SERVERS, "the session is valid on every server"
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', pages[-1].text)
    assert csrf is not None
    saved = browser.put(
        "/api/v1/me/notification-preferences",
        json={"email": True, "email_address": "agent1@example.test"},
        headers={"X-CSRF-Token": csrf.group(1)},
    )
    assert saved.status_code == 200, saved.text
    assert _upstream(saved) != _upstream(pages[-1]), "a page's CSRF token holds on another server"

    api = cluster.login("agent2")
    mine = [api.get("/api/v1/me") for _ in range(SERVERS)]
    assert {_upstream(m) for m in mine} == set(cluster.proxy.ports)
    assert all(m.status_code == 200 and m.json()["username"] == "agent2" for m in mine)
    assert api.post("/api/v1/auth/logout").status_code == 200
    after = [api.get("/api/v1/me") for _ in range(SERVERS)]
    assert [a.status_code for a in after] == [401] * SERVERS, "a logout on one server ends the session on all"


def _clients_are_told_apart_and_throttled_across_servers(cluster: Cluster) -> None:
    """Wrong passwords from one client, one per server: the servers count them together, by the
    address the proxy saw, and block that address, whatever it claims to be."""
    flooder = cluster.client(FLOODER)
    guess = {"username": "director1", "password": "wrong-password-1"}
    wrong = [flooder.post("/api/v1/auth/login", json=guess) for _ in range(PER_ADDRESS_LIMIT)]
    assert [w.status_code for w in wrong] == [401] * PER_ADDRESS_LIMIT
    assert len({_upstream(w) for w in wrong}) == SERVERS
    right = {"username": "director1", "password": PASSWORD}
    blocked = flooder.post("/api/v1/auth/login", json=right)
    assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "address_throttled", blocked.text
    forged = flooder.post("/api/v1/auth/login", json=right, headers={"X-Forwarded-For": CLIENT})
    assert forged.status_code == 429, "a client's own X-Forwarded-For is not believed"
    assert cluster.client(CLIENT).post("/api/v1/auth/login", json=right).status_code == 200, "another client logs in"
    subjects = {r["subject"] for r in cluster.rows(sa.select(login_throttle.c.subject))}
    assert FLOODER in subjects and PROXY_ADDRESS not in subjects


def _complaints_taken_at_once_are_all_kept_once(cluster: Cluster) -> None:
    agents = [cluster.login(name) for name in ("agent1", "agent2", "agent_b")]
    # Six threads file ordinary complaints; two more, at the same moment, 14 customers of one
    # broadband outage: more than 10 customers on one issue within the hour make a batch.
    ordinary, outage, each = 6, 2, 7

    def body(n: int, k: int) -> dict[str, Any]:
        if n < ordinary:
            return _complaint(f"1390000{n:02d}{k:02d}", f"营业员态度很差，第{n}-{k}次来办业务都被推脱，要求道歉。")
        return _complaint(
            f"1370000{n:02d}{k:02d}",
            f"家里宽带从早上开始一直断网，打了好几次电话都没修好（{n}-{k}号楼）。",
            category="network",
            topic="宽带",
            area="思明区",
        )

    def take(n: int) -> list[tuple[httpx.Client, httpx.Response]]:
        client = agents[n % len(agents)]
        return [(client, client.post("/api/v1/complaints", json=body(n, k))) for k in range(each)]

    filed = [pair for pairs in _at_once(ordinary + outage, take) for pair in pairs]
    answers = [answer for _, answer in filed]
    assert [a.status_code for a in answers] == [201] * len(filed), [a.text for a in answers if a.status_code != 201]
    assert {_upstream(a) for a in answers} == set(cluster.proxy.ports)
    taken = [a.json() for a in answers]
    references = [c["reference"] for c in taken]
    assert len(set(references)) == len(references), "no reference number is given twice"

    # Read back by whoever took each one, through the proxy (so mostly from another server).
    for (client, _), complaint in zip(filed, taken, strict=True):
        read = client.get(f"/api/v1/complaints/{complaint['id']}")
        assert read.status_code == 200 and read.json()["reference"] == complaint["reference"]
    stored = cluster.rows(sa.select(complaints.c.reference))
    assert sorted(r["reference"] for r in stored) == sorted(references), "none lost, none extra"

    formed = cluster.rows(sa.select(batches))
    assert len(formed) == 1, "the servers agree on one batch"
    outage_ids = {c["id"] for c in taken if c["category"] == "network"}
    members = cluster.rows(sa.select(complaints.c.id).where(complaints.c.batch_id == formed[0]["id"]))
    assert {m["id"] for m in members} == outage_ids, "every customer of the outage is in it"
    assert formed[0]["member_count"] == outage * each
    alerts = cluster.rows(sa.select(events.c.id).where(events.c.kind == "batch_alert"))
    assert len(alerts) == 1, "one alert for the batch"

    # The same request retried at once on every server (one Idempotency-Key) is one complaint.
    retried = _complaint("13911112222", "上次投诉后营业员又对我大声呵斥，要求给个说法。")
    same = _at_once(
        SERVERS,
        lambda n: agents[0].post("/api/v1/complaints", json=retried, headers={"Idempotency-Key": "crm-retry-0001"}),
    )
    assert [s.status_code for s in same] == [201] * SERVERS
    assert len({s.json()["id"] for s in same}) == 1
    assert len(cluster.rows(sa.select(complaints.c.id))) == len(taken) + 1


def test_three_sweeping_servers_escalate_each_breach_once_and_send_each_message_once(cluster: Cluster) -> None:
    mails = {
        "agent1": "agent1@example.test",
        "manager1": "manager1@example.test",
        "director1": "director1@example.test",
    }
    people = {name: cluster.login(name) for name in mails}
    for name, client in people.items():
        prefs: dict[str, Any] = {"email": True, "email_address": mails[name]}
        if name == "manager1":
            prefs |= {"webhook": True, "webhook_url": cluster.robot.url}
        assert client.put("/api/v1/me/notification-preferences", json=prefs).status_code == 200
    cluster.robot.delay = 0.2  # a dispatcher busy sending one wave leaves the next to the others

    # Taken in now, received days ago: 2 h past the 48 h reply deadline (厅经理's rung), or a day
    # and 3 h past it (客户中心主任's); each climbs to its rung in one step. Filed in waves, so
    # that the servers' sweeps and dispatchers find them at different moments.
    rungs = {50: (1, "厅经理"), 75: (2, "客户中心主任")}
    waves = [[50, 75], [50, 75], [50, 75]]
    filed: list[tuple[dict[str, Any], int]] = []
    for wave, hours_ago in enumerate(waves):

        def file(n: int, wave: int = wave, hours_ago: list[int] = hours_ago) -> tuple[dict[str, Any], int]:
            received = datetime.now(UTC) - timedelta(hours=hours_ago[n])
            body = _complaint(
                f"136000{wave:02d}{n:03d}",
                f"上周在营业厅办理业务时被工作人员顶撞（第{wave}-{n}件）。",
                received_at=received.isoformat(),
            )
            answer = people["agent1"].post("/api/v1/complaints", json=body)
            assert answer.status_code == 201, answer.text
            return dict(answer.json()), hours_ago[n]

        filed += _at_once(len(hours_ago), file)
        time.sleep(0.7)
    for complaint, hours in filed:  # the premise: each deadline had passed when it was taken in
        reply_by = datetime.fromisoformat(complaint["deadlines"]["reply_by"])
        assert reply_by == datetime.fromisoformat(complaint["received_at"]) + timedelta(hours=48)
        assert datetime.now(UTC) - reply_by > timedelta(hours=hours - 48 - 1)
        assert complaint["escalation_level"] == 0

    def escalated() -> bool:
        rows = cluster.rows(sa.select(complaints.c.escalation_level))
        return all(r["escalation_level"] > 0 for r in rows)

    _eventually(escalated, 30, "every breach escalated by the servers' sweeps")
    by_manager, by_director = (sum(1 for _, hours in filed if hours == h) for h in rungs)
    # An e-mail to the handler and one to the rung's holder per breach; the 厅经理's robot too.
    messages = 2 * len(filed) + by_manager

    def all_sent() -> bool:
        rows = cluster.rows(sa.select(outbox.c.status))
        return len(rows) == messages and {r["status"] for r in rows} == {"sent"}

    _eventually(all_sent, 30, "every message of the outbox sent")
    time.sleep(2)  # several more sweeps and dispatcher passes on every server: nothing more may happen

    director = people["director1"]
    for complaint, hours in filed:
        level, rung = rungs[hours]
        timeline = director.get(f"/api/v1/complaints/{complaint['id']}/events").json()["events"]
        breaches = [e for e in timeline if e["kind"] == "sla_breached"]
        assert len(breaches) == 1, f"{complaint['reference']}: one escalation per breach, got {breaches}"
        assert breaches[0]["data"]["to"] == rung
        assert director.get(f"/api/v1/complaints/{complaint['id']}").json()["escalation_level"] == level

    sent = cluster.rows(sa.select(outbox.c.id).where(outbox.c.channel == "email"))
    arrived = Counter(str(m.message["Message-ID"]) for m in cluster.smtp.mails)
    assert all(count == 1 for count in arrived.values()), "no e-mail is sent twice"
    assert set(arrived) == {f"<tousu-outbox-{row['id']}@example.test>" for row in sent}, "every e-mail arrives"
    to = Counter(address for m in cluster.smtp.mails for address in m.to)
    assert to == {mails["agent1"]: len(filed), mails["manager1"]: by_manager, mails["director1"]: by_director}
    posts = [p["text"]["content"] for p in cluster.robot.posts]
    assert len(posts) == len(set(posts)) == by_manager, "one robot message per escalation to 厅经理"
    for complaint, hours in filed:
        assert sum(complaint["reference"] in p for p in posts) == (hours == 50)
    cluster.assert_stops_cleanly()


def test_a_complaint_whose_server_read_the_clock_a_moment_earlier_still_joins_the_batch(api: Api, clock: Clock) -> None:
    """What the servers above race into, made certain with one clock: a server reads the clock,
    then queues for the issue's lock behind another that read it a moment later (or runs ahead)."""
    moment_later = clock.now + timedelta(seconds=30)

    def outage(phone: str, area: str, **overrides: Any) -> dict[str, Any]:
        body = complaint_body(
            customer={"name": "陈先生", "phone": phone},
            content="家里宽带从早上开始一直断网。",
            category="network",
            topic="宽带",
            area=area,
            **overrides,
        )
        answer = api.post("/complaints", "agent1", body)
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    taken_at = clock.now
    clock.now = moment_later
    formed = [outage(f"1380000{n:04d}", "湖里区") for n in range(11)]  # more than 10 customers: a batch
    assert formed[-1]["batch_id"] is not None
    clock.now = taken_at
    joined = outage("13800009999", "湖里区")
    assert joined["batch_id"] == formed[-1]["batch_id"] and "batch" in joined["urgency_types"]
    earlier = outage("13800008888", "湖里区", received_at=(taken_at - timedelta(hours=2)).isoformat())
    assert earlier["batch_id"] is None, "a complaint received hours before the batch is not in it"

    clock.now = moment_later
    waiting = [outage(f"1380001{n:04d}", "集美区") for n in range(10)]  # ten: not yet a batch
    assert {c["batch_id"] for c in waiting} == {None}
    clock.now = taken_at
    eleventh = outage("13800019999", "集美区")
    assert eleventh["batch_id"] is not None, "the ten received a moment later count"
    for complaint in waiting:
        assert api.get(f"/complaints/{complaint['id']}", "agent1").json()["batch_id"] == eleventh["batch_id"]
