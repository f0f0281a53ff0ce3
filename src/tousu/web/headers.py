"""Security headers on every answer: pages, API, static files and errors alike.

The pages load scripts and styles only from /static (no inline code), so the policy allows
nothing else; a response that sets its own Content-Security-Policy (the API documentation page,
whose one inline script is allowed by its hash) keeps it. Over https, and always with
TOUSU_HTTPS=1 (for a TLS proxy that does not say X-Forwarded-Proto), browsers are told to use
https only (HSTS) and every cookie is marked Secure.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = (b"strict-transport-security", b"max-age=31536000")
# The API's answers carry customers' data, and hall counters are shared computers: no copy is
# kept in the browser's cache (the pages set the same header themselves, web/render.py).
NO_STORE = (b"cache-control", b"no-store")

_ALWAYS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def _secure_cookie(value: bytes) -> bytes:
    attributes = {part.strip().lower() for part in value.split(b";")[1:]}
    return value if b"secure" in attributes else value + b"; Secure"


class SecurityHeaders:
    """Plain ASGI, like the other middlewares here: it only edits the response's first message."""

    def __init__(self, app: ASGIApp, *, always_https: bool = False) -> None:
        self.app = app
        self.always_https = always_https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = self.always_https or scope.get("scheme") == "https"
        private = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [header for header in _ALWAYS if header[0] not in present]
                if private and b"cache-control" not in present:
                    headers.append(NO_STORE)
                if https:
                    headers = [(n, _secure_cookie(v) if n.lower() == b"set-cookie" else v) for n, v in headers]
                    headers += [HSTS] if HSTS[0] not in present else []
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
