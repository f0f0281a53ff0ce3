"""The staff web application: server-rendered pages over the same services as the JSON API.

Call `register(app)` once after `create_app(settings)`; it adds the pages, the static files,
the CSRF check for cookie-authenticated API writes, the login redirect and the error pages.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from tousu.web import (
    admin,
    auth,
    documents,
    error_pages,
    improvement,
    knowledge,
    model_admin,
    pages,
    policy_admin,
    reports,
    work,
)
from tousu.web.security import CsrfMiddleware

STATIC = Path(__file__).parent / "static"


def register(app: FastAPI) -> None:
    """Mount the web application on `app`; a second call does nothing."""
    if getattr(app.state, "tousu_web_registered", False):
        return
    app.state.tousu_web_registered = True
    app.add_exception_handler(auth.LoginRequired, auth.login_redirect)
    # Pages' errors as pages; the API's stay JSON (error_pages hands them back to tousu.api.errors).
    app.add_exception_handler(HTTPException, error_pages.http_error)
    app.add_exception_handler(RequestValidationError, error_pages.validation_error)
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
