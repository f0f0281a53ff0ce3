"""Settlements: granted within the role's authority, otherwise an approval request up the ladder."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tousu.domain.authority import LADDER, SettlementOffer, decide, may_approve
from tousu.domain.codes import ROLE_NAMES, Role
from tousu.domain.deadlines import LOCAL
from tousu.domain.policy import Policy
from tousu.domain.remedies import (
    Fact,
    Finding,
    Item,
    RemedyRule,
    SettlementType,
    check_items,
    check_refund_total,
    offer_of,
    override_role,
)
from tousu.domain.workflow import ACTIVE_STATUSES, Status
from tousu.services import complaints as store
from tousu.services.actors import Actor
from tousu.services.errors import Conflict, Forbidden, Invalid, NotFound
from tousu.storage.tables import settlements

GRANTED = ("granted", "approved")
COUNTED = (*GRANTED, "pending_approval")  # what a complaint's refunds add up to
Rules = Mapping[SettlementType, RemedyRule]


def _rules(rules: Rules | None) -> Rules:
    if rules is not None:
        return rules
    from tousu.knowledge.remedies import load_remedy_rules  # the knowledge base, loaded once

    return load_remedy_rules()


def items_of(settlement: Mapping[str, Any]) -> list[Item]:
    """A stored settlement's items; one from before items were stored is read from its amounts."""
    if settlement.get("items"):
        return [Item(SettlementType(i["type"]), float(i["amount"]), i.get("basis")) for i in settlement["items"]]
    legacy = [
        Item(SettlementType.REFUND, float(settlement["refund"])),
        Item(SettlementType.COMPENSATION, float(settlement["compensation"]), settlement["legal_basis"] or None),
        Item(SettlementType.GIFT, float(settlement["gift"])),
    ]
    return [i for i in legacy if i.amount > 0]


def _findings(
    items: list[Item],
    *,
    complaint: Mapping[str, Any],
    others: Iterable[Mapping[str, Any]],
    facts: list[Fact],
    rules: Rules,
    description: str,
    industry: str,
) -> list[Finding]:
    """Everything the law and policy say against the items, for this complaint in the
    organisation's industry: the items themselves, and the refunds of its other settlements
    (granted, approved or pending) with them."""
    earlier = [item for other in others if other["status"] in COUNTED for item in items_of(other)]
    return [
        *check_items(
            items, category=complaint["category"], facts=facts, rules=rules, description=description, industry=industry
        ),
        *check_refund_total(items, earlier=earlier, disputed=complaint["claimed_amount"]),
    ]


def _legal_findings(findings: list[Finding]) -> list[Finding]:
    """The findings, or the refusal they amount to raised with its reasons."""
    refused = [f for f in findings if f.refused]
    if refused:
        message = "处理方案不符合法规或公司制度：" + "；".join(f.message for f in refused)
        raise Invalid("not_allowed_by_law", message, _field_of(refused))
    if findings and override_role(findings) is None:
        raise Invalid("no_exception_role", "；".join(f.message for f in findings), _field_of(findings))
    return findings


_BASIS_FINDINGS = frozenset(
    {"basis_required", "basis_not_applicable", "basis_not_for_industry", "basis_not_for_category"}
)


def _field_of(findings: list[Finding]) -> str:
    """Where in the request the findings point: the items' basis, the facts, or the items."""
    codes = {f.code for f in findings}
    if codes <= _BASIS_FINDINGS:
        return "items.basis"
    if codes == {"facts_missing"}:
        return "facts"
    return "items"


def _higher(a: Role | None, b: Role | None) -> Role | None:
    if a is None or b is None:
        return a or b
    return max(a, b, key=LADDER.index)


def _lock_team_quota(conn: sa.Connection, team: str) -> None:
    """Serialise the quota check and the grant per team, across processes.

    Two settlements of one team on different complaints would otherwise both read the same
    month's total and both fit the quota. SQLite has one writer at a time already.
    """
    if conn.dialect.name == "postgresql":  # the two-key form: a space apart from batches' per-issue locks
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:space, hashtext(:team))"), {"space": 1, "team": team})


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
    items: list[Item],
    description: str,
    version: int,
    actor: Actor,
    policy: Policy,
    now: datetime,
    facts: list[Fact] | None = None,
    override_reason: str | None = None,
    rules: Rules | None = None,
) -> dict[str, Any]:
    """Check the items against the law, then grant them within the role's authority or ask for approval.

    An item the law or policy excludes is refused with the reason. An item that needs an exception
    the policy allows is granted only by a role allowed to make it, with its reason; proposed by
    anyone else, it goes to that role for approval.
    """
    items = [i for i in items if i.amount != 0]
    facts = sorted(set(facts or []))
    if any(i.amount < 0 for i in items):
        raise Invalid("negative_amount", "金额不能为负数。", "items")
    if not items:
        raise Invalid("items_required", "请至少填写一项处理内容（退费、减免、赔偿或礼品）及其金额。", "items")
    if not description.strip():
        raise Invalid("description_required", "请写明处理方案（退费、赔偿或赠送的内容和原因）。", "description")
    complaint = store.load(conn, complaint_id=complaint_id, actor=actor, for_update=True)
    if Status(complaint["status"]) not in ACTIVE_STATUSES:
        raise Invalid("not_active", "已结案、不予受理或已合并的投诉不能再提出处理方案。", "status")
    others = for_complaint(conn, complaint_id=complaint_id)
    findings = _legal_findings(
        _findings(
            items,
            complaint=complaint,
            others=others,
            facts=facts,
            rules=_rules(rules),
            description=description,
            industry=policy.industry,
        )
    )
    exception_by = override_role(findings)
    reason = (override_reason or "").strip()
    offer = offer_of(items)
    _lock_team_quota(conn, actor.team)
    decision = decide(
        role=actor.role,
        offer=offer,
        gift_used_this_month=gift_used_this_month(conn, team=actor.team, now=now),
        policy=policy.authority,
    )
    within = decision.within_authority
    approver = decision.approver_role or (None if within else Role.ADMIN)
    overridden = False
    if exception_by is not None:
        if all(actor.role in f.override_roles for f in findings):
            if not reason:
                raise Invalid(
                    "override_reason_required",
                    "该方案须作为例外批准：" + "；".join(f.message for f in findings) + "请在“例外理由”中写明理由。",
                    "override_reason",
                )
            overridden = within
        else:
            within = False
            approver = _higher(approver, exception_by)
    status = "granted" if within else "pending_approval"
    basis = "、".join(sorted({i.basis for i in items if i.basis}))
    settlement_id: int = conn.execute(
        settlements.insert().values(
            complaint_id=complaint_id,
            refund=offer.refund,
            compensation=offer.compensation,
            gift=offer.gift,
            description=description.strip(),
            legal_basis=basis,
            status=status,
            team=actor.team,
            proposed_by_id=actor.id,
            approver_role=approver.value if approver and not within else None,
            created_at=now,
            items=[{"type": i.type.value, "amount": i.amount, "basis": i.basis} for i in items],
            facts=[f.value for f in facts],
            override_reason=reason if overridden else None,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    kind = "settlement_granted" if within else "approval_requested"
    exceeded = list(decision.exceeded)
    if exception_by is not None and not overridden:
        exceeded.append(f"例外须由{ROLE_NAMES[exception_by]}批准")
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
            "items": [{"type": i.type.value, "amount": i.amount, "basis": i.basis} for i in items],
            "facts": [f.value for f in facts],
            "description": description.strip(),
            "approver_role": approver.value if approver and not within else None,
            "exceeded": exceeded,
            **({"override_reason": reason, "exception": [f.message for f in findings]} if overridden else {}),
        },
    )
    return {
        **get(conn, settlement_id=settlement_id),
        "message": _message(within, approver, exceeded),
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
    override_reason: str | None = None,
    rules: Rules | None = None,
) -> dict[str, Any]:
    """Approve or deny a pending settlement; of two decisions at once exactly one wins (the other: 409).

    Approval checks the items against the law again (the complaint's category may have changed),
    and an exception needs a role allowed to make it and its reason, recorded in the timeline.
    """
    complaint_id = get(conn, settlement_id=settlement_id)["complaint_id"]
    complaint = store.load(conn, complaint_id=complaint_id, actor=actor, for_update=True)
    # Read again under the complaint's lock: a decision committed meanwhile is seen here.
    settlement = get(conn, settlement_id=settlement_id)
    if settlement["status"] != "pending_approval":
        raise _already_decided(settlement)
    if actor.id == settlement["proposed_by_id"]:
        raise Forbidden("self_approval", "不能审批自己提交的处理方案。")
    if not approve:
        _check_addressed(actor, settlement)
    offer = SettlementOffer(settlement["refund"], settlement["compensation"], settlement["gift"])
    exception: dict[str, Any] = {}
    if approve:
        _lock_team_quota(conn, settlement["team"])
        if not may_approve(
            role=actor.role,
            offer=offer,
            gift_used_this_month=gift_used_this_month(conn, team=settlement["team"], now=now),
            policy=policy.authority,
        ):
            raise Forbidden("beyond_authority", "该方案也超出您的审批权限，请上报更高层级审批。")
        findings = _legal_findings(
            exceptions_of(
                settlement,
                complaint=complaint,
                others=for_complaint(conn, complaint_id=complaint["id"]),
                industry=policy.industry,
                rules=rules,
            )
        )
        if findings:
            if not all(actor.role in f.override_roles for f in findings):
                who = ROLE_NAMES[override_role(findings) or Role.ADMIN]
                then = "请上报。" if addressed_to(actor, settlement) else f"待{who}审批。"
                raise Forbidden("exception_beyond_role", f"该方案须作为例外由{who}批准，{then}")
            reason = (override_reason or "").strip()
            if not reason:
                raise Invalid(
                    "override_reason_required",
                    "批准例外须写明理由：" + "；".join(f.message for f in findings),
                    "override_reason",
                )
            exception = {"override_reason": reason, "exception": [f.message for f in findings]}
    status = "approved" if approve else "denied"
    # Compare-and-set on the status as well: only one decision can move it from pending.
    decided = conn.execute(
        settlements.update()
        .where(settlements.c.id == settlement_id, settlements.c.status == "pending_approval")
        .values(
            status=status,
            decided_by_id=actor.id,
            decided_at=now,
            **({"override_reason": exception["override_reason"]} if exception else {}),
        )
    )
    if decided.rowcount != 1:
        raise _already_decided(get(conn, settlement_id=settlement_id))
    store.update(
        conn,
        complaint=complaint,
        expected_version=None,
        changes={},
        kind="settlement_approved" if approve else "settlement_denied",
        actor=actor,
        now=now,
        data={"settlement_id": settlement_id, "comment": (comment or "").strip(), **exception},
    )
    return get(conn, settlement_id=settlement_id)


def _waits_for(settlement: Mapping[str, Any]) -> Role:
    return Role(settlement["approver_role"]) if settlement["approver_role"] else Role.MANAGER


def addressed_to(actor: Actor, settlement: Mapping[str, Any]) -> bool:
    """Is this pending request this person's to deny (驳回) or pass up (上报)? Those of the role it
    waits for or above, never its proposer: a request waiting for a director is not a manager's
    to deny or to send past the director. (Approving needs the authority instead: a manager whose
    limit was raised since may approve it; see can_approve.)"""
    return (
        settlement["status"] == "pending_approval"
        and actor.id != settlement["proposed_by_id"]
        and actor.at_least(_waits_for(settlement))
    )


def _check_addressed(actor: Actor, settlement: Mapping[str, Any]) -> None:
    if actor.id == settlement["proposed_by_id"]:
        raise Forbidden("self_approval", "不能审批自己提交的处理方案。")
    if not addressed_to(actor, settlement):
        waits_for = ROLE_NAMES[_waits_for(settlement)]
        raise Forbidden("not_addressed", f"该方案待{waits_for}审批，您不能驳回或上报。")


def can_approve(
    conn: sa.Connection,
    *,
    settlement: Mapping[str, Any],
    complaint: Mapping[str, Any],
    actor: Actor,
    policy: Policy,
    rules: Rules | None = None,
) -> bool:
    """May this person approve it (批准), or only pass it up (上报)? Authority and exceptions both count."""
    if settlement["status"] != "pending_approval" or actor.id == settlement["proposed_by_id"]:
        return False
    offer = SettlementOffer(settlement["refund"], settlement["compensation"], settlement["gift"])
    if not may_approve(
        role=actor.role,
        offer=offer,
        gift_used_this_month=gift_used_this_month(conn, team=settlement["team"], now=settlement["created_at"]),
        policy=policy.authority,
    ):
        return False
    found = exceptions_of(
        settlement,
        complaint=complaint,
        others=for_complaint(conn, complaint_id=complaint["id"]),
        industry=policy.industry,
        rules=rules,
    )
    return all(actor.role in f.override_roles for f in found)


def exceptions_of(
    settlement: Mapping[str, Any],
    *,
    complaint: Mapping[str, Any],
    others: Iterable[Mapping[str, Any]],
    industry: str,
    rules: Rules | None = None,
) -> list[Finding]:
    """What approving this settlement would have to override (or what the law now refuses);
    `others`: the complaint's settlements (this one among them or not). Its refunds add up with
    those in force and those proposed before it and still pending, as when it was proposed: a
    later request past the total neither holds up an earlier one nor goes through before it."""
    before = [
        other
        for other in others
        if other["status"] in GRANTED or (other["status"] in COUNTED and other["id"] < settlement["id"])
    ]
    return _findings(
        items_of(settlement),
        complaint=complaint,
        others=before,
        facts=[Fact(f) for f in settlement.get("facts") or []],
        rules=_rules(rules),
        description=settlement.get("description") or "",
        industry=industry,
    )


def forward_approval(
    conn: sa.Connection,
    *,
    settlement_id: int,
    comment: str | None,
    actor: Actor,
    now: datetime,
) -> dict[str, Any]:
    """上报: a pending approval beyond this person goes to the next role up the ladder."""
    complaint_id = get(conn, settlement_id=settlement_id)["complaint_id"]
    complaint = store.load(conn, complaint_id=complaint_id, actor=actor, for_update=True)
    settlement = get(conn, settlement_id=settlement_id)
    if settlement["status"] != "pending_approval":
        raise _already_decided(settlement)
    _check_addressed(actor, settlement)
    current = Role(settlement["approver_role"]) if settlement["approver_role"] else actor.role
    base = max(current, actor.role, key=LADDER.index)
    if base is LADDER[-1]:
        raise Invalid("top_of_ladder", f"{ROLE_NAMES[base]}已是最高审批层级，请批准或驳回。", "settlement_id")
    higher = LADDER[LADDER.index(base) + 1]
    conn.execute(
        settlements.update()
        .where(settlements.c.id == settlement_id, settlements.c.status == "pending_approval")
        .values(approver_role=higher.value)
    )
    store.update(
        conn,
        complaint=complaint,
        expected_version=None,
        changes={},
        kind="approval_forwarded",
        actor=actor,
        now=now,
        data={"settlement_id": settlement_id, "approver_role": higher.value, "comment": (comment or "").strip()},
    )
    return get(conn, settlement_id=settlement_id)


_OUTCOMES = {"approved": "已批准", "denied": "已驳回", "granted": "已在权限内生效"}


def _already_decided(settlement: dict[str, Any]) -> Conflict:
    outcome = _OUTCOMES.get(settlement["status"], "已处理")
    return Conflict(
        "already_decided",
        f"处理方案 {settlement['id']} {outcome}，不能再审批。请刷新页面查看最新结果。",
        "settlement_id",
    )
