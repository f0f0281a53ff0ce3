"""Every error as JSON: a stable code, a Chinese message and the field at fault."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException
from starlette.routing import Match

from tousu.services.errors import ServiceError

_PYDANTIC_MESSAGES = {
    "missing": "缺少必填项",
    "string_too_short": "内容太短或为空",
    "string_too_long": "内容太长（最多 {max_length} 字）",
    "too_long": "项目太多（最多 {max_length} 项）",
    "too_short": "项目太少（至少 {min_length} 项）",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_parsing": "应为是/否",
    "bool_type": "应为是/否",
    "datetime_parsing": "日期时间格式不正确（例：2026-11-23T10:00:00+08:00）",
    "datetime_from_date_parsing": "日期时间格式不正确（例：2026-11-23T10:00:00+08:00）",
    "datetime_type": "日期时间格式不正确（例：2026-11-23T10:00:00+08:00）",
    "string_type": "应为文字",
    "string_unicode": "应为 UTF-8 编码的文字",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "json_invalid": "JSON 格式错误",
    "model_attributes_type": "应为对象",
    "model_type": "应为对象",
    "greater_than_equal": "数值太小（最小 {ge}）",
    "greater_than": "数值太小（须大于 {gt}）",
    "less_than_equal": "数值太大（最大 {le}）",
    "less_than": "数值太大（须小于 {lt}）",
    "extra_forbidden": "不认识的字段",
    "value_error": "取值不正确",
    "timezone_aware": "时间须带时区（例：+08:00）",
}


def message_for(kind: str, ctx: dict[str, Any]) -> str:
    """The Chinese message for one pydantic error, with its limit (e.g. 最多 5000 字) filled in."""
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])  # our validators raise Chinese messages
    # A limit as people write it: 0, not 0.0 (a float field's limit is a float).
    shown = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in ctx.items()}
    try:
        return _PYDANTIC_MESSAGES.get(kind, "取值不正确").format(**shown)
    except (KeyError, IndexError, ValueError):
        return "取值不正确"


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")  # e.g. `problems`, one per invalid field

    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    """The body of every error answer."""

    error: ErrorDetail


_MEANINGS = {
    400: "the body cannot be parsed (malformed JSON, wrong encoding)",
    401: "not logged in, or the token is unknown, revoked or expired",
    403: "the role or the data scope does not allow it, or a browser session's CSRF check failed",
    404: "no such object, or not within the caller's scope",
    409: "the version read is stale, or the complaint's state does not allow the action",
    413: "the request body is larger than TOUSU_MAX_BODY_BYTES",
    422: "a field is missing, of the wrong type, out of range or too long",
    429: "too many attempts: wait and retry",
    503: "a part of the service (database, analyzer) is unavailable",
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, each with the error body's schema."""
    return {status: {"model": ErrorOut, "description": _MEANINGS[status]} for status in statuses}


class PayloadTooLarge(HTTPException):
    """Raised while the body is read (limits.py): the connection is closed rather than drained."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, too_large_message(max_bytes), headers={"Connection": "close"})


def too_large_message(max_bytes: int) -> str:
    return f"请求内容过大（上限 {max_bytes // 1024} KB）：请缩短内容，附件请另行提交。"


def _field(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


async def validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        kind = str(err.get("type", ""))
        if kind == "json_invalid":
            return JSONResponse(error_body("malformed_json", "请求体不是合法的 JSON。"), status_code=400)
        text = message_for(kind, err.get("ctx") or {})
        problems.append({"field": _field(tuple(err.get("loc", ()))), "code": kind, "message": text})
    first = problems[0] if problems else {"field": None, "message": "请求内容不正确"}
    message = f"{first['field']}：{first['message']}" if first["field"] else str(first["message"])
    return JSONResponse(error_body("validation_failed", message, first["field"], problems=problems), status_code=422)


async def service_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=exc.status)


_HTTP_MESSAGES = {
    400: ("malformed_body", "请求内容无法解析：请检查格式，JSON 须为 UTF-8 编码。"),
    404: ("not_found", "地址不存在。"),
    405: ("method_not_allowed", "不支持此请求方法。"),
}


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """The framework's own errors (English details) in the project's format, in Chinese."""
    assert isinstance(exc, HTTPException)
    headers = exc.headers
    if isinstance(exc, PayloadTooLarge):
        code, message = "payload_too_large", str(exc.detail)
    else:
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求无法处理。"))
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": allowed_methods(request)}
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=headers)


def allowed_methods(request: Request) -> str:
    """Every method the path accepts: the router names only those of the first route it tried."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(HTTPException, http_error)
