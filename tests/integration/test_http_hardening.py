"""The HTTP surface under hostile input: body limits while streaming, bounded numbers, text and dates,
JSON errors in Chinese, security headers, and the API documentation without Internet access."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.e2e.server import free_port, start_server
from tests.integration.conftest import Api, complaint_body
from tousu.api.app import create_app
from tousu.settings import Settings
from tousu.storage.db import create_db_engine

LIMIT = 256 * 1024  # the default TOUSU_MAX_BODY_BYTES
CHUNK = 64 * 1024


def _complaint_count(url: str) -> int:
    engine = create_db_engine(url)
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM complaints")).scalar_one()
    engine.dispose()
    return int(count)


# --- body limits ---------------------------------------------------------------------------------


def _stream_into(app: FastAPI, headers: list[tuple[bytes, bytes]], total: int) -> tuple[int, int]:
    """POST `total` bytes in CHUNK pieces without Content-Length, as chunked uploads arrive; returns
    (status, bytes the application pulled)."""
    pulled = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        size = min(CHUNK, total - pulled)
        pulled += size
        return {"type": "http.request", "body": b"x" * size, "more_body": pulled < total}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/complaints",
        "raw_path": b"/api/v1/complaints",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    anyio.run(app, scope, receive, send)  # type: ignore[arg-type]
    return status, pulled


@pytest.mark.parametrize("with_token", [False, True], ids=["anonymous", "with-token"])
def test_a_chunked_upload_over_the_limit_is_refused_after_reading_just_past_the_limit(
    api: Api, database_url: str, with_token: bool
) -> None:
    headers = [(b"authorization", f"Bearer {api.tokens['agent1']}".encode())] if with_token else []
    status, pulled = _stream_into(api.client.app, headers, total=128 * 1024 * 1024)  # type: ignore[arg-type]
    assert status == 413
    assert pulled <= LIMIT + CHUNK  # not the 128 MB sent
    assert _complaint_count(database_url) == 0


def test_a_chunked_upload_within_the_limit_is_read_as_usual(api: Api) -> None:
    headers = [(b"authorization", f"Bearer {api.tokens['agent1']}".encode())]
    status, pulled = _stream_into(api.client.app, headers, total=LIMIT)  # type: ignore[arg-type]
    assert status == 400  # read whole: the x's are not JSON
    assert pulled == LIMIT


@pytest.fixture
def served(tmp_path: Path, migrated: dict[str, str]) -> Iterator[tuple[int, Path]]:
    """`tousu serve` as operators start it, on a loopback port; its output is in the log file."""
    port = free_port()
    process = start_server(
        migrated["sqlite"], port, tmp_path, TOUSU_MODEL_PATH="none", TOUSU_SECRET_KEY="hardening-tests-" * 3
    )
    try:
        yield port, tmp_path / f"server-{port}.log"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_server_answers_413_to_a_chunked_upload_while_it_is_still_being_sent(served: tuple[int, Path]) -> None:
    port, _ = served
    planned = 128 * 1024 * 1024
    sent = 0
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/complaints HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = f"{CHUNK:x}\r\n".encode() + b"x" * CHUNK + b"\r\n"
        sock.setblocking(False)
        deadline = time.monotonic() + 30
        while sent < planned and time.monotonic() < deadline:
            try:
                answer += sock.recv(65536)
                break  # the server has answered
            except BlockingIOError:
                pass
            try:
                sent += sock.send(chunk)
            except BlockingIOError:
                time.sleep(0.01)
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.setblocking(True)
        try:
            while b"\r\n\r\n" not in answer and (more := sock.recv(65536)):
                answer += more
        except ConnectionResetError:
            pass
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"connection: close" in answer.lower()
    assert sent < planned // 4  # answered long before the whole upload was sent


def test_serve_says_where_it_serves_and_which_database(served: tuple[int, Path]) -> None:
    port, log = served
    said = [line for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("tousu serving")]
    assert said and said[0].startswith(f"tousu serving http://127.0.0.1:{port} (database sqlite:///")


def test_serve_never_prints_the_database_password(tmp_path: Path, migrated: dict[str, str]) -> None:
    # A database out of reach: refused at once, naming it without its password.
    env = {**os.environ, "TOUSU_DATABASE_URL": "postgresql+psycopg://tousu:s3cret-pw@127.0.0.1:9/tousu"}
    command = [sys.executable, "-m", "tousu", "serve", "--port", str(free_port())]
    refused = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1
    assert "无法连接数据库 postgresql+psycopg://tousu:***@127.0.0.1:9/tousu" in refused.stderr
    assert "s3cret" not in refused.stdout + refused.stderr and "Traceback" not in refused.stderr

    # A database in reach: the line saying where it serves names it without its password.
    if "postgresql" not in migrated:
        pytest.skip("PostgreSQL not started (run `make test`)")
    url = sa.make_url(migrated["postgresql"])
    if url.password is None:
        url = url.set(password="s3cret-pw")  # the test server trusts local connections: any password does
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env={**os.environ, "TOUSU_DATABASE_URL": url.render_as_string(hide_password=False)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        first = process.stdout.readline().decode() if ready else ""
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert url.render_as_string(hide_password=True) in first
    assert str(url.password) not in first


def test_a_declared_length_over_the_limit_is_refused_unread(api: Api, database_url: str) -> None:
    huge = api.post("/complaints", "agent1", complaint_body(content="扣费" * 200_000))
    assert huge.status_code == 413
    assert huge.json()["error"] == {
        "code": "payload_too_large",
        "message": "请求内容过大（上限 256 KB）：请缩短内容，附件请另行提交。",
        "field": None,
    }
    assert _complaint_count(database_url) == 0


# --- field lengths ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body,field,limit",
    [
        (complaint_body(content="扣" * 5001), "content", "最多 5000 字"),
        (complaint_body(customer={"name": "王" * 51, "phone": "13900001111"}), "customer.name", "最多 50 字"),
        (complaint_body(topic="宽" * 51), "topic", "最多 50 字"),
        (complaint_body(proxy_name="李" * 51, proxy_authorisation="委托书"), "proxy_name", "最多 50 字"),
    ],
    ids=["content", "name", "topic", "proxy"],
)
def test_an_oversized_field_is_refused_with_its_limit(
    api: Api, database_url: str, body: dict[str, Any], field: str, limit: str
) -> None:
    response = api.post("/complaints", "agent1", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == field
    assert limit in error["message"] and error["message"].startswith(f"{field}：内容太长")
    assert _complaint_count(database_url) == 0


def test_a_field_at_its_limit_is_accepted(api: Api) -> None:
    body = complaint_body(content="扣" * 5000, customer={"name": "王" * 50, "phone": "13900001111"})
    assert api.post("/complaints", "agent1", body).status_code == 201


def test_a_note_longer_than_2000_characters_is_refused(api: Api) -> None:
    cid = api.post("/complaints", "agent1", complaint_body()).json()["id"]
    response = api.post(f"/complaints/{cid}/wait-customer", "agent1", {"version": 1, "waiting_for": "图" * 2001})
    assert response.status_code == 422
    assert "最多 2000 字" in response.json()["error"]["message"]
    assert api.get(f"/complaints/{cid}", "agent1").json()["version"] == 1


# --- numbers, text and dates beyond what can be stored -----------------------------------------------


@pytest.mark.parametrize("number", [2**31, 2**63, 2**64, 0, -1])
def test_ids_beyond_the_column_range_are_refused_not_a_server_error(api: Api, number: int) -> None:
    for path in (
        f"/complaints/{number}",
        f"/complaints/{number}/events",
        f"/complaints?owner={number}",
        f"/complaints?customer_id={number}",
        f"/complaints?batch_id={number}",
    ):
        response = api.get(path, "agent1")
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"]["code"] == "validation_failed"
    refused = api.post(f"/complaints/{number}/start", "agent1", {"version": 1})
    assert refused.status_code == 422
    assert api.get(f"/complaints?offset={2**31}", "agent1").status_code == 422


def test_the_range_is_stated_in_chinese(api: Api) -> None:
    response = api.get("/complaints/2147483648", "agent1")
    assert response.json()["error"]["message"] == "complaint_id：数值太大（最大 2147483647）"


def test_a_limit_is_stated_as_people_write_it(api: Api) -> None:
    created = api.post("/complaints", "agent1", complaint_body()).json()
    body = {"version": created["version"], "refund": -5, "description": "退费"}
    refused = api.post(f"/complaints/{created['id']}/settlements", "agent1", body)
    assert refused.status_code == 422
    assert "数值太小（最小 0）" in refused.json()["error"]["message"] and "0.0" not in refused.text


def test_versions_and_linked_ids_beyond_the_range_are_refused(api: Api) -> None:
    cid = api.post("/complaints", "agent1", complaint_body()).json()["id"]
    assert api.post(f"/complaints/{cid}/start", "agent1", {"version": 2**63}).status_code == 422
    linked = api.post(f"/complaints/{cid}/links", "agent1", {"version": 1, "other_id": 2**31})
    assert linked.status_code == 422 and linked.json()["error"]["field"] == "other_id"
    assert api.get(f"/complaints/{cid}", "agent1").json()["version"] == 1


def _post_escaped(api: Api, body: dict[str, Any]) -> Any:
    """JSON with \\u escapes, as a client sends characters it cannot encode as UTF-8 itself."""
    return api.client.post(
        "/api/v1/complaints",
        content=json.dumps(body).encode(),
        headers={**api.as_("agent1"), "content-type": "application/json"},
    )


@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\ud800"], ids=["nul", "escape", "lone-surrogate"])
def test_unprintable_characters_in_a_body_are_refused(api: Api, database_url: str, bad: str) -> None:
    response = _post_escaped(api, complaint_body(content=f"重复扣费{bad}58元"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "content"
    assert "控制字符" in response.json()["error"]["message"] or "UTF-8" in response.json()["error"]["message"]
    named = _post_escaped(api, complaint_body(customer={"name": f"王{bad}", "phone": "13900001111"}))
    assert named.status_code == 422 and named.json()["error"]["field"] == "customer.name"
    assert _complaint_count(database_url) == 0


def test_a_nul_in_a_query_is_refused(api: Api) -> None:
    assert api.get("/complaints", "agent1", params={"q": "扣费\x00"}).status_code == 422
    assert api.get("/customers", "agent1", params={"phone": "139\x00"}).status_code == 422


def test_a_control_character_in_the_idempotency_key_is_refused(api: Api, database_url: str) -> None:
    response = api.post("/complaints", "agent1", complaint_body(), headers={"Idempotency-Key": "crm-\x01-4711"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "idempotency-key"
    assert _complaint_count(database_url) == 0


def test_tabs_and_line_breaks_are_kept(api: Api) -> None:
    content = "第一行\n第二行\t重复扣费58元\r\n"
    created = api.post("/complaints", "agent1", complaint_body(content=content))
    assert created.status_code == 201
    assert api.get(f"/complaints/{created.json()['id']}", "agent1").json()["content"].startswith("第一行\n第二行\t")


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00", "1969-12-31T00:00:00Z"])
def test_dates_outside_a_sane_range_are_refused(api: Api, database_url: str, when: str) -> None:
    response = api.post("/complaints", "agent1", complaint_body(occurred_at=when))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "occurred_at"
    assert "1970 年至 2099 年" in response.json()["error"]["message"]
    assert api.get("/complaints", "agent1", params={"received_from": when}).status_code == 422
    assert api.post("/admissibility", "agent1", {"occurred_at": when}).status_code == 422
    assert _complaint_count(database_url) == 0


def test_pages_take_numbers_and_characters_they_cannot_use_calmly(api: Api) -> None:
    login = api.client.post("/api/v1/auth/login", json={"username": "agent1", "password": "correct-horse-1"})
    api.client.cookies.set("tousu_session", login.json()["token"])
    for path, status in (
        ("/complaints/2147483648", 404),
        ("/complaints/9223372036854775808", 404),
        ("/queue?batch_id=99999999999999999999", 200),
        ("/queue?batch_id=%C2%B2", 200),  # a superscript two is a digit to str.isdigit
        ("/queue?offset=99999999999999999999", 200),
        ("/queue?q=%E6%89%A3%00%E8%B4%B9", 200),
    ):
        response = api.client.get(path, follow_redirects=False)
        assert response.status_code == status, path
        assert response.headers["content-type"].startswith("text/html"), path


def test_the_login_page_answers_a_name_with_a_nul_like_a_wrong_password(api: Api) -> None:
    form = api.client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None
    response = api.client.post(
        "/login",
        data={"username": "agent1\x00", "password": "correct-horse-1", "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text


# --- errors in the project's format, in Chinese --------------------------------------------------------


def test_a_body_that_cannot_be_decoded_gets_a_chinese_error(api: Api) -> None:
    response = api.client.post(
        "/api/v1/complaints",
        content=b'{"content": "\xff\xfe"}',
        headers={**api.as_("agent1"), "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_body"
    assert "UTF-8" in response.json()["error"]["message"]
    assert "parsing" not in response.text


def test_a_method_the_path_does_not_take_is_answered_with_every_method_it_does(api: Api) -> None:
    response = api.client.request("OPTIONS", "/api/v1/complaints", headers=api.as_("agent1"))
    assert response.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["allow"].split(",")}
    assert response.json()["error"]["message"] == "不支持此请求方法。"


def test_every_error_status_is_documented_with_the_error_body(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"422"} if path.endswith("/health") else {"401", "413", "422"}
            assert expected <= set(responses), (method, path)
            for status, documented in responses.items():
                if status.startswith("4") or status.startswith("5"):
                    ref = documented["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorOut"), (method, path, status)
    complaint = spec["paths"]["/api/v1/complaints/{complaint_id}/start"]["post"]["responses"]
    assert {"403", "404", "409"} <= set(complaint)


# --- security headers ------------------------------------------------------------------------------------


def _headers_ok(response: Any) -> None:
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_security_headers_on_pages_api_static_and_refusals(api: Api) -> None:
    for response in (
        api.client.get("/login"),
        api.get("/me", "agent1"),
        api.client.get("/api/v1/me"),  # 401
        api.client.get("/static/app.js"),
        api.post("/complaints", "agent1", complaint_body(content="扣费" * 200_000)),  # 413 from the limit
    ):
        _headers_ok(response)
        assert "strict-transport-security" not in response.headers  # plain http: HSTS would be ignored


def test_api_answers_are_not_kept_in_the_browser_cache_but_static_files_are(api: Api) -> None:
    created = api.post("/complaints", "agent1", complaint_body())
    for response in (created, api.get(f"/complaints/{created.json()['id']}", "agent1"), api.client.get("/api/v1/me")):
        assert response.headers["cache-control"] == "no-store"
    assert "no-store" not in api.client.get("/static/app.js").headers.get("cache-control", "")


def test_pages_have_no_inline_script_or_style_the_policy_would_block(api: Api) -> None:
    templates = Path(__file__).resolve().parents[2] / "src" / "tousu" / "web" / "templates"
    for template in templates.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        for script in re.findall(r"<script([^>]*)>(.*?)</script>", text, flags=re.DOTALL):
            assert "src=" in script[0] or "application/json" in script[0], template.name
        assert "<style" not in text and " style=" not in text and not re.search(r"\son[a-z]+=", text), template.name


def test_over_https_browsers_are_told_to_stay_on_https_and_cookies_are_secure(api: Api) -> None:
    with TestClient(api.client.app, base_url="https://testserver") as client:
        response = client.get("/login")
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    cookies = response.headers.get_list("set-cookie")
    assert cookies and all("secure" in c.lower() for c in cookies)


def test_the_https_setting_secures_cookies_behind_a_proxy_that_does_not_say_so(database_url: str) -> None:
    settings = Settings(
        database_url=database_url, secret_key="hardening-tests-secret-0123456789", https=True, model_path="none"
    )
    app = create_app(settings, with_scheduler=False)
    with TestClient(app) as client:  # plain http as seen by the server
        response = client.get("/login")
    app.state.tousu.engine.dispose()
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    cookies = response.headers.get_list("set-cookie")
    assert cookies and all(c.lower().count("secure") == 1 for c in cookies)


# --- the API documentation, offline ---------------------------------------------------------------------


def test_the_api_documentation_loads_nothing_from_another_host(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page.text, flags=re.IGNORECASE), page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"} <= set(assets)
    for asset in assets:
        served = api.client.get(asset)
        assert served.status_code == 200 and len(served.content) > 500, asset
    assert api.client.get("/docs/assets/swagger-ui-bundle.js").headers["content-type"].startswith("text/javascript")
    inline = re.findall(r"<script>(.*?)</script>", page.text, flags=re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert api.client.get("/redoc").status_code == 404
