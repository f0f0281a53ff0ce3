"""What the API shows of a complaint: Chinese names beside codes, masks where the role needs them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson
from fastapi.responses import JSONResponse

from tousu.domain.codes import (
    CHANNEL_NAMES,
    TRANSFER_SOURCE_NAMES,
    URGENCY_NAMES,
    Category,
    Channel,
    Role,
    TransferSource,
    UrgencyType,
    transfer_reply,
)
from tousu.domain.deadlines import LOCAL
from tousu.domain.improvement import root_cause_name
from tousu.domain.workflow import STATUS_NAMES, Status, allowed_actions
from tousu.services.actors import Actor
from tousu.services.customers import mask_id_number, mask_numbers_in_text, mask_phone


class FastJSONResponse(JSONResponse):
    """JSON rendered by orjson: several times faster than the standard encoder on a complaint."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def when(moment: datetime | None) -> str | None:
    """ISO 8601 in Asia/Shanghai, the time people here read."""
    return None if moment is None else moment.astimezone(LOCAL).isoformat()


def customer_json(row: dict[str, Any], actor: Actor, *, full: bool) -> dict[str, Any]:
    show_id = full and actor.at_least(Role.MANAGER)
    return {
        "id": row["id"],
        "name": row["name"],
        "phone": row["phone"] if full else mask_phone(row["phone"]),
        "address": row.get("address", "") if full else None,
        "id_number": row.get("id_number") if show_id else mask_id_number(row.get("id_number")),
        "vip_level": row["vip_level"],
        "important": row.get("important", False),
        "sensitive": row.get("sensitive", False),
        "version": row.get("version"),
    }


def customer_card(row: dict[str, Any]) -> dict[str, Any]:
    """What an agent may see of a caller outside their scope: enough to greet and handle them,
    nothing of where they live, who they are on paper, or what they complained about."""
    return {
        "name": row["name"],
        "phone": mask_phone(row["phone"]),
        "vip_level": row["vip_level"],
        "important": row["important"],
        "sensitive": row["sensitive"],
    }


def customer_lookup_json(row: dict[str, Any], found: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """The answer to a lookup: `scope` "full" with the history the actor may see, or "limited".
    `row` is the customer as the actor may know them (`customers.view` when in scope)."""
    elsewhere = found["elsewhere"]
    last = elsewhere["last_contact_at"]
    body: dict[str, Any] = {
        "elsewhere": {
            "complaints": elsewhere["complaints"],
            "open": elsewhere["open"],
            "last_contact_on": None if last is None else last.astimezone(LOCAL).date().isoformat(),
        }
    }
    if not found["in_scope"]:
        return {"scope": "limited", "customer": customer_card(row), **body}
    history = found["history"]
    for item in history["complaints"]:
        item["received_at"] = when(item["received_at"])
        item["replied_at"] = when(item["replied_at"])
    return {"scope": "full", "customer": customer_json(row, actor, full=True), "history": history, **body}


def excerpt(content: str, length: int = 80) -> str:
    """The start of a complaint's text for lists, with phone and ID numbers in it masked."""
    text = mask_numbers_in_text(content)
    return text if len(text) <= length else text[:length] + "…"


def _urgency(types: list[str]) -> list[dict[str, str]]:
    return [{"code": t, "name": URGENCY_NAMES[UrgencyType(t)]} for t in types]


def complaint_json(
    row: dict[str, Any], *, customer: dict[str, Any] | None, actor: Actor, category_names: Mapping[Category, str]
) -> dict[str, Any]:
    """The complaint with its codes named, its category as the organisation's industry names it
    (services.industry.category_names)."""
    status = Status(row["status"])
    body = {
        "id": row["id"],
        "reference": row["reference"],
        "status": status.value,
        "status_name": STATUS_NAMES[status],
        "channel": row["channel"],
        "channel_name": CHANNEL_NAMES[Channel(row["channel"])],
        "category": row["category"],
        "category_name": category_names[Category(row["category"])] if row["category"] else None,
        "category_source": row["category_source"],
        "demands": row["demands"],
        "content": row["content"],
        "claimed_amount": row["claimed_amount"],
        "occurred_at": when(row["occurred_at"]),
        "received_at": when(row["received_at"]),
        "received_by_id": row["received_by_id"],
        "responsible_id": row["responsible_id"],
        "owner_id": row["owner_id"],
        "team": row["team"],
        "proxy_name": row["proxy_name"],
        "proxy_authorisation": row["proxy_authorisation"],
        "transfer": None
        if row["transfer_source"] is None
        else {
            "source": row["transfer_source"],
            "source_name": TRANSFER_SOURCE_NAMES[TransferSource(row["transfer_source"])],
            # The written reply it is answered with, as the source names it (申诉回复, 投诉处理情况回复).
            "reply_name": transfer_reply(row["transfer_source"]).title,
            "case_number": row["transfer_case_number"],
            "reply_by": when(row["transfer_reply_by"]),
        },
        "topic": row["topic"],
        "area": row["area"],
        "issue_key": row["issue_key"],
        "urgency_types": row["urgency_types"],
        "urgency": _urgency(row["urgency_types"]),
        "urgent": bool(row["urgency_types"]),
        "priority": row["priority"],
        "deadlines": {
            "acknowledge_by": when(row["acknowledge_by"]),
            "reply_by": when(row["reply_by"]),
            "follow_up_by": when(row["follow_up_by"]),
            "paused_since": when(row["paused_since"]),
        },
        "escalation_level": row["escalation_level"],
        "replied_at": when(row["replied_at"]),
        "closed_at": when(row["closed_at"]),
        "archived_at": when(row.get("archived_at")),  # out of the working set since (services/archive.py)
        "work_quality": row["work_quality"],
        "root_cause": row["root_cause"],
        "root_cause_kind": row.get("root_cause_kind"),  # none yet on a complaint just taken in
        "root_cause_kind_name": root_cause_name(row.get("root_cause_kind")),
        "responsible_person": row["responsible_person"],
        "improvement_measure": row["improvement_measure"],
        "satisfaction": row["satisfaction"],
        "settlement_confirmed": row["settlement_confirmed"],
        "merged_into_id": row["merged_into_id"],
        "batch_id": row["batch_id"],
        "analysis": row["analysis"],
        "analyzer_version": row["analyzer_version"],
        "allowed_actions": [a.value for a in allowed_actions(status)],
        "version": row["version"],
        "created_at": when(row["created_at"]),
        "updated_at": when(row["updated_at"]),
    }
    if customer is not None:
        body["customer"] = customer_json(customer, actor, full=True)
    return body


def list_item_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "reference": row["reference"],
        "status": row["status"],
        "status_name": STATUS_NAMES[Status(row["status"])],
        "channel": row["channel"],
        "category": row["category"],
        "demands": row["demands"],
        "urgency_types": row["urgency_types"],
        "urgency": _urgency(row["urgency_types"]),
        "priority": row["priority"],
        "received_at": when(row["received_at"]),
        "reply_by": when(row["reply_by"]),
        "owner_id": row["owner_id"],
        "team": row["team"],
        "batch_id": row["batch_id"],
        "escalation_level": row["escalation_level"],
        "version": row["version"],
        "archived_at": when(row.get("archived_at")),
        "summary": excerpt(row["content"]),
        "customer": {
            "name": row["customer_name"],
            "phone": mask_phone(row["customer_phone"]),
            "vip_level": row["customer_vip_level"],
        },
    }


def event_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "at": when(row["at"]),
        "actor": row.get("actor"),
        "actor_name": row.get("actor_name"),
        "data": row["data"],
    }
