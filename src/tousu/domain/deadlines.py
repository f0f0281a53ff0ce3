"""SLA deadlines, with the clock paused while we wait on the customer.

A deadline is counted in calendar hours ("48 小时" means 48 hours on the clock) unless the
policy names it as counted in business hours; then it runs on the complaint's business calendar
(a walk-in's hall's own when the hall has one, else the channel's: see `calendar_for`), with
China's public holidays and make-up working days (调休) when the calendar asks for them.
All datetimes are timezone-aware; calendars are read in local (Asia/Shanghai) time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

from tousu.domain.codes import Channel, UrgencyType
from tousu.domain.policy import Calendar, DeadlineName, Sla, SlaPolicy

LOCAL = ZoneInfo("Asia/Shanghai")
ROUND_THE_CLOCK = Calendar()
_MAX_DAYS = 3660  # a calendar with no open day at all must not loop forever


@lru_cache(maxsize=4096)
def official_day(day: date) -> bool | None:
    """The State Council calendar's word on a day: False on a public holiday, True on a make-up
    working day (调休); None on any other day (the calendar's weekdays decide) and in a year the
    installed `chinese_calendar` does not cover yet."""
    try:
        holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    # An ordinary weekend is a day off with no holiday's name: not a rule for a hall open on Sundays.
    return None if name is None else not holiday


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: datetime
    reply_by: datetime
    follow_up_by: datetime


def sla_for(*, channel: Channel, urgency: Iterable[UrgencyType], policy: SlaPolicy) -> Sla:
    """Urgency SLAs replace the channel's; among several urgency types the strictest wins."""
    urgent = [policy.by_urgency[t] for t in urgency if t in policy.by_urgency]
    if not urgent:
        return policy.by_channel.get(channel, policy.default)
    # A deadline is in business hours only when every urgent SLA says so.
    business: frozenset[DeadlineName] = frozenset.intersection(*(s.business_hours for s in urgent))
    return Sla(
        acknowledge_hours=min(s.acknowledge_hours for s in urgent),
        reply_hours=min(s.reply_hours for s in urgent),
        follow_up_hours=min(s.follow_up_hours for s in urgent),
        business_hours=business,
    )


def reply_within(sla: Sla) -> str:
    """The reply deadline as staff promise it to the customer: 24小时, or 24个工作小时 where the
    policy counts it in business hours.

    >>> reply_within(Sla(acknowledge_hours=2, reply_hours=24, follow_up_hours=72))
    '24小时'
    """
    unit = "个工作小时" if "reply" in sla.business_hours else "小时"
    return f"{sla.reply_hours:g}{unit}"


def calendar_for(*, channel: Channel, team: str, policy: SlaPolicy) -> Calendar:
    """The business calendar (opening hours and days) of a complaint taken in on `channel` by the
    hall `team`: a walk-in's is its hall's own calendar when the policy gives the hall one; every
    other complaint, and a walk-in of a hall without one, follows the channel's calendar."""
    if channel is Channel.HALL and team in policy.hall_calendars:
        return policy.hall_calendars[team]
    return policy.calendars[policy.channel_calendar.get(channel, policy.default_calendar)]


def deadline_calendar(
    *, channel: Channel, team: str, urgency: Iterable[UrgencyType], deadline: DeadlineName, policy: SlaPolicy
) -> Calendar:
    """The calendar one deadline of a complaint is counted on: the clock, or its business calendar
    (`calendar_for`) where the policy counts that deadline in business hours."""
    if deadline in sla_for(channel=channel, urgency=urgency, policy=policy).business_hours:
        return calendar_for(channel=channel, team=team, policy=policy)
    return ROUND_THE_CLOCK


def is_open_day(day: date, calendar: Calendar) -> bool:
    """Overrides first, then the State Council calendar (if asked for and known), then weekdays."""
    if day in calendar.holidays:
        return False
    if day in calendar.extra_workdays:
        return True
    if calendar.public_holidays:
        official = official_day(day)
        if official is not None:
            return official
    return day.weekday() in calendar.weekdays


def _around_the_clock(calendar: Calendar) -> bool:
    return (
        calendar.hours is None
        and not calendar.holidays
        and not calendar.public_holidays
        and len(calendar.weekdays) == 7
    )


def _open_interval(day: datetime, calendar: Calendar) -> tuple[datetime, datetime] | None:
    """The business interval of the local day starting at `day` (local midnight), if open."""
    if not is_open_day(day.date(), calendar):
        return None
    if calendar.hours is None:
        return day, day + timedelta(days=1)
    opens = datetime.combine(day.date(), calendar.hours.opens, LOCAL)
    closes = datetime.combine(day.date(), calendar.hours.closes, LOCAL)
    return opens, closes


def _days_from(start: datetime) -> Iterable[datetime]:
    local = start.astimezone(LOCAL)
    midnight = datetime.combine(local.date(), datetime.min.time(), LOCAL)
    for offset in range(_MAX_DAYS):
        yield midnight + timedelta(days=offset)
    raise ValueError("calendar has no business time within ten years")


def add_business_time(start: datetime, amount: timedelta, calendar: Calendar) -> datetime:
    """The moment when `amount` of business time has passed after `start`."""
    if _around_the_clock(calendar):
        return start + amount
    remaining = amount
    for day in _days_from(start):
        interval = _open_interval(day, calendar)
        if interval is None:
            continue
        begin = max(interval[0], start)
        if begin >= interval[1]:
            continue
        available = interval[1] - begin
        if remaining <= available:
            return (begin + remaining).astimezone(start.tzinfo)
        remaining -= available
    raise AssertionError("unreachable")


def business_time_between(start: datetime, end: datetime, calendar: Calendar) -> timedelta:
    """Business time elapsed from `start` to `end` (zero if end is not after start)."""
    if end <= start:
        return timedelta(0)
    if _around_the_clock(calendar):
        return end - start
    total = timedelta(0)
    for day in _days_from(start):
        if day >= end:
            break
        interval = _open_interval(day, calendar)
        if interval is None:
            continue
        begin, finish = max(interval[0], start), min(interval[1], end)
        if finish > begin:
            total += finish - begin
    return total


def compute_deadlines(
    *,
    received_at: datetime,
    channel: Channel,
    team: str,
    urgency: Iterable[UrgencyType],
    paused: timedelta,
    policy: SlaPolicy,
) -> Deadlines:
    """Deadlines from receipt of a complaint of the hall `team` ("" for none), each on its own
    calendar (see `deadline_calendar`), pushed back by the paused time."""
    urgency = list(urgency)
    sla = sla_for(channel=channel, urgency=urgency, policy=policy)

    def due(deadline: DeadlineName, hours: float) -> datetime:
        calendar = deadline_calendar(channel=channel, team=team, urgency=urgency, deadline=deadline, policy=policy)
        return add_business_time(received_at, timedelta(hours=hours) + paused, calendar)

    return Deadlines(
        acknowledge_by=due("acknowledge", sla.acknowledge_hours),
        reply_by=due("reply", sla.reply_hours),
        follow_up_by=due("follow_up", sla.follow_up_hours),
    )


@dataclass(frozen=True)
class SlaState:
    """Where a complaint stands against its reply deadline; `level` counts escalation steps."""

    warn: bool
    breached: bool
    level: int


def sla_state(*, reply_by: datetime, now: datetime, policy: SlaPolicy, ladder_size: int) -> SlaState:
    """Warn `warn_before_hours` ahead; on breach climb one rung, then one more per interval."""
    if now < reply_by:
        return SlaState(warn=now >= reply_by - timedelta(hours=policy.warn_before_hours), breached=False, level=0)
    overdue = now - reply_by
    steps = 1 + int(overdue / timedelta(hours=policy.escalate_every_hours))
    return SlaState(warn=True, breached=True, level=min(steps, ladder_size - 1))


def within_transfer_deadline(reply_by: datetime | None, transfer_reply_by: datetime | None) -> datetime | None:
    """A transferring regulator's own reply deadline does not move with ours (pauses, batches):
    the earlier of the two is the one to meet."""
    if transfer_reply_by is None or (reply_by is not None and reply_by <= transfer_reply_by):
        return reply_by
    return transfer_reply_by
