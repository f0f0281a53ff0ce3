"""Web session plumbing: the login cookie, CSRF (double-submit cookie) and the login rate limit.

The rate limiter lives in process memory: with several server processes each counts on its
own, so the effective limit is multiplied by the number of processes; it resets on restart.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tousu.api.deps import SESSION_COOKIE
from tousu.api.errors import error_body

CSRF_COOKIE = "tousu_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def csrf_token(request: Request) -> str:
    """The browser's CSRF token: from its cookie, or the one minted for this response."""
    minted: str | None = getattr(request.state, "csrf_minted", None)
    return minted or request.cookies.get(CSRF_COOKIE, "")


def csrf_valid(request: Request, submitted: str | None) -> bool:
    expected = request.cookies.get(CSRF_COOKIE, "")
    return bool(expected and submitted) and secrets.compare_digest(expected, submitted or "")


def set_session_cookie(response: Response, token: str, *, max_age: int, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax", secure=secure,
                        path="/")


class CsrfMiddleware:
    """Mint the CSRF cookie when missing; refuse cookie-authenticated API writes without the header.

    Plain ASGI rather than an "http" middleware: that kind costs a task and two streams per
    request, and every API call passes through here. Bearer-token clients are not browsers and
    carry no ambient credentials, so they pass straight through.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(name == b"authorization" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if (request.method in UNSAFE_METHODS and request.url.path.startswith("/api/")
                and SESSION_COOKIE in request.cookies and not csrf_valid(request, request.headers.get(CSRF_HEADER))):
            refusal = JSONResponse(error_body("csrf_failed", "页面已失效（安全校验未通过），请刷新页面后重试。"),
                                   status_code=403)
            await refusal(scope, receive, send)
            return
        if request.cookies.get(CSRF_COOKIE) is not None:
            await self.app(scope, receive, send)
            return
        minted = request.state.csrf_minted = secrets.token_urlsafe(32)
        cookie = Response()
        cookie.set_cookie(CSRF_COOKIE, minted, httponly=True, samesite="lax", path="/",
                          secure=request.url.scheme == "https")
        set_cookie = [(k, v) for k, v in cookie.raw_headers if k == b"set-cookie"]

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *set_cookie]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class LoginThrottle:
    """At most `limit` failed logins per username and IP within `window` seconds."""

    def __init__(self, limit: int = 5, window: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        stamps = self._failures[key]
        horizon = self._clock() - self.window
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        return stamps

    def blocked(self, username: str, ip: str) -> bool:
        with self._lock:
            return len(self._recent((username.lower(), ip))) >= self.limit

    def failed(self, username: str, ip: str) -> None:
        with self._lock:
            self._recent((username.lower(), ip)).append(self._clock())

    def succeeded(self, username: str, ip: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), ip), None)
