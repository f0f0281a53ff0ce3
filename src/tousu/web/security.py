"""Web session plumbing: the login cookie, CSRF (double-submit cookie) and the login rate limit.

The rate limiter lives in process memory: with several server processes each counts on its
own, so the effective limit is multiplied by the number of processes; it resets on restart.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.responses import JSONResponse

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


async def csrf_middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Mint the CSRF cookie when missing; refuse cookie-authenticated API writes without the header.

    Bearer-token clients are not browsers and carry no ambient credentials, so they are exempt.
    """
    if request.cookies.get(CSRF_COOKIE) is None:
        request.state.csrf_minted = secrets.token_urlsafe(32)
    uses_cookie = SESSION_COOKIE in request.cookies and not request.headers.get("authorization")
    if (request.method in UNSAFE_METHODS and request.url.path.startswith("/api/") and uses_cookie
            and not csrf_valid(request, request.headers.get(CSRF_HEADER))):
        return JSONResponse(error_body("csrf_failed", "页面已失效（安全校验未通过），请刷新页面后重试。"),
                            status_code=403)
    response = await call_next(request)
    minted = getattr(request.state, "csrf_minted", None)
    if minted is not None:
        response.set_cookie(CSRF_COOKIE, minted, httponly=True, samesite="lax", path="/",
                            secure=request.url.scheme == "https")
    return response


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
