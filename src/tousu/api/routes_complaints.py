"""Complaint endpoints: create, read, search, and every workflow action as its own endpoint."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from tousu.api import present
from tousu.api.deps import AppState, CurrentActor, Manager, State, current_actor, get_state
from tousu.api.errors import documented
from tousu.api.filters import Filters
from tousu.api.schemas import (
    AssignIn,
    CloseIn,
    ComplaintIn,
    DecisionIn,
    DetailsIn,
    EscalateIn,
    FollowUpIn,
    HandOverIn,
    LinkIn,
    PathId,
    RejectIn,
    ReopenIn,
    ReplyIn,
    SettlementIn,
    Text,
    Versioned,
    WaitIn,
)
from tousu.domain.remedies import Item, SettlementType
from tousu.domain.workflow import Action
from tousu.services import analytics, customers, intake, queries, settlements, workflow
from tousu.services import complaints as store
from tousu.services.actors import Actor, can_see
from tousu.services.batches import open_batches
from tousu.services.errors import Invalid
from tousu.services.industry import category_names

router = APIRouter(prefix="/api/v1", tags=["complaints"], responses=documented(400, 401, 403, 404, 409, 413, 422))


def _complaint(state: AppState, actor: Actor, complaint_id: int) -> dict[str, Any]:
    with state.read() as conn:
        row = store.load(conn, complaint_id=complaint_id, actor=actor)
        customer = customers.view(conn, customer_id=row["customer_id"], actor=actor, complaint=row)
    return present.complaint_json(
        row, customer=customer, actor=actor, category_names=category_names(state.policy.industry)
    )


@router.post("/complaints", status_code=201, summary="受理投诉", response_class=JSONResponse)
async def create_complaint(
    body: ComplaintIn,
    request: Request,
    idempotency_key: Annotated[Text | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Record a complaint. Retrying with the same Idempotency-Key returns the same complaint."""
    # Deliberately run on the event loop, not in a worker thread: intake is CPU-bound and
    # short; handing it to a thread added about a third to its CPU time (GIL hand-offs).
    # The state and the actor are looked up directly rather than as dependencies: resolving
    # them cost the busiest endpoint more than the checks themselves.
    state = await get_state(request)
    actor = await current_actor(request, state)
    replay = {"Idempotent-Replayed": "true"}
    digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
    if idempotency_key is not None:
        with state.read() as conn:
            existing = intake.replayed(conn, actor=actor, key=idempotency_key, digest=digest)
        if existing is not None:
            return JSONResponse(_complaint(state, actor, existing), status_code=201, headers=replay)
    new = body.to_new_complaint()
    intake.validate(new, now=state.clock(), industry=state.policy.industry)  # before the analyzer spends time on it
    # Analysed even when staff chose category and demands: where they differ from the
    # analyzer's answer, the difference is a correction the analyzer learns from.
    analysis = state.analyze(body.content, industry=state.policy.industry, channel=new.channel.value)
    try:
        with state.write() as conn:
            created = intake.create(
                conn,
                new=new,
                analysis=analysis,
                actor=actor,
                policy=state.policy,
                now=state.clock(),
                idempotency_key=idempotency_key,
                request_digest=digest,
            )
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its complaint.
        with state.read() as conn:
            existing = (
                intake.replayed(conn, actor=actor, key=idempotency_key, digest=digest) if idempotency_key else None
            )
        if existing is None:
            raise
        return JSONResponse(_complaint(state, actor, existing), status_code=201, headers=replay)
    # Already JSON-ready: answering directly skips FastAPI's generic (and slow) encoder.
    return present.FastJSONResponse(
        present.complaint_json(
            created.complaint,
            customer=created.customer,
            actor=actor,
            category_names=category_names(state.policy.industry),
        ),
        status_code=201,
    )


@router.get("/complaints", summary="查询投诉")
def list_complaints(
    state: State,
    actor: CurrentActor,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[
        int, Query(ge=0, le=queries.MAX_OFFSET, description="rows to skip (a page by number); deeper, use cursor")
    ] = 0,
    cursor: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="next_cursor of the previous page: the page after it (offset then counts from there)",
        ),
    ] = None,
) -> dict[str, Any]:
    """Complaints in the work queue's order: most urgent first, then the earliest reply deadline.

    Page through a list with `cursor`: each answer's `next_cursor` (null on the last page) gives
    the next page, however deep, and a complaint filed meanwhile never shifts a page. `total`
    counts up to 10,000 matches, and `total_capped` is true when there are more (for a common
    keyword, from 2,000). `offset` still skips rows, up to 10,000."""
    with state.read() as conn:
        page = queries.list_page(
            conn, actor=actor, filters=filters, now=state.clock(), limit=limit, offset=offset, cursor=cursor
        )
    return {
        "items": [present.list_item_json(r) for r in page.rows],
        "total": page.total,
        "total_capped": page.total_capped,
        "limit": limit,
        "offset": offset,
        "next_cursor": page.next_cursor,
    }


@router.get("/complaints/{complaint_id}", summary="投诉详情")
def get_complaint(complaint_id: PathId, state: State, actor: CurrentActor) -> dict[str, Any]:
    return _complaint(state, actor, complaint_id)


@router.get("/complaints/{complaint_id}/events", summary="投诉时间线")
def get_events(complaint_id: PathId, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.read() as conn:
        store.load(conn, complaint_id=complaint_id, actor=actor)
        rows = store.timeline_of(conn, complaint_id=complaint_id)
        settled = settlements.for_complaint(conn, complaint_id=complaint_id)
    return {"events": [present.event_json(r) for r in rows], "settlements": settled}


def _act(state: AppState, actor: Actor, complaint_id: int, action: Action, body: Versioned) -> dict[str, Any]:
    with state.write() as conn:
        workflow.transition(
            conn,
            complaint_id=complaint_id,
            action=action,
            version=body.version,
            actor=actor,
            policy=state.policy,
            now=state.clock(),
            fields=body.model_dump(exclude={"version"}),
        )
    return _complaint(state, actor, complaint_id)


@router.post("/complaints/{complaint_id}/start", summary="开始处理")
def start(complaint_id: PathId, body: Versioned, state: State, actor: CurrentActor) -> dict[str, Any]:
    return _act(state, actor, complaint_id, Action.START, body)


@router.post("/complaints/{complaint_id}/wait-customer", summary="等待客户补充（暂停计时）")
def wait_customer(complaint_id: PathId, body: WaitIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    return _act(state, actor, complaint_id, Action.WAIT_CUSTOMER, body)


@router.post("/complaints/{complaint_id}/resume", summary="恢复处理（恢复计时）")
def resume(complaint_id: PathId, body: Versioned, state: State, actor: CurrentActor) -> dict[str, Any]:
    return _act(state, actor, complaint_id, Action.RESUME, body)


@router.post("/complaints/{complaint_id}/reply", summary="答复客户")
def reply(complaint_id: PathId, body: ReplyIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    return _act(state, actor, complaint_id, Action.REPLY, body)


@router.post("/complaints/{complaint_id}/follow-up", summary="回访")
def follow_up(complaint_id: PathId, body: FollowUpIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    return _act(state, actor, complaint_id, Action.FOLLOW_UP, body)


@router.post("/complaints/{complaint_id}/close", summary="结案")
def close(complaint_id: PathId, body: CloseIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    return _act(state, actor, complaint_id, Action.CLOSE, body)


@router.post("/complaints/{complaint_id}/reject", summary="不予受理")
def reject(complaint_id: PathId, body: RejectIn, state: State, actor: Manager) -> dict[str, Any]:
    return _act(state, actor, complaint_id, Action.REJECT, body)


@router.post("/complaints/{complaint_id}/reopen", summary="重开")
def reopen(complaint_id: PathId, body: ReopenIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    return _act(state, actor, complaint_id, Action.REOPEN, body)


@router.post("/complaints/{complaint_id}/assign", summary="分派处理人")
def assign(complaint_id: PathId, body: AssignIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.write() as conn:
        workflow.assign(
            conn,
            complaint_id=complaint_id,
            username=body.username,
            version=body.version,
            actor=actor,
            now=state.clock(),
        )
    return _complaint(state, actor, complaint_id)


@router.post("/complaints/{complaint_id}/hand-over", summary="移交责任")
def hand_over(complaint_id: PathId, body: HandOverIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    """The complaint as handed over; or, when it went to another hall and so out of the
    actor's view, only its id, reference, `out_of_view: true` and a message saying so."""
    with state.write() as conn:
        moved = workflow.hand_over(
            conn,
            complaint_id=complaint_id,
            username=body.username,
            note=body.note,
            version=body.version,
            actor=actor,
            now=state.clock(),
        )
    if not can_see(actor, moved):
        message = f"已移交至{moved['team']}。该投诉已不在您的查看范围内。"
        return {"id": moved["id"], "reference": moved["reference"], "out_of_view": True, "message": message}
    return _complaint(state, actor, complaint_id)


@router.post("/complaints/{complaint_id}/escalate", summary="升级")
def escalate(complaint_id: PathId, body: EscalateIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.write() as conn:
        workflow.escalate(
            conn,
            complaint_id=complaint_id,
            reason=body.reason,
            to_province=body.to_province,
            version=body.version,
            actor=actor,
            policy=state.policy,
            now=state.clock(),
        )
    return _complaint(state, actor, complaint_id)


@router.patch("/complaints/{complaint_id}", summary="更正分类、记录根因与改进措施、补充或更改转办信息")
def update_details(complaint_id: PathId, body: DetailsIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    """A transfer's fields are checked as at intake; while the complaint waits for its first reply,
    a new transfer deadline moves the reply deadline to the earlier of theirs and ours."""
    changes = body.model_dump(exclude={"version"}, exclude_unset=True)
    if not changes:
        raise Invalid("nothing_to_change", "没有需要修改的内容。")
    with state.write() as conn:
        workflow.update_details(
            conn,
            complaint_id=complaint_id,
            changes=changes,
            version=body.version,
            actor=actor,
            policy=state.policy,
            now=state.clock(),
        )
    return _complaint(state, actor, complaint_id)


@router.post("/complaints/{complaint_id}/links", summary="关联或合并投诉")
def link(complaint_id: PathId, body: LinkIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.write() as conn:
        workflow.link(
            conn,
            complaint_id=complaint_id,
            other_id=body.other_id,
            merge=body.merge,
            version=body.version,
            actor=actor,
            now=state.clock(),
        )
    return _complaint(state, actor, complaint_id)


@router.post("/complaints/{complaint_id}/settlements", status_code=201, summary="提出处理方案（超权限转审批）")
def propose_settlement(complaint_id: PathId, body: SettlementIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.write() as conn:
        items = [Item(i.type, i.amount, i.basis or None) for i in body.items]
        if not items:  # the older form
            basis = body.legal_basis.strip() or None
            items = [
                Item(SettlementType.REFUND, body.refund),
                Item(SettlementType.COMPENSATION, body.compensation, basis),
                Item(SettlementType.GIFT, body.gift),
            ]
        return settlements.propose(
            conn,
            complaint_id=complaint_id,
            items=items,
            facts=body.facts,
            override_reason=body.override_reason,
            description=body.description,
            version=body.version,
            actor=actor,
            policy=state.policy,
            now=state.clock(),
        )


@router.post("/settlements/{settlement_id}/decision", summary="审批处理方案")
def decide_settlement(settlement_id: PathId, body: DecisionIn, state: State, actor: Manager) -> dict[str, Any]:
    with state.write() as conn:
        if body.forward:
            return settlements.forward_approval(
                conn, settlement_id=settlement_id, comment=body.comment, actor=actor, now=state.clock()
            )
        return settlements.decide_approval(
            conn,
            settlement_id=settlement_id,
            approve=body.approve,
            comment=body.comment,
            override_reason=body.override_reason,
            actor=actor,
            policy=state.policy,
            now=state.clock(),
        )


@router.get("/stats/overview", summary="管理看板数据")
def stats_overview(state: State, actor: Manager) -> dict[str, Any]:
    with state.read() as conn:
        return analytics.overview(conn, actor=actor, now=state.clock(), policy=state.policy)


@router.get("/batches", summary="正在形成的批量投诉")
def batches(state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.read() as conn:
        rows, others = queries.visible_batches(
            conn, actor=actor, batches=open_batches(conn, now=state.clock(), policy=state.policy)
        )
    return {
        "other_halls": others,
        "batches": [
            {**r, "opened_at": present.when(r["opened_at"]), "last_at": present.when(r["last_at"])} for r in rows
        ],
    }
