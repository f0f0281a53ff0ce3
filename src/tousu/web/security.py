"""Web session plumbing: the login cookie and CSRF.

The CSRF token is an HMAC, under the server's secret key, of a random per-browser cookie and
the session token: a token planted in another browser, or taken from before a login, is
worthless, and a page's token is valid for its own session only. (Login throttling is in
tousu.services.logins, in the database.)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tousu.api.deps import SESSION_COOKIE, header_bearer
from tousu.api.errors import error_body

CSRF_COOKIE = "tousu_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def csrf_token(request: Request) -> str:
    """The token this browser's pages submit: bound to its CSRF cookie (or the one minted for
    this response) and to its session."""
    minted: str | None = getattr(request.state, "csrf_minted", None)
    return _bound(request, minted or request.cookies.get(CSRF_COOKIE, ""))


def csrf_valid(request: Request, submitted: str | None) -> bool:
    expected = _bound(request, request.cookies.get(CSRF_COOKIE, ""))
    return bool(expected and submitted) and secrets.compare_digest(expected, submitted or "")


def csrf_for(key: bytes, browser: str, session: str) -> str:
    """The token of the browser whose CSRF cookie is `browser`, logged in as `session` ("" before login)."""
    return hmac.new(key, f"{browser}\n{session}".encode(), hashlib.sha256).hexdigest() if browser else ""


def csrf_key(secret: str) -> bytes:
    """The CSRF key, derived from the server's secret key (TOUSU_SECRET_KEY)."""
    return hmac.new(secret.encode(), b"tousu-csrf", hashlib.sha256).digest()


def _bound(request: Request, browser: str) -> str:
    return csrf_for(_key(request), browser, request.cookies.get(SESSION_COOKIE, ""))


def _key(request: Request) -> bytes:
    """Derived once per application: the secret may live in a file."""
    app_state = request.app.state
    key: bytes | None = getattr(app_state, "tousu_csrf_key", None)
    if key is None:
        key = app_state.tousu_csrf_key = csrf_key(app_state.tousu.settings.resolved_secret())
    return key


def set_session_cookie(response: Response, token: str, *, max_age: int, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax", secure=secure, path="/")


class CsrfMiddleware:
    """Mint the CSRF cookie when missing; refuse cookie-authenticated API writes without the header.

    Plain ASGI rather than an "http" middleware: that kind costs a task and two streams per
    request, and every API call passes through here. Bearer-token clients are not browsers and
    carry no ambient credentials, so they pass straight through.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _bearer(scope) is not None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if (
            request.method in UNSAFE_METHODS
            and request.url.path.startswith("/api/")
            and SESSION_COOKIE in request.cookies
            and not csrf_valid(request, request.headers.get(CSRF_HEADER))
        ):
            refusal = JSONResponse(
                error_body("csrf_failed", "页面已失效（安全校验未通过），请刷新页面后重试。"), status_code=403
            )
            await refusal(scope, receive, send)
            return
        if request.cookies.get(CSRF_COOKIE) is not None:
            await self.app(scope, receive, send)
            return
        minted = request.state.csrf_minted = secrets.token_urlsafe(32)
        cookie = Response()
        cookie.set_cookie(
            CSRF_COOKIE, minted, httponly=True, samesite="lax", path="/", secure=request.url.scheme == "https"
        )
        set_cookie = [(k, v) for k, v in cookie.raw_headers if k == b"set-cookie"]

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *set_cookie]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _bearer(scope: Scope) -> str | None:
    """The Bearer token, which alone then authenticates the request (see api.deps.bearer_token):
    any other Authorization header leaves the cookie in charge, and the CSRF check with it."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            return header_bearer(value.decode("latin-1"))
    return None
