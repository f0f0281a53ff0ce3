"""The complaint page's 转办信息 form in a real browser: a case number and an earlier deadline
given after intake become the reply deadline the page counts down; a bad save keeps what was typed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import api_token, demo_app, file_complaint, served
from tousu.demo import DEMO_PASSWORD
from tousu.domain.deadlines import LOCAL

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    app = demo_app(tmp_path_factory.mktemp("transfer"))
    token = api_token(app, "agent1")
    with served(app) as base:
        # Transferred by phone: the source is known, the case number is a placeholder, no deadline yet.
        yield (
            base,
            file_complaint(
                base,
                token,
                channel="hotline",
                customer={"name": "郑女士", "phone": "13955551234"},
                content="套餐被擅自变更，多扣了30元，要求退还。",
                transfer_source="12300",
                transfer_case_number="待补",
            ),
        )


@pytest.fixture
def page(browser: Browser, server: tuple[str, dict[str, Any]]) -> Iterator[Page]:
    context = browser.new_context(timezone_id="Asia/Shanghai", locale="zh-CN", base_url=server[0])
    tab = context.new_page()
    yield tab
    context.close()


def test_an_earlier_deadline_typed_on_the_page_is_the_one_counted_down(
    page: Page, server: tuple[str, dict[str, Any]]
) -> None:
    complaint = server[1]
    ours = datetime.fromisoformat(complaint["deadlines"]["reply_by"])
    theirs = (ours - timedelta(hours=3)).astimezone(LOCAL).replace(second=0, microsecond=0)
    page.goto("/login")
    page.fill("#username", "agent1")
    page.fill("#password", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"/complaints/{complaint['id']}")
    expect(page.locator("#transfer")).to_contain_text("12300(电信用户申诉受理中心) 工单号 待补")

    form = page.locator("#transfer-form")
    if not form.is_visible():
        page.click("summary:has-text('转办信息')")
    expect(page.locator("#transfer-source")).to_have_value("12300")
    typed = theirs.strftime("%Y-%m-%dT%H:%M")
    page.fill("#transfer-case-number", "")
    page.fill("#transfer-reply-by", typed)
    form.locator("button[type=submit]").click()
    # Refused in Chinese beside the field, and the deadline typed is still there.
    expect(form.locator(".field-error")).to_contain_text("转办工单号为空")
    expect(page.locator("#transfer-reply-by")).to_have_value(typed)

    page.fill("#transfer-case-number", "GX2026-11-0789")
    form.locator("button[type=submit]").click()
    expect(page.locator("#transfer")).to_contain_text("工单号 GX2026-11-0789")
    shown = theirs.strftime("%Y-%m-%d %H:%M")
    expect(page.locator("#transfer-deadline")).to_contain_text(shown)
    countdown = page.locator("#deadline-title + dl .countdown")
    assert datetime.fromisoformat(countdown.get_attribute("data-deadline") or "") == theirs
    expect(countdown).not_to_be_empty()
    expect(page.locator("#deadline-title + dl dd").filter(has=page.locator(".countdown"))).to_contain_text(shown)
    expect(page.locator(".timeline")).to_contain_text("转办信息变更")
    expect(page.locator(".timeline")).to_contain_text("转办工单号 GX2026-11-0789")
