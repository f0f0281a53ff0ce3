"""An archived complaint in a real browser: out of the 工作台, found with 含已归档, its page says
已归档 with the date and its timeline 归档, and reopening it brings it back to the 工作台."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import api_token, demo_app, served
from tousu.demo import DEMO_PASSWORD
from tousu.domain.deadlines import LOCAL
from tousu.services import archive

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any], datetime]]:
    app = demo_app(tmp_path_factory.mktemp("archive"))
    state = app.state.tousu
    token = api_token(app, "agent1")
    with served(app) as base:
        # A complaint handled to its end over a year ago.
        state.clock = lambda: datetime.now(UTC) - timedelta(days=400)
        headers = {"Authorization": f"Bearer {token}"}
        body = {"channel": "hotline", "customer": {"name": "孙先生", "phone": "13955550001"}, "content": "宽带断网三天"}
        complaint = httpx.post(f"{base}/api/v1/complaints", headers=headers, json=body).json()
        steps = [
            ("reply", {"reply": "已修复线路并减免三天月租。"}),
            ("follow-up", {"satisfaction": "satisfied"}),
            ("close", {"root_cause": "光缆被施工挖断"}),
        ]
        for action, fields in steps:
            answer = httpx.post(
                f"{base}/api/v1/complaints/{complaint['id']}/{action}",
                headers=headers,
                json={"version": complaint["version"], **fields},
            )
            assert answer.status_code == 200, answer.text
            complaint = answer.json()
        state.clock = lambda: datetime.now(UTC)
        archived_at = datetime.now(UTC)
        with state.write() as conn:
            assert archive.run_pass(conn, now=archived_at, policy=state.policy).archived == 1
        yield base, complaint, archived_at


@pytest.fixture
def page(browser: Browser, server: tuple[str, dict[str, Any], datetime]) -> Iterator[Page]:
    context = browser.new_context(timezone_id="Asia/Shanghai", locale="zh-CN", base_url=server[0])
    tab = context.new_page()
    yield tab
    context.close()


def test_an_archived_complaint_is_found_opened_and_brought_back_by_reopening(
    page: Page, server: tuple[str, dict[str, Any], datetime]
) -> None:
    _, complaint, archived_at = server
    reference = complaint["reference"]
    page.goto("/login")
    page.fill("#username", "agent1")
    page.fill("#password", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()

    page.goto("/queue?status=all")
    expect(page.locator("table.queue")).not_to_contain_text(reference)
    page.select_option("#archived-filter", "include")
    page.click("form.filters button[type=submit]")
    row = page.locator("table.queue tr", has_text=reference)
    expect(row).to_contain_text("已归档")

    page.goto("/queue")  # the default 待处理 list: 含已归档 looks among every status
    page.select_option("#archived-filter", "include")
    page.click("form.filters button[type=submit]")
    expect(page.locator("select[name=status]")).to_have_value("all")
    page.click(f"text={reference}")
    shown = archived_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    expect(page.locator("#archived-note")).to_contain_text(f"{shown} 已归档")
    expect(page.locator("ol.timeline")).to_contain_text("归档")

    page.click("summary:has-text('重开')")
    page.fill("#reopen-reason", "客户又断网了，带来了新的报修单")
    page.click("form[data-endpoint=reopen] button[type=submit]")
    expect(page.locator("h1 .chip").first).to_have_text("已重开")
    expect(page.locator("#archived-note")).to_have_count(0)
    expect(page.locator("ol.timeline")).to_contain_text("归档时间")
    page.goto("/queue")
    expect(page.locator("table.queue")).to_contain_text(reference)
