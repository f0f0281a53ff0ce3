"""Handling a batch (批量投诉) as one piece of work: its owner, the fault ticket behind it, one reply to
every customer in it, and closing it.

Detection (which complaints form a batch) is services/batches.py. Here every member is still a
complaint of its own: the common reply goes through each member's own reply action, so its
deadlines and state move exactly as for a single reply, and owner changes, ticket edits and the
closing are written into every member's timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tousu.domain import workflow as wf
from tousu.domain.codes import Role
from tousu.domain.deadlines import LOCAL
from tousu.domain.policy import Policy
from tousu.domain.urgency import describe_issue_key
from tousu.services import timeline, users, workflow
from tousu.services.actors import Actor, can_see, require_role
from tousu.services.errors import Conflict, Forbidden, Invalid, NotFound
from tousu.services.industry import category_names, served
from tousu.storage.tables import batches, complaints

WAITING = frozenset(wf.OPEN_STATUSES)  # still waiting for a reply
REPLIED = frozenset({wf.Status.REPLIED, wf.Status.FOLLOWED_UP})
FINISHED = frozenset({wf.Status.CLOSED, wf.Status.REJECTED, wf.Status.MERGED})
REPLYABLE = wf.TRANSITIONS[wf.Action.REPLY][0]


def _not_found(batch_id: int) -> NotFound:
    return NotFound("batch_not_found", f"批量投诉 {batch_id} 不存在或您无权查看。")


def _members(conn: sa.Connection, batch_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(
            complaints.c.id,
            complaints.c.reference,
            complaints.c.status,
            complaints.c.version,
            complaints.c.team,
            complaints.c.owner_id,
            complaints.c.responsible_id,
            complaints.c.received_by_id,
            complaints.c.reply_by,
            complaints.c.replied_at,
            complaints.c.customer_name,
        )
        .where(complaints.c.batch_id == batch_id)
        .order_by(complaints.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def _sees(actor: Actor, batch: Mapping[str, Any], members: list[dict[str, Any]]) -> bool:
    """A batch is seen by whoever sees one of its complaints (the queue's rule), and by its owner."""
    return actor.sees_everything or batch["owner_id"] == actor.id or any(can_see(actor, m) for m in members)


def _load(
    conn: sa.Connection, batch_id: int, actor: Actor, *, for_update: bool = False
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    row = conn.execute(sa.select(batches).where(batches.c.id == batch_id)).mappings().first()
    if row is None:
        raise _not_found(batch_id)
    if for_update and conn.dialect.name == "postgresql":
        # The per-issue lock that new complaints take to join (services/batches.py): none joins
        # while the batch is being closed or answered, and two changes of one batch take turns.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": row["issue_key"]})
        row = conn.execute(sa.select(batches).where(batches.c.id == batch_id).with_for_update()).mappings().one()
    batch = dict(row)
    members = _members(conn, batch_id)
    if not _sees(actor, batch, members):
        raise _not_found(batch_id)
    return batch, members


def _progress(members: list[dict[str, Any]]) -> dict[str, int]:
    statuses = [wf.Status(m["status"]) for m in members]
    return {
        "members": len(members),
        "waiting": sum(s in WAITING for s in statuses),
        "replied": sum(s in REPLIED for s in statuses),
        "finished": sum(s in FINISHED for s in statuses),
    }


def detail(conn: sa.Connection, *, batch_id: int, actor: Actor) -> dict[str, Any]:
    """The batch with its progress over every member, and the members this person may see
    (another hall's members count only as a number)."""
    batch, members = _load(conn, batch_id, actor)
    return _detail(conn, batch, members, actor)


def possible_owners(conn: sa.Connection, *, batch_id: int, actor: Actor) -> list[dict[str, Any]]:
    """Whom the actor may give the batch to (see set_owner): his own hall's staff; for one who
    sees every hall, the staff of the halls of its complaints and those who see every hall."""
    _, members = _load(conn, batch_id, actor)
    if not actor.sees_everything:
        return users.active_staff(conn, teams=[actor.team])
    return users.active_staff(conn, teams={m["team"] for m in members}, roles=(Role.DIRECTOR, Role.ADMIN))


def _detail(conn: sa.Connection, batch: dict[str, Any], members: list[dict[str, Any]], actor: Actor) -> dict[str, Any]:
    seen = [m for m in members if can_see(actor, m)]
    named = (batch["owner_id"], batch["closed_by_id"], *(m["owner_id"] for m in seen))
    names = {u["id"]: u for u in users.staff_named(conn, ids=named)}
    owner = names.get(batch["owner_id"]) if batch["owner_id"] else None
    closer = names.get(batch["closed_by_id"]) if batch["closed_by_id"] else None
    return {
        "id": batch["id"],
        "issue": describe_issue_key(batch["issue_key"], category_names(served(conn))),
        "opened_at": batch["opened_at"],
        "last_at": batch["last_at"],
        "fault_ticket": batch["fault_ticket"],
        "owner": None if owner is None else {"username": owner["username"], "display_name": owner["display_name"]},
        "closed_at": batch["closed_at"],
        "closed_by": None if closer is None else closer["display_name"],
        "progress": _progress(members),
        "members": [
            {
                "id": m["id"],
                "reference": m["reference"],
                "status": m["status"],
                "customer_name": m["customer_name"],
                "owner_name": names[m["owner_id"]]["display_name"] if m["owner_id"] in names else None,
                "reply_by": m["reply_by"],
                "replied_at": m["replied_at"],
            }
            for m in seen
        ],
        "other_halls": len(members) - len(seen),
        "may_handle": _may_handle(batch, actor),
        "may_assign": actor.at_least(Role.MANAGER),
    }


def _may_handle(batch: Mapping[str, Any], actor: Actor) -> bool:
    return batch["owner_id"] == actor.id or actor.at_least(Role.MANAGER)


def _require_handler(batch: Mapping[str, Any], actor: Actor) -> None:
    if not _may_handle(batch, actor):
        raise Forbidden(
            "not_batch_owner", "只有本批的负责人或厅经理以上人员可以处理整批投诉；单件投诉请在投诉页面处理。"
        )


def _require_open(batch: Mapping[str, Any]) -> None:
    if batch["closed_at"] is not None:
        when = batch["closed_at"].astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
        raise Conflict("batch_closed", f"本批已于 {when} 关闭，不能再修改；各投诉请在投诉页面逐件处理。")


def _record(
    conn: sa.Connection, members: list[dict[str, Any]], *, kind: str, actor: Actor, now: datetime, data: dict[str, Any]
) -> None:
    """The batch's change, in the timeline of each of its complaints."""
    for member in members:
        timeline.append(conn, complaint_id=member["id"], kind=kind, actor_id=actor.id, at=now, data=data)


def set_owner(conn: sa.Connection, *, batch_id: int, username: str, actor: Actor, now: datetime) -> dict[str, Any]:
    """A manager takes the batch or gives it to someone who can see its complaints."""
    require_role(actor, Role.MANAGER)
    batch, members = _load(conn, batch_id, actor, for_update=True)
    _require_open(batch)
    target = users.get_by_username(conn, username)
    if target is None or not target["active"]:
        raise NotFound("user_not_found", f"用户“{username}”不存在或已停用。", "username")
    owner = users.actor_of(target)
    if not (owner.sees_everything or any(can_see(owner, m) for m in members)):
        raise Invalid(
            "owner_cannot_see",
            f"{owner.display_name}看不到本批的任何投诉，不能负责本批；请选择本批投诉所在营业厅的人员。",
            "username",
        )
    if batch["owner_id"] != owner.id:
        previous = next((u["username"] for u in users.staff_named(conn, ids=(batch["owner_id"],))), None)
        conn.execute(batches.update().where(batches.c.id == batch_id).values(owner_id=owner.id))
        change = {"before": {"batch_owner": previous}, "after": {"batch_owner": owner.username}}
        _record(conn, members, kind="batch_owner_changed", actor=actor, now=now, data={"batch_id": batch_id, **change})
        batch["owner_id"] = owner.id
    return _detail(conn, batch, members, actor)


def set_fault_ticket(
    conn: sa.Connection, *, batch_id: int, fault_ticket: str, actor: Actor, now: datetime
) -> dict[str, Any]:
    """The network fault ticket behind the batch (its number or a link); empty removes it."""
    batch, members = _load(conn, batch_id, actor, for_update=True)
    _require_handler(batch, actor)
    _require_open(batch)
    ticket = fault_ticket.strip() or None
    if ticket != batch["fault_ticket"]:
        conn.execute(batches.update().where(batches.c.id == batch_id).values(fault_ticket=ticket))
        change = {"before": {"fault_ticket": batch["fault_ticket"]}, "after": {"fault_ticket": ticket}}
        _record(conn, members, kind="batch_ticket_changed", actor=actor, now=now, data={"batch_id": batch_id, **change})
        batch["fault_ticket"] = ticket
    return _detail(conn, batch, members, actor)


def reply_all(
    conn: sa.Connection, *, batch_id: int, reply: str, actor: Actor, policy: Policy, now: datetime
) -> dict[str, Any]:
    """统一答复: one reply to every member still waiting for it, each through its own reply action.

    Members this person cannot answer are reported with the reason: waiting on the customer
    (resume them first), answered already, or in another hall (only their number is given)."""
    text = reply.strip()
    if not text:
        raise Invalid("reply_required", "请填写答复客户的内容。", "reply")
    batch, members = _load(conn, batch_id, actor, for_update=True)
    _require_handler(batch, actor)
    _require_open(batch)
    replied: list[dict[str, Any]] = []
    not_replied: list[dict[str, Any]] = []
    other_halls = 0
    for member in members:
        status = wf.Status(member["status"])
        if not can_see(actor, member):
            if status in REPLYABLE:
                other_halls += 1
            continue
        if status not in REPLYABLE:
            not_replied.append(_skipped(member, status))
            continue
        workflow.transition(
            conn,
            complaint_id=member["id"],
            action=wf.Action.REPLY,
            version=member["version"],
            actor=actor,
            policy=policy,
            now=now,
            fields={"reply": text},
        )
        replied.append({"id": member["id"], "reference": member["reference"]})
    if not replied:
        raise Invalid("nothing_to_reply", _nothing_to_reply(not_replied, other_halls), "reply")
    return {
        "replied": replied,
        "not_replied": not_replied,
        "other_halls": other_halls,
        "batch": _detail(conn, batch, _members(conn, batch_id), actor),
    }


def _skipped(member: Mapping[str, Any], status: wf.Status) -> dict[str, Any]:
    if status is wf.Status.PENDING_CUSTOMER:
        reason = "正在等待客户补充资料：请先在投诉页面恢复处理，再答复"
    elif status in REPLIED:
        reason = "已答复过"
    else:
        reason = f"状态为“{wf.STATUS_NAMES[status]}”，无需答复"
    return {"id": member["id"], "reference": member["reference"], "status": status.value, "reason": reason}


def _nothing_to_reply(skipped: list[dict[str, Any]], other_halls: int) -> str:
    parts = [f"{s['reference']}{s['reason']}" for s in skipped[:10]]
    if len(skipped) > 10:
        parts.append(f"等共 {len(skipped)} 件")
    if other_halls:
        parts.append(f"另有 {other_halls} 件属其他营业厅，您无权答复，请联系其负责人")
    return "本批没有您可以答复的投诉：" + ("；".join(parts) or "本批没有投诉") + "。"


def close(conn: sa.Connection, *, batch_id: int, actor: Actor, now: datetime) -> dict[str, Any]:
    """Close the batch once every member has been answered. New complaints on the issue then no
    longer join it (a new batch forms if they are many again); each member is still followed up
    and closed on its own."""
    batch, members = _load(conn, batch_id, actor, for_update=True)
    _require_handler(batch, actor)
    _require_open(batch)
    waiting = [m for m in members if wf.Status(m["status"]) in WAITING]
    if waiting:
        shown = [m["reference"] for m in waiting if can_see(actor, m)]
        hidden = len(waiting) - len(shown)
        named = "、".join(shown[:10]) + ("等" if len(shown) > 10 else "")
        where = (
            (f"（{named}" + (f"，另有 {hidden} 件在其他营业厅" if hidden else "") + "）")
            if shown
            else "（均在其他营业厅）"
        )
        raise Invalid(
            "members_waiting",
            f"本批还有 {len(waiting)} 件投诉未答复{where}，全部答复后才能关闭批次；请先使用“统一答复”或在投诉页面逐件答复。",
        )
    conn.execute(batches.update().where(batches.c.id == batch_id).values(closed_at=now, closed_by_id=actor.id))
    data = {"batch_id": batch_id, "fault_ticket": batch["fault_ticket"], "members": len(members)}
    _record(conn, members, kind="batch_closed", actor=actor, now=now, data=data)
    batch.update(closed_at=now, closed_by_id=actor.id)
    return _detail(conn, batch, members, actor)
