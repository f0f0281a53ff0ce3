"""The administrators' pages: accounts (add, disable and enable, reset password, role and team)
and tokens (revoke). Plain forms, each checked against the CSRF cookie; every change is made
by the services in one transaction with its audit event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from tousu.api.deps import AppState, State
from tousu.domain.codes import ROLE_NAMES, Role
from tousu.services import audit, users
from tousu.services.actors import Actor
from tousu.services.errors import Invalid, ServiceError
from tousu.web.auth import PageActor
from tousu.web.render import page
from tousu.web.security import CSRF_FIELD, csrf_valid

router = APIRouter(include_in_schema=False)

Csrf = Annotated[str, Form(alias=CSRF_FIELD)]
ROLE_CHOICES = [(role.value, ROLE_NAMES[role]) for role in Role]
NOTICES = {
    "added": "已新增用户 {user}。",
    "disabled": "已停用用户 {user}：其登录已全部失效，停用期间其令牌一律被拒绝。",
    "enabled": "已启用用户 {user}。",
    "password": "已为用户 {user} 重置密码：其原有登录已全部失效。",
    "changed": "已修改用户 {user} 的岗位/班组，从其下一次操作起生效。",
}
FORBIDDEN = "账号与令牌管理仅限系统管理员使用。如需开通账号或停用账号，请联系系统管理员。"
CSRF_FAILED = "页面已失效（安全校验未通过），请刷新页面后重试。"


def _refusal(request: Request, actor: Actor) -> Response | None:
    if actor.at_least(Role.ADMIN):
        return None
    return page(request, "forbidden.html", status_code=403, actor=actor, message=FORBIDDEN)


def _users_page(
    request: Request, state: State, actor: Actor, *, error: str | None = None, status: int = 200
) -> Response:
    with state.read() as conn:
        staff = users.list_accounts(conn)
        events = audit.recent(conn, limit=30)
    notice = NOTICES.get(request.query_params.get("done", ""))
    user = request.query_params.get("user", "")
    if user not in {u["username"] for u in staff}:  # a link cannot make the page say anything else
        notice = None
    return page(
        request,
        "admin_users.html",
        status_code=status,
        actor=actor,
        staff=staff,
        events=events,
        action_names=audit.ACTION_NAMES,
        roles=ROLE_CHOICES,
        system_username=users.SYSTEM_USERNAME,
        notice=notice.format(user=user) if notice else None,
        error=error,
        nav="admin",
    )


def _change(
    request: Request, state: AppState, actor: Actor, submitted: str, done: str, apply: Callable[[sa.Connection], str]
) -> Response:
    """Check the admin and the CSRF token, apply the change, and come back to the list (or say what is wrong)."""
    refused = _refusal(request, actor)
    if refused is not None:
        return refused
    if not csrf_valid(request, submitted):
        return _users_page(request, state, actor, error=CSRF_FAILED, status=403)
    try:
        with state.write() as conn:
            username = apply(conn)
    except ServiceError as exc:
        return _users_page(request, state, actor, error=exc.message, status=exc.status)
    return RedirectResponse(f"/admin/users?{urlencode({'done': done, 'user': username})}", status_code=303)


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise Invalid("invalid_role", "请选择一个岗位。", "role") from None


@router.get("/admin/users")
def users_page(request: Request, state: State, actor: PageActor) -> Response:
    return _refusal(request, actor) or _users_page(request, state, actor)


@router.post("/admin/users")
def add_user(
    request: Request,
    state: State,
    actor: PageActor,
    csrf: Csrf = "",
    username: Annotated[str, Form(max_length=64)] = "",
    display_name: Annotated[str, Form(max_length=100)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
    team: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    def apply(conn: sa.Connection) -> str:
        if not password:
            raise Invalid("password_required", "请为新用户设置初始密码。", "password")
        users.add_user(
            conn,
            username=username.strip(),
            password=password,
            role=_role(role),
            team=team,
            display_name=display_name.strip() or None,
            now=state.clock(),
            by=actor,
        )
        return username.strip()

    return _change(request, state, actor, csrf, "added", apply)


@router.post("/admin/users/{user_id}/disable")
def disable_user(user_id: int, request: Request, state: State, actor: PageActor, csrf: Csrf = "") -> Response:
    def apply(conn: sa.Connection) -> str:
        return users.set_active(conn, user_id=user_id, active=False, now=state.clock(), by=actor)

    return _change(request, state, actor, csrf, "disabled", apply)


@router.post("/admin/users/{user_id}/enable")
def enable_user(user_id: int, request: Request, state: State, actor: PageActor, csrf: Csrf = "") -> Response:
    def apply(conn: sa.Connection) -> str:
        return users.set_active(conn, user_id=user_id, active=True, now=state.clock(), by=actor)

    return _change(request, state, actor, csrf, "enabled", apply)


@router.post("/admin/users/{user_id}/password")
def reset_password(
    user_id: int,
    request: Request,
    state: State,
    actor: PageActor,
    csrf: Csrf = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    def apply(conn: sa.Connection) -> str:
        return users.set_password(conn, user_id=user_id, password=password, now=state.clock(), by=actor)

    return _change(request, state, actor, csrf, "password", apply)


@router.post("/admin/users/{user_id}/role")
def change_role(
    user_id: int,
    request: Request,
    state: State,
    actor: PageActor,
    csrf: Csrf = "",
    role: Annotated[str, Form(max_length=16)] = "",
    team: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def apply(conn: sa.Connection) -> str:
        return users.change_role_and_team(
            conn, user_id=user_id, role=_role(role), team=team, now=state.clock(), by=actor
        )

    return _change(request, state, actor, csrf, "changed", apply)


def _tokens_page(
    request: Request,
    state: State,
    actor: Actor,
    *,
    error: str | None = None,
    status: int = 200,
    created: dict[str, Any] | None = None,
) -> Response:
    everything = request.query_params.get("all") == "1"
    now = state.clock()
    with state.read() as conn:
        tokens = users.list_tokens(conn, now=now, everything=everything, limit=500)
        staff = [u for u in users.list_accounts(conn) if u["active"] and u["username"] != users.SYSTEM_USERNAME]
    revoked = request.query_params.get("revoked", "")
    return page(
        request,
        "admin_tokens.html",
        status_code=status,
        actor=actor,
        tokens=tokens,
        staff=staff,
        created=created,
        max_days=users.MAX_TOKEN_DAYS,
        everything=everything,
        notice=f"已撤销令牌 #{revoked}：从下一个请求起即被拒绝。" if revoked.isdigit() else None,
        error=error,
        nav="admin",
    )


@router.get("/admin/tokens")
def tokens_page(request: Request, state: State, actor: PageActor) -> Response:
    return _refusal(request, actor) or _tokens_page(request, state, actor)


@router.post("/admin/tokens")
def create_token(
    request: Request,
    state: State,
    actor: PageActor,
    csrf: Csrf = "",
    username: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=100)] = "",
    days: Annotated[str, Form(max_length=10)] = "90",
) -> Response:
    """A new API token for another system; its secret is shown on this answer only (never in a URL)."""
    refused = _refusal(request, actor)
    if refused is not None:
        return refused
    if not csrf_valid(request, csrf):
        return _tokens_page(request, state, actor, error=CSRF_FAILED, status=403)
    try:
        if not days.strip().isdigit():
            raise Invalid("invalid_days", f"有效期请填写 1 到 {users.MAX_TOKEN_DAYS} 之间的天数。", "days")
        with state.write() as conn:
            token_id, secret = users.create_api_token(
                conn, username=username, days=int(days), name=name.strip(), now=state.clock(), by=actor
            )
    except ServiceError as exc:
        return _tokens_page(request, state, actor, error=exc.message, status=exc.status)
    created = {"id": token_id, "secret": secret, "username": username, "days": int(days)}
    return _tokens_page(request, state, actor, created=created)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(token_id: int, request: Request, state: State, actor: PageActor, csrf: Csrf = "") -> Response:
    refused = _refusal(request, actor)
    if refused is not None:
        return refused
    if not csrf_valid(request, csrf):
        return _tokens_page(request, state, actor, error=CSRF_FAILED, status=403)
    try:
        with state.write() as conn:
            users.revoke_token_id(conn, token_id=token_id, now=state.clock(), by=actor)
    except ServiceError as exc:
        return _tokens_page(request, state, actor, error=exc.message, status=exc.status)
    return RedirectResponse(f"/admin/tokens?revoked={token_id}", status_code=303)
