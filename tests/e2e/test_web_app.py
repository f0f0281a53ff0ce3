"""The staff web application in a real browser against a real server and database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import SHOTS, log_in, served
from tousu import web
from tousu.api.app import create_app
from tousu.demo import DEMO_PASSWORD, load_demo
from tousu.domain.codes import Role
from tousu.services import users
from tousu.settings import Settings
from tousu.storage.db import create_db_engine, upgrade
from tousu.web import knowledge, pages

pytestmark = pytest.mark.e2e


def web_pages() -> list[str]:
    """Every page of the web application (all but the login page), with sample path parameters."""
    routes = [*pages.router.routes, *knowledge.router.routes]
    paths = [route.path for route in routes if "GET" in getattr(route, "methods", set())]
    return [re.sub(r"\{[a-z_]+\}", "1", path) for path in paths]


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'tousu.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    url = database_url
    settings = Settings(database_url=url, secret_key="web-e2e-secret-0123456789abcdef", scheduler_interval_seconds=0)
    app = create_app(settings, with_scheduler=False)
    web.register(app)
    web.register(app)  # a second call must be harmless
    load_demo(app.state.tousu.engine, settings.policy, count=40, seed=7)
    with served(app) as url:
        yield url


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, timezone_id="Asia/Shanghai", locale="zh-CN", base_url=server
    )
    tab = context.new_page()
    yield tab
    context.close()


def shot(tab: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"))


def login_form_token(client: httpx.Client) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found is not None
    return found.group(1)


def test_every_page_sends_an_anonymous_visitor_to_the_login_page(server: str) -> None:
    with httpx.Client(base_url=server, follow_redirects=False) as client:
        paths = web_pages()
        assert {"/queue", "/complaints/new", "/complaints/1", "/dashboard", "/knowledge"} <= set(paths)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next="), path


def test_an_expired_session_goes_to_the_login_page_with_a_clear_message(server: str, database_url: str) -> None:
    engine = create_db_engine(database_url)
    with engine.begin() as conn:
        user_id = users.require_user(conn, "agent1")["id"]
        token = users.issue_token(
            conn, user_id=user_id, kind="session", now=datetime.now(UTC) - timedelta(hours=9), ttl=timedelta(hours=8)
        )
    engine.dispose()
    for cookie in (token, "tsu_forged"):
        with httpx.Client(base_url=server, cookies={"tousu_session": cookie}) as client:
            response = client.get("/complaints/1", follow_redirects=False)
            assert response.status_code == 303
            assert response.headers["location"] == "/login?next=%2Fcomplaints%2F1&reason=expired"
            assert "登录已过期，请重新登录" in client.get(response.headers["location"]).text


def test_a_form_post_without_the_csrf_token_is_refused(server: str) -> None:
    with httpx.Client(base_url=server) as client:
        client.get("/login")
        response = client.post("/login", data={"username": "agent1", "password": DEMO_PASSWORD})
        assert response.status_code == 403
        assert "tousu_session" not in client.cookies


def test_browsers_get_a_csrf_cookie_and_api_clients_do_not(server: str, database_url: str) -> None:
    engine = create_db_engine(database_url)
    with engine.begin() as conn:
        user = users.get_by_username(conn, "agent1")
        assert user is not None
        token = users.issue_token(conn, user_id=user["id"], kind="api", now=datetime.now(UTC))
    engine.dispose()
    with httpx.Client(base_url=server) as client:
        first = client.get("/login")
        minted = [c for c in first.headers.get_list("set-cookie") if c.startswith("tousu_csrf=")]
        assert len(minted) == 1 and "httponly" in minted[0].lower()
        assert "tousu_csrf" not in " ".join(client.get("/login").headers.get_list("set-cookie"))  # kept, not re-minted
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"}) as api:
        listed = api.get("/api/v1/complaints")
        assert listed.status_code == 200 and not listed.headers.get_list("set-cookie")


def test_a_cookie_authenticated_api_write_without_the_csrf_header_is_refused(server: str) -> None:
    with httpx.Client(base_url=server) as client:
        token = login_form_token(client)
        response = client.post("/login", data={"username": "agent1", "password": DEMO_PASSWORD, "csrf_token": token})
        assert response.status_code == 303 and "tousu_session" in client.cookies
        session_cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("tousu_session="))
        assert "httponly" in session_cookie.lower() and "samesite=lax" in session_cookie.lower()
        body = {"version": 1}
        refused = client.post("/api/v1/complaints/1/start", json=body)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "csrf_failed"
        stale = client.post("/api/v1/complaints/1/start", json=body, headers={"X-CSRF-Token": token})
        assert stale.status_code == 403  # the login page's token: bound to the session before this one
        page = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/", follow_redirects=True).text)
        assert page is not None
        allowed = client.post("/api/v1/complaints/1/start", json=body, headers={"X-CSRF-Token": page.group(1)})
        assert allowed.status_code != 403


def test_repeated_wrong_passwords_are_throttled(server: str) -> None:
    with httpx.Client(base_url=server) as client:
        token = login_form_token(client)
        codes = [
            client.post(
                "/login", data={"username": "manager2", "password": "wrong-password", "csrf_token": token}
            ).status_code
            for _ in range(6)
        ]
        assert codes == [401] * 5 + [429]
        assert (
            "登录失败次数过多"
            in client.post("/login", data={"username": "manager2", "password": DEMO_PASSWORD, "csrf_token": token}).text
        )


def test_a_wrong_password_shows_a_clear_message(page: Page) -> None:
    log_in(page, "agent1", password="not-the-password", refused=True)
    assert "用户名或密码错误" in page.text_content("#login-error")
    shot(page, "login-wrong-password")


def test_the_agent_sees_the_queue_and_the_batch_banner(page: Page) -> None:
    log_in(page, "agent1")
    assert page.url.endswith("/queue")
    rows = page.locator("table.queue tbody tr a")
    assert rows.count() > 0
    banner = page.locator(".banner")
    assert "批量投诉预警" in banner.first.text_content()
    assert page.locator(".countdown").first.text_content().startswith(("剩余", "已超时"))
    shot(page, "queue")
    banner.first.get_by_role("link", name="在工作台中筛选该批投诉").click()
    page.wait_for_load_state()
    assert "batch_id=" in page.url
    assert page.locator("table.queue tbody tr a").count() >= 10


def test_logout_ends_the_session(page: Page) -> None:
    log_in(page, "agent1")
    page.click("text=退出")
    page.wait_for_load_state()
    assert "您已安全退出" in page.content()
    page.goto("/queue")
    assert "/login" in page.url


def test_an_agent_records_a_complaint_and_reads_back_the_reference(page: Page) -> None:
    log_in(page, "agent1")
    page.goto("/complaints/new")
    page.fill("#phone", "13900001111")
    page.fill("#content", "宽带从周一开始断网，报修两次没人来，要求退这几天的费用。")
    page.click("#save")
    page.wait_for_selector("[data-error-for='customer.name']:has-text('请填写客户称呼')")
    assert page.input_value("#content").startswith("宽带从周一开始断网")
    expect(page.locator("#analysis-panel.muted")).to_have_count(0, timeout=30_000)  # no string eval: CSP
    panel = page.text_content("#analysis-panel") or ""
    assert "类别" in panel or "分析器不可用" in panel
    page.fill("#name", "李女士")
    page.fill("#claimed_amount", "30")
    page.click("#save")
    page.wait_for_selector("#result:not([hidden])")
    assert re.search(r"受理编号：TS\d{8}-\d{6}", page.text_content("#result .reference"))
    assert re.search(r"答复时限：\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page.text_content("#result .deadline"))
    assert "李女士，您好" in page.text_content("#result .readback")
    shot(page, "intake-saved")


def test_a_script_in_the_complaint_text_stays_text(page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, "agent1")
    page.goto("/complaints/new")
    hostile = "<script>alert('xss')</script><img src=x onerror=alert(2)>扣费不明"
    page.fill("#phone", "13900002222")
    page.fill("#name", "<b>赵先生</b>")
    page.fill("#content", hostile)
    page.click("#save")
    page.wait_for_selector("#result:not([hidden])")
    assert "<b>赵先生</b>" in page.text_content("#result .readback")  # the read-back shows the name as typed
    page.click("#result a")
    page.wait_for_load_state()
    assert hostile in page.text_content(".content")
    page.goto("/queue?q=扣费不明")
    assert "<script>" in page.text_content("table.queue")
    assert page.locator("table.queue img").count() == 0
    assert dialogs == []


def _record(tab: Page, content: str) -> None:
    tab.goto("/complaints/new")
    tab.fill("#phone", "13900003333")
    tab.fill("#name", "孙女士")
    tab.fill("#content", content)
    tab.click("#save")
    tab.wait_for_selector("#result:not([hidden])")
    tab.click("#result a")
    tab.wait_for_load_state()


def test_the_complaint_page_walks_the_workflow_and_reports_conflicts(page: Page, browser: Browser, server: str) -> None:
    log_in(page, "agent1")
    _record(page, "上个月的流量包重复扣了两次，一共多扣了40元，要求退还。")
    url = page.url
    assert "开始处理" in page.text_content(".actions")
    assert "结案" not in page.text_content(".actions")
    other = page.context.new_page()
    other.goto(url)

    assert "我来处理" not in page.text_content(".actions")  # the agent who recorded it already owns it
    page.click("summary:has-text('开始处理')")
    page.click("form[data-endpoint=start] button")
    page.wait_for_selector("h1:has-text('处理中')")
    other.click("summary:has-text('开始处理')")
    other.click("form[data-endpoint=start] button")
    other.wait_for_selector("#action-error:not([hidden])")
    assert "刚被他人更新" in other.text_content("#action-error")
    other.close()

    page.click("summary:has-text('提出处理方案')")
    page.fill("#refund", "200")
    page.fill("#settle-desc", "退还重复扣费并补偿")
    page.click("form[data-endpoint=settlements] button")
    page.wait_for_selector("#action-notice:not([hidden])")
    assert "审批" in page.text_content("#action-notice")
    page.wait_for_selector("text=待审批")

    page.fill("#reply-text", "这是规定，我也没办法。")
    page.click("#check-reply")
    page.wait_for_selector("#check-result p")
    assert re.search(r"质检得分 \d+|质检不可用", page.text_content("#check-result") or "")
    page.fill("#reply-text", "经核实确有重复扣费，已为您办理退还。")
    page.click("form[data-endpoint=reply] button[type=submit]")
    page.wait_for_selector("form[data-endpoint=follow-up]")
    assert "已答复" in page.text_content("h1")
    assert "经核实确有重复扣费" in page.text_content(".timeline")
    shot(page, "complaint-replied")

    manager = browser.new_context(
        viewport={"width": 1366, "height": 768}, base_url=server, timezone_id="Asia/Shanghai"
    ).new_page()
    log_in(manager, "manager1")
    manager.goto(url)
    manager.click("form.decision button.primary")
    manager.wait_for_selector("text=已批准")
    manager.context.close()


def test_a_dissatisfied_follow_up_closes_only_with_a_reason_asked_for_in_chinese(page: Page) -> None:
    log_in(page, "agent1")
    _record(page, "宽带连续三天断网，要求减免这几天的月租。")
    page.fill("#reply-text", "经核实线路故障已修复，已为您减免三天月租。")
    page.click("form[data-endpoint=reply] button[type=submit]")
    page.wait_for_selector("form[data-endpoint=follow-up]")
    page.select_option("#satisfaction", "dissatisfied")
    page.click("form[data-endpoint=follow-up] button")
    page.wait_for_selector("#dissatisfied-note")
    page.fill("#root-cause", "小区光交箱进水")
    page.click("form[data-endpoint=close] button")
    # Said by the page beside the field, in Chinese, not in a browser tooltip; nothing is sent.
    expect(page.locator("#close-reason + .field-error")).to_have_text("请填写结案理由。")
    expect(page.locator("h1")).to_contain_text("已回访")
    page.fill("#close-reason", "已按规定减免，客户另要的赔偿没有依据，已当面说明")
    expect(page.locator("#close-reason + .field-error")).to_have_text("")
    page.click("form[data-endpoint=close] button")
    expect(page.locator("h1")).to_contain_text("已结案")
    expect(page.locator(".timeline")).to_contain_text("结案理由（回访不满意）")


def test_a_mistyped_address_is_named_in_chinese_beside_its_field(page: Page) -> None:
    log_in(page, "manager1")
    page.goto("/notifications/preferences")
    page.fill("input[name=email_address]", "manager1-at-example")
    page.click("#preferences-form button[type=submit]")
    expect(page.locator("input[name=email_address] + .field-error")).to_contain_text("电子邮件地址格式不对")
    assert page.url.endswith("/notifications/preferences")
    # One the browser lets through is refused by the server, also beside the field.
    page.fill("input[name=email_address]", "zhang@localhost")
    page.click("#preferences-form button[type=submit]")
    expect(page.locator("#email-error")).to_contain_text("电子邮箱格式不正确")


def test_the_manager_dashboard_charts_the_overview_and_links_to_the_queue(page: Page) -> None:
    log_in(page, "director1")
    page.goto("/dashboard")
    today = int(page.text_content("#period-today .total"))
    week = int(page.text_content("#period-week .total"))
    assert 0 < today <= week
    assert page.locator("#period-week svg.bar-chart rect").count() >= 3
    assert "批量" in page.get_attribute("#week-urgency svg", "aria-label")
    assert int(page.text_content("#kpi-batches")) >= 1
    assert re.fullmatch(r"\d+", page.text_content("#kpi-at-risk").strip())
    assert "96%" in page.text_content("#silent-note")
    assert int(page.text_content("#silent-estimate")) == week * 24
    shot(page, "dashboard")
    page.click("#kpi-overdue a")
    page.wait_for_load_state()
    assert "overdue=1" in page.url


def test_an_agent_is_told_plainly_that_the_dashboard_is_for_managers(page: Page) -> None:
    log_in(page, "agent1")
    assert page.locator("nav a[href='/dashboard']").count() == 0
    response = page.goto("/dashboard")
    assert response is not None and response.status == 403
    assert "仅限厅经理及以上" in page.text_content("#forbidden-message")
    shot(page, "dashboard-forbidden")


def test_the_knowledge_base_can_be_searched_and_read(page: Page) -> None:
    log_in(page, "agent1")
    page.goto("/knowledge?q=破唱片")
    page.click("table a >> nth=0")
    page.wait_for_load_state()
    assert "破唱片机法" in page.text_content("h1")
    assert "步骤" in page.text_content("dl.facts")


def _unlabelled(tab: Page, scope: str) -> list[str]:
    """Names of the form fields under `scope` that a screen reader could not name."""
    return tab.evaluate(
        """(scope) => Array.from(document.querySelectorAll(
        `${scope} input:not([type=hidden]), ${scope} select, ${scope} textarea`))
        .filter((el) => !el.labels || el.labels.length === 0).map((el) => el.name)""",
        scope,
    )


def test_pages_fit_a_tablet_without_sideways_scrolling(browser: Browser, server: str) -> None:
    context = browser.new_context(
        viewport={"width": 768, "height": 1024},
        timezone_id="Asia/Shanghai",
        locale="zh-CN",
        base_url=server,
        has_touch=True,
    )
    tab = context.new_page()
    log_in(tab, "manager1")
    for path, name in (
        ("/queue", "tablet-queue"),
        ("/complaints/new", "tablet-intake"),
        ("/complaints/1", "tablet-complaint"),
        ("/dashboard", "tablet-dashboard"),
    ):
        tab.goto(path)
        overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px too wide"  # the queue's table scrolls inside itself
        shot(tab, name)
    facts, actions = tab.goto("/complaints/1") and (
        tab.locator("#facts-title").bounding_box(),
        tab.locator("#actions-title").bounding_box(),
    )
    assert facts is not None and actions is not None and actions["y"] > facts["y"]  # one column on a tablet
    context.close()


def test_on_a_phone_only_the_queues_table_scrolls_sideways(browser: Browser, server: str) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        timezone_id="Asia/Shanghai",
        locale="zh-CN",
        base_url=server,
        has_touch=True,
        is_mobile=True,
    )
    tab = context.new_page()
    log_in(tab, "manager1")
    for path in ("/improvement", "/todo", "/reports", "/queue"):
        tab.goto(path)
        page = tab.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert page[0] <= page[1], f"{path} is {page[0]}px wide on a {page[1]}px phone"
    box = tab.locator("#queue-scroll")
    wide, shown = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert wide > shown  # the table keeps its columns and scrolls in its own box
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    assert box.evaluate("b => b.scrollLeft") > 0
    shot(tab, "phone-queue")
    context.close()


def test_the_keyboard_reaches_the_intake_fields_in_order(page: Page) -> None:
    log_in(page, "agent1")
    page.goto("/complaints/new")
    assert page.evaluate("document.activeElement.id") == "phone"  # the call starts with the number
    order = ["phone"]
    for _ in range(16):  # the date-time input has a tab stop per part: count each field once
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id")
        if focused != order[-1]:
            order.append(focused)
        if focused == "topic":
            break
    assert order == ["phone", "name", "content", "claimed_amount", "occurred_at", "category", "topic"]
    assert _unlabelled(page, "#intake") == []


def test_an_amount_typed_in_conversation_order_lands_in_the_amount(page: Page) -> None:
    log_in(page, "agent1")
    page.goto("/complaints/new")
    page.keyboard.type("13900008888")
    page.keyboard.press("Tab")
    page.keyboard.type("周女士")
    page.keyboard.press("Tab")
    page.keyboard.type("话费里多扣了一笔增值业务费，我从来没订过，要求退还。")
    page.keyboard.press("Tab")
    page.keyboard.type("30")
    expect(page.locator("#claimed_amount")).to_have_value("30")
    assert page.input_value("#occurred_at") == ""
    page.click("#save")
    page.wait_for_selector("#result:not([hidden])")
    assert "涉及金额 30.00 元" in (page.text_content("#result .readback") or "")
    page.click("#result a")
    page.wait_for_load_state()
    assert "30.00 元" in (page.text_content("dl.facts") or "")


def test_every_complaint_form_field_has_a_label(page: Page) -> None:
    log_in(page, "manager1")
    page.goto("/complaints/1")
    assert page.locator(".actions textarea").count() >= 5
    assert _unlabelled(page, ".actions") == []


def test_a_manager_corrects_hands_over_and_links_from_the_complaint_page(page: Page) -> None:
    log_in(page, "agent1")
    _record(page, "宽带每天晚上都断网，已经报修三次了，要求尽快修好。")
    first = page.url
    _record(page, "家里宽带还是断，上次报修后一直没人处理。")
    second_id = page.url.rsplit("/", 1)[1]
    log_in(page, "manager1")
    page.goto(first)

    page.click("summary:has-text('更正分类')")
    page.select_option("#fix-category", "network")
    page.check("#details-form input[name=work_quality]")
    page.fill("#fix-root-cause", "片区光缆老化")
    page.click("#details-form button[type=submit]")
    page.wait_for_selector("ol.timeline :text('更正信息')")
    assert "网络" in page.text_content("dl.facts")

    page.click("summary:has-text('关联或合并投诉')")
    page.select_option("#link-other", second_id)
    page.click("form[data-endpoint=links] button[type=submit]")
    page.wait_for_selector("ol.timeline :text('关联投诉')")

    page.click("summary:has-text('移交责任')")
    # People grouped by hall, the complaint's own first: a province has hundreds of them.
    halls = page.eval_on_selector_all("#handover-user optgroup", "groups => groups.map(g => g.label)")
    team = page.text_content("dl.facts dd:has-text('（')") or ""
    assert len(halls) >= 2 and halls[0].endswith("（本投诉所属）") and halls[0].split("（")[0] in team
    page.select_option("#handover-user", "agent2")
    page.click("form[data-endpoint=hand-over] button[type=submit]")
    assert page.evaluate("document.getElementById('handover-note').validity.valueMissing")  # required: not sent
    page.fill("#handover-note", "该片区由林志强跟进")
    page.click("form[data-endpoint=hand-over] button[type=submit]")
    page.wait_for_selector("ol.timeline :text('移交责任')")
    assert "林志强" in page.text_content("dl.facts")
    shot(page, "complaint-handed-over")


def test_a_hand_over_to_another_hall_leaves_for_the_workbench_saying_so(page: Page, database_url: str) -> None:
    engine = create_db_engine(database_url)
    with engine.begin() as conn:  # a 湖里 manager of its own (the throttling test locks manager2 out)
        users.add_user(
            conn,
            username="manager3",
            password=DEMO_PASSWORD,
            role=Role.MANAGER,
            team="湖里营业厅",
            display_name="何志明",
            now=datetime.now(UTC),
        )
    engine.dispose()
    log_in(page, "agent3")  # 湖里营业厅
    _record(page, "宽带晚上经常断网，报修后说是思明那边的线路问题。")
    complaint = page.url
    log_in(page, "manager3")  # 湖里's manager, who did not receive it
    page.goto(complaint)
    page.click("summary:has-text('移交责任')")
    offered = page.eval_on_selector_all("#handover-user option", "options => options.map(o => o.textContent)")
    assert "张建国" in offered and "陈晓燕" not in offered  # another hall: its manager, not its agents
    page.select_option("#handover-user", "manager1")
    page.fill("#handover-note", "线路属思明片区，请安排处理")
    page.click("form[data-endpoint=hand-over] button[type=submit]")
    notice = page.wait_for_selector("#action-notice:not([hidden])")
    assert "已移交至思明营业厅" in notice.inner_text() and "不在您的查看范围内" in notice.inner_text()
    page.wait_for_url(lambda url: not url.endswith(complaint.rsplit("/", 1)[1]), timeout=10_000)
    assert "/complaints/" not in page.url


def test_what_was_typed_survives_a_lost_session(page: Page) -> None:
    log_in(page, "agent1")
    page.goto("/complaints/new")
    page.fill("#phone", "13911112222")
    page.fill("#name", "赵女士")
    page.fill("#content", "宽带三天没网了，报修两次没人来，要求减免这几天的费用。")
    page.context.clear_cookies(name="tousu_session")
    page.click("#save")
    page.wait_for_url(re.compile(r"/login\?.*reason=expired"))
    page.fill("#username", "agent1")  # on the login page that remembers where we were
    page.fill("#password", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(r"/complaints/new"))
    expect(page.locator("#content")).to_have_value("宽带三天没网了，报修两次没人来，要求减免这几天的费用。")
    expect(page.locator("#name")).to_have_value("赵女士")
    expect(page.locator(".notice").first).to_contain_text("已恢复")


def test_the_complaint_page_shows_what_to_do_and_say(page: Page) -> None:
    log_in(page, "agent1")
    _record(page, "你们乱扣我话费还不认账，再不退钱我就去工信部投诉，还要发到网上曝光！")
    advice = page.locator("#advice")
    expect(advice).to_contain_text("越级风险")
    expect(advice).to_contain_text("建议：")
    expect(advice.locator("blockquote").first).to_be_visible()
    shot(page, "complaint-advice")


def test_only_the_admin_sees_the_configuration(page: Page) -> None:
    log_in(page, "admin1")
    page.goto("/admin/config")
    expect(page.locator("h1")).to_contain_text("系统配置")
    expect(page.locator("#sla-title")).to_be_visible()
    expect(page.locator("main")).to_contain_text("48")  # the default reply time
    shot(page, "admin-config")
    page.context.clear_cookies()
    log_in(page, "manager1")
    response = page.goto("/admin/config")
    assert response is not None and response.status == 403
    expect(page.locator("main")).to_contain_text("仅限系统管理员")


def test_the_intake_panel_checks_the_appeal_time_limit_and_copies_scripts(page: Page) -> None:
    log_in(page, "agent1")
    page.goto("/complaints/new")
    page.fill("#occurred_at", "2025-01-05T10:00")
    page.fill("#content", "去年一月份的话费多扣了我两百块，你们到现在也没给说法，我要求退钱。")
    panel = page.locator("#analysis-panel")
    # The appeal limit binds appeals to the regulator: it is a note, never a reason to turn the customer away.
    expect(panel).to_contain_text("申诉时限提示：话费争议发生已超过5个月")
    expect(panel).to_contain_text("本投诉照常受理")
    expect(panel.locator("blockquote button").first).to_have_text("复制")


def test_an_unsure_category_is_offered_for_the_agent_to_pick_not_filled_in(page: Page) -> None:
    log_in(page, "agent1")
    page.goto("/complaints/new")
    page.fill("#content", "麻烦帮我看一下")  # no matter named: the analyzer cannot tell
    choices = page.locator("[data-role='category-choices']")
    expect(choices).to_contain_text("类别待确认")
    page.click("text=采用诉求（类别请选择）")
    assert page.input_value("#category") == ""
    first = choices.locator("button").first
    label = first.text_content() or ""
    first.click()
    assert page.locator("#category option:checked").text_content() == label


def test_a_similar_open_complaint_of_the_same_number_is_pointed_out(page: Page) -> None:
    log_in(page, "agent1")
    page.goto("/complaints/new")
    page.fill("#phone", "13900007777")
    page.fill("#name", "钱先生")
    page.fill("#content", "家里宽带晚上老是断线，已经报修过一次了。")
    page.select_option("#category", "network")
    page.click("#save")
    page.wait_for_selector("#result:not([hidden])")
    reference = (page.text_content("#result .reference") or "").removeprefix("受理编号：").strip()

    page.goto("/complaints/new")
    page.fill("#phone", "13900007777")
    warning = page.locator("#open-similar")
    expect(warning).to_contain_text(f"该号码已有未结投诉 {reference}（网络/信号）", timeout=10_000)
    expect(warning).to_contain_text("可能是同一问题")
    page.select_option("#category", "billing")  # another problem of the same caller: no warning
    expect(warning).to_be_hidden()
    page.select_option("#category", "network")
    expect(warning).to_be_visible()
    assert (warning.locator("a").get_attribute("href") or "").startswith("/complaints/")
    assert page.evaluate("document.activeElement.id") == "phone"  # the warning took no focus
    shot(page, "intake-similar-open")


def test_a_reply_typed_during_someone_elses_save_survives_the_conflict(page: Page) -> None:
    log_in(page, "agent1")
    _record(page, "手机套餐被改了，没有经过我同意，要求恢复原套餐。")
    url = page.url
    other = page.context.new_page()
    other.goto(url)
    reply = "经核实，套餐变更未经您本人确认，已为您恢复原套餐，并退还差价。"
    other.fill("#reply-text", reply)

    page.click("summary:has-text('开始处理')")
    page.click("form[data-endpoint=start] button")
    page.wait_for_selector("h1:has-text('处理中')")

    other.click("form[data-endpoint=reply] button[type=submit]")
    other.wait_for_selector("#action-error:not([hidden])")
    assert "刚被他人更新" in (other.text_content("#action-error") or "")
    assert "没有丢失" in (other.text_content("#action-error") or "")
    expect(other.locator("#reply-text")).to_have_value(reply)
    other.click("#reload-latest")
    other.wait_for_selector("#action-notice:not([hidden])")
    assert "已载入最新版本" in (other.text_content("#action-notice") or "")
    assert "处理中" in (other.text_content("h1") or "")
    expect(other.locator("#reply-text")).to_have_value(reply)
    other.click("form[data-endpoint=reply] button[type=submit]")
    other.wait_for_selector("form[data-endpoint=follow-up]")
    assert "已答复" in (other.text_content("h1") or "")
    assert "已为您恢复原套餐" in (other.text_content(".timeline") or "")
