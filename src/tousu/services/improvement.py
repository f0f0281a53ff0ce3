"""The improvement loop (整改): the Pareto of root causes, improvement measures and their effect.

Counts are of the hall's complaints, as on 管理看板: a manager's hall, every hall for directors
and admins (who may narrow to one). Measures are managed by managers and up; the owner of a
measure (who may be an agent) sees it, records its evidence and marks it done. Creating a
measure and completing it are written into the timeline of every complaint it answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tousu.domain import improvement as rules
from tousu.domain.codes import Role
from tousu.domain.improvement import MEASURE_STATUS_NAMES, ROOT_CAUSE_NAMES, MeasureStatus, RootCauseKind
from tousu.domain.workflow import Status
from tousu.services import complaints as store
from tousu.services import timeline, users
from tousu.services.actors import Actor, can_see, require_role
from tousu.services.errors import Conflict, Invalid, NotFound
from tousu.storage.tables import (
    complaints,
    improvement_measure_complaints,
    improvement_measure_events,
    improvement_measures,
)

measures = improvement_measures
links = improvement_measure_complaints
UNCLASSIFIED_KEY = "unclassified"
"""The drill-down's name for complaints closed without a kind."""
DEFAULT_PERIOD_DAYS = 84  # twelve weeks
MAX_PERIOD_DAYS = 3 * 366
EFFECT_WEEKS = 8
MAX_LINKED = 500


def _invalid(exc: rules.Refused) -> Invalid:
    return Invalid(exc.code, exc.message, exc.field)


def chosen_kind(value: Any) -> str | None:
    """The root-cause kind a person chose at close or afterwards (None: not chosen), or 422 with the list."""
    try:
        kind = rules.root_cause_kind(value if isinstance(value, str) or value is None else str(value))
    except rules.Refused as exc:
        raise _invalid(exc) from None
    return None if kind is None else kind.value


# --- the Pareto ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Closing dates, both days included, in Asia/Shanghai."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return rules.start_of_local_day(self.first)

    @property
    def end(self) -> datetime:
        return rules.start_of_local_day(self.last + timedelta(days=1))


def period(first: date | None, last: date | None, *, now: datetime) -> Period:
    """The period asked for; the last twelve weeks up to today by default."""
    today = rules.local_today(now)
    last = last or today
    first = first or last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if first > last:
        raise Invalid("period_reversed", "统计期间的开始日期不能晚于结束日期，请调换后重试。", "closed_from")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise Invalid("period_too_long", "统计期间最长三年，请缩短期间。", "closed_from")
    return Period(first, last)


def _hall(actor: Actor, team: str | None) -> list[sa.ColumnElement[bool]]:
    """The complaints counted for this actor: their hall, or every hall (or the one chosen) for
    those who see everything. An account without a team has no hall."""
    if actor.sees_everything:
        return [complaints.c.team == team] if team else []
    where = [complaints.c.team == actor.team if actor.team else sa.false()]
    if team and team != actor.team:
        where.append(sa.false())
    return where


def _closed_in(p: Period) -> list[sa.ColumnElement[bool]]:
    return [
        complaints.c.status == Status.CLOSED.value,
        complaints.c.closed_at >= p.start,
        complaints.c.closed_at < p.end,
    ]


def pareto(conn: sa.Connection, *, actor: Actor, within: Period, team: str | None = None) -> dict[str, Any]:
    """Root-cause kinds of the complaints closed in the period, largest first, with their share and
    cumulative share; complaints closed without a kind are counted apart (未分类)."""
    require_role(actor, Role.MANAGER)
    kind = complaints.c.root_cause_kind
    rows = conn.execute(
        sa.select(kind, sa.func.count()).where(*_hall(actor, team), *_closed_in(within)).group_by(kind)
    ).all()
    counts: dict[RootCauseKind, int] = {}
    unclassified = 0
    for code, n in rows:
        try:
            counts[RootCauseKind(code)] = int(n)
        except ValueError:  # None, or a code no longer in the list
            unclassified += int(n)
    bars = rules.pareto(counts)
    return {
        "closed_from": within.first.isoformat(),
        "closed_to": within.last.isoformat(),
        "team": team if actor.sees_everything else actor.team,
        "classified": sum(b.count for b in bars),
        "unclassified": unclassified,
        "bars": [
            {
                "kind": b.kind.value,
                "name": b.name,
                "count": b.count,
                "share": round(b.share, 4),
                "cumulative": round(b.cumulative, 4),
            }
            for b in bars
        ],
    }


def closed_of_kind(
    conn: sa.Connection, *, actor: Actor, kind: str, within: Period, team: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """The complaints behind one bar (`kind`, or UNCLASSIFIED_KEY), newest closed first."""
    require_role(actor, Role.MANAGER)
    column = complaints.c.root_cause_kind
    which = column.is_(None) if kind == UNCLASSIFIED_KEY else column == chosen_kind(kind)
    rows = conn.execute(
        sa.select(
            complaints.c.id,
            complaints.c.reference,
            complaints.c.category,
            complaints.c.team,
            complaints.c.received_at,
            complaints.c.closed_at,
            complaints.c.root_cause,
            complaints.c.root_cause_kind,
        )
        .where(which, *_hall(actor, team), *_closed_in(within))
        .order_by(complaints.c.closed_at.desc(), complaints.c.id.desc())
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


# --- measures --------------------------------------------------------------------------------


def _visible(actor: Actor) -> sa.ColumnElement[bool]:
    """Directors and admins see every measure; managers their hall's and the all-hall ones; anyone
    the measures they own or created."""
    own = sa.or_(measures.c.owner_id == actor.id, measures.c.created_by_id == actor.id)
    if actor.sees_everything:
        return sa.true()
    if actor.at_least(Role.MANAGER) and actor.team:
        return sa.or_(own, measures.c.team == actor.team, measures.c.team == "")
    return own


def _load(conn: sa.Connection, measure_id: int, actor: Actor, *, for_update: bool = False) -> dict[str, Any]:
    query = sa.select(measures).where(measures.c.id == measure_id, _visible(actor))
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound("measure_not_found", f"整改措施 {measure_id} 不存在或您无权查看。")
    return dict(row)


def _owner(conn: sa.Connection, username: str, actor: Actor) -> dict[str, Any]:
    person = users.get_by_username(conn, username.strip())
    if person is None or not person["active"] or person["username"] == users.SYSTEM_USERNAME:
        raise Invalid("owner_not_found", f"责任人“{username.strip()[:64]}”不存在或已停用，请从名单中选择。", "owner")
    if not actor.sees_everything and person["id"] != actor.id and person["team"] != actor.team:
        raise Invalid("owner_other_hall", "责任人须是本营业厅的人员（其他营业厅的措施请由客户中心主任制定）。", "owner")
    return person


def _linked_ids(
    conn: sa.Connection,
    *,
    actor: Actor,
    kind: str,
    team: str,
    complaint_ids: list[int],
    within: Period | None,
) -> list[int]:
    """The complaints the measure answers: those listed (visible to the actor and of the measure's
    kind), or every complaint of the kind closed in the period within the measure's hall."""
    if complaint_ids:
        found = []
        for cid in dict.fromkeys(complaint_ids):
            try:
                row = store.load(conn, complaint_id=cid, actor=actor)
            except NotFound as exc:
                raise Invalid(exc.code, exc.message, "complaint_ids") from None
            if row["root_cause_kind"] != kind:
                have = ROOT_CAUSE_NAMES[RootCauseKind(row["root_cause_kind"])] if row["root_cause_kind"] else "未分类"
                raise Invalid(
                    "complaint_kind_mismatch",
                    f"投诉 {row['reference']} 的根因类别是“{have}”，与本措施的“{ROOT_CAUSE_NAMES[RootCauseKind(kind)]}”"
                    "不一致：请只选择该类别的投诉，或先在投诉页更正其根因类别。",
                    "complaint_ids",
                )
            found.append(cid)
        return found
    if within is None:
        raise Invalid(
            "complaints_required",
            "请选择引发该措施的投诉，或给出统计期间以关联该期间内结案的该类别全部投诉。",
            "complaint_ids",
        )
    hall = [complaints.c.team == team] if team else []
    rows = conn.execute(
        sa.select(complaints.c.id)
        .where(complaints.c.root_cause_kind == kind, *_hall(actor, None), *hall, *_closed_in(within))
        .order_by(complaints.c.id)
        .limit(MAX_LINKED + 1)
    ).scalars()
    ids = list(rows)
    if not ids:
        raise Invalid(
            "no_complaints_of_kind", "该期间内没有这一根因类别的已结案投诉，无可关联的投诉。", "complaint_ids"
        )
    if len(ids) > MAX_LINKED:
        raise Invalid("too_many_complaints", f"一项措施最多关联 {MAX_LINKED} 件投诉，请缩短统计期间。", "closed_from")
    return ids


def _event(conn: sa.Connection, measure_id: int, kind: str, actor: Actor, now: datetime, data: dict[str, Any]) -> None:
    conn.execute(
        improvement_measure_events.insert().values(
            measure_id=measure_id, kind=kind, actor_id=actor.id, at=now, data=data
        )
    )


def _to_complaints(
    conn: sa.Connection, measure: dict[str, Any], kind: str, actor: Actor, now: datetime, data: dict[str, Any]
) -> None:
    """The event on the timeline of every complaint the measure answers."""
    ids = conn.execute(sa.select(links.c.complaint_id).where(links.c.measure_id == measure["id"])).scalars()
    for cid in ids:
        timeline.append(
            conn,
            complaint_id=cid,
            kind=kind,
            actor_id=actor.id,
            at=now,
            data={"measure": measure["title"], "measure_id": measure["id"], **data},
        )


def create_measure(
    conn: sa.Connection,
    *,
    actor: Actor,
    title: str,
    root_cause_kind: str,
    owner: str,
    due_on: date,
    now: datetime,
    description: str | None = None,
    team: str | None = None,
    complaint_ids: list[int] | None = None,
    within: Period | None = None,
) -> dict[str, Any]:
    """A measure for one root-cause kind, linked to the complaints that caused it."""
    require_role(actor, Role.MANAGER)
    try:
        kind = rules.required_kind(root_cause_kind).value
        rules.check_due(due_on, rules.local_today(now))
    except rules.Refused as exc:
        raise _invalid(exc) from None
    if not title.strip():
        raise Invalid("title_required", "请填写整改措施的名称。", "title")
    person = _owner(conn, owner, actor)
    hall = (team or "").strip() if actor.sees_everything else actor.team
    linked = _linked_ids(
        conn, actor=actor, kind=kind, team=hall, complaint_ids=list(complaint_ids or []), within=within
    )
    values = {
        "title": title.strip(),
        "root_cause_kind": kind,
        "description": (description or "").strip(),
        "owner_id": person["id"],
        "team": hall,
        "due_on": due_on,
        "status": MeasureStatus.OPEN.value,
        "evidence": "",
        "created_by_id": actor.id,
        "created_at": now,
        "version": 1,
    }
    measure_id = int(conn.execute(measures.insert().values(**values).returning(measures.c.id)).scalar_one())
    conn.execute(links.insert(), [{"measure_id": measure_id, "complaint_id": cid} for cid in linked])
    measure = {**values, "id": measure_id}
    _event(conn, measure_id, "created", actor, now, {"owner": person["username"], "due_on": due_on.isoformat()})
    _to_complaints(
        conn,
        measure,
        "measure_created",
        actor,
        now,
        {"root_cause_kind": kind, "owner": person["username"], "due_on": due_on.isoformat()},
    )
    return measure


def change_measure(
    conn: sa.Connection,
    *,
    actor: Actor,
    measure_id: int,
    version: int,
    now: datetime,
    status: MeasureStatus | None = None,
    evidence: str | None = None,
) -> dict[str, Any]:
    """Record evidence and move the status (the owner, or a manager of its hall); verifying is a
    manager's who is not the owner. Completion goes into the linked complaints' timelines."""
    measure = _load(conn, measure_id, actor, for_update=True)
    by_owner = measure["owner_id"] == actor.id
    by_manager = actor.at_least(Role.MANAGER)
    if not (by_owner or by_manager):
        raise NotFound("measure_not_found", f"整改措施 {measure_id} 不存在或您无权查看。")
    if version != measure["version"]:
        raise Conflict(
            "stale_version",
            f"整改措施已被他人更新（当前版本 {measure['version']}），请刷新后再操作。",
            "version",
        )
    changes: dict[str, Any] = {}
    if evidence is not None and evidence.strip() != measure["evidence"]:
        changes["evidence"] = evidence.strip()
    current = MeasureStatus(measure["status"])
    if status is not None and status is not current:
        try:
            rules.check_move(
                current,
                status,
                evidence=changes.get("evidence", measure["evidence"]),
                by_owner=by_owner,
                by_manager=by_manager,
            )
        except rules.Refused as exc:
            raise _invalid(exc) from None
        changes["status"] = status.value
        if status is MeasureStatus.DONE:
            changes["completed_at"] = now
        elif status is MeasureStatus.VERIFIED:
            changes.update(verified_by_id=actor.id, verified_at=now)
        else:  # back to work: it is no longer complete
            changes["completed_at"] = None
    if not changes:
        raise Invalid("nothing_to_change", "没有需要修改的内容。")
    result = conn.execute(
        measures.update()
        .where(measures.c.id == measure_id, measures.c.version == version)
        .values(**changes, version=version + 1)
    )
    if result.rowcount == 0:
        raise Conflict("stale_version", "整改措施已被他人更新，请刷新后再操作。", "version")
    if "evidence" in changes:
        _event(conn, measure_id, "evidence", actor, now, {"evidence": changes["evidence"]})
    if "status" in changes:
        _event(conn, measure_id, "status", actor, now, {"from": current.value, "to": changes["status"]})
        if changes["status"] == MeasureStatus.DONE.value:
            evidence_now = changes.get("evidence", measure["evidence"])
            _to_complaints(conn, measure, "measure_completed", actor, now, {"evidence": evidence_now})
    return {**measure, **changes, "version": version + 1}


def _complaint_counts(conn: sa.Connection, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = conn.execute(
        sa.select(links.c.measure_id, sa.func.count()).where(links.c.measure_id.in_(ids)).group_by(links.c.measure_id)
    ).all()
    return {int(m): int(n) for m, n in rows}


def measure_json(row: dict[str, Any], *, people: dict[int, dict[str, Any]], today: date) -> dict[str, Any]:
    """A measure as the API and the pages show it: every code with its Chinese name."""
    status = MeasureStatus(row["status"])

    def person(user_id: int | None) -> dict[str, Any] | None:
        if user_id is None:
            return None
        p = people.get(user_id, {})
        return {"id": user_id, "username": p.get("username"), "display_name": p.get("display_name", "其他人员")}

    return {
        "id": row["id"],
        "title": row["title"],
        "root_cause_kind": row["root_cause_kind"],
        "root_cause_name": ROOT_CAUSE_NAMES[RootCauseKind(row["root_cause_kind"])],
        "description": row["description"],
        "owner": person(row["owner_id"]),
        "team": row["team"],
        "due_on": row["due_on"].isoformat(),
        "status": status.value,
        "status_name": MEASURE_STATUS_NAMES[status],
        "due_state": rules.due_state(status, row["due_on"], today),
        "evidence": row["evidence"],
        "created_by": person(row["created_by_id"]),
        "created_at": row["created_at"].isoformat(),
        "completed_at": row["completed_at"].isoformat() if row["completed_at"] else None,
        "verified_by": person(row["verified_by_id"]),
        "verified_at": row["verified_at"].isoformat() if row["verified_at"] else None,
        "version": row["version"],
    }


def _people(conn: sa.Connection, rows: list[dict[str, Any]], *more: int | None) -> dict[int, dict[str, Any]]:
    """The staff the measures name (owner, creator, verifier) and `more`, by id."""
    ids = [r[key] for r in rows for key in ("owner_id", "created_by_id", "verified_by_id")]
    return {u["id"]: u for u in users.staff_named(conn, ids=[*ids, *more])}


def list_measures(
    conn: sa.Connection, *, actor: Actor, now: datetime, status: MeasureStatus | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """The measures the actor sees: unfinished first, earliest due first."""
    where = [_visible(actor)]
    if status is not None:
        where.append(measures.c.status == status.value)
    unfinished = sa.case((measures.c.status.in_([s.value for s in rules.UNFINISHED]), 0), else_=1)
    rows = [
        dict(r)
        for r in conn.execute(
            sa.select(measures).where(*where).order_by(unfinished, measures.c.due_on, measures.c.id).limit(limit)
        ).mappings()
    ]
    people, today = _people(conn, rows), rules.local_today(now)
    counts = _complaint_counts(conn, [r["id"] for r in rows])
    return [{**measure_json(r, people=people, today=today), "complaint_count": counts.get(r["id"], 0)} for r in rows]


def get_measure(
    conn: sa.Connection, *, actor: Actor, measure_id: int, now: datetime, weeks: int = EFFECT_WEEKS
) -> dict[str, Any]:
    """A measure with its history, the complaints it answers (those the actor may see; the others
    only as a number) and its effect."""
    row = _load(conn, measure_id, actor)
    linked = [
        dict(r)
        for r in conn.execute(
            sa.select(complaints)
            .join(links, links.c.complaint_id == complaints.c.id)
            .where(links.c.measure_id == measure_id)
            .order_by(complaints.c.id)
        ).mappings()
    ]
    shown = [r for r in linked if can_see(actor, r)]
    history = (
        conn.execute(
            sa.select(improvement_measure_events)
            .where(improvement_measure_events.c.measure_id == measure_id)
            .order_by(improvement_measure_events.c.id)
        )
        .mappings()
        .all()
    )
    people, today = _people(conn, [row], *(h["actor_id"] for h in history)), rules.local_today(now)
    return {
        **measure_json(row, people=people, today=today),
        "complaint_count": len(linked),
        "complaints": [
            {
                "id": r["id"],
                "reference": r["reference"],
                "status": r["status"],
                "closed_at": r["closed_at"].isoformat() if r["closed_at"] else None,
                "root_cause": r["root_cause"],
            }
            for r in shown
        ],
        "complaints_elsewhere": len(linked) - len(shown),
        "history": [
            {
                "kind": h["kind"],
                "at": h["at"].isoformat(),
                "actor": people.get(h["actor_id"], {}).get("display_name", "其他人员"),
                "data": h["data"],
            }
            for h in history
        ],
        "effect": effect(conn, measure=row, now=now, weeks=weeks),
    }


# --- the effect ------------------------------------------------------------------------------


def effect(conn: sa.Connection, *, measure: dict[str, Any], now: datetime, weeks: int = EFFECT_WEEKS) -> dict[str, Any]:
    """Complaints of the measure's root-cause kind in its hall, by week received, for `weeks`
    weeks before and after its completion (one aggregate query). Before completion, the weeks up
    to now. Complaints are counted once closed with the kind: recent weeks may still grow."""
    completed = measure["completed_at"]
    spans = rules.weeks_around(completed or now, weeks)
    if completed is None:
        spans = [w for w in spans if not w.after]
    received = complaints.c.received_at
    columns = [sa.func.sum(sa.case((sa.and_(received >= w.start, received < w.end), 1), else_=0)) for w in spans]
    hall = [complaints.c.team == measure["team"]] if measure["team"] else []
    counts = conn.execute(
        sa.select(*columns).where(
            complaints.c.root_cause_kind == measure["root_cause_kind"],
            received >= spans[0].start,
            received < spans[-1].end,
            *hall,
        )
    ).one()
    rows: list[dict[str, Any]] = [
        {
            "start": w.start.isoformat(),
            "end": w.end.isoformat(),
            "after": w.after,
            "count": int(n or 0),
            "elapsed": w.end <= now,  # a week not over yet is counted so far
            "started": w.start <= now,
        }
        for w, n in zip(spans, counts, strict=True)
    ]
    before = [r["count"] for r in rows if not r["after"]]
    after = [r["count"] for r in rows if r["after"] and r["elapsed"]]
    return {
        "anchor": (completed or now).isoformat(),
        "completed": completed is not None,
        "weeks": rows,
        "before_per_week": round(sum(before) / len(before), 2) if before else None,
        "after_per_week": round(sum(after) / len(after), 2) if after else None,
        "after_weeks_elapsed": len(after),
    }


# --- the owner's to-do -----------------------------------------------------------------------


def due_measures_query(user_id: int, now: datetime) -> sa.Select[Any]:
    """The measures `user_id` owns, still owed, due within DUE_SOON_DAYS or overdue, as one
    statement (a to-do list may count it in SQL); `due_moment` turns a due day into a deadline."""
    today = rules.local_today(now)
    return sa.select(
        measures.c.id, measures.c.title, measures.c.root_cause_kind, measures.c.due_on, measures.c.status
    ).where(
        measures.c.owner_id == user_id,
        measures.c.status.in_([s.value for s in rules.UNFINISHED]),
        measures.c.due_on <= today + timedelta(days=rules.DUE_SOON_DAYS),
    )


def due_moment(due_on: date) -> datetime:
    """The end of the due day in Asia/Shanghai: the measure is overdue from then on."""
    return rules.start_of_local_day(due_on + timedelta(days=1))


def due_measures(conn: sa.Connection, user_id: int, now: datetime) -> list[dict[str, Any]]:
    """The measures `user_id` owns that are overdue or due within DUE_SOON_DAYS, earliest first,
    for 我的待办: each with its title, due date and deadline, whether it is overdue and its page."""
    rows = conn.execute(due_measures_query(user_id, now).order_by(measures.c.due_on, measures.c.id)).mappings()
    out = []
    for r in rows:
        status = MeasureStatus(r["status"])
        due = due_moment(r["due_on"])
        out.append(
            {
                "kind": "improvement_measure",
                "kind_name": "整改措施",
                "id": r["id"],
                "title": r["title"],
                "root_cause_name": ROOT_CAUSE_NAMES[RootCauseKind(r["root_cause_kind"])],
                "due_on": r["due_on"].isoformat(),
                "due": due,
                "overdue": due <= now,
                "status": status.value,
                "status_name": MEASURE_STATUS_NAMES[status],
                "link": f"/improvement/measures/{r['id']}",
            }
        )
    return out
