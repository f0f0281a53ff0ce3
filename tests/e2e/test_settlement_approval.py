"""The complaint page's settlements in a real browser: a request waiting for the director is not the
manager's to approve, deny or pass up; the director approves an exception only with its reason,
which the page shows."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import api_token, demo_app, file_complaint, served, signed_in_tab

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    app = demo_app(tmp_path_factory.mktemp("settle"))
    token = api_token(app, "agent1")
    with served(app) as base:
        auth = {"Authorization": f"Bearer {token}"}
        created = file_complaint(
            base,
            token,
            category="billing",
            customer={"name": "吴女士", "phone": "13955551234"},
            content="重复扣费58元，要求赔偿。",
        )
        # 80 yuan compensation with no legal basis: within a manager's amounts, but an exception.
        proposal = httpx.post(
            f"{base}/api/v1/complaints/{created['id']}/settlements",
            headers=auth,
            json={"version": created["version"], "compensation": 80, "description": "补偿客户"},
        )
        assert proposal.status_code == 201, proposal.text
        yield base, int(created["id"])


def test_the_director_approves_an_exception_with_a_reason_the_manager_only_sees_it_waiting(
    browser: Browser, server: tuple[str, int]
) -> None:
    base, cid = server
    manager = signed_in_tab(browser, base, "manager1")
    manager.goto(f"/complaints/{cid}")
    expect(manager.locator("text=待客户中心主任审批")).to_be_visible()
    expect(manager.locator("form.decision")).to_have_count(0)  # no 批准, 上报 or 驳回 past the director
    manager.context.close()

    director = signed_in_tab(browser, base, "director1")
    director.goto(f"/complaints/{cid}")
    director.click("form.decision button[name=approve][value=true]")
    expect(director.locator("form.decision .field-error, #action-error:not([hidden])").first).to_contain_text("理由")
    director.fill("form.decision [name=override_reason]", "连续三月重复扣费，挽留客户")
    director.click("form.decision button[name=approve][value=true]")
    expect(director.locator("text=例外批准理由：连续三月重复扣费，挽留客户")).to_be_visible()
    director.context.close()
