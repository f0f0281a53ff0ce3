"""The complaint page's printable documents in a real browser: the print button opens the
settlement confirmation with its signature lines, whose 打印 button calls the browser's print."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import api_token, demo_app, file_complaint, served, signed_in_tab

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    app = demo_app(tmp_path_factory.mktemp("documents"))
    token = api_token(app, "agent1")
    with served(app) as base:
        auth = {"Authorization": f"Bearer {token}"}
        created = file_complaint(
            base,
            token,
            category="billing",
            customer={"name": "吴女士", "phone": "13955551234"},
            content="这个月重复扣费30元，要求退还。",
        )
        proposal = httpx.post(
            f"{base}/api/v1/complaints/{created['id']}/settlements",
            headers=auth,
            json={"version": created["version"], "refund": 30, "description": "退还重复扣取的30元"},
        )
        assert proposal.json()["status"] == "granted", proposal.text
        yield base, int(created["id"])


def test_the_print_button_opens_the_settlement_confirmation(browser: Browser, server: tuple[str, int]) -> None:
    base, cid = server
    tab = signed_in_tab(browser, base, "agent1")
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.goto(f"/complaints/{cid}")
    tab.click("#documents summary")
    tab.click("#print-settlement")
    sheet = tab.locator("#document")
    expect(sheet.locator("h1")).to_have_text("处理确认单")
    expect(sheet).to_contain_text("吴女士")
    expect(sheet).to_contain_text("139****1234")
    expect(sheet).to_contain_text("30.00")
    for line in ("客户签字", "经办人", "日期"):
        expect(sheet.locator(".signatures")).to_contain_text(line)
    # 打印 calls the browser's print dialog; record the call instead of opening it.
    tab.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    tab.click("#print-button")
    assert tab.evaluate("window.__printed") == 1
    # The dialog closed (what the browser signals after printing): the print goes to the timeline.
    with tab.expect_response(lambda r: r.url.endswith("/documents/settlement/printed")) as reported:
        tab.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert reported.value.status == 204
    assert not errors, errors  # no script or stylesheet blocked by the CSP

    tab.goto(f"/complaints/{cid}")
    expect(tab.locator("ol.timeline")).to_contain_text("文书：处理确认单")
    expect(tab.locator("ol.timeline")).to_contain_text("方式：打印")
    tab.context.close()


# The nearest element around `node` that a page break may not split, if any.
_UNBROKEN = """(node) => {
  for (let n = node; n && n !== document.body; n = n.parentElement) {
    if (getComputedStyle(n).breakInside === "avoid") return n;
  }
  return null;
}"""


def test_the_printed_page_keeps_each_note_with_its_items_and_the_closing_with_the_signatures(
    browser: Browser, server: tuple[str, int]
) -> None:
    base, cid = server
    tab = signed_in_tab(browser, base, "agent1")
    tab.goto(f"/complaints/{cid}/documents/settlement")
    tab.emulate_media(media="print")
    kept = tab.evaluate(
        f"""() => {{
          const unbroken = {_UNBROKEN};
          const notes = [...document.querySelectorAll("#document p")].filter((p) => p.textContent.startsWith("方案说明"));
          const signatures = document.querySelector(".signatures");
          const closing = unbroken(signatures.previousElementSibling);
          return {{
            notes: notes.map((p) => {{ const box = unbroken(p); return !!box && !!box.querySelector("td.amount"); }}),
            closing: !!closing && closing.contains(signatures) && closing.textContent.includes("客户已知悉"),
          }};
        }}"""
    )
    assert kept["notes"] == [True]  # the one settlement's 方案说明 stays with its items
    assert kept["closing"]  # the closing words stay with the signature lines
    tab.context.close()
