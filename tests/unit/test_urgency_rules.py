"""Urgency rules at their boundaries: batch (10 vs 11, 5 vs 6 VIPs, 59 vs 61 minutes), repeat (3 months)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tousu.domain.codes import Channel, UrgencyType
from tousu.domain.policy import UrgencyPolicy
from tousu.domain.urgency import (
    CustomerFlags,
    PriorComplaint,
    batch_window_start,
    forms_batch,
    is_repeat,
    issue_key,
    may_form_batch,
    static_urgency,
    subtract_months,
)

POLICY = UrgencyPolicy()
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def in_window(arrivals: list[tuple[str, bool, datetime]], now: datetime) -> list[tuple[str, bool]]:
    start = batch_window_start(now, POLICY)
    return [(c, vip) for c, vip, at in arrivals if start <= at <= now]


@given(st.integers(min_value=0, max_value=30))
def test_it_marks_batch_from_the_eleventh_ordinary_customer(n: int) -> None:
    customers = [(f"c{i}", False) for i in range(n)]
    assert forms_batch(customers, POLICY) is (n >= 11)


@given(st.integers(min_value=0, max_value=10))
def test_more_than_five_vips_make_a_batch(n: int) -> None:
    assert forms_batch([(f"v{i}", True) for i in range(n)], POLICY) is (n >= 6)


@given(st.integers(min_value=1, max_value=5))
def test_the_same_customer_complaining_again_counts_once(times: int) -> None:
    customers = [(f"c{i}", False) for i in range(10)] + [("c0", False)] * times
    assert not forms_batch(customers, POLICY)


@given(st.integers(min_value=0, max_value=59 * 60))
def test_eleven_customers_within_59_minutes_are_a_batch(spread_seconds: int) -> None:
    first = NOW - timedelta(seconds=spread_seconds)
    arrivals = [(f"c{i}", False, first + timedelta(seconds=spread_seconds * i / 10)) for i in range(11)]
    assert forms_batch(in_window(arrivals, NOW), POLICY)


@given(st.integers(min_value=61 * 60, max_value=5 * 3600))
def test_eleven_customers_spread_over_more_than_an_hour_are_not(spread_seconds: int) -> None:
    first = NOW - timedelta(seconds=spread_seconds)
    arrivals = [(f"c{i}", False, first + timedelta(seconds=spread_seconds * i / 10)) for i in range(11)]
    assert not forms_batch(in_window(arrivals, NOW), POLICY)


def prior(replied_at: datetime | None, status: str = "closed", key: str = "billing|-|-") -> PriorComplaint:
    return PriorComplaint(issue_key=key, status=status, replied_at=replied_at)


@given(st.integers(min_value=0, max_value=88))
def test_a_complaint_within_three_months_of_a_reply_is_a_repeat(days: int) -> None:
    assert is_repeat(key="billing|-|-", earlier=[prior(NOW - timedelta(days=days))], now=NOW, policy=POLICY)


@given(st.integers(min_value=93, max_value=400))
def test_after_three_months_it_is_a_new_complaint(days: int) -> None:
    assert not is_repeat(key="billing|-|-", earlier=[prior(NOW - timedelta(days=days))], now=NOW, policy=POLICY)


def test_repeat_boundary_is_three_calendar_months() -> None:
    assert subtract_months(NOW, 3) == datetime(2026, 8, 23, 10, 0, tzinfo=UTC)
    assert is_repeat(
        key="billing|-|-", earlier=[prior(datetime(2026, 8, 23, 10, 0, tzinfo=UTC))], now=NOW, policy=POLICY
    )
    assert not is_repeat(
        key="billing|-|-", earlier=[prior(datetime(2026, 8, 23, 9, 59, tzinfo=UTC))], now=NOW, policy=POLICY
    )


def test_subtracting_months_clamps_the_day() -> None:
    assert subtract_months(datetime(2026, 5, 31, tzinfo=UTC), 3) == datetime(2026, 2, 28, tzinfo=UTC)


def test_repeat_needs_a_reply_and_the_same_issue() -> None:
    recent = NOW - timedelta(days=10)
    assert not is_repeat(key="billing|-|-", earlier=[prior(recent, status="in_progress")], now=NOW, policy=POLICY)
    assert not is_repeat(key="billing|-|-", earlier=[prior(recent, key="network|宽带|-")], now=NOW, policy=POLICY)


def test_static_urgency_follows_channel_customer_and_signals() -> None:
    gold = CustomerFlags(vip_level="gold")
    types = static_urgency(channel=Channel.GOVERNMENT, customer=gold, signals=["media"], policy=POLICY)
    assert types == {UrgencyType.OVER_LEVEL, UrgencyType.IMPORTANT_CUSTOMER, UrgencyType.MAJOR}
    assert static_urgency(channel=Channel.HOTLINE, customer=CustomerFlags(), policy=POLICY) == set()
    assert static_urgency(channel=Channel.HALL, customer=CustomerFlags(sensitive=True), policy=POLICY) == {
        UrgencyType.SENSITIVE
    }
    assert UrgencyType.MAJOR in static_urgency(
        channel=Channel.HALL, customer=CustomerFlags(), demands=["media_threat"], policy=POLICY
    )


def test_issue_key_normalises_case_and_blanks() -> None:
    assert issue_key("network", " 4G ", None) == "network|4g|-"


def test_only_outages_batch_on_the_analyzers_topic_alone() -> None:
    assert may_form_batch(category="network", analyzer_topic="4G信号", person_topic=None, area=None)
    assert not may_form_batch(category="billing", analyzer_topic="话费", person_topic=None, area=None)
    assert may_form_batch(category="billing", analyzer_topic=None, person_topic="5月账单重复扣费", area=None)
    assert may_form_batch(category="billing", analyzer_topic="话费", person_topic=None, area="思明区")
    assert not may_form_batch(category="network", analyzer_topic=None, person_topic=None, area=None)
