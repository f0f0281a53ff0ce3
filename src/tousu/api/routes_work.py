"""我的待办 and the batch (批量投诉) handled as one piece of work."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from tousu.api import present
from tousu.api.deps import CurrentActor, Manager, State
from tousu.api.errors import documented
from tousu.api.schemas import CONTENT_CHARS, PathId, _In
from tousu.domain.workflow import STATUS_NAMES, Status
from tousu.services import batch_handling, todo

router = APIRouter(prefix="/api/v1", tags=["work"], responses=documented(400, 401, 403, 404, 409, 413, 422))


def todo_item_json(item: todo.TodoItem, now: Any) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "kind_name": todo.KIND_NAMES[item.kind],
        "title": item.title,
        "url": item.url,
        "due": present.when(item.due),
        "overdue": item.overdue(now),
        "complaint_id": item.complaint_id,
        "reference": item.reference,
        "settlement_id": item.settlement_id,
        "batch_id": item.batch_id,
    }


@router.get("/todo", summary="我的待办：待我审批、升级给我、时限将到或已过、回访不满意、我负责的批量投诉")
def my_todo(state: State, actor: CurrentActor) -> dict[str, Any]:
    now = state.clock()
    with state.read() as conn:
        counts = todo.counts(conn, actor=actor, now=now, policy=state.policy)
        items = todo.items(conn, actor=actor, now=now, policy=state.policy)
    return {
        "total": sum(counts.values()),
        "counts": counts,
        "kinds": todo.KIND_NAMES,
        "items": [todo_item_json(i, now) for i in items],
    }


class BatchOwnerIn(_In):
    username: str = Field(max_length=64, description="the new owner (the manager's own name to take the batch)")


class FaultTicketIn(_In):
    fault_ticket: str = Field(max_length=200, description="the network fault ticket's number or link; empty removes it")


class BatchReplyIn(_In):
    reply: str = Field(max_length=CONTENT_CHARS, description="sent as the reply of every member still waiting for one")


def batch_json(batch: dict[str, Any]) -> dict[str, Any]:
    return {
        **batch,
        "opened_at": present.when(batch["opened_at"]),
        "last_at": present.when(batch["last_at"]),
        "closed_at": present.when(batch["closed_at"]),
        "members": [
            {
                **m,
                "status_name": STATUS_NAMES[Status(m["status"])],
                "reply_by": present.when(m["reply_by"]),
                "replied_at": present.when(m["replied_at"]),
            }
            for m in batch["members"]
        ],
    }


@router.get("/batches/{batch_id}", summary="批量投诉：负责人、故障单、各投诉进度")
def get_batch(batch_id: PathId, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.read() as conn:
        return batch_json(batch_handling.detail(conn, batch_id=batch_id, actor=actor))


@router.post("/batches/{batch_id}/owner", summary="指定或认领批量投诉的负责人（厅经理以上）")
def set_batch_owner(batch_id: PathId, body: BatchOwnerIn, state: State, actor: Manager) -> dict[str, Any]:
    with state.write() as conn:
        done = batch_handling.set_owner(conn, batch_id=batch_id, username=body.username, actor=actor, now=state.clock())
    return batch_json(done)


@router.post("/batches/{batch_id}/fault-ticket", summary="填写或修改批量投诉对应的故障单")
def set_fault_ticket(batch_id: PathId, body: FaultTicketIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.write() as conn:
        done = batch_handling.set_fault_ticket(
            conn, batch_id=batch_id, fault_ticket=body.fault_ticket, actor=actor, now=state.clock()
        )
    return batch_json(done)


@router.post("/batches/{batch_id}/reply", summary="统一答复：同一答复发给本批每位待答复的客户")
def reply_to_batch(batch_id: PathId, body: BatchReplyIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.write() as conn:
        done = batch_handling.reply_all(
            conn, batch_id=batch_id, reply=body.reply, actor=actor, policy=state.policy, now=state.clock()
        )
    return {**done, "batch": batch_json(done["batch"])}


@router.post("/batches/{batch_id}/close", summary="关闭批次（本批投诉须全部已答复）")
def close_batch(batch_id: PathId, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.write() as conn:
        done = batch_handling.close(conn, batch_id=batch_id, actor=actor, now=state.clock())
    return batch_json(done)
