"""The demo data is consistent with itself: a new user judges the product by it.

The amount recorded with a complaint is the one its words name; a follow-up's comment says what
its satisfaction says; a reply, a root cause and its kind fit the complaint's category; a
responsible person and an improvement measure appear only where the cause is a staff matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tousu.demo import load_demo
from tousu.domain.codes import Category
from tousu.domain.improvement import RootCauseKind
from tousu.settings import Settings
from tousu.storage.db import create_db_engine, upgrade
from tousu.storage.tables import complaints, events

K = RootCauseKind
STAFF_MATTERS = {K.SERVICE_ATTITUDE, K.HANDLING_ERROR, K.MARKETING_DISCLOSURE, K.PROMISE_UNKEPT, K.UNAUTHORISED_SERVICE}
"""Causes that lie with a person of ours: the ones that name someone responsible."""
# The kinds a closed complaint of each category may be put down to.
FITTING_KINDS: dict[Category, set[RootCauseKind]] = {
    Category.BILLING: {K.BILLING_ERROR, K.CUSTOMER_SIDE, K.SYSTEM_FAULT},
    Category.VAS: {K.UNAUTHORISED_SERVICE, K.THIRD_PARTY, K.CUSTOMER_SIDE},
    Category.PLAN: {K.MARKETING_DISCLOSURE, K.POLICY_RULE, K.CUSTOMER_SIDE},
    Category.NETWORK: {K.NETWORK_FAULT, K.HANDLING_ERROR, K.THIRD_PARTY},
    Category.SUSPENSION: {K.SYSTEM_FAULT, K.HANDLING_ERROR, K.CUSTOMER_SIDE, K.POLICY_RULE},
    Category.RECHARGE: {K.CUSTOMER_SIDE, K.THIRD_PARTY, K.SYSTEM_FAULT},
    Category.MARKETING: {K.PROMISE_UNKEPT, K.HANDLING_ERROR, K.MARKETING_DISCLOSURE, K.SYSTEM_FAULT},
    Category.PRODUCT: {K.PRODUCT_QUALITY},
    Category.SERVICE: {K.SERVICE_ATTITUDE, K.HANDLING_ERROR, K.PROMISE_UNKEPT},
    Category.ACCOUNT: {K.POLICY_RULE, K.SYSTEM_FAULT, K.HANDLING_ERROR},
    Category.SECURITY: {K.THIRD_PARTY, K.HANDLING_ERROR},
    Category.POINTS: {K.HANDLING_ERROR, K.THIRD_PARTY, K.POLICY_RULE},
    Category.OTHER: {K.OTHER},
}
MONEY_BACK = re.compile("退费|退款|退还|退回|返还")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """The complaints of a generated demo, and their events."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    try:
        load_demo(engine, Settings(database_url=url).policy, count=300, seed=3)
        with engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(sa.select(complaints)).mappings()]
            happened = [dict(r) for r in conn.execute(sa.select(events)).mappings()]
    finally:
        engine.dispose()
    yield rows, happened


def _by_id(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in rows}


def test_a_demo_complaints_amount_is_the_one_its_words_name(demo: tuple[list[dict[str, Any]], Any]) -> None:
    recorded = [(r["content"], r["claimed_amount"]) for r in demo[0] if r["claimed_amount"] is not None]
    assert len(recorded) > 10
    for content, amount in recorded:
        assert re.search(rf"(?<!\d){int(amount)}(?!\d)", content), content  # never an amount the words do not name


def test_a_follow_ups_comment_says_what_its_satisfaction_says(demo: tuple[list[dict[str, Any]], Any]) -> None:
    rows, happened = demo
    complaint = _by_id(rows)
    follow_ups = [
        (complaint[e["complaint_id"]]["satisfaction"], e["data"]["comments"])
        for e in happened
        if e["kind"] == "follow_up"
    ]
    assert {s for s, _ in follow_ups} == {"satisfied", "neutral", "dissatisfied"}
    for satisfaction, comment in follow_ups:
        unhappy = "不满意" in comment or "不认可" in comment
        if satisfaction == "dissatisfied":
            assert unhappy, comment
        elif satisfaction == "satisfied":
            assert "满意" in comment and not unhappy, comment
        else:
            assert "满意" not in comment and not unhappy, comment


def test_a_dissatisfied_customer_is_not_closed_on(demo: tuple[list[dict[str, Any]], Any]) -> None:
    closed = [r for r in demo[0] if r["status"] == "closed"]
    assert closed
    assert all(r["satisfaction"] != "dissatisfied" for r in closed)


def test_a_network_fault_is_answered_with_a_fee_waiver_never_a_refund(demo: tuple[list[dict[str, Any]], Any]) -> None:
    rows, happened = demo
    complaint = _by_id(rows)
    replies = [(complaint[e["complaint_id"]], e["data"]["reply"]) for e in happened if e["kind"] == "reply"]
    network = [text for c, text in replies if c["category"] == Category.NETWORK.value]
    assert network
    for text in network:
        assert not MONEY_BACK.search(text), text
    assert any("减免" in text for text in network)
    # Money goes back only to a customer who asked for it.
    for c, text in replies:
        if MONEY_BACK.search(text):
            assert {"refund", "double_refund", "exchange"} & set(c["demands"]), (c["content"], text)


def test_a_closed_complaints_cause_fits_its_category_and_names_a_person_only_for_a_staff_matter(
    demo: tuple[list[dict[str, Any]], Any],
) -> None:
    closed = [r for r in demo[0] if r["status"] == "closed"]
    kinds = {RootCauseKind(r["root_cause_kind"]) for r in closed}
    assert kinds & STAFF_MATTERS and kinds - STAFF_MATTERS  # both sorts are shown
    for r in closed:
        kind = RootCauseKind(r["root_cause_kind"])
        assert kind in FITTING_KINDS[Category(r["category"])], (r["category"], r["root_cause"], kind)
        staff = kind in STAFF_MATTERS
        assert r["work_quality"] is staff, (r["root_cause"], kind)
        assert bool(r["responsible_person"]) is staff, (r["root_cause"], r["responsible_person"])
        assert bool(r["improvement_measure"]) is staff, (r["root_cause"], r["improvement_measure"])


def test_a_broadband_fault_is_not_put_down_to_a_base_station(demo: tuple[list[dict[str, Any]], Any]) -> None:
    closed = [r for r in demo[0] if r["status"] == "closed" and r["topic"] == "宽带"]
    assert closed
    for r in closed:
        assert "基站" not in r["root_cause"], r["root_cause"]
