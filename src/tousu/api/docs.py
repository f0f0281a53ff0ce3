"""The interactive API documentation (/docs), served with its Swagger UI files from this server:
it works without Internet access and loads nothing from another host."""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from tousu.web.headers import CONTENT_SECURITY_POLICY

DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"


def _allowing_inline_scripts(html: str) -> str:
    """The site's policy, plus the page's own inline script by its hash (the one FastAPI writes)."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    )
    return CONTENT_SECURITY_POLICY.replace("script-src 'self'", f"script-src 'self' {hashes}")


def register(app: FastAPI) -> None:
    """Mount /docs and its assets; the app must be created with docs_url=None and redoc_url=None."""
    page = get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=f"{app.title} — API",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None},  # the default validator is a remote service
    )
    html = bytes(page.body).decode()
    headers = {"Content-Security-Policy": _allowing_inline_scripts(html), "Cache-Control": "no-cache"}
    app.mount(ASSETS_URL, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(html, headers=headers)
