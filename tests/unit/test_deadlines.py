"""SLA deadlines on business calendars, pauses and the escalation ladder."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from tousu.domain.codes import Channel, UrgencyType
from tousu.domain.deadlines import (
    LOCAL,
    add_business_time,
    business_time_between,
    compute_deadlines,
    sla_for,
    sla_state,
)
from tousu.domain.policy import Calendar, OpeningHours, SlaPolicy

POLICY = SlaPolicy()
HALL = Calendar(hours=OpeningHours(opens=time(9), closes=time(18)), holidays=frozenset({date(2026, 10, 1)}))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL)


def test_hotline_reply_is_48_hours_around_the_clock() -> None:
    d = compute_deadlines(
        received_at=local(2026, 11, 23, 22, 0), channel=Channel.HOTLINE, urgency=[], paused=timedelta(0), policy=POLICY
    )
    assert d.reply_by == local(2026, 11, 25, 22, 0)


def test_group_incidents_get_three_days_and_urgent_types_the_strictest() -> None:
    assert sla_for(channel=Channel.HOTLINE, urgency=[UrgencyType.BATCH], policy=POLICY).reply_hours == 72
    both = sla_for(channel=Channel.HOTLINE, urgency=[UrgencyType.BATCH, UrgencyType.MAJOR], policy=POLICY)
    assert both.reply_hours == 24


def test_a_hall_counts_only_opening_hours() -> None:
    # 17:00 + 2 business hours = 1 hour today, 1 hour tomorrow from 09:00.
    assert add_business_time(local(2026, 11, 23, 17, 0), timedelta(hours=2), HALL) == local(2026, 11, 24, 10, 0)
    # Before opening, the clock starts at 09:00.
    assert add_business_time(local(2026, 11, 23, 7, 0), timedelta(hours=1), HALL) == local(2026, 11, 23, 10, 0)


def test_holidays_are_skipped() -> None:
    assert add_business_time(local(2026, 9, 30, 17, 0), timedelta(hours=2), HALL) == local(2026, 10, 2, 10, 0)


def test_business_time_between_is_the_inverse_of_adding() -> None:
    start = local(2026, 11, 23, 16, 30)
    end = add_business_time(start, timedelta(hours=13), HALL)
    assert business_time_between(start, end, HALL) == timedelta(hours=13)


def test_pausing_pushes_the_deadline_back() -> None:
    d = compute_deadlines(
        received_at=local(2026, 11, 23, 10, 0),
        channel=Channel.HOTLINE,
        urgency=[],
        paused=timedelta(hours=5),
        policy=POLICY,
    )
    assert d.reply_by == local(2026, 11, 25, 15, 0)


def test_warn_then_climb_one_rung_per_day_overdue() -> None:
    due = local(2026, 11, 25, 10, 0)
    assert sla_state(reply_by=due, now=due - timedelta(hours=5), policy=POLICY, ladder_size=4).warn is False
    assert sla_state(reply_by=due, now=due - timedelta(hours=3), policy=POLICY, ladder_size=4).warn is True
    assert sla_state(reply_by=due, now=due, policy=POLICY, ladder_size=4).level == 1
    assert sla_state(reply_by=due, now=due + timedelta(hours=24), policy=POLICY, ladder_size=4).level == 2
    assert sla_state(reply_by=due, now=due + timedelta(days=30), policy=POLICY, ladder_size=4).level == 3
