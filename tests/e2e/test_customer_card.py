"""The intake page's customer lookup in a real browser: another hall's customer shows only the limited card."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import api_token, demo_app, file_complaint, log_in, served

pytestmark = pytest.mark.e2e

PHONE = "13955550000"
ADDRESS = "厦门市思明区湖滨南路100号"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = demo_app(tmp_path_factory.mktemp("card"))
    token = api_token(app, "agent1")
    with served(app) as base:
        file_complaint(
            base,
            token,
            customer={"name": "周先生", "phone": PHONE, "address": ADDRESS},
            content="宽带断网三天，要求减免月租。",
        )
        yield base


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(timezone_id="Asia/Shanghai", locale="zh-CN", base_url=server)
    tab = context.new_page()
    yield tab
    context.close()


def _look_up(tab: Page, username: str) -> str:
    log_in(tab, username)
    tab.goto("/complaints/new")
    tab.fill("#phone", PHONE)
    tab.press("#phone", "Tab")
    expect(tab.locator("#customer-panel.muted")).to_have_count(0, timeout=30_000)  # no string eval: CSP
    return tab.text_content("#customer-panel") or ""


def test_another_halls_agent_sees_the_limited_card(page: Page) -> None:
    panel = _look_up(page, "agent3")  # 湖里营业厅
    assert "该客户在其他营业厅有 1 条投诉记录，其中 1 条未结" in panel
    assert "139****0000" in panel and "周先生" in panel
    assert ADDRESS not in panel and "TS" not in panel and "历史投诉" not in panel
    expect(page.locator("#name")).to_have_value("周先生")
    assert "请与来电人核对" in panel


def test_the_halls_own_agent_sees_the_history(page: Page) -> None:
    panel = _look_up(page, "agent2")  # 思明营业厅
    assert "历史投诉 1 件" in panel and "TS" in panel and "其他营业厅" not in panel
