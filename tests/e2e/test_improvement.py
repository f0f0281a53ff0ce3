"""整改 in a real browser: a manager closes complaints with root-cause kinds, reads the Pareto,
opens the complaints behind its largest bar, makes a measure of them with an owner and a due
date, marks it done with its evidence and sees its effect."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import SHOTS, served, signed_in_tab
from tousu.api.app import create_app
from tousu.demo import load_demo
from tousu.domain.deadlines import LOCAL
from tousu.services import users
from tousu.settings import Settings
from tousu.storage.db import upgrade

pytestmark = pytest.mark.e2e

# How the manager classifies the three complaints: the Pareto's largest bar is 计费差错 (2 of 3).
KINDS = ["billing_error", "network_fault", "billing_error"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[int]]]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('improve')) / 'tousu.db'}"
    upgrade(url)
    settings = Settings(
        database_url=url, secret_key="improve-e2e-secret-0123456789abcdef", scheduler_interval_seconds=0
    )
    app = create_app(settings, with_scheduler=False)
    state = app.state.tousu
    load_demo(state.engine, settings.policy, count=0, seed=7)
    with state.write() as conn:
        user_id = users.require_user(conn, "agent1")["id"]
        token = users.issue_token(conn, user_id=user_id, kind="api", now=datetime.now(UTC))
    with served(app) as base:
        auth = {"Authorization": f"Bearer {token}"}
        ids = []
        for n in range(len(KINDS)):
            body = {
                "channel": "hall",
                "category": "billing",
                "customer": {"name": "周女士", "phone": f"1395555000{n}"},
                "content": f"流量包重复扣费{30 + n}元，要求退还。",
            }
            c = httpx.post(f"{base}/api/v1/complaints", headers=auth, json=body).json()
            for action, fields in (
                ("reply", {"reply": "已退还重复扣费。"}),
                ("follow-up", {"satisfaction": "satisfied"}),
            ):
                c = httpx.post(
                    f"{base}/api/v1/complaints/{c['id']}/{action}",
                    headers=auth,
                    json={"version": c["version"], **fields},
                ).json()
            assert c["status"] == "followed_up", c
            ids.append(int(c["id"]))
        yield base, ids


def test_from_root_causes_to_a_measure_and_its_effect(browser: Browser, server: tuple[str, list[int]]) -> None:
    base, ids = server
    manager = signed_in_tab(browser, base, "manager1")
    for cid, kind in zip(ids, KINDS, strict=True):
        manager.goto(f"/complaints/{cid}")
        manager.fill("#root-cause", "流量包计费规则配置错误，重复出账。")
        manager.select_option("#root-cause-kind", kind)
        manager.click("form[data-endpoint=close] button")
        expect(manager.locator("h1")).to_contain_text("已结案")

    manager.click("#nav-improvement")
    expect(manager.locator("h1")).to_contain_text("整改")
    rows = manager.locator("#pareto-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("计费差错")
    expect(rows.nth(0).locator(".count")).to_have_text("2")
    expect(rows.nth(0)).to_contain_text("66.7%")
    expect(rows.nth(1)).to_contain_text("网络故障")
    expect(rows.nth(1)).to_contain_text("100.0%")
    expect(manager.locator("#pareto-chart a.pareto-bar")).to_have_count(2)
    expect(manager.locator("#pareto-chart polyline")).to_have_count(1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    manager.screenshot(path=str(SHOTS / "improvement-pareto.png"), full_page=True)

    # The largest bar leads to the complaints behind it, which the new measure takes by default.
    manager.click("#pareto-chart a.pareto-bar[data-kind=billing_error]")
    expect(manager.locator("#behind tbody tr")).to_have_count(2)
    expect(manager.locator("#measure-kind")).to_have_value("billing_error")
    manager.fill("#measure-title", "计费规则上线前双人复核")
    manager.fill("#measure-description", "新流量包规则上线前两人分别核对出账结果。")
    manager.select_option("#measure-owner", "agent1")
    due = (datetime.now(UTC).astimezone(LOCAL).date() + timedelta(days=7)).isoformat()
    manager.fill("#measure-due", due)
    manager.click("#measure-form button[type=submit]")

    expect(manager.locator("h1")).to_contain_text("计费规则上线前双人复核")
    expect(manager.locator("#measure-notice")).to_contain_text("已制定整改措施")
    expect(manager.locator("#measure-status")).to_have_text("待办")
    expect(manager.locator("#measure-due")).to_contain_text(due)
    expect(manager.locator("#measure-complaints li")).to_have_count(2)

    # Done needs evidence: the refusal says so and keeps the choice.
    manager.select_option("#measure-new-status", "done")
    manager.click("#measure-change button[type=submit]")
    expect(manager.locator("#measure-error")).to_contain_text("整改证据")
    manager.fill("#measure-evidence-input", "已上线双人复核，培训营业员6人，复核记录见服务管理室台账。")
    manager.select_option("#measure-new-status", "done")
    manager.click("#measure-change button[type=submit]")
    expect(manager.locator("#measure-status")).to_have_text("已完成")
    expect(manager.locator("#measure-evidence")).to_contain_text("已上线双人复核")
    expect(manager.locator("#measure-history li")).to_have_count(3)

    # The effect: the two complaints received this week count in the week before completion.
    expect(manager.locator("#effect-summary")).to_contain_text("措施完成")
    expect(manager.locator("#effect-before")).to_have_text(re.compile(r"^0\.25$"))  # 2 in 8 weeks
    expect(manager.locator("#effect-chart")).to_be_visible()
    expect(manager.locator("#effect-table tbody tr")).to_have_count(9)  # 8 before, this week after
    manager.screenshot(path=str(SHOTS / "improvement-measure.png"), full_page=True)

    # The complaints behind it record the measure in their timelines.
    manager.goto(f"/complaints/{ids[0]}")
    expect(manager.locator("text=整改措施完成")).to_be_visible()
    expect(manager.locator("text=制定整改措施")).to_be_visible()
    manager.context.close()

    # An agent has no 整改 in the header and is refused the page.
    agent = signed_in_tab(browser, base, "agent2")
    expect(agent.locator("#nav-improvement")).to_have_count(0)
    agent.goto("/improvement")
    expect(agent.locator("#forbidden-message")).to_contain_text("厅经理")
    agent.context.close()
