"""The settlement form's amounts in a real browser: nothing changes them behind the agent's back,
and a mistyped one is refused beside its field before anything is sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import api_token, demo_app, file_complaint, served, signed_in_tab

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    app = demo_app(tmp_path_factory.mktemp("settlement"))
    with served(app) as base:
        yield base, api_token(app, "agent1")


@pytest.fixture
def tab(browser: Browser, server: tuple[str, str]) -> Iterator[Page]:
    base, token = server
    complaint = file_complaint(
        base,
        token,
        category="billing",
        customer={"name": "周先生", "phone": "13900007701"},
        content="上个月多扣了 30 元，要求退还。",
        claimed_amount=30,
    )
    tab = signed_in_tab(browser, base, "agent1")
    tab.goto(f"/complaints/{complaint['id']}")
    tab.click("summary:has-text('提出处理方案')")
    yield tab
    tab.context.close()


def _proposals(tab: Page) -> list[str]:
    sent: list[str] = []
    tab.on("request", lambda r: sent.append(r.url) if r.method == "POST" and r.url.endswith("/settlements") else None)
    return sent


@pytest.mark.parametrize("field", ["#refund", "#compensation", "#gift"])
def test_an_amount_stays_as_typed_under_the_wheel_and_the_arrow_keys(tab: Page, field: str) -> None:
    tab.click(field)
    tab.keyboard.type("30")
    tab.keyboard.press("ArrowUp")
    tab.keyboard.press("ArrowDown")
    tab.mouse.wheel(0, 300)
    expect(tab.locator(field)).to_have_value("30")
    assert tab.get_attribute(field, "inputmode") == "decimal"


def test_a_mistyped_amount_is_refused_beside_its_field_and_nothing_is_sent(tab: Page) -> None:
    sent = _proposals(tab)
    tab.fill("#refund", "３０元")
    tab.fill("#settle-desc", "退还多扣的费用")
    tab.click("#settle-submit")
    error = tab.locator("#error-refund")
    expect(error).to_contain_text("全角")
    expect(error).to_contain_text("例如 88 或 88.50")
    assert tab.evaluate("document.activeElement.id") == "refund"
    assert sent == []
    expect(tab.locator("#settle-desc")).to_have_value("退还多扣的费用")  # what was typed stays

    tab.fill("#refund", "30")
    tab.click("#settle-submit")
    expect(tab.locator("#action-notice")).to_contain_text("方案")
    assert len(sent) == 1


def test_a_double_refund_is_asked_for_as_the_total_the_customer_gets_back(tab: Page) -> None:
    hint = tab.locator("#double-refund-hint")
    expect(hint).to_be_hidden()
    tab.select_option("#refund-type", "double_refund")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("退给客户的总额")
    expect(hint).to_contain_text("涉及金额 30 元，双倍为 60 元")


def test_a_mistyped_amount_is_not_also_said_to_be_beyond_the_roles_authority(tab: Page) -> None:
    tab.fill("#refund", "1e9")
    expect(tab.locator("#settle-over")).to_be_hidden()
    tab.fill("#refund", "900")
    expect(tab.locator("#settle-over")).to_contain_text("超出本岗位权限")


def test_a_double_refund_without_its_basis_is_refused_beside_the_basis(tab: Page) -> None:
    tab.select_option("#refund-type", "double_refund")
    tab.fill("#refund", "60")
    tab.fill("#settle-desc", "按公司承诺双倍返还多收的费用")
    tab.click("#settle-submit")
    expect(tab.locator("#error-settle-basis")).to_contain_text("依据")
    assert tab.evaluate("document.activeElement.id") == "settle-basis"
