"""What staff read is Chinese: no internal codes, field names or UTC timestamps on the complaint page
after a whole workflow or on any knowledge-base page; the copy buttons can be seen; the read-back on
saving confirms the facts and the demand without repeating the customer's threats."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import SHOTS, log_in, served
from tousu import web
from tousu.api.app import create_app
from tousu.demo import DEMO_PASSWORD, load_demo
from tousu.domain.codes import Category, Channel, Demand, Role, UrgencyType
from tousu.domain.workflow import Status
from tousu.knowledge import KINDS, load_knowledge_base
from tousu.services import sla, users
from tousu.settings import Settings
from tousu.storage.db import create_db_engine, upgrade

pytestmark = pytest.mark.e2e

THREATENING = "你们上个月乱扣我话费30元还不认账，再不退钱我就去工信部投诉，还要发到网上曝光！"
# Identifier-like tokens a person should never read: snake_case names, UTC/ISO timestamps, and the
# codes of the domain's tables as whole words.
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|[+-]00:00\b")
CODES = frozenset(code.value for table in (Category, Channel, Demand, Role, UrgencyType, Status) for code in table)
RAW_CODE = re.compile(r"(?<![A-Za-z0-9])[a-z][a-z0-9]*(?![A-Za-z0-9])")


def internal_tokens(text: str) -> list[str]:
    found = SNAKE.findall(text) + ISO_TIME.findall(text)
    found += [word for word in RAW_CODE.findall(text) if word in CODES]
    return found


class _VisibleText(HTMLParser):
    """The text of a page a person sees: no scripts, styles or attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('plain') / 'tousu.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    settings = Settings(
        database_url=database_url, secret_key="plain-e2e-secret-0123456789abcdef", scheduler_interval_seconds=0
    )
    app = create_app(settings, with_scheduler=False)
    web.register(app)
    load_demo(app.state.tousu.engine, settings.policy, count=30, seed=11)
    with served(app) as url:
        yield url


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, timezone_id="Asia/Shanghai", locale="zh-CN", base_url=server
    )
    tab = context.new_page()
    yield tab
    context.close()


def api_client(server: str, database_url: str, username: str) -> httpx.Client:
    engine = create_db_engine(database_url)
    with engine.begin() as conn:
        user_id = users.require_user(conn, username)["id"]
        token = users.issue_token(conn, user_id=user_id, kind="api", now=datetime.now(UTC))
    engine.dispose()
    return httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _act(client: httpx.Client, complaint_id: int, action: str, **fields: object) -> dict[str, object]:
    version = client.get(f"/api/v1/complaints/{complaint_id}").json()["version"]
    response = client.post(f"/api/v1/complaints/{complaint_id}/{action}", json={"version": version, **fields})
    assert response.status_code in (200, 201), (action, response.text)
    body: dict[str, object] = response.json()
    return body


def whole_workflow(server: str, database_url: str) -> int:
    """A complaint taken from intake to closing, with every kind of step a timeline records."""
    with api_client(server, database_url, "agent1") as agent, api_client(server, database_url, "manager1") as manager:
        created = agent.post(
            "/api/v1/complaints",
            json={
                "channel": "hall",
                "customer": {"name": "钱女士", "phone": "13900005555"},
                "content": THREATENING,
                "claimed_amount": 30,
            },
        )
        assert created.status_code == 201, created.text
        complaint_id = int(created.json()["id"])
        _act(agent, complaint_id, "start")
        _act(agent, complaint_id, "wait-customer", waiting_for="话费详单截图")
        _act(agent, complaint_id, "resume")
        # Past the agent's gift limit: the manager approves it.
        settlement = _act(
            agent, complaint_id, "settlements", refund=30, gift=30, description="退还多扣话费，赠送流量包致歉"
        )
        decided = manager.post(
            f"/api/v1/settlements/{settlement['id']}/decision", json={"approve": True, "comment": "同意"}
        )
        assert decided.status_code == 200, decided.text
        version = manager.get(f"/api/v1/complaints/{complaint_id}").json()["version"]
        patched = manager.patch(
            f"/api/v1/complaints/{complaint_id}",
            json={"version": version, "category": "billing", "emotion": "angry", "work_quality": True},
        )
        assert patched.status_code == 200, patched.text
        _act(manager, complaint_id, "hand-over", username="agent2", note="请继续跟进退费")
        _act(manager, complaint_id, "escalate", reason="客户要求领导出面")
        _act(manager, complaint_id, "reply", reply="经核实确有多扣，已为您退还30元。", settlement_confirmed=True)
        _act(manager, complaint_id, "follow-up", satisfaction="satisfied", comments="满意")
        _act(
            manager,
            complaint_id,
            "close",
            root_cause="计费系统重复扣费",
            responsible_person="计费班组",
            improvement_measure="上线重复扣费核对",
        )
    return complaint_id


def test_the_complaint_page_after_a_whole_workflow_speaks_chinese(page: Page, server: str, database_url: str) -> None:
    complaint_id = whole_workflow(server, database_url)
    # An overdue complaint the deadline sweep escalates: its timeline names the role, not its code.
    engine = create_db_engine(database_url)
    with api_client(server, database_url, "agent1") as agent:
        late = agent.post(
            "/api/v1/complaints",
            json={
                "channel": "hotline",
                "customer": {"name": "周先生", "phone": "13900006666"},
                "content": "宽带一直断网，修了也没用。",
            },
        ).json()["id"]
    with engine.begin() as conn:
        swept = sla.sweep(conn, now=datetime.now(UTC) + timedelta(days=30), policy=Settings().policy)
    assert swept["escalated"] >= 1
    engine.dispose()

    log_in(page, "manager1")
    for shown in (complaint_id, late):
        page.goto(f"/complaints/{shown}")
        expect(page.locator("ol.timeline li").first).to_be_visible()
        text = page.inner_text("main")
        assert internal_tokens(text) == [], (shown, internal_tokens(text))
    page.goto(f"/complaints/{complaint_id}")
    timeline = page.inner_text("ol.timeline")
    assert "答复时间" in timeline and re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", timeline)
    assert "林志强" in timeline and "agent2" not in timeline  # people by their names
    page.goto(f"/complaints/{late}")
    assert "负责岗位：" in page.inner_text("ol.timeline")  # the rung's role, named
    page.screenshot(path=str(SHOTS / "complaint-timeline-chinese.png"), full_page=True)


def test_every_demo_complaint_page_speaks_chinese(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert token is not None
        client.post("/login", data={"username": "director1", "password": DEMO_PASSWORD, "csrf_token": token.group(1)})
        listed = client.get("/queue?status=all").text
        ids = sorted({int(found) for found in re.findall(r'href="/complaints/(\d+)"', listed)})
        assert len(ids) >= 10
        for complaint_id in ids:
            text = visible_text(client.get(f"/complaints/{complaint_id}").text)
            assert internal_tokens(text) == [], (complaint_id, internal_tokens(text))


def test_every_knowledge_base_page_speaks_chinese(server: str) -> None:
    kb = load_knowledge_base()
    with httpx.Client(base_url=server, timeout=30) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert token is not None
        client.post("/login", data={"username": "agent1", "password": DEMO_PASSWORD, "csrf_token": token.group(1)})
        paths = ["/knowledge", *(f"/knowledge?kind={kind}" for kind in KINDS)]
        paths += [f"/knowledge/{kind}/{key}" for kind in KINDS for key in kb.entries(kind)]
        assert len(paths) > 100
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            text = visible_text(response.text)
            leaks = internal_tokens(text) + re.findall(r"\{[^{}\s]{1,8}\}|\(\?|\\d|\[\^", text)
            assert leaks == [], (path, leaks)
        strategy = visible_text(client.get("/knowledge/demand/refund").text)
        assert "退费" in strategy and "【金额】" in strategy  # slots read as blanks to fill in


def _contrast(tab: Page, selector: str) -> float:
    """The WCAG contrast ratio of an element's text against the background it is drawn on."""
    ratio: float = tab.evaluate(
        """(selector) => {
        const node = document.querySelector(selector);
        const rgb = (value) => value.match(/[\\d.]+/g).map(Number);
        const luminance = ([r, g, b]) => {
          const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
          return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
        };
        let back = node;
        let colour = getComputedStyle(back).backgroundColor;
        while (back && (colour === "transparent" || rgb(colour)[3] === 0)) {
          back = back.parentElement;
          colour = back ? getComputedStyle(back).backgroundColor : "rgb(255, 255, 255)";
        }
        const [a, b] = [luminance(rgb(getComputedStyle(node).color)), luminance(rgb(colour))];
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      }""",
        selector,
    )
    return ratio


def test_the_copy_button_beside_each_script_can_be_read(page: Page) -> None:
    log_in(page, "agent1")
    page.goto("/complaints/new")
    page.fill("#content", THREATENING)
    copy = page.locator("#analysis-panel blockquote button").first
    expect(copy).to_have_text("复制", timeout=30_000)
    assert _contrast(page, "#analysis-panel blockquote button") >= 4.5
    assert _contrast(page, ".top button.link") >= 4.5  # the log-out button on the dark header stays light
    page.fill("#phone", "13900008888")
    page.fill("#name", "郑先生")
    page.click("#save")
    page.click("#result a")
    page.wait_for_load_state()
    expect(page.locator("#advice blockquote button.copy").first).to_have_text("复制")
    assert _contrast(page, "#advice blockquote button.copy") >= 4.5


def test_the_read_back_confirms_the_facts_and_the_demand_without_the_threats(page: Page) -> None:
    log_in(page, "agent1")
    page.goto("/complaints/new")
    page.fill("#phone", "13900007777")
    page.fill("#name", "吴女士")
    page.fill("#content", THREATENING)
    page.fill("#occurred_at", "2026-11-05T09:30")
    page.fill("#claimed_amount", "30")
    page.check("input[name=demands][value=refund]")  # the demand the agent heard and recorded
    page.click("#save")
    page.wait_for_selector("#result:not([hidden])")
    readback = page.text_content("#result .readback") or ""
    deadline = re.search(r"答复时限：(\d{4}-\d{2}-\d{2} \d{2}:\d{2})", page.text_content("#result .deadline") or "")
    assert deadline is not None
    assert readback.startswith("吴女士，您好")
    assert "2026-11-05" in readback and "30.00 元" in readback
    assert "退还费用" in readback  # what was asked
    assert f"{deadline.group(1)} 前给您答复" in readback  # what happens next, by when
    assert re.search(r"TS\d{8}-\d{6}", readback)
    for threat in ("工信部", "曝光", "投诉到", "媒体", "越级"):
        assert threat not in readback, threat
    assert internal_tokens(readback) == []


def test_the_read_back_names_only_the_demands_the_agent_recorded(page: Page) -> None:
    """The analyzer's guess at a demand is a suggestion for the agent; read back to the customer
    as theirs, a demand they never made starts an argument."""
    log_in(page, "agent1")
    page.goto("/complaints/new")
    page.fill("#phone", "13900007778")
    page.fill("#name", "钱先生")
    page.fill("#content", "你们乱扣我话费30元，必须退钱，还要赔偿我的损失，叫你们领导出来！")
    page.wait_for_selector("#analysis-panel dl")
    page.check("input[name=demands][value=refund]")
    page.click("#save")
    page.wait_for_selector("#result:not([hidden])")
    readback = page.text_content("#result .readback") or ""
    assert "您的要求是退还费用" in readback
    for guessed in ("赔偿", "领导", "负责人"):
        assert guessed not in readback, guessed


def test_the_read_back_puts_a_claim_in_the_customers_words_not_our_label(page: Page) -> None:
    log_in(page, "agent1")
    page.goto("/complaints/new")
    page.fill("#phone", "13900007779")
    page.fill("#name", "孙先生")
    page.fill("#content", "小区宽带断网三天了，耽误我在家办公，要求赔偿。")
    page.check("input[name=demands][value=high_compensation]")
    page.click("#save")
    page.wait_for_selector("#result:not([hidden])")
    readback = page.text_content("#result .readback") or ""
    assert "您的要求是赔偿损失" in readback and "高额" not in readback
