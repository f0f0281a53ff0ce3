"""Intake in a shop's browser: the warning about the caller's open complaint and the read-back on
saving name the category as every page of a shop does (商品质量, not 终端/商品质量), and no
telecom appeal time limit is hinted (a shop's customers appeal to no 通信管理局)."""

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


def test_a_shop_is_told_no_telecom_appeal_time_limit(tab: Page) -> None:
    tab.fill("#occurred_at", "2023-01-05T10:00")  # past both telecom limits
    tab.select_option("#category", "billing")
    tab.fill("#content", "前年一月结账时收银员多收了我两百块，到现在也没给说法，我要求退钱。")
    panel = tab.locator("#analysis-panel")
    expect(panel.locator("dl.facts")).to_be_visible(timeout=10_000)
    expect(panel).not_to_contain_text("申诉时限")
    expect(panel).not_to_contain_text("管理局")
