"""An address that names nothing, opened in the browser, gets a page in Chinese that says so, with
its status and no internal codes; the API keeps answering its JSON errors."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser

from tests.e2e.browser import api_token, demo_app, file_complaint, served, signed_in_tab

pytestmark = pytest.mark.e2e

# What an error page must never show: JSON, error codes, parameter names.
INTERNAL = re.compile(r"[{}\"]|not_found|int_parsing|enum|validation|complaint_id|kind|error", re.IGNORECASE)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    app = demo_app(tmp_path_factory.mktemp("errors"))
    with served(app) as base:
        created = file_complaint(
            base, api_token(app, "agent1"), customer={"name": "周先生", "phone": "13900007001"}, content="宽带断线。"
        )
        yield base, int(created["id"])


@pytest.mark.parametrize(
    "path, status, heading",
    [
        ("/nonexistent", 404, "页面不存在"),
        ("/complaints/abc", 404, "未找到该投诉"),
        ("/complaints/{id}/documents/bogus", 404, "没有这种文书"),
        ("/complaints/{id}/documents/bogus.pdf", 404, "没有这种文书"),
        ("/logout", 405, "无法直接打开"),
    ],
)
def test_an_address_that_names_nothing_shows_a_chinese_page(
    browser: Browser, server: tuple[str, int], path: str, status: int, heading: str
) -> None:
    base, cid = server
    tab = signed_in_tab(browser, base, "agent1")
    answer = tab.goto(path.format(id=cid))
    assert answer is not None and answer.status == status
    assert (answer.headers.get("content-type") or "").startswith("text/html")
    assert tab.locator("h1").text_content() == heading
    shown = tab.locator("main").inner_text()
    assert not INTERNAL.search(shown), shown
    assert tab.locator("nav a[href='/queue']").count() == 1  # the header is there: the way back to work
    tab.context.close()


def test_the_api_keeps_its_json_errors(server: tuple[str, int]) -> None:
    base, _ = server
    missing = httpx.get(f"{base}/api/v1/nonexistent", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
