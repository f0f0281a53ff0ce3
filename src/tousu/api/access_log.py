"""One access log line per request, a request id on every response, and unexpected errors logged masked.

Plain ASGI, like BodyLimit: no per-request task. The line names the user the request was
authenticated as, and never holds the query string, which may carry a phone number.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tousu.api.errors import error_body
from tousu.logs import ACCESS_LOGGER, log_exception, mask_text

access_log = logging.getLogger(ACCESS_LOGGER)
error_log = logging.getLogger("tousu.errors")

REQUEST_ID_HEADER = "X-Request-ID"
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
"""A caller's own request id is kept when it looks like one, so its logs and ours line up."""


def request_id_of(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            given: str = value.decode("latin-1")
            if _GIVEN_ID.match(given):
                return given
    return uuid.uuid4().hex


def user_of(scope: Scope) -> str:
    """The user the request was authenticated as (deps and the page guard note it in the request state)."""
    actor = scope.get("state", {}).get("actor")
    return str(getattr(actor, "username", None) or "-")


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        started_at = time.perf_counter()
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started, status = True, message["status"]
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            log_exception(error_log, f"request_id={request_id} unexpected error", exc)
            if started:
                raise
            await self._internal_error(send, request_id)
        finally:
            duration_ms = (time.perf_counter() - started_at) * 1000
            access_log.info(
                "request_id=%s user=%s method=%s path=%s status=%d duration_ms=%.1f",
                request_id,
                user_of(scope),
                scope["method"],
                mask_text(scope["path"]),
                status,
                duration_ms,
            )

    @staticmethod
    async def _internal_error(send: Send, request_id: str) -> None:
        body = error_body(
            "internal_error",
            f"服务器内部错误，操作可能没有完成：请刷新页面查看结果后再决定是否重试；如果仍然失败，请把请求编号 {request_id} 告诉管理员。",
        )
        payload = json.dumps(body, ensure_ascii=False).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            (REQUEST_ID_HEADER.lower().encode(), request_id.encode()),
        ]
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
