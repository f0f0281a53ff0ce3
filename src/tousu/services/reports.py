"""报表: the KPIs of a period, grouped, beside the period before — counted by the database.

Each report is a handful of GROUP BY queries over the complaints received in the period (the
received_at index bounds them); nothing is counted row by row in Python. What each figure means
is defined once, in tousu.domain.kpi; the conditions here are those definitions in SQL.

Who may see which figures: reports are for managers and up, like the 管理看板. A manager's
reports cover their hall's complaints (the team column: a hall's figures are about the hall,
not about complaints a manager once took elsewhere); directors and admins see every hall.
Agents are refused: their work is the queue, and a hall's figures name their colleagues.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from tousu.domain import kpi
from tousu.domain.codes import CHANNEL_NAMES, Demand, Role, UrgencyType
from tousu.domain.deadlines import LOCAL
from tousu.domain.kpi import Counts, GroupBy, Measure, Period
from tousu.domain.policy import Policy
from tousu.domain.workflow import CLOCK_RUNNING, Status
from tousu.services.actors import Actor, require_role
from tousu.services.errors import Invalid
from tousu.services.industry import category_names
from tousu.services.queries import LIST_COLUMNS
from tousu.storage.tables import complaints, customers, users

NO_KEY = "none"
"""The drill-down key of a group without a value: no handler, no category."""

_C = complaints.c
# Asia/Shanghai has kept UTC+8 all year since 1991: SQLite's calendar days are a fixed shift.
_SQLITE_SHIFT = "+8 hours"


def scope(actor: Actor) -> list[sa.ColumnElement[bool]]:
    """The complaints a report may count for this actor (see the module's docstring)."""
    require_role(actor, Role.MANAGER)
    if actor.sees_everything:
        return []
    return [_C.team == actor.team] if actor.team else [sa.false()]


def _mentions(column: sa.ColumnElement[Any], code: str) -> sa.ColumnElement[bool]:
    """A JSON list column holding `code` (lists of codes are stored as JSON text)."""
    return sa.cast(column, sa.Text).contains(f'"{code}"', autoescape=True)


def conditions(now: datetime) -> dict[Measure, sa.ColumnElement[bool]]:
    """Each counted subset (tousu.domain.kpi.KPIS) as a condition on a complaint's row."""
    late_now = sa.and_(_C.status.in_([s.value for s in CLOCK_RUNNING]), _C.reply_by.is_not(None), _C.reply_by < now)
    replied_late = sa.and_(_C.replied_at.is_not(None), _C.replied_at > sa.func.coalesce(_C.reply_by, _C.replied_at))
    overdue = sa.or_(late_now, replied_late)
    return {
        Measure.RECEIVED: sa.true(),
        Measure.ON_TIME: sa.and_(_C.replied_at.is_not(None), sa.not_(overdue)),
        Measure.OVERDUE: overdue,
        Measure.CLOSED: sa.and_(_C.status == Status.CLOSED.value, _C.closed_at.is_not(None)),
        Measure.REPLIED: _C.replied_at.is_not(None),
        Measure.FOLLOWED_UP: _C.satisfaction.is_not(None),
        Measure.SATISFIED: _C.satisfaction == "satisfied",
        Measure.REPEAT: _mentions(_C.urgency_types, UrgencyType.REPEAT.value),
        Measure.OVER_LEVEL: _mentions(_C.urgency_types, UrgencyType.OVER_LEVEL.value),
        Measure.APPEALS: _C.transfer_source.is_not(None),
        Measure.REGULATOR_THREATS: _mentions(_C.demands, Demand.REGULATOR_THREAT.value),
        Measure.IN_BATCH: _C.batch_id.is_not(None),
    }


def _hours_to_close(dialect: str) -> sa.ColumnElement[Any]:
    if dialect == "sqlite":
        return (sa.func.julianday(_C.closed_at) - sa.func.julianday(_C.received_at)) * 24
    return sa.extract("epoch", _C.closed_at - _C.received_at) / 3600


def _bucket(dialect: str, group: GroupBy) -> sa.ColumnElement[Any]:
    """The first day (YYYY-MM-DD, Shanghai) of the day, week (Monday) or month a complaint came in."""
    if dialect == "sqlite":
        shifted = (_C.received_at, _SQLITE_SHIFT)
        if group is GroupBy.WEEK:
            return sa.func.date(*shifted, "weekday 0", "-6 days")  # the Sunday on or after, less six days
        if group is GroupBy.MONTH:
            return sa.func.strftime("%Y-%m-01", *shifted)
        return sa.func.date(*shifted)
    local = sa.func.timezone(str(LOCAL), _C.received_at)
    bucket: sa.ColumnElement[Any] = sa.func.to_char(sa.func.date_trunc(group.value, local), "YYYY-MM-DD")
    return bucket


def _group_column(dialect: str, group: GroupBy) -> sa.ColumnElement[Any]:
    if group in kpi.TIME_GROUPS:
        return _bucket(dialect, group)
    columns: dict[GroupBy, sa.ColumnElement[Any]] = {
        GroupBy.TEAM: _C.team,
        GroupBy.AGENT: _C.owner_id,
        GroupBy.CHANNEL: _C.channel,
        GroupBy.CATEGORY: _C.category,
    }
    return columns[group]


def _aggregates(dialect: str, now: datetime) -> list[sa.ColumnElement[Any]]:
    """The columns of Counts, in its order."""
    when = conditions(now)

    def flagged(measure: Measure) -> sa.ColumnElement[Any]:
        return sa.func.sum(sa.case((when[measure], 1), else_=0))

    return [
        sa.func.count().label("received"),
        flagged(Measure.ON_TIME).label("on_time"),
        flagged(Measure.OVERDUE).label("overdue"),
        flagged(Measure.CLOSED).label("closed"),
        sa.func.sum(sa.case((when[Measure.CLOSED], _hours_to_close(dialect)))).label("handling_hours"),
        flagged(Measure.REPLIED).label("replied"),
        flagged(Measure.FOLLOWED_UP).label("followed_up"),
        flagged(Measure.SATISFIED).label("satisfied"),
        flagged(Measure.REPEAT).label("repeat"),
        flagged(Measure.OVER_LEVEL).label("over_level"),
        flagged(Measure.APPEALS).label("appeals"),
        flagged(Measure.REGULATOR_THREATS).label("regulator_threats"),
        sa.func.count(sa.distinct(_C.batch_id)).label("batches"),
    ]


def _counts(row: Any) -> Counts:
    values = {f.name: row._mapping[f.name] for f in fields(Counts)}
    return Counts(
        **{k: (float(v or 0) if k == "handling_hours" else int(v or 0)) for k, v in values.items()}  # type: ignore[arg-type]
    )


def _within(period: Period) -> list[sa.ColumnElement[bool]]:
    start, end = period.bounds()
    return [_C.received_at >= start, _C.received_at < end]


def _grouped(
    conn: sa.Connection, *, where: list[sa.ColumnElement[bool]], group: GroupBy | None, now: datetime
) -> dict[Any, Counts]:
    dialect = conn.dialect.name
    if group is None:
        row = conn.execute(sa.select(*_aggregates(dialect, now)).select_from(complaints).where(*where)).one()
        return {None: _counts(row)}
    key = _group_column(dialect, group).label("group_key")
    query = sa.select(key, *_aggregates(dialect, now)).select_from(complaints).where(*where).group_by(key)
    return {row.group_key: _counts(row) for row in conn.execute(query)}


def _scope_subscribers(
    conn: sa.Connection, *, actor: Actor, where: list[sa.ColumnElement[bool]], policy: Policy
) -> int | None:
    """The subscribers behind the whole scope: the manager's hall; for everyone's, every
    configured hall, known only when each hall with complaints in the period is configured."""
    counts = policy.subscribers
    if not actor.sees_everything:
        return counts.get(actor.team)
    if not counts:
        return None
    teams = conn.execute(sa.select(_C.team).where(*where).distinct()).scalars().all()
    return sum(counts.values()) if all(t in counts for t in teams) else None


def _labels(conn: sa.Connection, group: GroupBy, keys: list[Any], *, industry: str) -> dict[Any, str]:
    """The groups by name: a category as the organisation's `industry` names it."""
    if group is GroupBy.AGENT:
        ids = [k for k in keys if k is not None]
        names = dict(conn.execute(sa.select(users.c.id, users.c.display_name).where(users.c.id.in_(ids))).all())
        return {k: names.get(k, f"#{k}") if k is not None else "未分派" for k in keys}
    if group is GroupBy.CHANNEL:
        channels = {c.value: name for c, name in CHANNEL_NAMES.items()}
        return {k: channels.get(k, k) for k in keys}
    if group is GroupBy.CATEGORY:
        categories = category_names(industry)
        return {k: categories.get(k, k) if k else "未分类" for k in keys}
    if group is GroupBy.TEAM:
        return {k: k or "（未指定营业厅）" for k in keys}
    return {k: kpi.bucket_label(date.fromisoformat(k), group) for k in keys}


def _key_text(key: Any) -> str:
    return NO_KEY if key is None else str(key)


def report(
    conn: sa.Connection, *, actor: Actor, period: Period, group_by: GroupBy, now: datetime, policy: Policy
) -> dict[str, Any]:
    """The KPIs per group and in total, for the period and the one before, with the changes."""
    visible = scope(actor)
    previous = period.previous()
    here, before = [*visible, *_within(period)], [*visible, *_within(previous)]
    rows_now = _grouped(conn, where=here, group=group_by, now=now)
    total_now = _grouped(conn, where=here, group=None, now=now)[None]
    total_before = _grouped(conn, where=before, group=None, now=now)[None]
    subscribers_now = _scope_subscribers(conn, actor=actor, where=here, policy=policy)
    subscribers_before = _scope_subscribers(conn, actor=actor, where=before, policy=policy)

    def subscribers_of(key: Any, scope_total: int | None) -> int | None:
        if group_by is GroupBy.TEAM:
            return policy.subscribers.get(key)
        return None if group_by is GroupBy.AGENT else scope_total

    if group_by in kpi.TIME_GROUPS:
        keys: list[Any] = [d.isoformat() for d in kpi.buckets(period, group_by)]
        rows_before: dict[Any, Counts] = {}
    else:
        rows_before = _grouped(conn, where=before, group=group_by, now=now)
        keys = sorted({*rows_now, *rows_before}, key=lambda k: (-rows_now.get(k, Counts()).received, _key_text(k)))
    labels = _labels(conn, group_by, keys, industry=policy.industry)
    rows = []
    for key in keys:
        current = kpi.kpis(rows_now.get(key, Counts()), subscribers_of(key, subscribers_now))
        row: dict[str, Any] = {"key": _key_text(key), "label": labels[key], "kpis": current}
        if group_by not in kpi.TIME_GROUPS:  # a day has no "same day" in the period before
            earlier = kpi.kpis(rows_before.get(key, Counts()), subscribers_of(key, subscribers_before))
            row.update(previous=earlier, change=kpi.changes(current, earlier))
        rows.append(row)
    total = kpi.kpis(total_now, subscribers_now)
    total_previous = kpi.kpis(total_before, subscribers_before)
    return {
        "period": _period_json(period),
        "previous_period": _period_json(previous),
        "group_by": group_by.value,
        "group_name": kpi.GROUP_NAMES[group_by],
        "scope": "全部营业厅" if actor.sees_everything else actor.team,
        "generated_at": now.astimezone(LOCAL).isoformat(),
        "columns": [
            {"key": k.key, "name": k.name, "kind": k.kind, "definition": k.definition, "measure": k.measure}
            for k in kpi.KPIS
        ],
        "rows": rows,
        "total": {"kpis": total, "previous": total_previous, "change": kpi.changes(total, total_previous)},
    }


def _period_json(period: Period) -> dict[str, Any]:
    return {"from": period.start.isoformat(), "to": period.end.isoformat(), "days": period.days}


def _key_condition(group: GroupBy, key: str, period: Period) -> tuple[list[sa.ColumnElement[bool]], Period]:
    """The condition for one group's key as it appears in a report (and its link), and the days it covers."""
    if group in kpi.TIME_GROUPS:
        try:
            first = date.fromisoformat(key)
        except ValueError:
            raise Invalid("bad_key", "key：应为该组第一天的日期（YYYY-MM-DD）。", "key") from None
        if kpi.bucket_start(first, group) != first:
            raise Invalid("bad_key", "key：不是该周（周一）或该月（1日）的第一天。", "key")
        return [], kpi.bucket_period(first, group, period)
    if group is GroupBy.AGENT:
        if key == NO_KEY:
            return [_C.owner_id.is_(None)], period
        if not (key.isascii() and key.isdigit() and len(key) <= 10):
            raise Invalid("bad_key", "key：处理人应为用户编号。", "key")
        return [_C.owner_id == int(key)], period
    column = {GroupBy.TEAM: _C.team, GroupBy.CHANNEL: _C.channel, GroupBy.CATEGORY: _C.category}[group]
    if group is GroupBy.CATEGORY and key == NO_KEY:
        return [column.is_(None)], period
    return [column == key], period


@dataclass(frozen=True)
class Figure:
    """One figure of a report: a KPI's complaints in a period, in one group (or all of them)."""

    period: Period
    measure: Measure = Measure.RECEIVED
    group_by: GroupBy | None = None
    key: str | None = None  # the group's key as the report gives it; None: every group


def _behind_where(actor: Actor, figure: Figure, now: datetime) -> list[sa.ColumnElement[bool]]:
    where = scope(actor)
    days = figure.period
    if figure.group_by is not None and figure.key is not None:
        condition, days = _key_condition(figure.group_by, figure.key, figure.period)
        where += condition
    return [*where, *_within(days), conditions(now)[figure.measure]]


def complaints_behind(
    conn: sa.Connection, *, actor: Actor, figure: Figure, now: datetime, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of the complaints a report's figure counts (newest first), and how many there are."""
    where = _behind_where(actor, figure, now)
    query = sa.select(*LIST_COLUMNS).join(customers, customers.c.id == _C.customer_id).where(*where)
    rows = conn.execute(query.order_by(_C.received_at.desc(), _C.id.desc()).limit(limit).offset(offset)).mappings()
    total = conn.execute(sa.select(sa.func.count()).select_from(complaints).where(*where)).scalar_one()
    return [dict(r) for r in rows], int(total)


def iter_behind(conn: sa.Connection, *, actor: Actor, figure: Figure, now: datetime) -> Iterator[dict[str, Any]]:
    """Every complaint behind a figure, oldest first, fetched in slices (for exports)."""
    where = _behind_where(actor, figure, now)
    query = sa.select(*LIST_COLUMNS).join(customers, customers.c.id == _C.customer_id).where(*where)
    for row in conn.execute(query.order_by(_C.received_at, _C.id).execution_options(yield_per=1000)).mappings():
        yield dict(row)


def group_label(conn: sa.Connection, group: GroupBy, key: str, *, industry: str) -> str | None:
    """How a report names the group whose link key is `key`; None for a key it cannot read."""
    if group is GroupBy.AGENT:
        raw: Any = None if key == NO_KEY else int(key) if key.isascii() and key.isdigit() and len(key) <= 10 else ""
        if raw == "":
            return None
    elif group is GroupBy.CATEGORY and key == NO_KEY:
        raw = None
    elif group in kpi.TIME_GROUPS:
        try:
            date.fromisoformat(key)
        except ValueError:
            return None
        raw = key
    else:
        raw = key
    return _labels(conn, group, [raw], industry=industry)[raw]
