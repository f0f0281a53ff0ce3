"""Jinja2 templates (autoescaped) and the small formatting helpers the pages share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from tousu.domain.codes import (
    CHANNEL_NAMES,
    ROLE_NAMES,
    URGENCY_NAMES,
    VIP_NAMES,
    Channel,
    Role,
    UrgencyType,
    VipLevel,
)
from tousu.domain.deadlines import LOCAL
from tousu.domain.improvement import ROOT_CAUSE_NAMES
from tousu.domain.workflow import STATUS_NAMES, Status
from tousu.services import todo
from tousu.services.actors import Actor
from tousu.services.industry import category_names, demand_names, demands_as_said
from tousu.web.events import event_lines, event_name
from tousu.web.security import csrf_token

TEMPLATES = Path(__file__).parent / "templates"


def local_time(value: datetime | str | None) -> str:
    """'2026-11-23 10:05' in Asia/Shanghai; '' for nothing."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def _name(names: dict[Any, str], kind: type) -> Any:
    def lookup(code: str | None) -> str:
        if not code:
            return ""
        try:
            return names[kind(code)]
        except ValueError:
            return code

    return lookup


@pass_context
def _category_name(context: Context, code: str | None) -> str:
    """A category by the name the organisation's industry gives it (page() puts those in every
    page's context as CATEGORY_NAMES)."""
    if not code:
        return ""
    names: dict[str, str] = context["CATEGORY_NAMES"]
    return names.get(code, code)


@pass_context
def _demand_name(context: Context, code: str | None) -> str:
    """A demand by the name the organisation's industry gives it (DEMAND_NAMES in every page's context)."""
    if not code:
        return ""
    names: dict[str, str] = context["DEMAND_NAMES"]
    return names.get(code, code)


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    env = Jinja2Templates(directory=str(TEMPLATES))
    env.env.autoescape = True
    env.env.filters.update(
        local_time=local_time,
        category_name=_category_name,
        channel_name=_name(CHANNEL_NAMES, Channel),
        demand_name=_demand_name,
        urgency_name=_name(URGENCY_NAMES, UrgencyType),
        vip_name=_name(VIP_NAMES, VipLevel),
        status_name=_name(STATUS_NAMES, Status),
        role_name=_name(ROLE_NAMES, Role),
        event_name=event_name,
        event_lines=event_lines,
    )
    env.env.globals.update(
        CHANNEL_NAMES={c.value: n for c, n in CHANNEL_NAMES.items()},
        URGENCY_NAMES={c.value: n for c, n in URGENCY_NAMES.items()},
        VIP_NAMES={c.value: n for c, n in VIP_NAMES.items()},
        STATUS_NAMES={c.value: n for c, n in STATUS_NAMES.items()},
        ROOT_CAUSE_NAMES={c.value: n for c, n in ROOT_CAUSE_NAMES.items()},
    )
    return env


def _todo_count(request: Request, actor: Actor) -> Callable[[], int]:
    """The header's 我的待办 badge: one counting statement, run only if the page shows the header."""

    def count() -> int:
        state = request.app.state.tousu
        with state.read() as conn:
            return todo.badge(conn, actor=actor, now=state.clock(), policy=state.policy)

    return count


def _category_names(request: Request) -> dict[str, str]:
    return {c.value: n for c, n in category_names(request.app.state.tousu.policy.industry).items()}


def _demand_names(request: Request) -> dict[str, str]:
    return {d.value: n for d, n in demand_names(request.app.state.tousu.policy.industry).items()}


def _demands_as_said(request: Request) -> dict[str, str]:
    return {d.value: n for d, n in demands_as_said(request.app.state.tousu.policy.industry).items()}


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The template with the context every page has: the CSRF token, the organisation's names for
    the categories and the demands, the header's 待办 count once someone is signed in."""
    context.setdefault("actor", None)
    context.setdefault("CATEGORY_NAMES", _category_names(request))
    context.setdefault("DEMAND_NAMES", _demand_names(request))
    context.setdefault("DEMANDS_AS_SAID", _demands_as_said(request))
    if context["actor"] is not None:
        context.setdefault("todo_count", _todo_count(request, context["actor"]))
    response = templates().TemplateResponse(
        request, name, {"csrf_token": csrf_token(request), **context}, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"
    return response
