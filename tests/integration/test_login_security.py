"""Logins that cannot be brute-forced, cannot stall intake, and sessions whose CSRF token is their own.

Throttling is counted in the database, so it holds across server processes: several apps
on one database stand for several processes here.
"""

from __future__ import annotations

import fcntl
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.integration.conftest import Api, complaint_body
from tousu.api.app import create_app
from tousu.cli import app as cli
from tousu.services import users
from tousu.services.errors import Invalid
from tousu.settings import Settings

RIGHT = "correct-horse-1"  # agent1's password (conftest)
WRONG = "wrong-horse-9"


@contextmanager
def server(database_url: str, clock: Any, peer: str = "203.0.113.7", **settings: Any) -> Iterator[TestClient]:
    """Another server process on the same database, seen from a client at `peer`."""
    app = create_app(
        Settings(
            database_url=database_url,
            secret_key="integration-tests-secret-0123456789",
            scheduler_interval_seconds=0,
            **settings,
        ),
        with_scheduler=False,
    )
    app.state.tousu.clock = clock
    try:
        with TestClient(app, client=(peer, 50000)) as client:
            yield client
    finally:
        app.state.tousu.engine.dispose()


def login(client: TestClient, username: str, password: str, **kw: Any) -> Any:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password}, **kw)


# --- throttling -------------------------------------------------------------------------------


def test_an_account_is_locked_after_five_wrong_passwords_and_says_so_to_the_right_one(api: Api, clock) -> None:
    codes = [login(api.client, "agent1", WRONG).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    during = login(api.client, "agent1", RIGHT)
    assert during.status_code == 429
    assert during.headers["Retry-After"] == "900"  # 15 minutes from the fifth failure
    error = during.json()["error"]
    assert error["code"] == "login_throttled"
    assert "暂时锁定" in error["message"] and "10:15" in error["message"]  # Shanghai time
    assert "密码错误" not in error["message"]
    # Another account from the same address is not locked with it.
    assert login(api.client, "agent2", WRONG).status_code == 401


def test_a_block_ends_by_itself_when_its_time_is_up(api: Api, clock) -> None:
    for _ in range(5):
        login(api.client, "agent1", WRONG)
    clock.advance(minutes=14, seconds=59)
    assert login(api.client, "agent1", RIGHT).status_code == 429
    clock.advance(seconds=1)
    assert login(api.client, "agent1", RIGHT).status_code == 200
    # A success starts the account afresh: four more failures do not lock it.
    for _ in range(4):
        assert login(api.client, "agent1", WRONG).status_code == 401
    assert login(api.client, "agent1", RIGHT).status_code == 200


def test_an_administrator_lifts_a_block_with_the_command_line(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        login(api.client, "agent1", WRONG)
    assert login(api.client, "agent1", RIGHT).status_code == 429
    monkeypatch.setenv("TOUSU_DATABASE_URL", database_url)
    result = CliRunner().invoke(cli, ["user", "unblock", "agent1"])
    assert result.exit_code == 0, result.output
    assert "unblocked" in result.output
    assert login(api.client, "agent1", RIGHT).status_code == 200
    again = CliRunner().invoke(cli, ["user", "unblock", "agent1"])
    assert again.exit_code == 0 and "not blocked" in again.output
    assert CliRunner().invoke(cli, ["user", "unblock"]).exit_code == 2  # neither an account nor an address


def test_the_account_limit_holds_across_server_processes(api: Api, database_url: str, clock) -> None:
    with (
        server(database_url, clock, peer="198.51.100.1") as one,
        server(database_url, clock, peer="198.51.100.2") as two,
    ):
        codes = [login(client, "agent1", WRONG).status_code for client in (one, two, one, two, one)]
        assert codes == [401] * 5
        assert login(two, "agent1", RIGHT).status_code == 429
        assert login(api.client, "agent1", RIGHT).status_code == 429


def test_one_address_guessing_many_accounts_is_blocked(api: Api, database_url: str, clock) -> None:
    with server(database_url, clock, login_max_failures_per_address=3) as client:
        codes = [login(client, name, WRONG).status_code for name in ("agent1", "agent2", "manager1")]
        assert codes == [401] * 3
        refused = login(client, "director1", WRONG)
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "address_throttled"
        assert "本网络地址" in refused.json()["error"]["message"]
        assert login(client, "agent1", RIGHT).status_code == 429  # the address, not the account
    # Another address is not affected; an administrator may lift the address's block.
    with server(database_url, clock, peer="198.51.100.9", login_max_failures_per_address=3) as other:
        assert login(other, "agent1", RIGHT).status_code == 200
    result = CliRunner().invoke(
        cli, ["user", "unblock", "--address", "203.0.113.7"], env={"TOUSU_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0 and "unblocked" in result.output, result.output


def test_x_forwarded_for_is_ignored_unless_the_proxy_is_trusted(api: Api, database_url: str, clock) -> None:
    def guess(client: TestClient, name: str, forwarded: str) -> int:
        return login(client, name, WRONG, headers={"X-Forwarded-For": forwarded}).status_code

    # Not configured: a client cannot pose as many addresses to escape the address limit.
    with server(database_url, clock, peer="10.0.0.5", login_max_failures_per_address=2) as direct:
        assert [guess(direct, n, f"192.0.2.{i}") for i, n in enumerate(("agent1", "agent2", "manager1"))] == [
            401,
            401,
            429,
        ]
    # Behind a trusted proxy: each client is counted on its own, by what the proxy saw.
    with server(
        database_url, clock, peer="10.0.0.5", login_max_failures_per_address=2, trusted_proxies="10.0.0.0/24"
    ) as proxied:
        assert guess(proxied, "agent2", "192.0.2.1") == 401
        assert guess(proxied, "manager1", "192.0.2.1") == 401
        assert guess(proxied, "director1", "192.0.2.1") == 429
        # What a client wrote into the header itself (left of the proxy's entry) counts for nothing.
        assert guess(proxied, "director1", "192.0.2.99, 192.0.2.1") == 429
        assert guess(proxied, "director1", "192.0.2.2") == 401


def test_the_web_login_is_throttled_in_the_database_too(api: Api, database_url: str, clock) -> None:
    for _ in range(5):
        login(api.client, "agent1", WRONG)
    form = _form_token(api.client)
    page = api.client.post(
        "/login", data={"username": "agent1", "password": RIGHT, "csrf_token": form}, follow_redirects=False
    )
    assert page.status_code == 429 and page.headers["Retry-After"] == "900"
    assert "暂时锁定" in page.text and "10:15" in page.text


# --- argon2 outside the write lock -----------------------------------------------------------------


class ProbingHasher(PasswordHasher):
    """The real argon2, which also looks, at the moment it verifies, whether a writer could start."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.database_url = database_url
        self.writable: list[bool] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.writable.append(_nobody_holds_a_write(self.database_url))
        return super().verify(hash, password)


def _nobody_holds_a_write(database_url: str) -> bool:
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with open(f"{url.database}.write-lock", "ab") as lock:  # the server's writer queue
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(lock, fcntl.LOCK_UN)
        probe = sqlite3.connect(str(url.database), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")  # SQLite's own write lock
            probe.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            probe.close()
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            open_transactions = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        return open_transactions == 0
    finally:
        engine.dispose()


def test_passwords_are_verified_outside_any_transaction(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hasher = ProbingHasher(database_url)
    monkeypatch.setattr(users, "_hasher", hasher)
    assert login(api.client, "agent1", WRONG).status_code == 401
    assert login(api.client, "agent1", RIGHT).status_code == 200
    form = _form_token(api.client)
    api.client.post("/login", data={"username": "agent1", "password": RIGHT, "csrf_token": form})
    assert hasher.writable == [True, True, True]
    # And intake goes on between wrong guesses.
    assert api.post("/complaints", "agent2", complaint_body()).status_code == 201


# --- passwords -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password,why",
    [
        ("12345678", "过于简单"),
        ("88888888", "过于简单"),
        ("qwerty123", "最常见"),
        ("woaini1314", "最常见"),
        ("Password2026!", "最常见"),
        ("clerk7", "用户名"),
        ("my-clerk7-pass", "用户名"),
        ("short1!", "至少需要8位"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(
    database_url: str, monkeypatch: pytest.MonkeyPatch, password: str, why: str
) -> None:
    monkeypatch.setenv("TOUSU_DATABASE_URL", database_url)
    result = CliRunner().invoke(cli, ["user", "add", "clerk7", "--team", "思明营业厅", "--password", password])
    assert result.exit_code == 1
    assert why in result.output


def test_a_good_password_and_the_demo_password_are_accepted(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tousu.demo import DEMO_PASSWORD

    monkeypatch.setenv("TOUSU_DATABASE_URL", database_url)
    for name, password in (("clerk7", "tea-on-the-hill-42"), ("clerk8", DEMO_PASSWORD)):
        result = CliRunner().invoke(cli, ["user", "add", name, "--team", "思明营业厅", "--password", password])
        assert result.exit_code == 0, result.output


def test_a_password_reset_obeys_the_same_rule(api: Api, clock) -> None:
    state = api.client.app.state.tousu
    with state.write() as conn:
        user_id = users.require_user(conn, "agent2")["id"]
        with pytest.raises(Invalid) as refused:
            users.set_password(conn, user_id=user_id, password="agent2agent2", now=clock.now)
    assert "用户名" in refused.value.message


# --- CSRF ---------------------------------------------------------------------------------------


def _form_token(client: TestClient, path: str = "/login") -> str:
    found = re.search(r'(?:name="csrf_token" value|name="csrf-token" content)="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def _web_login(client: TestClient) -> str:
    """Log in through the login page; the CSRF token of the logged-in pages."""
    before = _form_token(client)
    done = client.post(
        "/login", data={"username": "agent1", "password": RIGHT, "csrf_token": before}, follow_redirects=False
    )
    assert done.status_code == 303 and "tousu_session" in client.cookies
    return _form_token(client, "/")


def test_the_csrf_token_belongs_to_its_session(api: Api) -> None:
    created = api.post("/complaints", "agent1", complaint_body()).json()
    start = f"/api/v1/complaints/{created['id']}/start"
    pre_login = _form_token(api.client)
    token = _web_login(api.client)
    assert token != pre_login
    refused = api.client.post(start, json={"version": 1}, headers={"X-CSRF-Token": pre_login})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    assert api.client.post(start, json={"version": 1}, headers={"X-CSRF-Token": token}).status_code == 200


def test_a_planted_csrf_cookie_does_not_help_a_forger(api: Api) -> None:
    created = api.post("/complaints", "agent1", complaint_body()).json()
    _web_login(api.client)
    api.client.cookies.set("tousu_csrf", "planted-by-attacker")
    refused = api.client.post(
        f"/api/v1/complaints/{created['id']}/start",
        json={"version": 1},
        headers={"X-CSRF-Token": "planted-by-attacker"},
    )
    assert refused.status_code == 403


def test_only_a_bearer_token_skips_the_csrf_check(api: Api) -> None:
    created = api.post("/complaints", "agent1", complaint_body()).json()
    start = f"/api/v1/complaints/{created['id']}/start"
    _web_login(api.client)  # the browser now carries agent1's session cookie
    for header in ("Basic YWdlbnQxOng=", "Token abc", "Bearer", "bearer   "):
        refused = api.client.post(start, json={"version": 1}, headers={"Authorization": header})
        assert refused.status_code == 403, header
        assert refused.json()["error"]["code"] == "csrf_failed"
    # A Bearer token is then the only credential: a wrong one is not rescued by the cookie.
    forged = api.client.post(start, json={"version": 1}, headers={"Authorization": "Bearer tsu_forged"})
    assert forged.status_code == 401
    # A valid one acts as its own user, whatever cookie rides along.
    moved = api.client.post(start, json={"version": 1}, headers=api.as_("agent2"))
    assert moved.status_code == 200
    events = api.get(f"/complaints/{created['id']}/events", "agent1").json()["events"]
    assert events[-1]["actor"] == "agent2"
