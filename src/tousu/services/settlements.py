"""Settlements: granted within the role's authority, otherwise an approval request up the ladder."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tousu.domain.authority import SettlementOffer, decide, may_approve
from tousu.domain.codes import ROLE_NAMES, Role
from tousu.domain.deadlines import LOCAL
from tousu.domain.policy import Policy
from tousu.domain.workflow import ACTIVE_STATUSES, Status
from tousu.services import complaints as store
from tousu.services.actors import Actor
from tousu.services.errors import Forbidden, Invalid, NotFound
from tousu.storage.tables import settlements

GRANTED = ("granted", "approved")


def gift_used_this_month(conn: sa.Connection, *, team: str, now: datetime) -> float:
    local = now.astimezone(LOCAL)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    total = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(settlements.c.gift), 0)).where(
            settlements.c.team == team, settlements.c.status.in_(GRANTED), settlements.c.created_at >= month_start
        )
    ).scalar_one()
    return float(total)


def propose(
    conn: sa.Connection,
    *,
    complaint_id: int,
    offer: SettlementOffer,
    description: str,
    legal_basis: str,
    version: int,
    actor: Actor,
    policy: Policy,
    now: datetime,
) -> dict[str, Any]:
    if min(offer.refund, offer.compensation, offer.gift) < 0:
        raise Invalid("negative_amount", "金额不能为负数。", "refund")
    if not description.strip():
        raise Invalid("description_required", "请写明处理方案（退费、赔偿或赠送的内容和原因）。", "description")
    complaint = store.load(conn, complaint_id=complaint_id, actor=actor, for_update=True)
    if Status(complaint["status"]) not in ACTIVE_STATUSES:
        raise Invalid("not_active", "已结案、不予受理或已合并的投诉不能再提出处理方案。", "status")
    decision = decide(
        role=actor.role,
        offer=offer,
        gift_used_this_month=gift_used_this_month(conn, team=actor.team, now=now),
        policy=policy.authority,
    )
    status = "granted" if decision.within_authority else "pending_approval"
    approver = decision.approver_role or (None if decision.within_authority else Role.ADMIN)
    settlement_id: int = conn.execute(
        settlements.insert().values(
            complaint_id=complaint_id,
            refund=offer.refund,
            compensation=offer.compensation,
            gift=offer.gift,
            description=description.strip(),
            legal_basis=legal_basis.strip(),
            status=status,
            team=actor.team,
            proposed_by_id=actor.id,
            approver_role=approver.value if approver else None,
            created_at=now,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    kind = "settlement_granted" if decision.within_authority else "approval_requested"
    store.update(
        conn,
        complaint=complaint,
        expected_version=version,
        changes={},
        kind=kind,
        actor=actor,
        now=now,
        data={
            "settlement_id": settlement_id,
            "refund": offer.refund,
            "compensation": offer.compensation,
            "gift": offer.gift,
            "description": description.strip(),
            "approver_role": approver.value if approver else None,
            "exceeded": decision.exceeded,
        },
    )
    return {
        **get(conn, settlement_id=settlement_id),
        "message": _message(decision.within_authority, approver, decision.exceeded),
    }


def _message(within: bool, approver: Role | None, exceeded: list[str]) -> str:
    if within:
        return "在本岗位权限内，处理方案已生效。"
    who = ROLE_NAMES[approver] if approver else "上级"
    return f"超出本岗位权限（{'、'.join(exceeded)}），已提交{who}审批。"


def get(conn: sa.Connection, *, settlement_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(settlements).where(settlements.c.id == settlement_id)).mappings().first()
    if row is None:
        raise NotFound("settlement_not_found", f"处理方案 {settlement_id} 不存在。")
    return dict(row)


def for_complaint(conn: sa.Connection, *, complaint_id: int) -> list[dict[str, Any]]:
    rows = (
        conn.execute(
            sa.select(settlements).where(settlements.c.complaint_id == complaint_id).order_by(settlements.c.id)
        )
        .mappings()
        .all()
    )
    return [dict(r) for r in rows]


def decide_approval(
    conn: sa.Connection,
    *,
    settlement_id: int,
    approve: bool,
    comment: str | None,
    actor: Actor,
    policy: Policy,
    now: datetime,
) -> dict[str, Any]:
    settlement = get(conn, settlement_id=settlement_id)
    complaint = store.load(conn, complaint_id=settlement["complaint_id"], actor=actor, for_update=True)
    if settlement["status"] != "pending_approval":
        raise Invalid("not_pending", "该处理方案不在待审批状态。", "settlement_id")
    offer = SettlementOffer(settlement["refund"], settlement["compensation"], settlement["gift"])
    if approve and not may_approve(
        role=actor.role,
        offer=offer,
        gift_used_this_month=gift_used_this_month(conn, team=settlement["team"], now=now),
        policy=policy.authority,
    ):
        raise Forbidden("beyond_authority", "该方案也超出您的审批权限，请报更高层级审批。")
    if actor.id == settlement["proposed_by_id"]:
        raise Forbidden("self_approval", "不能审批自己提交的处理方案。")
    status = "approved" if approve else "denied"
    conn.execute(
        settlements.update()
        .where(settlements.c.id == settlement_id)
        .values(status=status, decided_by_id=actor.id, decided_at=now)
    )
    store.update(
        conn,
        complaint=complaint,
        expected_version=None,
        changes={},
        kind="settlement_approved" if approve else "settlement_denied",
        actor=actor,
        now=now,
        data={"settlement_id": settlement_id, "comment": (comment or "").strip()},
    )
    return get(conn, settlement_id=settlement_id)
