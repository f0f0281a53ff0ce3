"""Notifications in a real browser: a manager's bell counts up without a reload when an agent
escalates a complaint and asks for an approval; the list links to the complaint; the e-mail and
the webhook arrive at real receivers, sent by the server's own dispatcher thread."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import served, signed_in_tab
from tests.receivers import SmtpSink, WebhookSink, smtp_server, webhook_server
from tousu.api.app import create_app
from tousu.demo import load_demo
from tousu.services import inbox, users
from tousu.services.actors import Actor
from tousu.settings import Settings
from tousu.storage.db import upgrade

pytestmark = pytest.mark.e2e
MANAGER_MAIL = "manager1@example.test"


@dataclass
class Site:
    base: str
    auth: dict[str, str]
    smtp: SmtpSink
    robot: WebhookSink


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('notify')) / 'tousu.db'}"
    upgrade(url)
    with smtp_server() as smtp, webhook_server() as robot:
        settings = Settings(
            database_url=url,
            secret_key="notify-e2e-secret-0123456789abcdef",
            scheduler_interval_seconds=0,
            outbox_interval_seconds=0.2,
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
        )
        app = create_app(settings, with_scheduler=True)  # the outbox dispatcher runs; the SLA sweep does not
        state = app.state.tousu
        load_demo(state.engine, settings.policy, count=0, seed=7)
        now = datetime.now(UTC)
        with state.write() as conn:
            agent = users.require_user(conn, "agent1")
            token = users.issue_token(conn, user_id=agent["id"], kind="api", now=now)
            manager = users.require_user(conn, "manager1")
            me = Actor(manager["id"], "manager1", manager["display_name"], manager["role"], manager["team"])
            chosen = inbox.Preferences(email=True, email_address=MANAGER_MAIL, webhook=True, webhook_url=robot.url)
            inbox.save_preferences(conn, actor=me, prefs=chosen, now=now)
            inbox.mark_all_read(conn, actor=me, now=now)  # what the demo data told the manager
        with served(app) as base:
            yield Site(base, {"Authorization": f"Bearer {token}"}, smtp, robot)


def _complaint(site: Site, phone: str) -> dict[str, object]:
    created = httpx.post(
        f"{site.base}/api/v1/complaints",
        headers=site.auth,
        json={
            "channel": "hall",
            "category": "billing",
            "customer": {"name": "吴女士", "phone": phone},
            "content": "重复扣费58元，要求退还。",
        },
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_the_managers_bell_counts_up_without_a_reload_and_leads_to_the_complaint(browser: Browser, site: Site) -> None:
    manager = signed_in_tab(browser, site.base, "manager1")
    manager.goto("/queue")
    expect(manager.locator("#bell")).to_be_visible()
    expect(manager.locator("#bell-count")).to_be_hidden()
    manager.evaluate("window.stillTheSamePage = true")

    escalated = _complaint(site, "13955551234")
    answer = httpx.post(
        f"{site.base}/api/v1/complaints/{escalated['id']}/escalate",
        headers=site.auth,
        json={"version": escalated["version"], "reason": "客户要求经理出面"},
    )
    assert answer.status_code == 200, answer.text
    expect(manager.locator("#bell-count")).to_have_text("1", timeout=20_000)

    pending = _complaint(site, "13955554321")
    proposal = httpx.post(
        f"{site.base}/api/v1/complaints/{pending['id']}/settlements",
        headers=site.auth,
        json={"version": pending["version"], "refund": 150, "description": "退还重复扣费并补偿"},
    )
    assert proposal.json()["status"] == "pending_approval", proposal.text
    expect(manager.locator("#bell-count")).to_have_text("2", timeout=20_000)
    assert manager.evaluate("window.stillTheSamePage") is True, "counted without reloading the page"

    mails = site.smtp.wait_for(2)
    assert {m.to[0] for m in mails} == {MANAGER_MAIL}
    assert any(str(escalated["reference"]) in m.subject and "升级" in m.subject for m in mails)
    posts = site.robot.wait_for(2)
    assert any(str(pending["reference"]) in p["text"]["content"] for p in posts)

    manager.click("#bell")
    expect(manager).to_have_url(f"{site.base}/notifications")
    item = manager.locator("#notifications li", has_text=str(pending["reference"]))
    expect(item).to_contain_text("待我审批")
    item.locator("button.open").click()
    expect(manager).to_have_url(f"{site.base}/complaints/{pending['id']}")
    expect(manager.locator("#bell-count")).to_have_text("1", timeout=20_000)

    manager.goto("/notifications")
    expect(manager.locator("#notifications li.unread")).to_have_count(1)
    manager.click("#read-all")
    expect(manager.locator("#notifications li.unread")).to_have_count(0)
    expect(manager.locator("#bell-count")).to_be_hidden()
    manager.context.close()
