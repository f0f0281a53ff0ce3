"""The complaint page's advice: every strategy (the first few shown, the rest behind 其他适用策略),
what may be given apart from what may not, the whole legal basis with its summaries, and amounts
written as people write them (50 元, never 50.0 元)."""

from __future__ import annotations

import re
from typing import Any

from tests.integration.conftest import Api, complaint_body
from tousu.domain.codes import Channel, UrgencyType
from tousu.domain.deadlines import reply_within, sla_for

DOUBLE_MENTAL_MEDIA = "你们乱扣我88元，必须双倍返还，再赔我精神损失费，不然我就找记者曝光你们！"


def _page(api: Api, content: str, channel: str = "hotline") -> tuple[str, dict[str, Any]]:
    created = api.post("/complaints", "agent1", complaint_body(content=content, channel=channel))
    assert created.status_code == 201, created.text
    complaint = created.json()
    cookie = {"Cookie": f"tousu_session={api.tokens['agent1']}"}
    page = api.client.get(f"/complaints/{complaint['id']}", headers=cookie).text
    return page, complaint


def _section(page: str, start: str, end: str) -> str:
    at = page.index(start)
    return page[at : page.index(end, at)]


def test_the_advice_shows_every_strategy_and_the_whole_legal_basis(api: Api) -> None:
    page, _ = _page(api, DOUBLE_MENTAL_MEDIA)
    analysis = api.post("/analyze", "agent1", {"text": DOUBLE_MENTAL_MEDIA}).json()
    recommendations = analysis["recommendations"]
    advice = _section(page, 'id="advice"', "</section>")
    for strategy in recommendations["strategies"]:
        assert f"建议：{strategy['name']}" in advice
    assert len(recommendations["strategies"]) > 5 and 'id="more-strategies"' in advice
    # Five strategies for the matter, after the first step (the customer's feelings).
    assert [s["first_step"] for s in recommendations["strategies"][:2]] == [True, False]
    assert advice[: advice.index('id="more-strategies"')].count("建议：") == 6
    basis = _section(advice, 'id="legal-basis"', "</ul>")
    for law in recommendations["legal_basis"]:
        assert law["article"] in basis and law["summary"] in basis
    assert "电信条例" in basis  # the charging-dispute article is no longer cut off after three


def test_refusals_are_not_offered_and_limits_read_once(api: Api) -> None:
    page, _ = _page(api, DOUBLE_MENTAL_MEDIA)
    offered = _section(page, 'id="may-offer"', "</ul>")
    refused = _section(page, 'id="may-not-offer"', "</ul>")
    assert "不予支持 / 不可承诺" in page
    assert "精神损害赔偿" not in offered and "精神损害赔偿" in refused
    assert "本岗位上限" not in refused
    for line in re.findall(r"<li>(.*?)</li>", offered):
        assert line.count("本岗位") <= 1 and line.count("审批") <= 1, line


def test_amounts_on_the_complaint_page_have_no_trailing_zero(api: Api) -> None:
    _, complaint = _page(api, DOUBLE_MENTAL_MEDIA)
    version = api.get(f"/complaints/{complaint['id']}", "agent1").json()["version"]
    proposed = api.post(
        f"/complaints/{complaint['id']}/settlements",
        "agent1",
        {"version": version, "description": "退还多扣费用", "items": [{"type": "refund", "amount": 30}]},
    )
    assert proposed.status_code in (200, 201), proposed.text
    cookie = {"Cookie": f"tousu_session={api.tokens['agent1']}"}
    page = api.client.get(f"/complaints/{complaint['id']}", headers=cookie).text
    assert re.search(r"退费 30 元", _section(page, 'id="settle-title"', "</section>"))
    authority = _section(page, 'id="authority"', "</p>")
    assert re.search(r"退费 ≤ \d+ 元", authority) and "每月赠送额度" in authority
    advice = _section(page, 'id="advice"', "</section>")
    for text in (authority, advice, _section(page, 'id="settle-title"', "</section>")):
        assert not re.search(r"\d\.0\b", text), text


def test_the_advice_offers_a_seat_only_to_a_customer_in_the_hall(api: Api) -> None:
    hall, _ = _page(api, DOUBLE_MENTAL_MEDIA, channel="hall")
    hotline, _ = _page(api, DOUBLE_MENTAL_MEDIA, channel="hotline")
    assert "喝杯水" in _section(hall, 'id="advice"', "</section>")
    assert "喝杯水" not in _section(hotline, 'id="advice"', "</section>")


def test_a_shops_advice_offers_no_telecom_unsubscribing(api: Api) -> None:
    """A shop sells no 增值业务: unsubscribing one is a telecom hall's remedy, not a shop's."""
    cancel = "这张会员储值卡我不想用了，要求退卡。"
    hall, _ = _page(api, cancel)
    assert "增值业务当场退订" in _section(hall, 'id="advice"', "</section>")
    changed = api.client.patch("/api/v1/admin/policy", json={"set": {"industry": "retail"}}, headers=api.as_("admin1"))
    assert changed.status_code == 200, changed.text
    shop, _ = _page(api, cancel)
    advice = _section(shop, 'id="advice"', "</section>")
    assert "增值业务" not in advice
    assert "退卡" in advice  # what a shop may grant instead


def test_the_advice_follows_the_category_the_agent_chose_not_the_texts_reading(api: Api) -> None:
    text = "这就是欺诈，我要求三倍赔偿"
    read = api.post("/analyze", "agent1", {"text": text}).json()["category"]
    chosen = "marketing" if read != "marketing" else "billing"
    created = api.post("/complaints", "agent1", complaint_body(content=text, category=chosen, channel="hall"))
    assert created.status_code == 201, created.text
    cookie = {"Cookie": f"tousu_session={api.tokens['agent1']}"}
    page = api.client.get(f"/complaints/{created.json()['id']}", headers=cookie).text
    advice = _section(page, 'id="advice"', "</section>")
    assert "装机、移机逾期" not in advice  # a late installation is no matter of a marketing claim
    assert "第55条" in advice


def test_the_scripts_promise_the_complaints_own_reply_deadline(api: Api) -> None:
    page, complaint = _page(api, "你们营业员态度太差了，我要求书面答复和道歉！", channel="hall")
    advice = _section(page, 'id="advice"', "</section>")
    assert "【期限】" not in advice
    policy = api.client.app.state.tousu.policy
    sla = sla_for(
        channel=Channel(complaint["channel"]),
        urgency=[UrgencyType(t) for t in complaint["urgency_types"]],
        policy=policy.sla,
    )
    assert f"{reply_within(sla)}内" in advice
