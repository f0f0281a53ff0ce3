"""Editing a transfer after intake: its source, the transferring body's case number and its deadline.

A transfer often arrives by phone first, its case number and deadline later, and a regulator may
extend its deadline. The fields are checked as at intake (`intake.validate_transfer`), and the
reply deadline is recomputed as at intake and on resuming (the earlier of ours and theirs), but
only while the complaint still waits for its first reply: after the reply, or once reopened (a
reopened complaint runs on a fresh deadline of its own), the fields are corrected and the reply
deadline, now history, is left as it was. A transfer recorded after intake makes the complaint
越级, as one recorded at intake does, and clearing it takes that back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tousu.domain.codes import Channel, TransferSource, UrgencyType
from tousu.domain.deadlines import compute_deadlines, within_transfer_deadline
from tousu.domain.policy import Policy
from tousu.domain.urgency import over_level, priority
from tousu.domain.workflow import OPEN_STATUSES, Status
from tousu.services.industry import transfer_sources
from tousu.services.intake import validate_transfer

FIELDS = frozenset({"transfer_source", "transfer_case_number", "transfer_reply_by"})
FOLLOWING = frozenset({"reply_by", "urgency_types", "priority"})
"""What a change of the transfer fields may move with them."""


def deadline_matters(complaint: dict[str, Any]) -> bool:
    """Whether the reply deadline still counts: waiting for the first reply (paused or not)."""
    return complaint["replied_at"] is None and Status(complaint["status"]) in OPEN_STATUSES


def changes(complaint: dict[str, Any], given: dict[str, Any], *, policy: Policy) -> dict[str, Any]:
    """The columns that change with the transfer fields of a (partial) change, with the reply
    deadline they move. A source cleared with nothing else given clears the whole transfer."""
    clearing = "transfer_source" in given and given["transfer_source"] is None
    kept = {k: None if clearing else complaint[k] for k in FIELDS}
    merged = {**kept, **{k: v for k, v in given.items() if k in FIELDS}}
    source = TransferSource(merged["transfer_source"]) if merged["transfer_source"] is not None else None
    case_number = (merged["transfer_case_number"] or "").strip() or None
    reply_by: datetime | None = merged["transfer_reply_by"]
    validate_transfer(
        source, case_number, reply_by, offered=_offered(complaint, policy), received_at=complaint["received_at"]
    )
    result: dict[str, Any] = {
        "transfer_source": source.value if source else None,
        "transfer_case_number": case_number,
        "transfer_reply_by": reply_by,
    }
    # A regulator's transfer is 越级, as at intake: the customer already went over our heads. A
    # transfer cleared (entered by mistake) takes that back, unless 越级 stands on its own.
    types = {UrgencyType(t) for t in complaint["urgency_types"]}
    raised = over_level(
        channel=Channel(complaint["channel"]),
        manual=[UrgencyType(t) for t in complaint["manual_urgency"] or []],
        transferred=source is not None,
        policy=policy.urgency,
    )
    moved = raised != (UrgencyType.OVER_LEVEL in types)
    if moved:
        types ^= {UrgencyType.OVER_LEVEL}
        result.update(urgency_types=sorted(t.value for t in types), priority=priority(types))
    if (moved or reply_by != complaint["transfer_reply_by"]) and deadline_matters(complaint):
        ours = _our_reply_by({**complaint, "urgency_types": sorted(t.value for t in types)}, policy)
        result["reply_by"] = within_transfer_deadline(ours, reply_by)
    # A form sends every field again: only what differs is written and shown in the timeline
    # (moments compared as moments, whatever their offset).
    return {k: v for k, v in result.items() if v != complaint[k]}


def _offered(complaint: dict[str, Any], policy: Policy) -> list[TransferSource]:
    """The industry's transfer sources, and the complaint's own: one stored before the industry
    changed stays, so that its case number and deadline can still be corrected."""
    offered = transfer_sources(policy.industry)
    stored = complaint["transfer_source"]
    return offered if stored is None or stored in offered else [*offered, TransferSource(stored)]


def _our_reply_by(complaint: dict[str, Any], policy: Policy) -> datetime | None:
    """Our own reply deadline as intake and resuming compute it: from receipt, pushed back by the
    time already spent waiting on the customer (a pause in progress is added when it ends)."""
    return compute_deadlines(
        received_at=complaint["received_at"],
        channel=Channel(complaint["channel"]),
        team=complaint["team"],
        urgency=[UrgencyType(t) for t in complaint["urgency_types"]],
        paused=timedelta(seconds=complaint["paused_seconds"]),
        policy=policy.sla,
    ).reply_by
