"""Intake in a shop's browser: the warning about the caller's open complaint and the read-back on
saving name the category as every page of a shop does (商品质量, not 终端/商品质量), and the time
limit hinted is 12315's, not the telecom appeal's (a shop's customers appeal to no 通信管理局)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import api_token, demo_app, file_complaint, served, signed_in_tab

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    app = demo_app(tmp_path_factory.mktemp("shop"))
    state = app.state.tousu
    state.policy = state.policy.model_copy(update={"industry": "retail"})
    with served(app) as base:
        yield base, api_token(app, "agent1")


@pytest.fixture
def tab(browser: Browser, server: tuple[str, str]) -> Iterator[Page]:
    tab = signed_in_tab(browser, server[0], "agent1")
    tab.goto("/complaints/new")
    yield tab
    tab.context.close()


def test_the_warning_and_the_read_back_name_the_category_as_the_shop_does(tab: Page, server: tuple[str, str]) -> None:
    base, token = server
    earlier = file_complaint(
        base,
        token,
        category="product",
        customer={"name": "周女士", "phone": "13900008801"},
        content="买的面包过期了。",
    )
    tab.fill("#phone", "13900008801")
    tab.fill("#name", "周女士")
    tab.fill("#content", "昨天买的牛奶也过期了，要求退货。")
    warning = tab.locator("#open-similar")
    expect(warning).to_contain_text(f"该号码已有未结投诉 {earlier['reference']}（商品质量）", timeout=10_000)
    tab.select_option("#category", "product")
    tab.click("#save")
    expect(tab.locator("#result .readback")).to_contain_text("反映的是“商品质量”方面的问题")


def test_a_shop_is_told_the_market_regulators_time_limit_not_the_telecom_one(tab: Page) -> None:
    tab.fill("#occurred_at", "2025-01-05T10:00")  # past both telecom limits, within 12315's three years
    tab.select_option("#category", "billing")
    tab.fill("#content", "去年一月结账时收银员多收了我两百块，到现在也没给说法，我要求退钱。")
    panel = tab.locator("#analysis-panel")
    expect(panel).to_contain_text(
        "投诉时限提示：客户如不满意处理结果，仍可在时限内向市场监管部门（12315）投诉", timeout=10_000
    )
    expect(panel).not_to_contain_text("申诉时限")
    expect(panel).not_to_contain_text("管理局")
    tab.fill("#occurred_at", "2022-01-05T10:00")
    tab.fill("#content", "四年前结账时收银员多收了我两百块，到现在也没给说法，我要求退钱。")
    expect(panel).to_contain_text("已超过3年，市场监管部门不予受理")
    expect(panel).to_contain_text("本投诉照常受理")


def test_a_shops_configuration_shows_the_market_regulators_time_limit(
    browser: Browser, server: tuple[str, str]
) -> None:
    tab = signed_in_tab(browser, server[0], "admin1")
    try:
        tab.goto("/admin/config")
        expect(tab.locator("main")).to_contain_text("投诉受理时效（市场监管部门、12315）")
        expect(tab.locator("main")).not_to_contain_text("话费争议")
    finally:
        tab.context.close()
