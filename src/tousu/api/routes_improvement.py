"""The improvement loop (整改): the Pareto of root causes and improvement measures.

The Pareto and creating measures are for managers and up (403 for agents). A measure's owner
may be an agent: they see the measures they own, record evidence and mark them done; other
agents get 404 for a measure, as for one that does not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from tousu.api.deps import CurrentActor, Manager, State
from tousu.api.errors import documented
from tousu.api.schemas import Day, MeasureChangeIn, MeasureIn, PathId, Text
from tousu.domain.improvement import MeasureStatus
from tousu.services import improvement

router = APIRouter(prefix="/api/v1/improvement", tags=["improvement"], responses=documented(400, 401, 403, 413, 422))
_WRITES = documented(404, 409)


@router.get("/pareto", summary="根因帕累托（已结案投诉）")
def pareto(
    state: State,
    actor: Manager,
    closed_from: Annotated[Day | None, Query(description="结案日期起（含），默认为近十二周")] = None,
    closed_to: Annotated[Day | None, Query(description="结案日期止（含），默认为今天")] = None,
    team: Annotated[Text | None, Query(max_length=100, description="营业厅（主任、管理员可选）")] = None,
) -> dict[str, Any]:
    """Root-cause kinds of the complaints closed in the period in your hall (every hall, or the
    one named, for directors and admins), largest first with the cumulative share; complaints
    closed without a kind are counted as `unclassified`."""
    within = improvement.period(closed_from, closed_to, now=state.clock())
    with state.read() as conn:
        return improvement.pareto(conn, actor=actor, within=within, team=team)


@router.get("/measures", summary="整改措施列表")
def list_measures(
    state: State,
    actor: CurrentActor,
    status: Annotated[MeasureStatus | None, Query(description="open | in_progress | done | verified")] = None,
) -> dict[str, Any]:
    """The measures you may see (an agent: those they own), unfinished first, earliest due first;
    `due_state` is `overdue`, `due_soon` or null."""
    with state.read() as conn:
        items = improvement.list_measures(conn, actor=actor, now=state.clock(), status=status)
    return {"items": items, "total": len(items)}


@router.post("/measures", status_code=201, summary="制定整改措施", responses=_WRITES)
def create_measure(body: MeasureIn, state: State, actor: Manager) -> dict[str, Any]:
    """A measure against one root-cause kind, with an owner and a due date, linked to the
    complaints listed in `complaint_ids` (each of that kind), or, when none are listed, to every
    complaint of that kind closed between `closed_from` and `closed_to`."""
    now = state.clock()
    within = None
    if not body.complaint_ids and (body.closed_from or body.closed_to):
        within = improvement.period(body.closed_from, body.closed_to, now=now)
    with state.write() as conn:
        created = improvement.create_measure(
            conn,
            actor=actor,
            title=body.title,
            root_cause_kind=body.root_cause_kind,
            owner=body.owner,
            due_on=body.due_on,
            description=body.description,
            team=body.team,
            complaint_ids=body.complaint_ids,
            within=within,
            now=now,
        )
    with state.read() as conn:
        return improvement.get_measure(conn, actor=actor, measure_id=created["id"], now=now)


@router.get("/measures/{measure_id}", summary="整改措施详情与效果", responses=documented(404))
def get_measure(
    measure_id: PathId,
    state: State,
    actor: CurrentActor,
    weeks: Annotated[int, Query(ge=1, le=26, description="效果对比：完成前后各几周")] = improvement.EFFECT_WEEKS,
) -> dict[str, Any]:
    """The measure, its history, the complaints it answers and its effect: complaints of its
    root-cause kind in its hall per week, `weeks` weeks before and after its completion."""
    with state.read() as conn:
        return improvement.get_measure(conn, actor=actor, measure_id=measure_id, now=state.clock(), weeks=weeks)


@router.patch("/measures/{measure_id}", summary="更新整改措施状态与证据", responses=_WRITES)
def change_measure(measure_id: PathId, body: MeasureChangeIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    """Record evidence and move the status: 待办 → 进行中 → 已完成 (needs evidence) → 已核实 (a
    manager other than the owner). A stale `version` gets 409."""
    now = state.clock()
    with state.write() as conn:
        improvement.change_measure(
            conn,
            actor=actor,
            measure_id=measure_id,
            version=body.version,
            status=body.status,
            evidence=body.evidence,
            now=now,
        )
    with state.read() as conn:
        return improvement.get_measure(conn, actor=actor, measure_id=measure_id, now=now)
