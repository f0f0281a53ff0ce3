"""报表 in a real browser: a manager reads the table and the chart, drills into a bar, downloads the workbook."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import demo_app, log_in, served
from tousu.demo import HALL

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = demo_app(tmp_path_factory.mktemp("reports"), complaints=60, seed=11)
    with served(app) as base:
        yield base


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1366, "height": 900},
        timezone_id="Asia/Shanghai",
        locale="zh-CN",
        base_url=server,
        accept_downloads=True,
    )
    tab = context.new_page()
    yield tab
    context.close()


def test_a_manager_reads_the_report_drills_into_a_bar_and_downloads_it(page: Page, tmp_path: Path) -> None:
    log_in(page, "manager1")
    page.click("nav >> text=报表")
    expect(page.locator("h1")).to_have_text("报表")
    table = page.locator("#report-table")
    expect(table.locator("tbody tr")).to_have_count(1)  # the manager's own hall only
    expect(table.locator("tbody th")).to_have_text(HALL)
    total = int(page.locator("#report-total td[data-kpi=received]").inner_text())
    assert total > 0

    # Group by category: one bar per category, each with the number it stands for.
    page.select_option("select[name=group_by]", "category")
    page.click("form.filters button[type=submit]")
    bars = page.locator("#report-chart a.bar")
    expect(bars.first).to_be_visible()
    first = bars.first
    label, value = first.get_attribute("data-label"), first.get_attribute("data-value")
    assert label and value and int(value) > 0
    assert sum(int(b.get_attribute("data-value") or 0) for b in bars.all()) == total

    first.click()
    page.wait_for_url(re.compile(r"/reports/complaints\?"))
    expect(page.locator("#drill-what")).to_contain_text(label)
    expect(page.locator("#drill-count")).to_contain_text(f"共 {value} 件")
    rows = page.locator("#drill-table tbody tr")
    expect(rows).to_have_count(min(int(value), 50))
    for category in rows.locator("td:nth-child(7)").all_inner_texts():
        assert category == label

    page.go_back()
    with page.expect_download() as downloaded:
        page.click("#export-xlsx")
    assert downloaded.value.suggested_filename.endswith("-category.xlsx")
    path = tmp_path / downloaded.value.suggested_filename
    downloaded.value.save_as(path)
    sheet = load_workbook(path, read_only=True)["报表"]
    table_rows = list(sheet.iter_rows(values_only=True))
    header = list(table_rows[0])
    by_label = {row[0]: row for row in table_rows[1:]}
    assert by_label["合计"][header.index("受理量")] == total
    assert by_label[label][header.index("受理量")] == int(value)
