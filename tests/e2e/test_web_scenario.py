"""The issue's whole story in a real browser, on SQLite and on PostgreSQL: intake of a media threat over
a double charge, approval past the agent's limit, a checked reply, follow-up, closing, an outage batch,
a repeat complaint, and the clear messages for a wrong password, an expired session and a forbidden page."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL, postgres_database
from tests.e2e.browser import SHOTS, log_in, served
from tousu.api.app import create_app
from tousu.demo import DEMO_PASSWORD, STAFF
from tousu.services import users
from tousu.settings import Settings
from tousu.storage.db import create_db_engine, upgrade

pytestmark = pytest.mark.e2e

E2E_DATABASE = "tousu_web_e2e"
DOUBLE_CHARGE = "你们上个月把同一笔38元的流量包扣了我两次，重复扣费！今天不给我把钱退回来，我就找电视台曝光你们。"
CUSTOMER_PHONE = "13912345678"


def _postgres_url() -> str:
    """A database of its own on the test server, emptied: other suites use the shared one concurrently."""
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("TOUSU_TEST_POSTGRES_URL is not set: run the suite with `make test`")
        pytest.skip("PostgreSQL not started (run `make test`)")
    url = postgres_database(E2E_DATABASE)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "postgresql":
        url = _postgres_url()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('scenario') / 'tousu.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        for username, name, role, team in STAFF:
            users.add_user(
                conn,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                team=team,
                display_name=name,
                now=datetime.now(UTC),
            )
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    settings = Settings(
        database_url=database_url, secret_key="web-scenario-secret-0123456789abcdef", scheduler_interval_seconds=0
    )
    app = create_app(settings, with_scheduler=False)
    with served(app) as url:
        yield url


def _context(browser: Browser, server: str) -> BrowserContext:
    return browser.new_context(
        viewport={"width": 1366, "height": 768}, timezone_id="Asia/Shanghai", locale="zh-CN", base_url=server
    )


def shot(tab: Page, name: str, backend: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"scenario-{backend}-{name}.png"), full_page=True)


def _intake(tab: Page, phone: str, name: str, content: str) -> None:
    tab.goto("/complaints/new")
    tab.fill("#phone", phone)
    tab.fill("#name", name)
    tab.fill("#content", content)


def _api_client(server: str, username: str) -> httpx.Client:
    token = httpx.post(f"{server}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}).json()
    return httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token['token']}"})


def test_the_whole_story_in_the_browser(browser: Browser, server: str, database_url: str) -> None:
    backend = make_url(database_url).get_backend_name()
    agent_ctx, manager_ctx = _context(browser, server), _context(browser, server)
    agent, manager = agent_ctx.new_page(), manager_ctx.new_page()

    # A wrong password gets a plain message.
    log_in(agent, "agent1", "wrong-password", refused=True)
    expect(agent.locator("#login-error")).to_contain_text("用户名或密码错误")
    shot(agent, "login-wrong-password", backend)
    log_in(agent, "agent1")
    assert agent.url.endswith("/queue")

    # The agent takes a complaint threatening the media over a double charge.
    _intake(agent, CUSTOMER_PHONE, "王先生", DOUBLE_CHARGE)
    panel = agent.locator("#analysis-panel")
    expect(panel).to_contain_text("媒体曝光")
    expect(panel).to_contain_text("退费")
    expect(panel.locator("h3").first).to_contain_text("建议：")
    agent.click("#save")
    expect(agent.locator("#result")).to_be_visible()
    reference = re.search(r"TS\d{8}-\d{6}", agent.text_content("#result .reference") or "")
    assert reference is not None
    assert re.search(r"答复时限：\d{4}-\d{2}-\d{2} \d{2}:\d{2}", agent.text_content("#result .deadline") or "")
    shot(agent, "intake-saved", backend)
    agent.click("#result a")
    agent.wait_for_load_state()
    complaint_url = agent.url
    shot(agent, "complaint-new", backend)

    # The manager sees it as urgent in the queue.
    log_in(manager, "manager1")
    row = manager.locator("table.queue tbody tr", has_text=reference.group(0))
    expect(row).to_have_class(re.compile("urgent"))
    expect(row.locator(".badge")).to_contain_text(["重大"])
    shot(manager, "queue-manager", backend)

    # The agent offers more than an agent may grant: the form says so and it becomes an approval request.
    agent.click("summary:has-text('开始处理')")
    agent.click("form[data-endpoint=start] button")
    expect(agent.locator("h1")).to_contain_text("处理中")
    agent.click("summary:has-text('提出处理方案')")
    expect(agent.locator("#authority")).to_contain_text("退费 ≤ 50")
    agent.fill("#refund", "76")
    expect(agent.locator("#settle-over")).to_contain_text("超出本岗位权限")
    expect(agent.locator("#settle-submit")).to_have_text("提交审批申请")
    agent.fill("#settle-desc", "退还重复扣除的38元流量包费用，并按承诺双倍返还")
    # Money the description names is checked under its own rules: a double refund is proposed as one.
    agent.select_option("#refund-type", "double_refund")
    agent.select_option("#settle-basis", "policy_double_refund")
    agent.check("input[name=facts][value=our_fault]")
    agent.click("#settle-submit")
    expect(agent.locator("#action-notice")).to_contain_text("审批")
    expect(agent.locator("text=待审批")).to_be_visible()

    # The manager approves it.
    manager.goto(complaint_url)
    shot(manager, "complaint-approval", backend)
    manager.click("form.decision button.primary")
    expect(manager.locator("text=已批准")).to_be_visible()

    # The agent replies; the live check flags 您搞错了 and one click accepts the suggestion.
    agent.reload()
    agent.fill("#reply-text", "您搞错了，经核实确有重复扣费，已为您退还76元，三个工作日内到账。")
    mark = agent.locator("#reply-preview mark.problem")
    expect(mark.first).to_have_text("您搞错了")
    shot(agent, "reply-check", backend)
    agent.locator("#check-result button.adopt").first.click()
    expect(agent.locator("#reply-text")).to_have_value(re.compile("^我觉得我们的沟通存在误解，经核实确有重复扣费"))
    expect(agent.locator("#reply-preview")).to_be_hidden()
    agent.click("form[data-endpoint=reply] button[type=submit]")
    expect(agent.locator("h1")).to_contain_text("已答复")

    # Follow-up, then closing: a refusal keeps what was typed and names the field.
    agent.select_option("#satisfaction", "satisfied")
    agent.fill("#follow-comments", "客户表示满意，感谢及时处理。")
    agent.click("form[data-endpoint=follow-up] button")
    expect(agent.locator("h1")).to_contain_text("已回访")
    agent.fill("#root-cause", " ")
    agent.click("form[data-endpoint=close] button")
    expect(agent.locator("#error-root-cause")).to_contain_text("根因")
    agent.fill("#root-cause", "计费系统重复出账，同一笔流量包扣费两次。")
    agent.click("form[data-endpoint=close] button")
    expect(agent.locator("h1")).to_contain_text("已结案")
    shot(agent, "complaint-closed", backend)

    # The same customer complains again about the same issue: a repeat.
    _intake(agent, CUSTOMER_PHONE, "王先生", "上次说好退的流量包重复扣费，这个月又扣了两次38元，还是没解决！")
    agent.click("#save")
    expect(agent.locator("#result .deadline")).to_contain_text("重复")
    agent.click("#result a")
    agent.wait_for_load_state()
    expect(agent.locator("h1 .badge.u-repeat")).to_be_visible()

    # Eleven customers report the same outage within the hour: one batch banner.
    with _api_client(server, "agent2") as api:
        for index in range(11):
            response = api.post(
                "/api/v1/complaints",
                json={
                    "channel": "hotline",
                    "customer": {"name": f"客户{index}", "phone": f"1370000{index:04d}"},
                    "content": "湖里区家里宽带从中午开始完全断网，什么时候能修好？",
                    "category": "network",
                    "demands": ["fix"],
                    "topic": "宽带",
                    "area": "湖里区",
                },
            )
            assert response.status_code == 201, response.text
    manager.goto("/queue")
    banners = manager.locator(".banner", has_text="湖里区")
    expect(banners).to_have_count(1)
    expect(banners).to_contain_text("11 位客户")
    shot(manager, "queue-batch", backend)

    # The manager's overview counts them.
    manager.goto("/dashboard")
    assert int(manager.text_content("#period-today .total") or 0) >= 13
    assert int(manager.text_content("#kpi-repeat") or 0) >= 1
    shot(manager, "dashboard", backend)

    # A forbidden page for the agent.
    agent.goto("/dashboard")
    expect(agent.locator("#forbidden-message")).to_contain_text("仅限厅经理及以上")
    shot(agent, "forbidden", backend)

    # The agent's session is ended on the server: the next page goes to the login page with a clear message.
    token = next(c["value"] for c in agent_ctx.cookies() if c["name"] == "tousu_session")
    engine = create_db_engine(database_url)
    with engine.begin() as conn:
        users.revoke_token(conn, token=token, now=datetime.now(UTC))
    engine.dispose()
    agent.goto("/queue")
    agent.wait_for_url(re.compile(r"/login\?.*reason=expired"))
    expect(agent.locator(".notice")).to_contain_text("登录已过期")
    shot(agent, "session-expired", backend)

    agent_ctx.close()
    manager_ctx.close()
