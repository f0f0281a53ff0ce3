"""Every error as JSON: a stable code, a Chinese message and the field at fault."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from tousu.services.errors import ServiceError

_PYDANTIC_MESSAGES = {
    "missing": "缺少必填项",
    "string_too_short": "内容太短或为空",
    "string_too_long": "内容太长",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为是/否",
    "datetime_parsing": "日期时间格式不正确（例：2026-11-23T10:00:00+08:00）",
    "datetime_from_date_parsing": "日期时间格式不正确（例：2026-11-23T10:00:00+08:00）",
    "string_type": "应为文字",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "json_invalid": "JSON 格式错误",
    "model_attributes_type": "应为对象",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "extra_forbidden": "不认识的字段",
    "value_error": "取值不正确",
    "timezone_aware": "时间须带时区（例：+08:00）",
}


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


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
        text = _PYDANTIC_MESSAGES.get(kind, "取值不正确")
        if kind == "value_error" and err.get("ctx", {}).get("error"):
            text = str(err["ctx"]["error"])
        problems.append({"field": _field(tuple(err.get("loc", ()))), "code": kind, "message": text})
    first = problems[0] if problems else {"field": None, "message": "请求内容不正确"}
    message = f"{first['field']}：{first['message']}" if first["field"] else str(first["message"])
    return JSONResponse(error_body("validation_failed", message, first["field"], problems=problems), status_code=422)


async def service_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=exc.status)


_HTTP_MESSAGES = {404: ("not_found", "地址不存在。"), 405: ("method_not_allowed", "不支持此请求方法。")}


async def http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", str(exc.detail)))
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(HTTPException, http_error)
