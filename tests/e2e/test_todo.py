"""我的待办 in a real browser: a manager finds the approval and the escalation waiting for him, with
the count in the header; he approves on the complaint page, and the item and one count are gone.
And the batch page: taking the batch, its fault ticket, one reply to every customer, closing it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import api_token, demo_app, served, signed_in_tab

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """Two complaints of agent1's hall: one with a refund beyond the agent (the manager's to
    approve), one escalated to the hall manager."""
    app = demo_app(tmp_path_factory.mktemp("todo"))
    token = api_token(app, "agent1")
    with served(app) as base:
        auth = {"Authorization": f"Bearer {token}"}

        def complaint(phone: str) -> dict[str, object]:
            body = {
                "channel": "hall",
                "category": "billing",
                "customer": {"name": "吴女士", "phone": phone},
                "content": "重复扣费58元，要求退还。",
            }
            created = httpx.post(f"{base}/api/v1/complaints", headers=auth, json=body)
            assert created.status_code == 201, created.text
            return dict(created.json())

        refund = complaint("13955551234")
        proposal = httpx.post(
            f"{base}/api/v1/complaints/{refund['id']}/settlements",
            headers=auth,
            json={"version": refund["version"], "refund": 150, "description": "退还三个月重复扣费"},
        )
        assert proposal.json()["status"] == "pending_approval", proposal.text
        angry = complaint("13955554321")
        escalated = httpx.post(
            f"{base}/api/v1/complaints/{angry['id']}/escalate",
            headers=auth,
            json={"version": angry["version"], "reason": "客户要求经理出面"},
        )
        assert escalated.status_code == 200, escalated.text
        for n in range(11):  # one outage (not the demo's own): a batch for the batch page
            outage = {
                "channel": "hall",
                "category": "network",
                "topic": "宽带",
                "area": "湖滨街道",
                "customer": {"name": f"客户{n}", "phone": f"1390000{n:04d}"},
                "content": "小区手机没有信号，打不了电话。",
            }
            assert httpx.post(f"{base}/api/v1/complaints", headers=auth, json=outage).status_code == 201
        yield base, {"approval": str(refund["reference"]), "escalation": str(angry["reference"])}


def test_the_manager_finds_acts_on_and_no_longer_sees_the_approval(
    browser: Browser, server: tuple[str, dict[str, str]]
) -> None:
    base, references = server
    manager = signed_in_tab(browser, base, "manager1")
    badge = manager.locator("#todo-count")
    expect(badge).to_have_text("2")

    manager.click("#nav-todo")
    expect(manager).to_have_title("我的待办 · tousu")
    approval = manager.locator("#todo-list tr[data-kind=approval]")
    escalation = manager.locator("#todo-list tr[data-kind=escalation]")
    expect(approval).to_contain_text(references["approval"])
    expect(approval).to_contain_text("退费 150 元")
    expect(escalation).to_contain_text(references["escalation"])
    expect(escalation).to_contain_text("投诉已升级至厅经理")

    approval.get_by_role("link", name="去处理").click()
    expect(manager.locator("h1")).to_contain_text(references["approval"])
    manager.click("form.decision button[name=approve][value=true]")
    expect(manager.locator("text=（已批准）")).to_be_visible()

    manager.click("#nav-todo")
    expect(manager.locator("#todo-list tr[data-kind=approval]")).to_have_count(0)
    expect(manager.locator("#todo-list tr[data-kind=escalation]")).to_contain_text(references["escalation"])
    expect(manager.locator("#todo-count")).to_have_text("1")
    manager.context.close()

    # The agent who proposed it has nothing of the kind waiting.
    agent = signed_in_tab(browser, base, "agent1")
    agent.goto("/todo")
    expect(agent.locator("#todo-list tr[data-kind=approval]")).to_have_count(0)
    expect(agent.locator("#todo-list tr[data-kind=escalation]")).to_have_count(0)
    agent.context.close()


def test_a_batch_is_taken_answered_once_and_closed_on_its_page(browser: Browser, server: tuple[str, object]) -> None:
    base, _ = server
    director = signed_in_tab(browser, base, "director1")
    director.goto("/queue")
    banner = director.locator(".banner", has_text="湖滨街道")
    banner.get_by_role("link", name="批量处理（负责人、故障单、统一答复）").click()
    expect(director.locator("h1")).to_contain_text("宽带 · 湖滨街道")
    expect(director.locator("#member-list tbody tr")).to_have_count(11)

    director.get_by_role("button", name="我来负责").click()
    expect(director.locator("#action-notice")).to_have_text("负责人已更新。")
    expect(director.locator("#batch-owner")).to_have_text("郑海峰")

    director.fill("#fault-ticket", "GZ-20261123-0042")
    director.get_by_role("button", name="保存故障单").click()
    expect(director.locator("#batch-ticket")).to_have_text("GZ-20261123-0042")

    director.get_by_role("button", name="关闭批次").click()
    expect(director.locator("#action-error")).to_contain_text("本批还有 11 件投诉未答复")

    director.fill("#batch-reply", "您好，思明区4G信号中断系基站故障所致，现已修复，给您带来不便深表歉意。")
    director.get_by_role("button", name="发送统一答复（11 件待答复）").click()
    expect(director.locator("#action-notice")).to_contain_text("统一答复已发送给 11 位客户。")
    expect(director.locator("#batch-progress")).to_contain_text("待答复 0 件，已答复 11 件")

    director.get_by_role("button", name="关闭批次").click()
    expect(director.locator("#action-notice")).to_have_text("批次已关闭。")
    expect(director.locator("#batch-state")).to_have_text("已关闭")
    director.locator("#member-list a").first.click()
    expect(director.locator("ol.timeline")).to_contain_text("批量投诉关闭")
    director.context.close()
