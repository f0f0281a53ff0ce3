"""Login, logout, the current user, and customers with their history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request

from tousu.api import present
from tousu.api.deps import CurrentActor, Manager, State, bearer_token
from tousu.api.schemas import CustomerFlagsIn, LoginIn, NoteIn
from tousu.services import customers, users
from tousu.services.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["people"])


@router.post("/auth/login", summary="登录，换取会话令牌")
def login(body: LoginIn, state: State) -> dict[str, Any]:
    now = state.clock()
    with state.write() as conn:
        actor = users.verify_password(conn, username=body.username, password=body.password)
        token = users.issue_token(
            conn, user_id=actor.id, kind="session", now=now, ttl=timedelta(hours=state.settings.session_hours)
        )
    return {"token": token, "user": actor.__dict__, "expires_in": int(state.settings.session_hours * 3600)}


@router.post("/auth/logout", summary="退出登录")
def logout(request: Request, state: State, actor: CurrentActor) -> dict[str, Any]:
    token = bearer_token(request)
    assert token is not None  # CurrentActor already required it
    with state.write() as conn:
        users.revoke_token(conn, token=token, now=state.clock())
    state.token_cache.pop(token, None)
    return {"ok": True}


@router.get("/me", summary="当前用户")
def me(actor: CurrentActor) -> dict[str, Any]:
    return actor.__dict__


@router.get("/customers", summary="按电话查找客户")
def find_customer(phone: str, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.read() as conn:
        row = customers.find_by_phone(conn, phone=phone)
        if row is None:
            raise NotFound("customer_not_found", "没有该电话号码的客户记录（首次投诉）。", "phone")
        history = customers.history(conn, customer_id=row["id"], actor=actor)
    return {"customer": present.customer_json(row, actor, full=True), "history": _history_json(history)}


@router.get("/customers/{customer_id}", summary="客户及其投诉、处理、备注历史")
def get_customer(customer_id: int, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.read() as conn:
        row = customers.get(conn, customer_id=customer_id)
        history = customers.history(conn, customer_id=customer_id, actor=actor)
    return {"customer": present.customer_json(row, actor, full=True), "history": _history_json(history)}


def _history_json(history: dict[str, Any]) -> dict[str, Any]:
    for item in history["complaints"]:
        item["received_at"] = present.when(item["received_at"])
        item["replied_at"] = present.when(item["replied_at"])
    return history


@router.patch("/customers/{customer_id}", summary="修改客户级别与标记（厅经理以上）")
def update_customer(customer_id: int, body: CustomerFlagsIn, state: State, actor: Manager) -> dict[str, Any]:
    changes = body.model_dump(exclude={"version"}, exclude_unset=True)
    with state.write() as conn:
        row = customers.update_flags(conn, customer_id=customer_id, changes=changes, version=body.version, actor=actor)
    return present.customer_json(row, actor, full=True)


@router.post("/customers/{customer_id}/notes", status_code=201, summary="添加客户备注或备案")
def add_note(customer_id: int, body: NoteIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.write() as conn:
        return customers.add_note(
            conn, customer_id=customer_id, kind=body.kind, text=body.text, actor=actor, now=state.clock()
        )


@router.get("/users", summary="用户列表")
def list_users(state: State, actor: Manager) -> dict[str, Any]:
    with state.read() as conn:
        return {"users": users.list_users(conn)}
