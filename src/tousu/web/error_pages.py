"""Errors met while opening a page, shown as a page in Chinese rather than the API's JSON.

A browser that asks for a page (any path but /api/, with HTML in its Accept header) and meets an
unknown address, a malformed path parameter (/complaints/abc) or a form the server cannot read
gets an error page with the right status and no internal codes. Everything else, the API first,
keeps the JSON error body of `tousu.api.errors`.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response

from tousu.api import errors
from tousu.api.deps import SESSION_COOKIE
from tousu.domain.codes import TRANSFER_REPLIES, TRANSFER_REPLY
from tousu.services import users
from tousu.services.actors import Actor
from tousu.web.render import page

# The replies to transfers by the names their sources give them (申诉回复, 投诉处理情况回复).
_REPLY_TITLES = dict.fromkeys(reply.title for reply in TRANSFER_REPLIES.values())
GONE = ("页面不存在", "您要打开的地址不存在。请检查地址是否输入完整，或从工作台进入。")
# What a malformed path parameter names: the page says what was not found, not which parameter.
NOT_FOUND_BY_PARAMETER: dict[str, tuple[str, str]] = {
    "complaint_id": ("未找到该投诉", "投诉不存在，或不在您的查看范围内。请从工作台或客户历史中打开投诉。"),
    "kind": (
        "没有这种文书",
        f"可打印的文书只有处理确认单、书面答复和{TRANSFER_REPLY.title}（{'、'.join(_REPLY_TITLES)}），"
        "请从投诉页面的“打印文书”进入。",
    ),
    "batch_id": ("未找到该批量投诉", "批量投诉不存在，或不在您的查看范围内。"),
    "measure_id": ("未找到该整改措施", "整改措施不存在，或不在您的查看范围内。"),
}
REFUSED_BY_STATUS: dict[int, tuple[str, str]] = {
    405: ("无法直接打开", "该地址不能直接在浏览器中打开，请使用页面上的按钮操作。"),
    413: ("提交的内容过大", "请缩短填写的内容后重试；附件请另行提交。"),
}


def wants_page(request: Request) -> bool:
    """A browser opening a page: never the API, which answers JSON whatever is accepted."""
    path = request.url.path
    if path == "/api" or path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _actor(request: Request) -> Actor | None:
    """Who is signed in, for the page's header; nobody when the session is missing or over."""
    known = getattr(request.state, "actor", None)
    if isinstance(known, Actor):
        return known
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    state = request.app.state.tousu
    try:
        with state.read() as conn:
            return users.actor_for_token(conn, token=token, now=state.clock())
    except users.Unauthorized:
        return None


def _page(request: Request, status_code: int, heading: str, message: str) -> Response:
    response: Response = page(
        request, "missing.html", status_code=status_code, actor=_actor(request), heading=heading, message=message
    )
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not wants_page(request):
        return await errors.http_error(request, exc)
    if exc.status_code == 404:
        heading, message = GONE
    else:
        heading, message = REFUSED_BY_STATUS.get(exc.status_code, ("无法处理该请求", "请返回上一页后重试。"))
    response = await run_in_threadpool(_page, request, exc.status_code, heading, message)
    response.headers.update(exc.headers or {})  # 413 closes the connection
    if exc.status_code == 405:
        response.headers["Allow"] = errors.allowed_methods(request)
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    """A path parameter that names nothing (/complaints/abc) is a page not found (404); anything
    else the page cannot read (a form field too long) is said in plain words (422)."""
    assert isinstance(exc, RequestValidationError)
    if not wants_page(request):
        return await errors.validation_error(request, exc)
    problems = exc.errors()
    in_path = [str(p["loc"][1]) for p in problems if len(p.get("loc", ())) > 1 and p["loc"][0] == "path"]
    if in_path:
        found = [NOT_FOUND_BY_PARAMETER[name] for name in in_path if name in NOT_FOUND_BY_PARAMETER]
        heading, message = found[0] if found else GONE
        return await run_in_threadpool(_page, request, 404, heading, message)
    first = problems[0] if problems else {}
    reason = errors.message_for(str(first.get("type", "")), first.get("ctx") or {})
    message = f"提交的内容有误（{reason}），请返回上一页检查后重试。"
    return await run_in_threadpool(_page, request, 422, "无法处理该请求", message)
