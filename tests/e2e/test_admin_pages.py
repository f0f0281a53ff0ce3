"""The administrators' pages in a real browser: disable an account and revoke a token through the
forms; the change holds at once for the API and is in the audit trail; others are refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import log_in, served
from tousu.api.app import create_app
from tousu.domain.codes import Role
from tousu.services import users
from tousu.settings import Settings
from tousu.storage.db import create_db_engine, upgrade
from tousu.storage.tables import audit_events
from tousu.storage.tables import users as users_table

pytestmark = pytest.mark.e2e

PASSWORD = "admin-e2e-pass-1"
STAFF = [
    ("root1", Role.ADMIN, "服务管理室"),
    ("agent7", Role.AGENT, "思明营业厅"),
    ("crm", Role.AGENT, "热线"),
]


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('admin') / 'tousu.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def tokens(database_url: str) -> dict[str, str]:
    engine = create_db_engine(database_url)
    now = datetime.now(UTC)
    issued = {}
    with engine.begin() as conn:
        for username, role, team in STAFF:
            users.add_user(conn, username=username, password=PASSWORD, role=role, team=team, now=now)
            issued[username] = users.create_api_token(conn, username=username, days=30, name="接口", now=now)[1]
    engine.dispose()
    return issued


@pytest.fixture(scope="module")
def server(database_url: str, tokens: dict[str, str]) -> Iterator[str]:
    settings = Settings(
        database_url=database_url, secret_key="admin-e2e-secret-0123456789abcdef", scheduler_interval_seconds=0
    )
    app = create_app(settings, with_scheduler=False)
    with served(app) as url:
        yield url


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=server)
    tab = context.new_page()
    yield tab
    context.close()


def me(server: str, token: str) -> int:
    return httpx.get(f"{server}/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def audit_trail(database_url: str) -> list[tuple[str, str | None]]:
    engine = create_db_engine(database_url)
    with engine.connect() as conn:
        actor = sa.select(users_table.c.username).where(users_table.c.id == audit_events.c.actor_id).scalar_subquery()
        rows = conn.execute(sa.select(audit_events.c.action, actor).order_by(audit_events.c.id)).all()
    engine.dispose()
    return [(action, username) for action, username in rows]


def test_an_admin_disables_an_account_and_revokes_a_token(
    page: Page, server: str, tokens: dict[str, str], database_url: str
) -> None:
    assert me(server, tokens["agent7"]) == 200 and me(server, tokens["crm"]) == 200
    log_in(page, "root1", PASSWORD)
    page.get_by_role("link", name="账号与令牌").click()
    expect(page.get_by_role("heading", name="账号管理")).to_be_visible()
    row = page.locator("#user-agent7")
    expect(row.locator(".state")).to_have_text("启用")
    row.get_by_role("button", name="停用").click()
    expect(page.locator("#admin-notice")).to_contain_text("已停用用户 agent7")
    expect(page.locator("#user-agent7 .state")).to_have_text("已停用")
    assert me(server, tokens["agent7"]) == 401

    page.get_by_role("link", name="令牌", exact=True).click()
    token_row = page.locator("#tokens tbody tr", has_text="crm")
    expect(token_row).to_contain_text(tokens["crm"][:12])
    expect(page.locator("#tokens")).not_to_contain_text(tokens["crm"][12:24])  # never the secret
    token_row.get_by_role("button", name="撤销").click()
    expect(page.locator("#admin-notice")).to_contain_text("已撤销令牌")
    expect(page.locator("#tokens tbody tr", has_text="crm")).to_have_count(0)
    assert me(server, tokens["crm"]) == 401

    trail = audit_trail(database_url)
    assert ("user_disabled", "root1") in trail and ("token_revoked", "root1") in trail
    page.goto("/admin/users")
    expect(page.locator("#audit")).to_contain_text("撤销令牌")

    page.context.clear_cookies()
    log_in(page, "agent7", PASSWORD, refused=True)
    expect(page.locator("#login-error")).to_contain_text("已停用")


def test_others_cannot_open_the_admin_pages(page: Page, server: str) -> None:
    log_in(page, "crm", PASSWORD)
    expect(page.get_by_role("link", name="账号与令牌")).to_have_count(0)
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
    expect(page.locator("#forbidden-message")).to_contain_text("仅限系统管理员")
