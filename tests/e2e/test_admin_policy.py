"""The rule pages (规则设置) in a real browser: an administrator sets a hall's subscriber count,
a role's authority limit and a hall's own opening hours, sees them saved and in force through the
API; a refused value shows its Chinese reason beside the field and keeps what was typed, and
nothing is saved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import log_in, served
from tousu.api.app import create_app
from tousu.domain.codes import Role
from tousu.services import users
from tousu.settings import Settings
from tousu.storage.db import create_db_engine, upgrade

pytestmark = pytest.mark.e2e

PASSWORD = "policy-e2e-pass-1"
STAFF = [("root1", Role.ADMIN, "服务管理室"), ("agent7", Role.AGENT, "思明营业厅")]


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('policy') / 'tousu.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def token(database_url: str) -> str:
    engine = create_db_engine(database_url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for username, role, team in STAFF:
            users.add_user(conn, username=username, password=PASSWORD, role=role, team=team, now=now)
        secret = users.create_api_token(conn, username="root1", days=30, name="接口", now=now)[1]
    engine.dispose()
    return secret


@pytest.fixture(scope="module")
def server(database_url: str, token: str) -> Iterator[str]:
    settings = Settings(
        database_url=database_url, secret_key="policy-e2e-secret-0123456789abcdef", scheduler_interval_seconds=0
    )
    with served(create_app(settings, with_scheduler=False)) as url:
        yield url


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=server)
    tab = context.new_page()
    yield tab
    context.close()


def policy(server: str, token: str) -> Any:
    answer = httpx.get(f"{server}/api/v1/admin/policy", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    return answer.json()


def test_an_admin_sets_a_subscriber_count_and_an_authority_limit(page: Page, server: str, token: str) -> None:
    log_in(page, "root1", PASSWORD)
    page.get_by_role("link", name="规则设置").click()
    expect(page.get_by_role("heading", name="岗位权限（元，单件投诉）")).to_be_visible()

    refund = page.get_by_label("岗位权限 · 厅经理/店长 · 退费上限（元）")
    expect(refund).to_have_value("300")
    refund.fill("450")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#policy-notice")).to_contain_text("已保存")
    expect(page.get_by_label("岗位权限 · 厅经理/店长 · 退费上限（元）")).to_have_value("450")
    expect(page.locator("#authority tbody tr", has_text="厅经理/店长")).to_contain_text("管理员设置")
    assert policy(server, token)["policy"]["authority"]["by_role"]["manager"]["max_refund"] == 450

    page.get_by_role("link", name="营业厅与班组").click()
    count = page.get_by_label("用户数 · 思明营业厅")
    expect(count).to_have_value("")
    count.fill("200000")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#policy-notice")).to_contain_text("已保存")
    expect(page.get_by_label("用户数 · 思明营业厅")).to_have_value("200000")
    assert policy(server, token)["policy"]["subscribers"] == {"思明营业厅": 200000}

    # The change history names what changed, before and after.
    expect(page.locator("#policy-history")).to_contain_text("用户数 · 思明营业厅：（未设置） → 200000")
    expect(page.locator("#policy-history")).to_contain_text("退费上限（元）：300 → 450")


def test_a_refused_value_shows_why_and_keeps_what_was_typed(page: Page, server: str, token: str) -> None:
    before = policy(server, token)
    log_in(page, "root1", PASSWORD)
    page.goto("/admin/policy/authority")
    gift = page.get_by_label("岗位权限 · 一线客服/营业员 · 赠送上限（元）")
    gift.fill("-20")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#policy-error")).to_contain_text("设置未保存")
    expect(page.get_by_label("岗位权限 · 一线客服/营业员 · 赠送上限（元）")).to_have_value("-20")
    expect(page.locator("#authority .field-error")).to_have_text(
        "岗位权限 · 一线客服/营业员 · 赠送上限（元）：不能小于 0"
    )
    assert policy(server, token) == before

    page.goto("/admin/policy/halls")
    closes = page.get_by_label("处理时限 · 营业日历 · 营业厅 · 营业时间 · 结束")
    closes.fill("8点")
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_label("处理时限 · 营业日历 · 营业厅 · 营业时间 · 结束")).to_have_value("8点")
    expect(page.locator("#calendars .field-error")).to_contain_text("请按“时:分”填写")
    assert policy(server, token) == before


def test_an_admin_gives_a_hall_its_own_hours_then_removes_them(page: Page, server: str, token: str) -> None:
    log_in(page, "root1", PASSWORD)
    page.goto("/admin/policy/halls")
    expect(page.locator("#hall-calendar-list")).to_contain_text("暂无营业厅单独设置")
    page.get_by_label("新增营业厅营业时间 · 营业厅", exact=True).select_option("思明营业厅")
    page.get_by_label("新增营业厅营业时间 · 营业时间 · 开始", exact=True).fill("8:30")
    page.get_by_label("新增营业厅营业时间 · 营业时间 · 结束", exact=True).fill("20:00")
    page.get_by_label("新增营业厅营业时间 · 按国家法定节假日", exact=True).check()
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#policy-notice")).to_contain_text("已保存")
    row = "处理时限 · 各营业厅营业时间 · 思明营业厅"
    expect(page.get_by_label(f"{row} · 营业时间 · 开始", exact=True)).to_have_value("08:30")
    expect(page.get_by_label(f"{row} · 营业日 · 周日", exact=True)).to_be_checked()
    calendar = policy(server, token)["policy"]["sla"]["hall_calendars"]["思明营业厅"]
    assert calendar["hours"] == {"opens": "08:30:00", "closes": "20:00:00"} and calendar["public_holidays"] is True
    expect(page.locator("#policy-history")).to_contain_text("思明营业厅：（未单独设置） → 营业时间 08:30–20:00")

    # Closing before it opens is refused beside the field, with what was typed kept.
    before = policy(server, token)
    page.get_by_label(f"{row} · 营业时间 · 结束", exact=True).fill("08:00")
    page.get_by_label(f"{row} · 营业日 · 周日", exact=True).uncheck()
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#policy-error")).to_contain_text("设置未保存")
    expect(page.get_by_label(f"{row} · 营业时间 · 结束", exact=True)).to_have_value("08:00")
    expect(page.get_by_label(f"{row} · 营业日 · 周日", exact=True)).not_to_be_checked()
    expect(page.locator("#hall-calendars .field-error")).to_have_text(f"{row} · 营业时间：结束时间须晚于开始时间")
    assert policy(server, token) == before

    page.locator("#hall-calendar-list tr", has_text="思明营业厅").get_by_role("button", name="删除").click()
    expect(page.locator("#policy-notice")).to_contain_text("已保存")
    expect(page.locator("#hall-calendar-list")).to_contain_text("暂无营业厅单独设置")
    assert policy(server, token)["policy"]["sla"]["hall_calendars"] == {}


def test_others_are_refused(page: Page) -> None:
    log_in(page, "agent7", PASSWORD)
    expect(page.get_by_role("link", name="规则设置")).to_have_count(0)
    response = page.goto("/admin/policy/authority")
    assert response is not None and response.status == 403
