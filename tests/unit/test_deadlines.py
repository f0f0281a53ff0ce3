"""SLA deadlines on business calendars, pauses and the escalation ladder."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from tousu.domain.codes import Channel, UrgencyType
from tousu.domain.deadlines import (
    LOCAL,
    add_business_time,
    business_time_between,
    calendar_for,
    compute_deadlines,
    sla_for,
    sla_state,
)
from tousu.domain.policy import Calendar, OpeningHours, Sla, SlaPolicy

POLICY = SlaPolicy()
HALL = Calendar(hours=OpeningHours(opens=time(9), closes=time(18)), holidays=frozenset({date(2026, 10, 1)}))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL)


def test_hotline_reply_is_48_hours_around_the_clock() -> None:
    d = compute_deadlines(
        received_at=local(2026, 11, 23, 22, 0),
        channel=Channel.HOTLINE,
        team="思明营业厅",
        urgency=[],
        paused=timedelta(0),
        policy=POLICY,
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
        team="思明营业厅",
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


OFFICE = Calendar(
    hours=OpeningHours(opens=time(9), closes=time(17, 30)), weekdays=frozenset(range(5)), public_holidays=True
)


def test_a_sunday_evening_walk_in_gets_48_calendar_hours() -> None:
    # "48 小时" is on the clock: not 48 opening hours of the hall (that was 5.5 days).
    d = compute_deadlines(
        received_at=local(2026, 11, 22, 19, 30),
        channel=Channel.HALL,
        team="思明营业厅",
        urgency=[],
        paused=timedelta(0),
        policy=POLICY,
    )
    assert d.reply_by == local(2026, 11, 24, 19, 30)
    assert d.acknowledge_by == local(2026, 11, 22, 21, 30)


def test_a_deadline_the_policy_names_runs_in_business_hours() -> None:
    policy = SlaPolicy(
        by_channel={
            Channel.HALL: Sla(acknowledge_hours=2, reply_hours=48, follow_up_hours=72, business_hours={"reply"})
        }
    )
    d = compute_deadlines(
        received_at=local(2026, 11, 22, 19, 30),
        channel=Channel.HALL,
        team="思明营业厅",
        urgency=[],
        paused=timedelta(0),
        policy=policy,
    )
    assert d.acknowledge_by == local(2026, 11, 22, 21, 30)  # still on the clock
    # 48 opening hours of 9 a day from Monday 09:00: five full days and 3 hours on Saturday.
    assert d.reply_by == local(2026, 11, 28, 12, 0)


def test_business_hours_skip_national_day_and_count_the_make_up_saturday() -> None:
    # 2026: 1–7 October are the National Day holiday; Saturday 10 October is a working day (调休).
    # From Wednesday 30 September 17:00 (office days of 8.5 hours): 0.5 that day, then 8 and 9 October...
    assert add_business_time(local(2026, 9, 30, 17, 0), timedelta(hours=9), OFFICE) == local(2026, 10, 8, 17, 30)
    assert add_business_time(local(2026, 9, 30, 17, 0), timedelta(hours=18), OFFICE) == local(2026, 10, 10, 9, 30)
    # ...and Saturday 10 October counts, Sunday 11 October does not.
    assert add_business_time(local(2026, 10, 10, 17, 0), timedelta(hours=1), OFFICE) == local(2026, 10, 12, 9, 30)
    assert business_time_between(local(2026, 10, 9, 9, 0), local(2026, 10, 12, 9, 0), OFFICE) == timedelta(hours=17)


def test_the_policy_overrides_the_state_council_calendar() -> None:
    own = OFFICE.model_copy(
        update={"holidays": frozenset({date(2026, 10, 8)}), "extra_workdays": frozenset({date(2026, 10, 3)})}
    )
    assert add_business_time(local(2026, 9, 30, 17, 0), timedelta(hours=1), own) == local(2026, 10, 3, 9, 30)
    assert add_business_time(local(2026, 10, 3, 17, 0), timedelta(hours=1), own) == local(2026, 10, 9, 9, 30)


def test_a_year_the_calendar_does_not_know_falls_back_to_weekdays_and_overrides() -> None:
    far = OFFICE.model_copy(update={"holidays": frozenset({date(2099, 1, 1)})})
    # 1 January 2099 is a Thursday: closed by the override, then Friday 2 January is open.
    assert add_business_time(local(2098, 12, 31, 17, 0), timedelta(hours=1), far) == local(2099, 1, 2, 9, 30)


# A hall's own calendar. The shared hall calendar here opens Monday to Saturday 09:00–18:00; 思明
# has its own, 08:30–20:00 every day; a walk-in's reply deadline (8 hours) runs in business hours.
LATE_HALL = Calendar(hours=OpeningHours(opens=time(8, 30), closes=time(20)))
HALLS = SlaPolicy(
    default=Sla(acknowledge_hours=2, reply_hours=8, follow_up_hours=72, business_hours={"reply"}),
    by_channel={},
    calendars={
        **POLICY.calendars,
        "service_hall": Calendar(hours=OpeningHours(opens=time(9), closes=time(18)), weekdays=frozenset(range(6))),
    },
    hall_calendars={"思明营业厅": LATE_HALL},
)
SATURDAY_EVENING = local(2026, 11, 21, 19, 0)


def walk_in_reply_by(
    policy: SlaPolicy, team: str, at: datetime = SATURDAY_EVENING, channel: Channel = Channel.HALL
) -> datetime:
    return compute_deadlines(
        received_at=at, channel=channel, team=team, urgency=[], paused=timedelta(0), policy=policy
    ).reply_by


def test_a_hall_open_late_and_on_sunday_counts_its_own_hours() -> None:
    # Saturday 19:00: an hour before 思明 closes at 20:00, then 7 hours from Sunday 08:30.
    assert walk_in_reply_by(HALLS, "思明营业厅") == local(2026, 11, 22, 15, 30)
    # The shared calendar is closed by 19:00 and on Sunday: 8 hours from Monday 09:00.
    assert walk_in_reply_by(HALLS, "湖里营业厅") == local(2026, 11, 23, 17, 0)


def test_the_halls_own_closed_day_closes_it() -> None:
    closed_on_sunday = Calendar(
        hours=OpeningHours(opens=time(8, 30), closes=time(20)), holidays=frozenset({date(2026, 11, 22)})
    )
    policy = HALLS.model_copy(update={"hall_calendars": {"思明营业厅": closed_on_sunday}})
    assert walk_in_reply_by(policy, "思明营业厅") == local(2026, 11, 23, 15, 30)


def test_a_hall_on_the_state_council_calendar_closes_on_public_holidays_and_keeps_its_sundays() -> None:
    national = Calendar(hours=OpeningHours(opens=time(8, 30), closes=time(20)), public_holidays=True)
    policy = HALLS.model_copy(update={"hall_calendars": {"思明营业厅": national}})
    # Wednesday 30 September 2026, 19:00: an hour that day; 1–7 October closed; 7 hours on the 8th.
    assert walk_in_reply_by(policy, "思明营业厅", at=local(2026, 9, 30, 19, 0)) == local(2026, 10, 8, 15, 30)
    # Saturday 10 October (a make-up working day), 19:00: an hour, then an ordinary Sunday is open.
    assert walk_in_reply_by(policy, "思明营业厅", at=local(2026, 10, 10, 19, 0)) == local(2026, 10, 11, 15, 30)


def test_without_a_calendar_of_its_own_or_off_the_walk_in_channel_the_channels_calendar_counts() -> None:
    assert calendar_for(channel=Channel.HALL, team="湖里营业厅", policy=HALLS) == HALLS.calendars["service_hall"]
    assert calendar_for(channel=Channel.HALL, team="", policy=HALLS) == HALLS.calendars["service_hall"]
    assert calendar_for(channel=Channel.LETTER, team="思明营业厅", policy=HALLS) == HALLS.calendars["office"]
    # 思明's hotline complaint is counted around the clock, as the hotline's always is.
    assert walk_in_reply_by(HALLS, "思明营业厅", channel=Channel.HOTLINE) == local(2026, 11, 22, 3, 0)
