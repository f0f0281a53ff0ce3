"""Accepting a complaint (受理): record, classify urgency, set deadlines, all in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tousu.domain import urgency as rules
from tousu.domain.codes import TRANSFER_SOURCE_NAMES, Category, Channel, TransferSource, UrgencyType, VipLevel
from tousu.domain.deadlines import LOCAL, compute_deadlines, within_transfer_deadline
from tousu.domain.policy import Policy
from tousu.domain.workflow import Status
from tousu.services import batches, learning, timeline
from tousu.services import customers as customer_service
from tousu.services.actors import Actor
from tousu.services.analysis_port import TextAnalysis
from tousu.services.errors import Invalid
from tousu.services.industry import transfer_source_names, transfer_sources
from tousu.storage.search import index_text
from tousu.storage.tables import complaints, counters, idempotency_keys


@dataclass(frozen=True)
class NewComplaint:
    channel: Channel
    customer: dict[str, Any]
    content: str
    category: Category | None = None
    demands: list[str] = field(default_factory=list)
    claimed_amount: float | None = None
    occurred_at: datetime | None = None
    received_at: datetime | None = None
    proxy_name: str | None = None
    proxy_authorisation: str | None = None
    transfer_source: TransferSource | None = None
    transfer_case_number: str | None = None
    transfer_reply_by: datetime | None = None
    topic: str | None = None
    area: str | None = None
    manual_urgency: list[UrgencyType] = field(default_factory=list)
    work_quality: bool | None = None


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _next_reference_statement(dialect: Any) -> Any:
    stmt = dialect.insert(counters).values(name=sa.bindparam("name"), value=1)
    return stmt.on_conflict_do_update(index_elements=["name"], set_={"value": counters.c.value + 1}).returning(
        counters.c.value
    )


_NEXT_REFERENCE = {"postgresql": _next_reference_statement(postgresql), "sqlite": _next_reference_statement(sqlite)}
# Built once, like the statements above: a statement object built per call pays for its
# cache key every time.
_INSERT = complaints.insert()


def next_reference(conn: sa.Connection, *, now: datetime) -> str:
    """TS20261123-000123: a per-day counter in local time, atomic on both databases."""
    day = now.astimezone(LOCAL).strftime("%Y%m%d")
    number = conn.execute(_NEXT_REFERENCE[conn.dialect.name], {"name": f"ref:{day}"}).scalar_one()
    return f"TS{day}-{number:06d}"


def replayed(conn: sa.Connection, *, actor: Actor, key: str, digest: str) -> int | None:
    """The complaint an earlier request with this Idempotency-Key created, if any. The key
    used before with another request is refused: a retry sends the same request."""
    row = conn.execute(
        sa.select(idempotency_keys.c.complaint_id, idempotency_keys.c.request_digest).where(
            idempotency_keys.c.user_id == actor.id, idempotency_keys.c.key == key
        )
    ).first()
    if row is None:
        return None
    if row.request_digest is not None and row.request_digest != digest:
        raise Invalid(
            "idempotency_key_reused",
            "这个 Idempotency-Key 已用于另一条内容不同的投诉：重试请原样重发，新投诉请换一个新的 Key。",
            "idempotency-key",
        )
    return int(row.complaint_id)


@dataclass(frozen=True)
class Created:
    """The stored complaint row and its customer, as the transaction wrote them."""

    complaint: dict[str, Any]
    customer: dict[str, Any]


def validate(new: NewComplaint, *, now: datetime, industry: str) -> None:
    """Refuse what cannot be recorded as stated, before any work is done on it; `industry`, the
    organisation's, names the transfer sources it may have."""
    if not new.content.strip():
        raise Invalid("empty_content", "投诉内容不能为空：请记录客户反映的具体问题。", "content")
    if new.occurred_at is not None and new.occurred_at > now + timedelta(minutes=5):
        raise Invalid("occurred_in_future", "事发时间晚于当前时间：请核对日期和时间。", "occurred_at")
    if new.received_at is not None and new.received_at > now + timedelta(minutes=5):
        raise Invalid("received_in_future", "受理时间晚于当前时间：请核对日期和时间。", "received_at")
    if new.proxy_name and not (new.proxy_authorisation or "").strip():
        raise Invalid(
            "proxy_unauthorised",
            "代理投诉须记录授权委托情况（代理人、代理事项、权限和期限，并由委托人签名）。",
            "proxy_authorisation",
        )
    validate_transfer(
        new.transfer_source,
        new.transfer_case_number,
        new.transfer_reply_by,
        offered=transfer_sources(industry),
        received_at=new.received_at or now,
    )


def validate_transfer(
    source: TransferSource | None,
    case_number: str | None,
    reply_by: datetime | None,
    *,
    offered: list[TransferSource],
    received_at: datetime,
) -> None:
    """A transfer names one of the `offered` sources (the industry's) and the transferring body's
    case number; the deadline is optional, and falls after the complaint reached us. At intake and
    when the transfer is edited afterwards (services/transfers.py)."""
    transferred = source or (case_number or "").strip() or reply_by
    choices = transfer_source_names(offered)
    if transferred and not source:
        raise Invalid(
            "transfer_source_missing",
            f"转办来源未选择：填写了转办工单号或转办时限时，请选择转办来源（{choices}）。",
            "transfer_source",
        )
    if source is not None and source not in offered:
        raise Invalid(
            "transfer_source_not_used",
            f"转办来源“{TRANSFER_SOURCE_NAMES[source]}”不是本单位所属行业的转办来源，请选择：{choices}。",
            "transfer_source",
        )
    if transferred and not (case_number or "").strip():
        raise Invalid(
            "transfer_case_missing",
            "转办工单号为空：请填写转办方的工单号，答复转办方时要用到。",
            "transfer_case_number",
        )
    if reply_by is not None and reply_by <= received_at:
        raise Invalid(
            "transfer_deadline_passed",
            "转办方答复时限早于受理时间：转办方的答复时限应在我方收到转办之后，请核对日期和时间。",
            "transfer_reply_by",
        )


def create(
    conn: sa.Connection,
    *,
    new: NewComplaint,
    analysis: TextAnalysis,
    actor: Actor,
    policy: Policy,
    now: datetime,
    idempotency_key: str | None = None,
    request_digest: str | None = None,
) -> Created:
    """Record the complaint with its classification and deadlines."""
    validate(new, now=now, industry=policy.industry)
    details = customer_service.given_details(new.customer)
    customer, first_contact = customer_service.find_or_create(conn, data=new.customer, now=now)
    received_at = new.received_at or now
    category = new.category.value if new.category else analysis.category
    demands = list(dict.fromkeys(new.demands)) if new.demands else list(analysis.demands)
    topic = new.topic or analysis.topic
    key = rules.issue_key(category or Category.OTHER.value, topic, new.area)
    flags = rules.CustomerFlags(
        vip_level=customer["vip_level"], important=customer["important"], sensitive=customer["sensitive"]
    )
    types = rules.static_urgency(
        channel=new.channel,
        customer=flags,
        signals=analysis.signals,
        demands=demands,
        manual=new.manual_urgency,
        transferred=new.transfer_source is not None,
        policy=policy.urgency,
    )
    # A customer met for the first time has no earlier complaint to repeat.
    if not first_contact and _is_repeat(conn, customer_id=customer["id"], key=key, now=received_at, policy=policy):
        types.add(UrgencyType.REPEAT)
    batchable = rules.may_form_batch(
        category=category, analyzer_topic=analysis.topic, person_topic=new.topic, area=new.area
    )
    placement = (
        batches.place_new(
            conn,
            key=key,
            customer_id=customer["id"],
            is_vip=customer["vip_level"] != VipLevel.NORMAL.value,
            at=received_at,
            policy=policy,
        )
        if batchable
        else None
    )
    if placement is not None:
        types.add(UrgencyType.BATCH)
    ordered = sorted(t.value for t in types)
    deadlines = compute_deadlines(
        received_at=received_at,
        channel=new.channel,
        team=actor.team,  # the complaint's hall, as stored below
        urgency=types,
        paused=timedelta(0),
        policy=policy.sla,
    )
    # A transferring body's earlier deadline is the one to meet: the queue sorts and counts down by it.
    reply_by = within_transfer_deadline(deadlines.reply_by, new.transfer_reply_by)
    values = {
        "reference": next_reference(conn, now=received_at),
        "channel": new.channel.value,
        "customer_id": customer["id"],
        **details,
        "received_by_id": actor.id,
        "responsible_id": actor.id,
        "owner_id": actor.id,
        "team": actor.team,
        "category": category,
        "category_source": "person" if new.category else ("analyzer" if category else "none"),
        "demands": demands,
        "content": new.content,
        "claimed_amount": new.claimed_amount,
        "occurred_at": new.occurred_at,
        "received_at": received_at,
        "proxy_name": new.proxy_name,
        "proxy_authorisation": new.proxy_authorisation,
        "transfer_source": new.transfer_source.value if new.transfer_source else None,
        "transfer_case_number": (new.transfer_case_number or "").strip() or None,
        "transfer_reply_by": new.transfer_reply_by,
        "topic": topic,
        "area": new.area,
        "issue_key": key,
        "urgency_types": ordered,
        "manual_urgency": sorted(t.value for t in new.manual_urgency),
        "priority": rules.priority(types),
        "status": Status.RECEIVED.value,
        "acknowledge_by": deadlines.acknowledge_by,
        "reply_by": reply_by,
        "follow_up_by": deadlines.follow_up_by,
        "work_quality": new.work_quality if new.work_quality is not None else category == Category.SERVICE.value,
        "analysis": analysis.details,
        "analyzer_version": analysis.version,
        "search_tokens": index_text(new.content, customer["name"], topic, new.area),
        "batch_id": placement.batch_id if placement else None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    # The search index follows from search_tokens in the database itself (see the migrations).
    complaint_id: int = conn.execute(_INSERT, values).inserted_primary_key[0]  # type: ignore[index]
    entries = [
        timeline.Entry(
            "created",
            actor.id,
            {
                "reference": values["reference"],
                "channel": values["channel"],
                "status": values["status"],
                "category": category,
                "demands": demands,
                "urgency_types": ordered,
                "reply_by": iso(reply_by),
                "received_by": actor.username,
            },
        )
    ]
    if analysis.version:
        entries.append(
            timeline.Entry(
                "analyzed",
                None,
                {
                    "analyzer_version": analysis.version,
                    "category": analysis.category,
                    "demands": analysis.demands,
                    "signals": analysis.signals,
                    "topic": analysis.topic,
                },
            )
        )
    timeline.append_all(conn, complaint_id=complaint_id, at=now, entries=entries)
    if analysis.version:
        _record_corrections(
            conn, complaint={"id": complaint_id, **values}, new=new, analysis=analysis, actor=actor, now=now
        )
    if placement is not None:
        batches.announce(conn, complaint_id=complaint_id, placement=placement, key=key, policy=policy, now=now)
    row = {
        "id": complaint_id,
        **values,
        "paused_since": None,
        "paused_seconds": 0,
        "escalation_level": 0,
        "replied_at": None,
        "closed_at": None,
        "root_cause": None,
        "responsible_person": None,
        "improvement_measure": None,
        "satisfaction": None,
        "settlement_confirmed": False,
        "merged_into_id": None,
    }
    if idempotency_key is not None:
        conn.execute(
            idempotency_keys.insert(),
            {
                "user_id": actor.id,
                "key": idempotency_key,
                "complaint_id": complaint_id,
                "created_at": now,
                "request_digest": request_digest,
            },
        )
    # What the filer may know of them: given now, or for an earlier complaint the filer can see.
    known = (
        {"address": row["customer_address"], "id_number": row["customer_id_number"]}
        if first_contact
        else customer_service.contact_details(conn, customer_id=customer["id"], actor=actor, complaint=row)
    )
    return Created(complaint=row, customer={**customer, **known})


def _record_corrections(
    conn: sa.Connection,
    *,
    complaint: dict[str, Any],
    new: NewComplaint,
    analysis: TextAnalysis,
    actor: Actor,
    now: datetime,
) -> None:
    """The person chose another category or other demands than the analyzer read: a labelled example."""
    if new.category:
        learning.record_correction(
            conn,
            complaint=complaint,
            field="category",
            old=analysis.category,
            new=new.category.value,
            actor=actor,
            now=now,
        )
    if new.demands:
        learning.record_correction(
            conn,
            complaint=complaint,
            field="demands",
            old=analysis.demands,
            new=[str(d) for d in complaint["demands"]],
            actor=actor,
            now=now,
        )


def _is_repeat(conn: sa.Connection, *, customer_id: int, key: str, now: datetime, policy: Policy) -> bool:
    since = rules.subtract_months(now, policy.urgency.repeat_window_months)
    rows = conn.execute(
        sa.select(complaints.c.issue_key, complaints.c.status, complaints.c.replied_at).where(
            complaints.c.customer_id == customer_id,
            complaints.c.issue_key == key,
            complaints.c.replied_at >= since,
        )
    ).all()
    earlier = [rules.PriorComplaint(issue_key=r.issue_key, status=r.status, replied_at=r.replied_at) for r in rows]
    return rules.is_repeat(key=key, earlier=earlier, now=now, policy=policy.urgency)
