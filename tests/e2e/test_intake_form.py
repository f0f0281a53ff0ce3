"""The intake form in a real browser: an amount that nothing changes behind the agent's back, typing
mistakes refused beside their field before anything is saved, and a new complaint linked on saving
to the caller's open one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import api_token, demo_app, file_complaint, log_in, served, signed_in_tab

pytestmark = pytest.mark.e2e
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    app = demo_app(tmp_path_factory.mktemp("intake"))
    with served(app) as base:
        yield base, api_token(app, "agent1")


@pytest.fixture
def tab(browser: Browser, server: tuple[str, str]) -> Iterator[Page]:
    tab = signed_in_tab(browser, server[0], "agent1")
    tab.goto("/complaints/new")
    yield tab
    tab.context.close()


def _saves(tab: Page) -> list[str]:
    """Every request that files a complaint, as the page sends them from now on."""
    sent: list[str] = []
    tab.on(
        "request",
        lambda r: sent.append(r.url) if r.method == "POST" and r.url.endswith("/api/v1/complaints") else None,
    )
    return sent


def _fill(tab: Page, phone: str) -> None:
    tab.fill("#phone", phone)
    tab.fill("#name", "孙女士")
    tab.fill("#content", "这个月话费里多扣了一笔钱，我没订过这个业务，要求退还。")


def test_the_amount_stays_as_typed_under_the_wheel_and_the_arrow_keys(tab: Page) -> None:
    tab.click("#claimed_amount")
    tab.keyboard.type("88")
    tab.keyboard.press("ArrowDown")
    tab.keyboard.press("ArrowUp")
    tab.keyboard.press("ArrowDown")
    tab.mouse.wheel(0, 300)
    expect(tab.locator("#claimed_amount")).to_have_value("88")
    assert tab.get_attribute("#claimed_amount", "inputmode") == "decimal"  # the phone's number pad


def test_an_amount_with_full_width_digits_and_a_unit_is_refused_saying_how_to_write_it(tab: Page) -> None:
    sent = _saves(tab)
    _fill(tab, "13900006601")
    tab.fill("#claimed_amount", "８８元")
    tab.click("#save")
    error = tab.locator('[data-error-for="claimed_amount"]')
    expect(error).to_contain_text("全角")
    expect(error).to_contain_text("元")
    expect(error).to_contain_text("例如 88 或 88.50")
    assert tab.evaluate("document.activeElement.id") == "claimed_amount"
    assert sent == [] and tab.locator("#result").is_hidden()

    tab.fill("#claimed_amount", "88.5")
    expect(error).to_be_empty()  # cleared as soon as the amount is right
    tab.click("#save")
    expect(tab.locator("#result .readback")).to_contain_text("涉及金额 88.50 元")
    assert len(sent) == 1


def test_an_amount_with_more_than_two_decimals_is_refused(tab: Page) -> None:
    sent = _saves(tab)
    _fill(tab, "13900006602")
    tab.fill("#claimed_amount", "88.123")
    tab.click("#save")
    expect(tab.locator('[data-error-for="claimed_amount"]')).to_contain_text("最多两位小数")
    assert sent == []


def test_a_bad_phone_and_a_bad_amount_are_each_said_beside_their_own_field(tab: Page) -> None:
    sent = _saves(tab)
    _fill(tab, "1380013800")  # ten digits: not a number anyone can call back
    tab.fill("#claimed_amount", "八十八")
    tab.click("#save")
    phone = tab.locator('[data-error-for="customer.phone"]')
    expect(phone).to_contain_text("格式不正确")
    expect(tab.locator('[data-error-for="claimed_amount"]')).not_to_be_empty()
    assert tab.get_attribute("#phone", "aria-invalid") == "true"
    assert tab.evaluate("document.activeElement.id") == "phone"  # the first wrong field
    expect(tab.locator("#customer-panel .error")).to_have_count(0)  # not said in the customer's record instead
    assert sent == []

    tab.fill("#phone", "13800138000")
    tab.locator("#phone").blur()
    expect(phone).to_be_empty()
    tab.fill("#claimed_amount", "88")
    tab.click("#save")
    expect(tab.locator("#result .reference")).to_be_visible()
    assert len(sent) == 1


def test_a_half_typed_date_is_refused_and_nothing_is_saved(tab: Page) -> None:
    sent = _saves(tab)
    _fill(tab, "13900006603")
    tab.focus("#occurred_at")
    tab.keyboard.type("15")  # one part of the date, the rest left blank
    tab.click("#save")
    error = tab.locator('[data-error-for="occurred_at"]')
    expect(error).to_contain_text("没有填完整")
    expect(error).to_contain_text("清空")
    assert tab.evaluate("document.activeElement.id") == "occurred_at"
    assert sent == [] and tab.locator("#result").is_hidden()

    tab.fill("#occurred_at", "2026-11-20T09:30")
    tab.click("#save")
    expect(tab.locator("#result .readback")).to_contain_text("时间是2026-11-20")
    assert len(sent) == 1


def test_a_half_typed_transfer_deadline_is_refused(tab: Page) -> None:
    sent = _saves(tab)
    _fill(tab, "13900006604")
    tab.select_option("#transfer_source", "12300")
    tab.fill("#transfer_case_number", "闽12300-2026-0815")
    tab.focus("#transfer_reply_by")
    tab.keyboard.type("2026")
    tab.click("#save")
    expect(tab.locator('[data-error-for="transfer_reply_by"]')).to_contain_text("没有填完整")
    assert sent == []


def test_the_new_complaint_is_linked_on_saving_to_the_callers_open_one(tab: Page, server: tuple[str, str]) -> None:
    base, token = server
    earlier = file_complaint(
        base,
        token,
        category="billing",
        customer={"name": "孙女士", "phone": "13900006605"},
        content="上个月被多扣了20元。",
    )
    _fill(tab, "13900006605")
    warning = tab.locator("#open-similar")
    expect(warning).to_contain_text(f"该号码已有未结投诉 {earlier['reference']}", timeout=10_000)
    opened = warning.locator("a")
    assert opened.get_attribute("target") == "_blank"  # opens beside the form, which stays as typed
    assert opened.get_attribute("href") == f"/complaints/{earlier['id']}"
    tab.select_option("#category", "billing")
    warning.get_by_label(f"保存时与 {earlier['reference']} 关联").check()
    tab.click("#save")
    expect(tab.locator("#result")).to_contain_text(f"已与投诉 {earlier['reference']} 关联")

    reference = (tab.text_content("#result .reference") or "").removeprefix("受理编号：").strip()
    events = httpx.get(
        f"{base}/api/v1/complaints/{earlier['id']}/events", headers={"Authorization": f"Bearer {token}"}
    ).json()["events"]
    assert {"kind": "linked", "other": reference} in [
        {"kind": e["kind"], "other": (e["data"] or {}).get("other")} for e in events
    ]


def test_the_advice_lists_what_cannot_be_promised_and_folds_the_strategies_past_the_first_few(tab: Page) -> None:
    tab.fill("#phone", "13900007777")
    tab.fill("#content", "上个月多扣了我88元，必须双倍返还，还要赔我精神损失费，不然我就找记者曝光你们！")
    tab.press("#content", "Tab")
    expect(tab.locator("#analysis-panel.muted")).to_have_count(0, timeout=30_000)
    panel = tab.locator("#analysis-panel")
    expect(panel).to_contain_text("不予支持 / 不可承诺")
    expect(panel).to_contain_text("破唱片机法")
    # The first step (the customer's feelings), then five strategies for the matter; the rest folded.
    shown = tab.locator("#analysis-panel > h3")
    expect(shown.first).to_have_text("建议：先处理心情再处理事情")
    assert shown.count() == 6
    expect(tab.locator("#intake-more-strategies summary")).to_contain_text("其他适用策略")


def test_the_advice_follows_the_channel_chosen_and_offers_no_seat_on_the_phone(tab: Page) -> None:
    in_person = ("喝杯水", "接待室", "休息区")
    tab.fill("#content", "你们乱扣我88元，必须双倍返还，再赔我精神损失费，不然我就找记者曝光你们！")
    panel = tab.locator("#analysis-panel")
    expect(panel).to_contain_text("破唱片机法", timeout=30_000)
    assert any(words in panel.text_content() for words in in_person)  # the hall is the default
    with tab.expect_response(lambda r: r.url.endswith("/api/v1/analyze")) as sent:
        tab.select_option("#channel", "hotline")
    assert sent.value.request.post_data_json["channel"] == "hotline"
    expect(panel).to_contain_text("破唱片机法")
    for words in in_person:
        expect(panel).not_to_contain_text(words)


def test_the_read_back_gives_beijing_time_in_a_browser_set_to_another_zone(
    browser: Browser, server: tuple[str, str]
) -> None:
    context = browser.new_context(timezone_id="America/New_York", locale="zh-CN", base_url=server[0])
    tab = context.new_page()
    try:
        log_in(tab, "agent1")
        tab.goto("/complaints/new")
        _fill(tab, "13900006609")
        tab.fill("#occurred_at", "2026-11-05T02:30")  # Beijing time, as the form says and the server reads
        with tab.expect_response(lambda r: r.url.endswith("/api/v1/complaints")) as saved:
            tab.click("#save")
        reply_by = datetime.fromisoformat(saved.value.json()["deadlines"]["reply_by"]).astimezone(BEIJING)
        readback = tab.locator("#result .readback")
        expect(readback).to_contain_text("时间是2026-11-05")  # New York's clock says the 4th
        expect(readback).to_contain_text(f"在 {reply_by:%Y-%m-%d %H:%M} 前给您答复")
    finally:
        context.close()


def test_saving_an_empty_form_says_beside_each_field_what_is_missing(tab: Page) -> None:
    sent = _saves(tab)
    tab.click("#save")
    expect(tab.locator('[data-error-for="customer.phone"]')).to_contain_text("联系电话")
    expect(tab.locator('[data-error-for="customer.name"]')).to_contain_text("称呼")
    expect(tab.locator('[data-error-for="content"]')).to_contain_text("反映的问题")
    assert tab.evaluate("document.activeElement.id") == "phone"  # the first, where the call starts
    assert sent == []
    tab.fill("#phone", "13900006611")
    expect(tab.locator('[data-error-for="customer.phone"]')).to_have_text("")


def test_a_known_numbers_level_is_the_records_and_not_offered_for_change(tab: Page, server: tuple[str, str]) -> None:
    base, token = server
    file_complaint(base, token, customer={"name": "周先生", "phone": "13900006613"}, content="宽带断网了。")
    tab.fill("#phone", "13900006613")
    tab.press("#phone", "Tab")
    expect(tab.locator("#vip-hint")).to_contain_text("级别以档案为准")
    expect(tab.locator("#vip")).to_be_disabled()
    tab.fill("#phone", "13900006614")  # another number, not on record
    tab.press("#phone", "Tab")
    expect(tab.locator("#vip")).to_be_enabled()
    expect(tab.locator("#vip-hint")).to_be_hidden()
