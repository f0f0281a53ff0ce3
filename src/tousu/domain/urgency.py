"""Urgency classification (domain §3): deterministic rules, `now` always passed in.

Static types (over_level, important_customer, sensitive, major) follow from the
complaint and its customer alone; batch and repeat need the other complaints, which
the storage layer selects and passes in, so every server process decides alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from tousu.domain.codes import Category, Channel, UrgencyType
from tousu.domain.policy import UrgencyPolicy

MAJOR_SIGNALS = frozenset({"media", "litigation"})
"""Analyzer signals that make a complaint major: media exposure or court action."""

DEMAND_SIGNALS = {"media_threat": "media"}
"""Demands a person recorded that carry the same weight as the analyzer's signals."""

REPLIED_STATUSES = frozenset({"replied", "followed_up", "closed"})


@dataclass(frozen=True)
class CustomerFlags:
    vip_level: str = "normal"
    important: bool = False
    sensitive: bool = False


@dataclass(frozen=True)
class PriorComplaint:
    """An earlier complaint of the same customer, as the repeat rule sees it."""

    issue_key: str
    status: str
    replied_at: datetime | None


def issue_key(category: str, topic: str | None = None, area: str | None = None) -> str:
    """What makes two complaints "the same issue": category + affected service + area.

    >>> issue_key("network", "4G网络", "思明区")
    'network|4g网络|思明区'
    """
    parts = [category, (topic or "").strip().lower(), (area or "").strip().lower()]
    return "|".join(p if p else "-" for p in parts)


SHARED_INCIDENT_CATEGORIES = frozenset({Category.NETWORK.value})
"""Where the analyzer's topic alone may group a batch: an outage hits many customers at once.

Elsewhere a topic like 话费 is far too broad for "the same issue" on a busy hotline, so a
batch needs the affected service or area recorded by a person.
"""


def may_form_batch(
    *, category: str | None, analyzer_topic: str | None, person_topic: str | None, area: str | None
) -> bool:
    return bool(person_topic or area or (analyzer_topic and category in SHARED_INCIDENT_CATEGORIES))


def describe_issue_key(key: str, category_names: Mapping[Category, str]) -> str:
    """The issue key as people read it, its category by `category_names` (the organisation's
    industry's, services.industry.category_names); the key is lower-cased, and the Latin letters
    in a topic or an area are acronyms (4G, IPTV, APP), so they are shown in capitals.

    >>> from tousu.domain.codes import CATEGORY_NAMES
    >>> describe_issue_key("network|4g网络|思明区", CATEGORY_NAMES)
    '网络/信号 · 4G网络 · 思明区'
    """
    category, *rest = key.split("|")
    try:
        name = category_names[Category(category)]
    except (ValueError, KeyError):
        name = category
    return " · ".join([name, *(part.upper() for part in rest if part != "-")])


def over_level(*, channel: Channel, manual: Iterable[UrgencyType], transferred: bool, policy: UrgencyPolicy) -> bool:
    """越级: the complaint came over our heads, by its channel or a regulator's transfer, or a
    person marked it so."""
    return transferred or channel in policy.over_level_channels or UrgencyType.OVER_LEVEL in set(manual)


def static_urgency(
    *,
    channel: Channel,
    customer: CustomerFlags,
    signals: Iterable[str] = (),
    demands: Iterable[str] = (),
    manual: Iterable[UrgencyType] = (),
    transferred: bool = False,
    policy: UrgencyPolicy,
) -> set[UrgencyType]:
    """The urgency types the complaint and its customer alone decide. A complaint `transferred` by
    a regulator (12300, 12315, 工信部/通信管理局) is 越级 whatever channel it was entered on: the
    customer already went over our heads, however the transfer reached the hall."""
    types = set(manual)
    if over_level(channel=channel, manual=types, transferred=transferred, policy=policy):
        types.add(UrgencyType.OVER_LEVEL)
    raised = set(signals) | {DEMAND_SIGNALS[d] for d in demands if d in DEMAND_SIGNALS}
    if channel in policy.major_channels or MAJOR_SIGNALS & raised:
        types.add(UrgencyType.MAJOR)
    if customer.important or customer.vip_level in policy.important_vip_levels:
        types.add(UrgencyType.IMPORTANT_CUSTOMER)
    if customer.sensitive:
        types.add(UrgencyType.SENSITIVE)
    return types


def batch_window_start(now: datetime, policy: UrgencyPolicy) -> datetime:
    return now - timedelta(minutes=policy.batch_window_minutes)


def forms_batch(customers: Iterable[tuple[str, bool]], policy: UrgencyPolicy) -> bool:
    """Whether the customers (id, is_vip) complaining in one window make a batch.

    Counts distinct customers: more than 10 of them, or more than 5 VIPs (defaults).
    """
    everyone: set[str] = set()
    vips: set[str] = set()
    for customer_id, is_vip in customers:
        everyone.add(customer_id)
        if is_vip:
            vips.add(customer_id)
    return len(everyone) >= policy.batch_min_ordinary or len(vips) >= policy.batch_min_vip


def subtract_months(moment: datetime, months: int) -> datetime:
    """Calendar months back, clamping the day (31 May - 3 months = 28/29 Feb)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def is_repeat(*, key: str, earlier: Iterable[PriorComplaint], now: datetime, policy: UrgencyPolicy) -> bool:
    """Same customer, same issue, within the window after an earlier one was replied to."""
    since = subtract_months(now, policy.repeat_window_months)
    return any(
        prior.issue_key == key
        and prior.status in REPLIED_STATUSES
        and prior.replied_at is not None
        and since <= prior.replied_at <= now
        for prior in earlier
    )


def priority(types: Iterable[UrgencyType]) -> int:
    """1 is most urgent; 3 is a normal complaint."""
    kinds = set(types)
    if kinds & {UrgencyType.MAJOR, UrgencyType.OVER_LEVEL, UrgencyType.BATCH}:
        return 1
    if kinds:
        return 2
    return 3
