"""Login, logout, the current user, and customers with their history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from tousu.api import present
from tousu.api.deps import CurrentActor, Manager, State, bearer_token, password_login
from tousu.api.errors import documented, error_body
from tousu.api.schemas import CustomerFlagsIn, LoginIn, NoteIn, PathId, Text
from tousu.services import customers, logins, users
from tousu.services.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["people"], responses=documented(400, 401, 403, 404, 409, 413, 422, 429))


@router.post("/auth/login", summary="登录，换取会话令牌（连续失败过多时暂时锁定，429）")
def login(body: LoginIn, request: Request, state: State) -> Any:
    try:
        done = password_login(state, request, body.username.strip(), body.password)
    except logins.Throttled as exc:
        return JSONResponse(
            error_body(exc.code, exc.message, until=present.when(exc.until)),
            status_code=exc.status,
            headers={"Retry-After": str(exc.retry_after)},
        )
    return {"token": done.token, "user": done.actor.__dict__, "expires_in": int(state.settings.session_hours * 3600)}


@router.post("/auth/logout", summary="退出登录")
def logout(request: Request, state: State, actor: CurrentActor) -> dict[str, Any]:
    token = bearer_token(request)
    assert token is not None  # CurrentActor already required it
    with state.write() as conn:
        users.revoke_token(conn, token=token, now=state.clock())
    return {"ok": True}


@router.get("/me", summary="当前用户")
def me(actor: CurrentActor) -> dict[str, Any]:
    return actor.__dict__


@router.get("/customers", summary="按电话查找客户（范围外的客户只给简要信息）")
def find_customer(phone: Annotated[Text, Query(max_length=20)], state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.read() as conn:
        row = customers.find_by_phone(conn, phone=phone)
        if row is None:
            raise NotFound("customer_not_found", "没有该电话号码的客户记录（首次投诉）。", "phone")
        found = customers.lookup(conn, customer_id=row["id"], actor=actor)
        if found["in_scope"]:
            row = customers.view(conn, customer_id=row["id"], actor=actor)
    return present.customer_lookup_json(row, found, actor)


@router.get("/customers/{customer_id}", summary="客户及其投诉、处理、备注历史（限本人可见范围）")
def get_customer(customer_id: PathId, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.read() as conn:
        row = customers.get_in_scope(conn, customer_id=customer_id, actor=actor)
        row |= customers.contact_details(conn, customer_id=customer_id, actor=actor)
        found = customers.lookup(conn, customer_id=customer_id, actor=actor)
    return present.customer_lookup_json(row, found, actor)


@router.patch("/customers/{customer_id}", summary="修改客户级别与标记（厅经理以上）")
def update_customer(customer_id: PathId, body: CustomerFlagsIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    changes = body.model_dump(exclude={"version"}, exclude_unset=True)
    with state.write() as conn:
        row = customers.update_flags(
            conn, customer_id=customer_id, changes=changes, version=body.version, actor=actor, now=state.clock()
        )
    return present.customer_json(row, actor, full=True)


@router.post("/customers/{customer_id}/notes", status_code=201, summary="添加客户备注或备案")
def add_note(customer_id: PathId, body: NoteIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.write() as conn:
        return customers.add_note(
            conn, customer_id=customer_id, kind=body.kind, text=body.text, actor=actor, now=state.clock()
        )


@router.get("/users", summary="用户列表")
def list_users(state: State, actor: Manager) -> dict[str, Any]:
    with state.read() as conn:
        return {"users": users.list_users(conn)}
