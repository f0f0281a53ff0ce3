"""Every workflow action as a use case: guard, change, event — or a clear refusal."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tousu.domain import workflow as wf
from tousu.domain.codes import Channel, Role, UrgencyType
from tousu.domain.deadlines import business_time_between, compute_deadlines, deadline_calendar, within_transfer_deadline
from tousu.domain.policy import Policy
from tousu.domain.urgency import priority
from tousu.services import complaints as store
from tousu.services import improvement, learning, timeline, transfers
from tousu.services.actors import Actor, require_role
from tousu.services.errors import Conflict, Invalid, NotFound, ServiceError
from tousu.services.industry import head_office
from tousu.storage.tables import complaint_links, users


def _refused(exc: wf.TransitionRefused) -> ServiceError:
    """Not possible in this state (409), or possible but the doctrine's conditions are unmet (422)."""
    kind = Conflict if exc.code == "invalid_transition" else Invalid
    return kind(exc.code, exc.message, exc.field)


def _require_text(value: str | None, field: str, what: str) -> str:
    if value is None or not value.strip():
        raise Invalid(f"{field}_required", f"请填写{what}。", field)
    return value.strip()


def transition(
    conn: sa.Connection,
    *,
    complaint_id: int,
    action: wf.Action,
    version: int,
    actor: Actor,
    policy: Policy,
    now: datetime,
    fields: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run one state-machine action with its doctrine guards; `fields` are the action's inputs."""
    fields = dict(fields or {})
    complaint = store.load(conn, complaint_id=complaint_id, actor=actor, for_update=True)
    if version != complaint["version"]:
        raise store.stale_error(complaint)
    try:
        target = wf.next_status(wf.Status(complaint["status"]), action)
        changes: dict[str, Any] = {"status": target.value}
        extra: dict[str, Any] = {}
        if action is wf.Action.REPLY:
            extra["reply"] = _require_text(fields.get("reply"), "reply", "答复客户的内容")
            changes["replied_at"] = now
            changes["settlement_confirmed"] = bool(fields.get("settlement_confirmed"))
        elif action is wf.Action.FOLLOW_UP:
            satisfaction = fields.get("satisfaction")
            if satisfaction not in {"satisfied", "neutral", "dissatisfied"}:
                raise Invalid("satisfaction_required", "请选择回访满意度：满意、一般或不满意。", "satisfaction")
            changes["satisfaction"] = satisfaction
            extra["comments"] = (fields.get("comments") or "").strip()
        elif action is wf.Action.CLOSE:
            for key in ("root_cause", "responsible_person", "improvement_measure"):
                if fields.get(key):
                    changes[key] = fields[key].strip()
            if (kind := improvement.chosen_kind(fields.get("root_cause_kind"))) is not None:
                changes["root_cause_kind"] = kind
            merged = {**complaint, **changes}
            wf.check_close(
                wf.ClosingFacts(
                    followed_up=complaint["satisfaction"] is not None,
                    root_cause=merged["root_cause"],
                    work_quality=complaint["work_quality"],
                    responsible_person=merged["responsible_person"],
                    improvement_measure=merged["improvement_measure"],
                    dissatisfied=complaint["satisfaction"] == "dissatisfied",
                    close_reason=fields.get("close_reason"),
                )
            )
            if (reason := (fields.get("close_reason") or "").strip()) and complaint["satisfaction"] == "dissatisfied":
                extra["close_reason"] = reason
            changes["closed_at"] = now
        elif action is wf.Action.REJECT:
            require_role(actor, Role.MANAGER)
            wf.check_reject(legal_basis=fields.get("legal_basis"), reasons=fields.get("reasons"))
            extra.update(legal_basis=fields["legal_basis"].strip(), reasons=fields["reasons"].strip())
            changes["closed_at"] = now
        elif action is wf.Action.REOPEN:
            wf.check_reopen(
                settlement_confirmed=complaint["settlement_confirmed"], new_evidence=fields.get("new_evidence")
            )
            extra["new_evidence"] = (fields.get("new_evidence") or "").strip()
            extra["reason"] = _require_text(fields.get("reason") or fields.get("new_evidence"), "reason", "重开原因")
            changes.update(closed_at=None, satisfaction=None)
            changes.update(_fresh_deadlines(complaint, policy, now))
            if complaint["archived_at"] is not None:  # back in the working set (services/archive.py)
                changes["archived_at"] = None
        elif action is wf.Action.WAIT_CUSTOMER:
            extra["waiting_for"] = _require_text(fields.get("waiting_for"), "waiting_for", "需要客户补充的内容")
            changes["paused_since"] = now
        elif action is wf.Action.RESUME:
            changes.update(_resume(complaint, policy, now))
    except wf.TransitionRefused as exc:
        raise _refused(exc) from None
    return store.update(
        conn,
        complaint=complaint,
        expected_version=version,
        changes=changes,
        kind=action.value,
        actor=actor,
        now=now,
        data=extra,
    )


def _resume(complaint: dict[str, Any], policy: Policy, now: datetime) -> dict[str, Any]:
    """Stop the pause: the time spent waiting (counted as the reply deadline is) pushes every deadline back."""
    channel = Channel(complaint["channel"])
    urgency = [UrgencyType(t) for t in complaint["urgency_types"]]
    team = complaint["team"]
    calendar = deadline_calendar(channel=channel, team=team, urgency=urgency, deadline="reply", policy=policy.sla)
    waited = business_time_between(complaint["paused_since"], now, calendar)
    paused = timedelta(seconds=complaint["paused_seconds"]) + waited
    deadlines = compute_deadlines(
        received_at=complaint["received_at"],
        channel=channel,
        team=team,
        urgency=[UrgencyType(t) for t in complaint["urgency_types"]],
        paused=paused,
        policy=policy.sla,
    )
    return {
        "paused_since": None,
        "paused_seconds": int(paused.total_seconds()),
        "reply_by": within_transfer_deadline(deadlines.reply_by, complaint.get("transfer_reply_by")),
        "follow_up_by": deadlines.follow_up_by,
    }


def _fresh_deadlines(complaint: dict[str, Any], policy: Policy, now: datetime) -> dict[str, Any]:
    """A reopened complaint gets a full new SLA from the moment it is reopened."""
    deadlines = compute_deadlines(
        received_at=now,
        channel=Channel(complaint["channel"]),
        team=complaint["team"],
        urgency=[UrgencyType(t) for t in complaint["urgency_types"]],
        paused=timedelta(0),
        policy=policy.sla,
    )
    return {"reply_by": deadlines.reply_by, "follow_up_by": deadlines.follow_up_by, "escalation_level": 0}


def _user(conn: sa.Connection, username: str) -> dict[str, Any]:
    row = conn.execute(sa.select(users).where(users.c.username == username, users.c.active)).mappings().first()
    if row is None:
        raise NotFound("user_not_found", f"用户“{username}”不存在或已停用。", "username")
    return dict(row)


def assign(
    conn: sa.Connection, *, complaint_id: int, username: str, version: int, actor: Actor, now: datetime
) -> dict[str, Any]:
    """Give the complaint a handler; agents may only take it themselves. Starts the work."""
    if username != actor.username:
        require_role(actor, Role.MANAGER)
    target = _user(conn, username)
    complaint = store.load(conn, complaint_id=complaint_id, actor=actor, for_update=True)
    if wf.Status(complaint["status"]) not in wf.ACTIVE_STATUSES:
        raise Invalid("not_active", "已结案、不予受理或已合并的投诉不能再分派。", "status")
    changes: dict[str, Any] = {"owner_id": target["id"]}
    if complaint["status"] in (wf.Status.RECEIVED.value, wf.Status.REOPENED.value):
        changes["status"] = wf.Status.IN_PROGRESS.value
    return store.update(
        conn,
        complaint=complaint,
        expected_version=version,
        changes=changes,
        kind="assigned",
        actor=actor,
        now=now,
        data={"owner": username},
    )


def hand_over(
    conn: sa.Connection,
    *,
    complaint_id: int,
    username: str,
    note: str | None,
    version: int,
    actor: Actor,
    now: datetime,
) -> dict[str, Any]:
    """The explicit hand-over that ends the first responder's responsibility (首问负责制)."""
    target = _user(conn, username)
    complaint = store.load(conn, complaint_id=complaint_id, actor=actor, for_update=True)
    if actor.id != complaint["responsible_id"] and not actor.at_least(Role.MANAGER):
        raise Invalid("not_responsible", "只有当前责任人或厅经理以上人员可以移交投诉。", "username")
    return store.update(
        conn,
        complaint=complaint,
        expected_version=version,
        changes={"responsible_id": target["id"], "owner_id": target["id"], "team": target["team"] or complaint["team"]},
        kind="handed_over",
        actor=actor,
        now=now,
        data={"to": username, "note": _require_text(note, "note", "移交说明（已做了什么、还需做什么）")},
    )


def escalate(
    conn: sa.Connection,
    *,
    complaint_id: int,
    reason: str | None,
    to_province: bool,
    version: int,
    actor: Actor,
    policy: Policy,
    now: datetime,
) -> dict[str, Any]:
    """Move up the ladder, to the first rung above both the complaint's and the escalating
    person's own (a manager escalates to the director, not to himself); `to_province`, to the
    body above the organisation (the industry's head office: 省公司, 总部), it becomes an 升级
    complaint, followed in-house by that rung."""
    complaint = store.load(conn, complaint_id=complaint_id, actor=actor, for_update=True)
    if wf.Status(complaint["status"]) not in wf.ACTIVE_STATUSES:
        raise Invalid("not_active", "已结案、不予受理或已合并的投诉不能升级。", "status")
    ladder = policy.escalation.ladder
    own = max((i for i, (_, role) in enumerate(ladder) if actor.at_least(role)), default=0)
    level = min(max(complaint["escalation_level"], own) + 1, len(ladder) - 1)
    changes: dict[str, Any] = {"escalation_level": level}
    if to_province:
        types = {UrgencyType(t) for t in complaint["urgency_types"]} | {UrgencyType.ESCALATED}
        changes.update(urgency_types=sorted(t.value for t in types), priority=priority(types))
    return store.update(
        conn,
        complaint=complaint,
        expected_version=version,
        changes=changes,
        kind="escalated",
        actor=actor,
        now=now,
        data={
            "to": head_office(policy.industry) if to_province else ladder[level][0],
            "to_role": ladder[level][1].value,
            "reason": _require_text(reason, "reason", "升级原因"),
        },
    )


def update_details(
    conn: sa.Connection,
    *,
    complaint_id: int,
    changes: dict[str, Any],
    version: int,
    actor: Actor,
    policy: Policy,
    now: datetime,
) -> dict[str, Any]:
    """Correct classification or record root cause, responsible person and improvement measure,
    or edit a transfer (services/transfers.py: it may move the reply deadline).

    A changed category, demands or emotion is also kept as a labelled example for the analyzer
    (services/learning). Complaints have no emotion column: it lives in those corrections."""
    complaint = store.load(conn, complaint_id=complaint_id, actor=actor, for_update=True)
    emotion = changes.pop("emotion", None)
    if transfers.FIELDS & changes.keys():
        given = {k: changes.pop(k) for k in transfers.FIELDS if k in changes}
        changes.update(transfers.changes(complaint, given, policy=policy))
        only_transfer = not changes.keys() - transfers.FIELDS - transfers.FOLLOWING and emotion is None
        if not changes and emotion is None:  # a form saved as it was: no empty event
            raise Invalid("nothing_to_change", "转办信息与现有记录相同，没有需要修改的内容。")
    else:
        only_transfer = False
    if "root_cause_kind" in changes:  # classifying afterwards, e.g. a complaint closed before kinds existed
        changes["root_cause_kind"] = improvement.chosen_kind(changes["root_cause_kind"])
    if "category" in changes:
        changes["category_source"] = "person"
    for name in ("category", "demands"):
        if changes.get(name) is not None:
            new = [str(d) for d in changes[name]] if name == "demands" else str(changes[name])
            learning.record_correction(
                conn, complaint=complaint, field=name, old=complaint[name], new=new, actor=actor, now=now
            )
    data = None
    if emotion is not None:
        before = learning.current_emotion(conn, complaint)
        if learning.record_correction(
            conn, complaint=complaint, field="emotion", old=before, new=str(emotion), actor=actor, now=now
        ):
            diff = timeline.change(
                {k: store.jsonable(complaint.get(k)) for k in changes},
                {k: store.jsonable(v) for k, v in changes.items()},
            )
            data = {
                "before": {**diff["before"], "emotion": before},
                "after": {**diff["after"], "emotion": str(emotion)},
            }
    return store.update(
        conn,
        complaint=complaint,
        expected_version=version,
        changes=changes,
        kind="transfer_updated" if only_transfer else "updated",
        actor=actor,
        now=now,
        data=data,
    )


def link(
    conn: sa.Connection,
    *,
    complaint_id: int,
    other_id: int,
    merge: bool,
    version: int,
    actor: Actor,
    now: datetime,
) -> dict[str, Any]:
    """Relate two complaints; merging closes this one into the other, keeping its record."""
    if complaint_id == other_id:
        raise Invalid("self_link", "不能把投诉与自身关联或合并。", "other_id")
    # Both rows locked, lower id first: two merges into each other at once cannot both pass the
    # survivor's status check (nor deadlock), and the survivor cannot close in between.
    locked = {
        cid: store.load(conn, complaint_id=cid, actor=actor, for_update=True)
        for cid in sorted((complaint_id, other_id))
    }
    complaint, survivor = locked[complaint_id], locked[other_id]
    if version != complaint["version"]:
        raise store.stale_error(complaint)
    exists = conn.execute(
        sa.select(complaint_links.c.id).where(
            complaint_links.c.complaint_id == complaint_id, complaint_links.c.other_id == other_id
        )
    ).scalar()
    if exists is None:
        conn.execute(
            complaint_links.insert().values(
                complaint_id=complaint_id, other_id=other_id, kind="merged" if merge else "related", created_at=now
            )
        )
    if not merge:
        timeline.append(
            conn,
            complaint_id=other_id,
            kind="linked",
            actor_id=actor.id,
            at=now,
            data={"other": complaint["reference"]},
        )
        return store.update(
            conn,
            complaint=complaint,
            expected_version=version,
            changes={},
            kind="linked",
            actor=actor,
            now=now,
            data={"other": survivor["reference"]},
        )
    require_role(actor, Role.MANAGER)
    if wf.Status(survivor["status"]) not in wf.ACTIVE_STATUSES:
        raise Invalid("survivor_not_active", f"投诉 {survivor['reference']} 已结束，不能作为合并目标。", "other_id")
    try:
        status = wf.next_status(wf.Status(complaint["status"]), wf.Action.MERGE)
    except wf.TransitionRefused as exc:
        raise _refused(exc) from None
    timeline.append(
        conn, complaint_id=other_id, kind="merged_in", actor_id=actor.id, at=now, data={"from": complaint["reference"]}
    )
    return store.update(
        conn,
        complaint=complaint,
        expected_version=version,
        changes={"status": status.value, "merged_into_id": other_id},
        kind="merged",
        actor=actor,
        now=now,
        data={"into": survivor["reference"]},
    )
