"""我的待办: what waits for one person, each item linked to where it is acted on.

Every kind of item comes from one source below: a bounded SQL query over the rows the person
may see, never a scan of all complaints in Python. Acting on an item (deciding the approval,
answering the complaint, reopening it, closing the batch) takes it off the list by itself, since
each source reads the current state. The header's badge counts every source in one statement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tousu.domain.codes import Role
from tousu.domain.policy import Policy
from tousu.domain.remedies import money_text
from tousu.domain.urgency import describe_issue_key
from tousu.domain.workflow import CLOCK_RUNNING, OPEN_STATUSES, Status
from tousu.services import improvement, queries
from tousu.services.actors import Actor, can_see_clause
from tousu.services.industry import category_names
from tousu.storage.tables import batches, complaints, improvement_measures, settlements

LIMIT_PER_SOURCE = 100
"""Items listed per source; the counts are always complete."""
BADGE_CAP = 100
"""The header's badge counts up to here (and shows 99+): a long backlog costs it no more."""

_CLOCKED = sorted(s.value for s in CLOCK_RUNNING)
_OPEN = sorted(s.value for s in OPEN_STATUSES)
# Written into the statement, so that PostgreSQL can use the partial indexes on open complaints.
_IS_CLOCKED = queries.statuses(_CLOCKED)
_IS_OPEN = queries.statuses(_OPEN)
_REPLY_DUE = sa.case((_IS_CLOCKED, complaints.c.reply_by), else_=sa.null())
"""The reply deadline while its clock runs (not while waiting on the customer, nor once replied)."""


@dataclass(frozen=True)
class TodoItem:
    kind: str
    title: str
    url: str  # where it is acted on
    due: datetime | None
    complaint_id: int | None = None
    reference: str | None = None
    settlement_id: int | None = None
    batch_id: int | None = None

    def overdue(self, now: datetime) -> bool:
        return self.due is not None and self.due <= now


@dataclass(frozen=True)
class Source:
    kind: str
    name: str  # the kind in Chinese
    query: Callable[[Actor, datetime, Policy], sa.Select[Any] | None]  # None: nothing of this kind for this person
    item: Callable[[Mapping[str, Any], datetime, Policy], TodoItem]


def _mine(actor: Actor) -> sa.ColumnElement[bool]:
    return sa.or_(complaints.c.owner_id == actor.id, complaints.c.responsible_id == actor.id)


def _escalated_to_me(actor: Actor, policy: Policy) -> sa.ColumnElement[bool] | None:
    """Complaints at an escalation level whose rung this person's role owns (level 0 is no
    escalation). The top rung also owns any level above it: one reached on a longer ladder
    the policy has since shortened is not left in nobody's queue."""
    ladder = policy.escalation.ladder
    mine = [level for level, (_, role) in enumerate(ladder) if level > 0 and role is actor.role]
    if not mine:
        return None
    at = complaints.c.escalation_level
    top = len(ladder) - 1
    return sa.or_(at.in_(mine), at > top) if top in mine else at.in_(mine)


# Approvals: pending settlements sent to this person's role, on complaints they may see, that they
# did not propose. The authority ladder (domain.authority) put each request at the lowest role
# whose limits cover it, so a manager is offered only what is within a manager's authority.
def _approvals(actor: Actor, now: datetime, policy: Policy) -> sa.Select[Any] | None:
    if not actor.at_least(Role.MANAGER):
        return None
    return (
        sa.select(
            settlements.c.id,
            settlements.c.refund,
            settlements.c.compensation,
            settlements.c.gift,
            settlements.c["items"],
            complaints.c.id.label("complaint_id"),
            complaints.c.reference,
            _REPLY_DUE.label("due"),
        )
        .join(complaints, complaints.c.id == settlements.c.complaint_id)
        .where(
            settlements.c.status == "pending_approval",
            settlements.c.approver_role == actor.role.value,
            settlements.c.proposed_by_id != actor.id,
            can_see_clause(actor),
        )
    )


def _approval_item(row: Mapping[str, Any], now: datetime, policy: Policy) -> TodoItem:
    return TodoItem(
        kind="approval",
        title="处理方案待审批：" + (money_text(row) or "见处理方案"),
        url=f"/complaints/{row['complaint_id']}#settle-title",
        due=row["due"],
        complaint_id=row["complaint_id"],
        reference=row["reference"],
        settlement_id=row["id"],
    )


# Escalations: complaints still waiting for a reply whose escalation level is this person's rung.
# Answering the complaint, or its climbing to the next rung, takes it off.
def _escalations(actor: Actor, now: datetime, policy: Policy) -> sa.Select[Any] | None:
    escalated = _escalated_to_me(actor, policy)
    if escalated is None:
        return None
    return sa.select(
        complaints.c.id, complaints.c.reference, complaints.c.escalation_level, _REPLY_DUE.label("due")
    ).where(_IS_OPEN, escalated, can_see_clause(actor))


def _escalation_item(row: Mapping[str, Any], now: datetime, policy: Policy) -> TodoItem:
    ladder = policy.escalation.ladder
    rung = ladder[min(row["escalation_level"], len(ladder) - 1)][0]
    late = row["due"] is not None and row["due"] <= now
    return TodoItem(
        kind="escalation",
        title=f"投诉已升级至{rung}，" + ("答复已超时" if late else "待答复"),
        url=f"/complaints/{row['id']}",
        due=row["due"],
        complaint_id=row["id"],
        reference=row["reference"],
    )


# Deadlines: the reply deadline (while its clock runs) and the follow-up deadline (once replied) of
# the complaints this person owns or is responsible for, within the policy's warning window or past.
# A complaint escalated to this person's own rung is listed once, as the escalation.
_DEADLINE_DUE = sa.case(
    (_IS_CLOCKED, complaints.c.reply_by),
    (complaints.c.status == Status.REPLIED.value, complaints.c.follow_up_by),
    else_=sa.null(),
)


def _deadlines(actor: Actor, now: datetime, policy: Policy) -> sa.Select[Any] | None:
    horizon = now + timedelta(hours=policy.sla.warn_before_hours)
    where = [
        queries.statuses([*_CLOCKED, Status.REPLIED.value]),
        _mine(actor),
        horizon >= _DEADLINE_DUE,
    ]
    if (escalated := _escalated_to_me(actor, policy)) is not None:
        where.append(sa.not_(sa.and_(_IS_OPEN, escalated)))
    return sa.select(complaints.c.id, complaints.c.reference, complaints.c.status, _DEADLINE_DUE.label("due")).where(
        *where
    )


def _deadline_item(row: Mapping[str, Any], now: datetime, policy: Policy) -> TodoItem:
    what = "回访" if row["status"] == Status.REPLIED.value else "答复"
    return TodoItem(
        kind="deadline",
        title=f"{what}时限" + ("已过" if row["due"] <= now else "将到"),
        url=f"/complaints/{row['id']}",
        due=row["due"],
        complaint_id=row["id"],
        reference=row["reference"],
    )


# Dissatisfied follow-ups: the customer was not satisfied and the complaint waits to be handled
# again (reopened) or closed with the reason. For its handlers and the managers of its hall.
def _dissatisfied(actor: Actor, now: datetime, policy: Policy) -> sa.Select[Any] | None:
    whose = [_mine(actor)]
    if actor.role is Role.MANAGER and actor.team:
        whose.append(complaints.c.team == actor.team)
    return sa.select(complaints.c.id, complaints.c.reference).where(
        complaints.c.status == Status.FOLLOWED_UP.value,
        complaints.c.satisfaction == "dissatisfied",
        sa.or_(*whose),
    )


def _dissatisfied_item(row: Mapping[str, Any], now: datetime, policy: Policy) -> TodoItem:
    return TodoItem(
        kind="dissatisfied",
        title="回访客户不满意，须再次处理（重开）或说明理由后结案",
        url=f"/complaints/{row['id']}",
        due=None,
        complaint_id=row["id"],
        reference=row["reference"],
    )


# Batches this person owns that are still open, with how many members still wait for a reply.
def _batches(actor: Actor, now: datetime, policy: Policy) -> sa.Select[Any] | None:
    waiting = (
        sa.select(sa.func.count())
        .select_from(complaints)
        .where(complaints.c.batch_id == batches.c.id, _IS_OPEN)
        .scalar_subquery()
    )
    earliest = (
        sa.select(sa.func.min(complaints.c.reply_by))
        .where(complaints.c.batch_id == batches.c.id, _IS_CLOCKED)
        .scalar_subquery()
    )
    return sa.select(
        batches.c.id,
        batches.c.issue_key,
        batches.c.member_count,
        waiting.label("waiting"),
        earliest.label("due"),
    ).where(batches.c.owner_id == actor.id, batches.c.closed_at.is_(None))


def _batch_item(row: Mapping[str, Any], now: datetime, policy: Policy) -> TodoItem:
    waiting = int(row["waiting"])
    progress = f"{waiting} 件待答复" if waiting else "均已答复，可关闭批次"
    return TodoItem(
        kind="batch",
        title=f"批量投诉：{describe_issue_key(row['issue_key'], category_names(policy.industry))}（{row['member_count']} 位客户，{progress}）",
        url=f"/batches/{row['id']}",
        due=row["due"],
        batch_id=row["id"],
    )


# Improvement measures (整改) this person owns, still owed, due within days or overdue.
def _measures(actor: Actor, now: datetime, policy: Policy) -> sa.Select[Any] | None:
    return improvement.due_measures_query(actor.id, now).add_columns(improvement_measures.c.due_on.label("due"))


def _measure_item(row: Mapping[str, Any], now: datetime, policy: Policy) -> TodoItem:
    due = improvement.due_moment(row["due_on"])
    return TodoItem(
        kind="measure",
        title=f"整改措施{'已逾期' if due <= now else '将到期'}：{row['title']}",
        url=f"/improvement/measures/{row['id']}",
        due=due,
    )


SOURCES: tuple[Source, ...] = (
    Source("approval", "待我审批", _approvals, _approval_item),
    Source("escalation", "升级给我", _escalations, _escalation_item),
    Source("deadline", "时限将到或已过", _deadlines, _deadline_item),
    Source("dissatisfied", "回访不满意", _dissatisfied, _dissatisfied_item),
    Source("batch", "我负责的批量投诉", _batches, _batch_item),
    Source("measure", "整改措施到期", _measures, _measure_item),
)
"""Every kind of to-do item, in the order the list shows kinds of equal urgency. A new kind is one
more line here."""

KIND_NAMES = {s.kind: s.name for s in SOURCES}


def counts(
    conn: sa.Connection, *, actor: Actor, now: datetime, policy: Policy, cap: int | None = None
) -> dict[str, int]:
    """How many items of each kind, in one statement (one round trip). With `cap`, each kind is
    counted only up to it, so the cost does not grow with a long backlog."""
    queries = {s.kind: q for s in SOURCES if (q := s.query(actor, now, policy)) is not None}
    if not queries:
        return {s.kind: 0 for s in SOURCES}
    row = conn.execute(
        sa.select(
            *(
                sa.select(sa.func.count())
                .select_from((q if cap is None else q.limit(cap)).subquery())
                .scalar_subquery()
                .label(kind)
                for kind, q in queries.items()
            )
        )
    ).one()
    found = row._mapping
    return {s.kind: int(found[s.kind]) if s.kind in queries else 0 for s in SOURCES}


def badge(conn: sa.Connection, *, actor: Actor, now: datetime, policy: Policy) -> int:
    """The header's count: exact below BADGE_CAP, else BADGE_CAP (shown as 99+)."""
    return min(sum(counts(conn, actor=actor, now=now, policy=policy, cap=BADGE_CAP).values()), BADGE_CAP)


def items(
    conn: sa.Connection, *, actor: Actor, now: datetime, policy: Policy, limit: int = LIMIT_PER_SOURCE
) -> list[TodoItem]:
    """The items, most urgent first: passed deadlines, then the nearest, then those without one."""
    found: list[TodoItem] = []
    for source in SOURCES:
        query = source.query(actor, now, policy)
        if query is None:
            continue
        columns = query.selected_columns
        urgent_first = [columns["due"].asc().nulls_last()] if "due" in columns else []
        rows = conn.execute(query.order_by(*urgent_first, columns["id"]).limit(limit)).mappings().all()
        found.extend(source.item(dict(row), now, policy) for row in rows)
    order = {s.kind: n for n, s in enumerate(SOURCES)}
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(found, key=lambda i: (not i.overdue(now), i.due is None, i.due or far, order[i.kind]))
