"""Login, logout, and the page dependency that sends anonymous or expired sessions to the login page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from tousu.api.deps import SESSION_COOKIE, State, password_login
from tousu.api.schemas import printable
from tousu.services import logins, users
from tousu.services.actors import Actor
from tousu.web.render import page
from tousu.web.security import CSRF_FIELD, csrf_valid, set_session_cookie

router = APIRouter(include_in_schema=False)

EXPIRED = "expired"
DISABLED = "disabled"
REASONS = {
    EXPIRED: "登录已过期，请重新登录。",
    "logged_out": "您已安全退出。",
    "csrf": "页面已失效，请重新登录。",
    DISABLED: "您的账号已停用，无法继续使用。如需恢复，请联系系统管理员。",
}


class LoginRequired(Exception):
    def __init__(self, path: str, reason: str | None = None) -> None:
        self.path = path
        self.reason = reason


def login_redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = f"/login?next={quote(exc.path, safe='')}"
    if exc.reason:
        target += f"&reason={exc.reason}"
    response = RedirectResponse(target, status_code=303)
    if exc.reason in (EXPIRED, DISABLED):
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def page_actor(request: Request, state: State) -> Actor:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired(path)
    try:
        with state.read() as conn:
            actor = users.actor_for_token(conn, token=token, now=state.clock())
    except users.Unauthorized as exc:
        raise LoginRequired(path, DISABLED if exc.code == "account_disabled" else EXPIRED) from None
    request.state.actor = actor  # named in the access log line
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None, reason: str | None = None) -> Response:
    return page(request, "login.html", next=_safe_next(next), notice=REASONS.get(reason or ""), error=None, username="")


@router.post("/login")
def login(
    request: Request,
    state: State,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form()] = "/",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    def again(error: str, status: int) -> Response:
        return page(
            request,
            "login.html",
            status_code=status,
            next=_safe_next(next),
            notice=None,
            error=error,
            username=username,
        )

    if not csrf_valid(request, csrf_token):
        return again("页面已失效（安全校验未通过），请重新输入。", 403)
    if not username.strip() or not password:
        return again("请输入用户名和密码。", 400)
    if not printable(username):  # no account has such a name, and PostgreSQL cannot even look it up
        return again("用户名或密码错误，请重新输入。", 401)
    try:
        done = password_login(state, request, username.strip(), password)
    except logins.Throttled as exc:
        refused = again(exc.message, 429)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    except users.Unauthorized as exc:
        return again(exc.message if exc.code == "account_disabled" else "用户名或密码错误，请重新输入。", 401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(
        response, done.token, max_age=int(state.settings.session_hours * 3600), secure=request.url.scheme == "https"
    )
    return response


@router.post("/logout")
def logout(request: Request, state: State, csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "") -> Response:
    if not csrf_valid(request, csrf_token):
        return Response("安全校验未通过，请刷新页面后重试。", status_code=403, media_type="text/plain; charset=utf-8")
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with state.write() as conn:
            users.revoke_token(conn, token=token, now=state.clock())
    response = RedirectResponse("/login?reason=logged_out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
