"""Account control: tokens that expire and can be revoked, accounts that can be disabled, explicit
team scope, in every process at once; from the command line and the administrators' pages."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import Clock
from tests.integration.conftest import Api, complaint_body
from tousu.api.app import create_app
from tousu.cli import app as cli
from tousu.services import users
from tousu.settings import Settings
from tousu.storage.tables import api_tokens, audit_events
from tousu.storage.tables import users as users_table

runner = CliRunner()
ADMIN_PASSWORD = "admin-pass-2026"


def _settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, secret_key="integration-tests-secret-0123456789", scheduler_interval_seconds=0
    )


@pytest.fixture
def other(api: Api, database_url: str, clock: Clock) -> Iterator[TestClient]:
    """A second server process on the same database: its own app state, its own memory."""
    app = create_app(_settings(database_url), with_scheduler=False)
    app.state.tousu.clock = clock
    with TestClient(app) as client:
        yield client
    app.state.tousu.engine.dispose()


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TOUSU_DATABASE_URL", database_url)
    return database_url


def _state(api: Api) -> Any:
    return api.client.app.state.tousu  # type: ignore[attr-defined]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _audit(api: Api) -> list[dict[str, Any]]:
    with _state(api).read() as conn:
        return [dict(r) for r in conn.execute(sa.select(audit_events).order_by(audit_events.c.id)).mappings()]


def _user_id(api: Api, username: str) -> int:
    with _state(api).read() as conn:
        return int(users.require_user(conn, username)["id"])


# Tokens


def test_an_expired_api_token_is_refused_with_a_chinese_message(api: Api, clock: Clock) -> None:
    with _state(api).write() as conn:
        _, token = users.create_api_token(conn, username="agent1", days=1, name="CRM", now=clock.now)
    assert api.client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    clock.advance(days=1)
    refused = api.client.get("/api/v1/me", headers=_bearer(token))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "token_expired"
    assert "过期" in refused.json()["error"]["message"] and "管理员" in refused.json()["error"]["message"]


def test_token_create_stores_an_expiry_and_token_list_never_shows_the_secret(env: str, api: Api, clock: Clock) -> None:
    created = runner.invoke(cli, ["token", "create", "--user", "agent1", "--days", "30", "--name", "CRM"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("tsu_")
    with _state(api).read() as conn:
        row = conn.execute(sa.select(api_tokens).where(api_tokens.c.name == "CRM")).mappings().one()
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()  # only the hash is stored
    assert secret not in str(dict(row).values())
    lifetime = row["expires_at"] - row["created_at"]
    assert lifetime.days == 30

    listed = runner.invoke(cli, ["token", "list"])
    assert listed.exit_code == 0, listed.output
    assert secret not in listed.output
    assert secret[4:] not in listed.output and secret[12:20] not in listed.output
    line = next(line for line in listed.output.splitlines() if line.startswith(f"{row['id']}\t"))
    assert "agent1" in line and secret[:12] in line and "CRM" in line
    only = runner.invoke(cli, ["token", "list", "--user", "agent2"])
    assert "agent1" not in only.output and "agent2" in only.output
    unknown = runner.invoke(cli, ["token", "list", "--user", "nobody"])
    assert unknown.exit_code == 1 and "不存在" in unknown.output
    assert runner.invoke(cli, ["token", "create", "--user", "agent1", "--days", "0"]).exit_code == 1


def test_a_revoked_token_is_refused_at_once_by_another_process(
    env: str, api: Api, other: TestClient, clock: Clock
) -> None:
    token = api.tokens["agent2"]
    for client in (api.client, other):  # both processes have accepted the token
        assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    with _state(api).read() as conn:
        token_id = conn.execute(
            sa.select(api_tokens.c.id).where(api_tokens.c.token_hash == hashlib.sha256(token.encode()).hexdigest())
        ).scalar_one()
    revoked = runner.invoke(cli, ["token", "revoke", str(token_id)])
    assert revoked.exit_code == 0, revoked.output
    for client in (other, api.client):
        refused = client.get("/api/v1/me", headers=_bearer(token))
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "token_revoked"
    event = _audit(api)[-1]
    assert (event["action"], event["actor_id"], event["target_token_id"]) == ("token_revoked", None, token_id)
    again = runner.invoke(cli, ["token", "revoke", str(token_id)])
    assert again.exit_code == 1 and "已经撤销" in again.output
    assert runner.invoke(cli, ["token", "revoke", "999999"]).exit_code == 1


def test_a_disabled_user_is_refused_everywhere_at_once_and_cannot_log_in(
    env: str, api: Api, other: TestClient, clock: Clock
) -> None:
    login = {"username": "agent1", "password": "correct-horse-1"}
    session = other.post("/api/v1/auth/login", json=login).json()["token"]
    token = api.tokens["agent1"]
    page = _web_login(other, "agent1", "correct-horse-1")
    assert page.get("/queue", follow_redirects=False).status_code == 200
    for credential in (session, token):
        assert other.get("/api/v1/me", headers=_bearer(credential)).status_code == 200

    disabled = runner.invoke(cli, ["user", "disable", "agent1"])
    assert disabled.exit_code == 0, disabled.output
    for credential in (session, token):
        refused = other.get("/api/v1/me", headers=_bearer(credential))
        assert refused.status_code == 401
        assert "已停用" in refused.json()["error"]["message"]
    gone = page.get("/queue", follow_redirects=False)
    assert gone.status_code == 303 and "reason=disabled" in gone.headers["location"]
    assert "已停用" in page.get(gone.headers["location"]).text
    no_login = api.client.post("/api/v1/auth/login", json=login)
    assert no_login.status_code == 401 and "已停用" in no_login.json()["error"]["message"]
    web = _web_client(api)
    refused_form = web.post("/login", data={**login, "csrf_token": _page_csrf(web), "next": "/"})
    assert refused_form.status_code == 401 and "已停用" in refused_form.text
    wrong = api.client.post("/api/v1/auth/login", json={**login, "password": "wrong-pass-1"})
    assert "用户名或密码错误" in wrong.json()["error"]["message"]  # a guesser learns nothing

    assert runner.invoke(cli, ["user", "enable", "agent1"]).exit_code == 0
    assert other.get("/api/v1/me", headers=_bearer(token)).status_code == 200  # the API token again
    assert other.get("/api/v1/me", headers=_bearer(session)).status_code == 401  # the old login stays ended
    assert [e["action"] for e in _audit(api)][-2:] == ["user_disabled", "user_enabled"]


def test_tokens_record_when_they_were_last_used(api: Api, clock: Clock) -> None:
    token = api.tokens["agent2"]
    api.client.get("/api/v1/me", headers=_bearer(token))
    with _state(api).read() as conn:
        (listed,) = [t for t in users.list_tokens(conn, now=clock.now, username="agent2")]
    assert listed["last_used_at"] == clock.now
    assert "token_hash" not in listed


# Team scope


def _legacy_teamless(api: Api, username: str, role: str = "agent") -> str:
    """An account from before teams were required: written as it was, then given a token."""
    state = _state(api)
    with state.write() as conn:
        user_id = conn.execute(
            users_table.insert().values(
                username=username, display_name=username, role=role, team="", active=True, created_at=state.clock()
            )
        ).inserted_primary_key[0]
        api.tokens[username] = users.issue_token(conn, user_id=user_id, kind="api", now=state.clock())
    return username


def test_an_agent_without_a_team_sees_only_the_complaints_they_handle(api: Api) -> None:
    first, second = _legacy_teamless(api, "old_agent_1"), _legacy_teamless(api, "old_agent_2")
    mine = api.post("/complaints", first, complaint_body()).json()
    theirs = api.post("/complaints", second, complaint_body(customer={"name": "李女士", "phone": "13800002222"}))
    theirs_id = theirs.json()["id"]
    listed = api.get("/complaints", first).json()
    assert [c["id"] for c in listed["items"]] == [mine["id"]]
    assert api.get(f"/complaints/{theirs_id}", first).status_code == 404
    assert api.get(f"/complaints/{mine['id']}", first).status_code == 200
    assert api.get(f"/complaints/{theirs_id}", "director1").status_code == 200  # directors see everything


def test_user_add_refuses_an_agent_or_manager_without_a_team(env: str, api: Api) -> None:
    for role in ("agent", "manager"):
        refused = runner.invoke(cli, ["user", "add", f"new_{role}", "--role", role, "--password", "long-enough-1"])
        assert refused.exit_code == 1
        assert "班组" in refused.output and "--team" in refused.output
    with _state(api).read() as conn:
        assert users.get_by_username(conn, "new_agent") is None
    added = runner.invoke(
        cli, ["user", "add", "new_agent", "--role", "agent", "--team", "湖里营业厅", "--password", "long-enough-1"]
    )
    assert added.exit_code == 0, added.output
    director = runner.invoke(cli, ["user", "add", "new_director", "--role", "director", "--password", "long-enough-1"])
    assert director.exit_code == 0, director.output


def test_imports_act_as_the_system_account_which_cannot_log_in(env: str, api: Api, tmp_path: Any) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"channel": "hotline", "customer": {"name": "王先生", "phone": "13900001111"}, "content": "宽带断网"}\n'
    )
    assert runner.invoke(cli, ["import", str(source)]).exit_code == 0
    with _state(api).read() as conn:
        system = users.require_user(conn, users.SYSTEM_USERNAME)
    assert system["password_hash"] is None and system["role"] == "admin"
    listed = api.get("/complaints", "director1").json()["items"]
    assert len(listed) == 1
    refused = runner.invoke(cli, ["token", "create", "--user", users.SYSTEM_USERNAME])
    assert refused.exit_code == 1 and "系统账号" in refused.output


# The administrators' pages


def _web_client(api: Api) -> TestClient:
    return TestClient(api.client.app)


def _page_csrf(client: TestClient) -> str:
    """The CSRF token a page of this browser carries (bound to its cookie and its session)."""
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get("/login").text)
    assert found is not None
    return found.group(1)


def _web_login(client: TestClient, username: str, password: str) -> TestClient:
    form = {"username": username, "password": password, "csrf_token": _page_csrf(client), "next": "/"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return client


@pytest.fixture
def admin_web(api: Api, clock: Clock) -> TestClient:
    with _state(api).write() as conn:
        users.set_password(
            conn, user_id=users.require_user(conn, "admin1")["id"], password=ADMIN_PASSWORD, now=clock.now
        )
    return _web_login(_web_client(api), "admin1", ADMIN_PASSWORD)


def _form(client: TestClient, path: str, **fields: str) -> Any:
    return client.post(path, data={"csrf_token": _page_csrf(client), **fields}, follow_redirects=False)


def test_the_admin_pages_refuse_everyone_but_administrators(api: Api, clock: Clock) -> None:
    with _state(api).write() as conn:
        users.set_password(conn, user_id=_user_id(api, "director1"), password="director-pass-1", now=clock.now)
    target = _user_id(api, "agent2")
    before = len(_audit(api))
    for username, password in (("agent1", "correct-horse-1"), ("director1", "director-pass-1")):
        client = _web_login(_web_client(api), username, password)
        for path in ("/admin/users", "/admin/tokens"):
            refused = client.get(path)
            assert refused.status_code == 403 and "仅限系统管理员" in refused.text
        assert _form(client, f"/admin/users/{target}/disable").status_code == 403
        assert _form(client, "/admin/tokens/1/revoke").status_code == 403
    anonymous = _web_client(api).get("/admin/users", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    with _state(api).read() as conn:
        assert users.require_user(conn, "agent2")["active"]
    assert len(_audit(api)) == before


def test_an_admin_disables_a_user_and_revokes_a_token_through_the_forms(
    api: Api, admin_web: TestClient, clock: Clock
) -> None:
    listed = admin_web.get("/admin/users")
    assert listed.status_code == 200
    assert "—" not in listed.text.split('id="user-admin1"')[1].split("</tr>")[0]  # its last login is shown
    assert "last_login_at" not in api.get("/users", "manager1").json()["users"][0]  # for administrators only
    assert "一线客服/营业员" in listed.text and "湖里营业厅" in listed.text and 'href="/admin/users"' in listed.text
    target = _user_id(api, "agent2")
    assert _form(admin_web, f"/admin/users/{target}/disable").headers["location"].startswith("/admin/users?done=")
    assert api.get("/me", "agent2").status_code == 401
    event = _audit(api)[-1]
    assert event["action"] == "user_disabled"
    assert (event["actor_id"], event["target_user_id"]) == (_user_id(api, "admin1"), target)
    assert event["at"] == clock.now
    assert "停用用户" in admin_web.get("/admin/users").text  # the audit trail is on the page

    tokens = admin_web.get("/admin/tokens")
    assert tokens.status_code == 200
    token = api.tokens["agent_b"]
    assert token not in tokens.text and token[:12] in tokens.text
    token_id = int(re.search(r'id="token-(\d+)">\s*<td>\d+</td>\s*<td>agent_b</td>', tokens.text).group(1))  # type: ignore[union-attr]
    assert _form(admin_web, f"/admin/tokens/{token_id}/revoke").status_code == 303
    assert api.get("/me", "agent_b").status_code == 401
    assert _audit(api)[-1]["action"] == "token_revoked" and _audit(api)[-1]["target_token_id"] == token_id


def test_admin_forms_check_csrf_and_the_rules_and_write_nothing_when_refused(
    api: Api, admin_web: TestClient, clock: Clock
) -> None:
    target = _user_id(api, "agent2")
    before = len(_audit(api))
    forged = admin_web.post(f"/admin/users/{target}/disable", data={"csrf_token": "forged"})
    assert forged.status_code == 403 and "安全校验" in forged.text
    teamless = _form(admin_web, "/admin/users", username="bob", role="agent", team=" ", password="long-enough-1")
    assert teamless.status_code == 422 and "班组" in teamless.text
    short = _form(admin_web, f"/admin/users/{target}/password", password="short")
    assert short.status_code == 422 and "密码" in short.text
    myself = _form(admin_web, f"/admin/users/{_user_id(api, 'admin1')}/disable")
    assert myself.status_code == 422 and "自己" in myself.text
    demote = _form(admin_web, f"/admin/users/{target}/role", role="manager", team="")
    assert demote.status_code == 422
    assert len(_audit(api)) == before
    with _state(api).read() as conn:
        assert users.get_by_username(conn, "bob") is None
        assert users.require_user(conn, "agent2")["active"]


def test_admin_adds_a_user_changes_role_and_team_and_resets_a_password(
    api: Api, admin_web: TestClient, clock: Clock
) -> None:
    added = _form(
        admin_web,
        "/admin/users",
        username="carol",
        display_name="陈晓",
        role="agent",
        team="湖里营业厅",
        password="first-pass-1",
    )
    assert added.status_code == 303
    carol = _user_id(api, "carol")
    changed = _form(admin_web, f"/admin/users/{carol}/role", role="manager", team="思明营业厅")
    assert changed.status_code == 303
    session = _web_login(_web_client(api), "carol", "first-pass-1")
    assert "厅经理" in session.get("/queue").text
    assert _form(admin_web, f"/admin/users/{carol}/password", password="second-pass-2").status_code == 303
    assert session.get("/queue", follow_redirects=False).status_code == 303  # the reset ended her login
    _web_login(_web_client(api), "carol", "second-pass-2")
    actions = [(e["action"], e["target_user_id"]) for e in _audit(api)][-3:]
    assert actions == [("user_added", carol), ("user_changed", carol), ("password_reset", carol)]
    changed_event = _audit(api)[-2]
    assert changed_event["data"]["before"] == {"role": "agent", "team": "湖里营业厅"}
    assert "second-pass-2" not in str(_audit(api))
