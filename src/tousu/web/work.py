"""我的待办 and the batch page. They read through the services; changes go through the JSON API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tousu.api.deps import State
from tousu.api.schemas import MAX_ID
from tousu.services import batch_handling, todo
from tousu.services.actors import Actor
from tousu.services.errors import NotFound
from tousu.web.auth import PageActor
from tousu.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/todo")
def todo_page(request: Request, state: State, actor: PageActor) -> Response:
    now = state.clock()
    with state.read() as conn:
        counts = todo.counts(conn, actor=actor, now=now, policy=state.policy)
        items = todo.items(conn, actor=actor, now=now, policy=state.policy)
    return page(
        request,
        "todo.html",
        actor=actor,
        items=items,
        counts=counts,
        kinds=todo.KIND_NAMES,
        total=sum(counts.values()),
        todo_count=lambda: min(sum(counts.values()), todo.BADGE_CAP),  # the badge without counting again
        limit=todo.LIMIT_PER_SOURCE,
        now=now,
        nav="todo",
    )


def _missing(request: Request, actor: Actor) -> Response:
    return page(request, "batch.html", status_code=404, actor=actor, b=None, nav="queue")


@router.get("/batches/{batch_id}")
def batch_page(batch_id: int, request: Request, state: State, actor: PageActor) -> Response:
    if not 1 <= batch_id <= MAX_ID:  # no stored batch has such a number
        return _missing(request, actor)
    try:
        with state.read() as conn:
            batch = batch_handling.detail(conn, batch_id=batch_id, actor=actor)
            owners = batch_handling.possible_owners(conn, batch_id=batch_id, actor=actor)
    except NotFound:
        return _missing(request, actor)
    return page(request, "batch.html", actor=actor, b=batch, owners=owners, nav="queue")
