"""The staff web application: server-rendered pages over the same services as the JSON API.

Call `register(app)` once after `create_app(settings)`; it adds the pages, the static files,
the CSRF check for cookie-authenticated API writes and the login redirect.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from tousu.web import admin, auth, documents, improvement, knowledge, model_admin, pages, policy_admin, reports, work
from tousu.web.security import CsrfMiddleware

STATIC = Path(__file__).parent / "static"


def register(app: FastAPI) -> None:
    """Mount the web application on `app`; a second call does nothing."""
    if getattr(app.state, "tousu_web_registered", False):
        return
    app.state.tousu_web_registered = True
    app.add_exception_handler(auth.LoginRequired, auth.login_redirect)
    app.add_middleware(CsrfMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC), name="web-static")
    app.include_router(auth.router)
    app.include_router(pages.router)
    app.include_router(documents.router)
    app.include_router(knowledge.router)
    app.include_router(admin.router)
    app.include_router(model_admin.router)
    app.include_router(policy_admin.router)
    app.include_router(improvement.router)
    app.include_router(work.router)
    app.include_router(reports.router)
