"""SLA deadlines on business calendars, with the clock paused while we wait on the customer.

All datetimes are timezone-aware; calendars are read in local (Asia/Shanghai) time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tousu.domain.codes import Channel, UrgencyType
from tousu.domain.policy import Calendar, Sla, SlaPolicy

LOCAL = ZoneInfo("Asia/Shanghai")
_MAX_DAYS = 3660  # a calendar with no open day at all must not loop forever


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
    return Sla(
        acknowledge_hours=min(s.acknowledge_hours for s in urgent),
        reply_hours=min(s.reply_hours for s in urgent),
        follow_up_hours=min(s.follow_up_hours for s in urgent),
    )


def calendar_for(channel: Channel, policy: SlaPolicy) -> Calendar:
    return policy.calendars[policy.channel_calendar.get(channel, policy.default_calendar)]


def _open_interval(day: datetime, calendar: Calendar) -> tuple[datetime, datetime] | None:
    """The business interval of the local day starting at `day` (local midnight), if open."""
    if day.weekday() not in calendar.weekdays or day.date() in calendar.holidays:
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
    if calendar.hours is None and not calendar.holidays and len(calendar.weekdays) == 7:
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
    if calendar.hours is None and not calendar.holidays and len(calendar.weekdays) == 7:
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
    urgency: Iterable[UrgencyType],
    paused: timedelta,
    policy: SlaPolicy,
) -> Deadlines:
    """Deadlines counted in business time from receipt, pushed back by the paused time."""
    sla = sla_for(channel=channel, urgency=urgency, policy=policy)
    calendar = calendar_for(channel, policy)

    def due(hours: float) -> datetime:
        return add_business_time(received_at, timedelta(hours=hours) + paused, calendar)

    return Deadlines(
        acknowledge_by=due(sla.acknowledge_hours),
        reply_by=due(sla.reply_hours),
        follow_up_by=due(sla.follow_up_hours),
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
