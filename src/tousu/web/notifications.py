"""The notification pages: my notifications (the bell's list), my channels, and for administrators
the outbox's failed messages with a retry button. Plain forms checked against the CSRF cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from tousu.api.deps import State
from tousu.api.schemas import MAX_ID
from tousu.domain.codes import Role
from tousu.services import inbox, outbox
from tousu.services.actors import Actor
from tousu.services.errors import ServiceError
from tousu.services.notifications import KIND_NAMES
from tousu.web.auth import PageActor
from tousu.web.render import page
from tousu.web.security import CSRF_FIELD, csrf_valid

router = APIRouter(include_in_schema=False)

Csrf = Annotated[str, Form(alias=CSRF_FIELD)]
CSRF_FAILED = "页面已失效（安全校验未通过），请刷新页面后重试。"
FORBIDDEN = "发送失败的通知消息仅限系统管理员查看和重发。"
PAGE_SIZE = 100


def _list_page(
    request: Request, state: State, actor: Actor, *, error: str | None = None, status: int = 200
) -> Response:
    unread_only = request.query_params.get("unread") == "1"
    with state.read() as conn:
        rows = inbox.listing(conn, actor=actor, unread_only=unread_only, limit=PAGE_SIZE)
        unread = inbox.unread_count(conn, actor=actor)
    return page(
        request,
        "notifications.html",
        status_code=status,
        actor=actor,
        items=rows,
        unread=unread,
        unread_only=unread_only,
        error=error,
        nav="notifications",
    )


@router.get("/notifications")
def notifications_page(request: Request, state: State, actor: PageActor) -> Response:
    return _list_page(request, state, actor)


@router.post("/notifications/{notification_id}/open")
def open_notification(
    notification_id: int, request: Request, state: State, actor: PageActor, csrf: Csrf = ""
) -> Response:
    """Mark it read and go to what it is about."""
    if not csrf_valid(request, csrf):
        return _list_page(request, state, actor, error=CSRF_FAILED, status=403)
    if not 1 <= notification_id <= MAX_ID:
        return _list_page(request, state, actor, error="该通知不存在。", status=404)
    try:
        with state.write() as conn:
            row = inbox.mark_read(conn, notification_id=notification_id, actor=actor, now=state.clock())
    except ServiceError as exc:
        return _list_page(request, state, actor, error=exc.message, status=exc.status)
    link = str(row["link"])
    # Links are written by the server (/complaints/N); anything else is never followed.
    return RedirectResponse(link if link.startswith("/") and not link.startswith("//") else "/notifications", 303)


@router.post("/notifications/read-all")
def read_all(request: Request, state: State, actor: PageActor, csrf: Csrf = "") -> Response:
    if not csrf_valid(request, csrf):
        return _list_page(request, state, actor, error=CSRF_FAILED, status=403)
    with state.write() as conn:
        inbox.mark_all_read(conn, actor=actor, now=state.clock())
    return RedirectResponse("/notifications", status_code=303)


def _preferences_page(
    request: Request,
    state: State,
    actor: Actor,
    *,
    prefs: inbox.Preferences | None = None,
    notice: str | None = None,
    error: str | None = None,
    field: str | None = None,
    status: int = 200,
) -> Response:
    if prefs is None:
        with state.read() as conn:
            prefs = inbox.preferences(conn, actor=actor)
    return page(
        request,
        "notification_preferences.html",
        status_code=status,
        actor=actor,
        prefs=prefs,
        notice=notice,
        error=error,
        field=field,
        email_configured=bool(state.settings.smtp_host),
        digest_hour=state.settings.digest_hour,
        reads_reports=actor.at_least(Role.MANAGER),
        kind_names=KIND_NAMES,
        nav="notifications",
    )


@router.get("/notifications/preferences")
def preferences_page(request: Request, state: State, actor: PageActor) -> Response:
    return _preferences_page(request, state, actor)


@router.post("/notifications/preferences")
def save_preferences(
    request: Request,
    state: State,
    actor: PageActor,
    csrf: Csrf = "",
    email: Annotated[str, Form(max_length=10)] = "",
    email_address: Annotated[str, Form(max_length=254)] = "",
    webhook: Annotated[str, Form(max_length=10)] = "",
    webhook_url: Annotated[str, Form(max_length=500)] = "",
    daily_digest: Annotated[str, Form(max_length=10)] = "",
    daily_report: Annotated[str, Form(max_length=10)] = "",
    weekly_report: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    prefs = inbox.Preferences(
        email=bool(email),
        email_address=email_address,
        webhook=bool(webhook),
        webhook_url=webhook_url,
        daily_digest=bool(daily_digest),
        daily_report=bool(daily_report),
        weekly_report=bool(weekly_report),
    )
    if not csrf_valid(request, csrf):
        return _preferences_page(request, state, actor, prefs=prefs, error=CSRF_FAILED, status=403)
    try:
        with state.write() as conn:
            saved = inbox.save_preferences(conn, actor=actor, prefs=prefs, now=state.clock())
    except ServiceError as exc:
        return _preferences_page(
            request, state, actor, prefs=prefs, error=exc.message, field=exc.field, status=exc.status
        )
    return _preferences_page(request, state, actor, prefs=saved, notice="已保存您的通知方式。")


def _outbox_page(
    request: Request,
    state: State,
    actor: Actor,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    with state.read() as conn:
        failed = outbox.listing(conn, status="failed")
        counts = outbox.counts(conn)
    return page(
        request,
        "admin_outbox.html",
        status_code=status,
        actor=actor,
        failed=failed,
        counts=counts,
        status_names=outbox.STATUS_NAMES,
        channel_names=outbox.CHANNEL_NAMES,
        notice=notice,
        error=error,
        nav="outbox",
    )


def _admin_refusal(request: Request, actor: Actor) -> Response | None:
    if actor.at_least(Role.ADMIN):
        return None
    return page(request, "forbidden.html", status_code=403, actor=actor, message=FORBIDDEN)


@router.get("/admin/outbox")
def outbox_page(request: Request, state: State, actor: PageActor) -> Response:
    retried = request.query_params.get("retried", "")
    notice = f"消息 {retried} 已重新排队，几秒内重发。" if retried.isdigit() and len(retried) <= 10 else None
    return _admin_refusal(request, actor) or _outbox_page(request, state, actor, notice=notice)


@router.post("/admin/outbox/{message_id}/retry")
def retry_message(message_id: int, request: Request, state: State, actor: PageActor, csrf: Csrf = "") -> Response:
    refused = _admin_refusal(request, actor)
    if refused is not None:
        return refused
    if not csrf_valid(request, csrf):
        return _outbox_page(request, state, actor, error=CSRF_FAILED, status=403)
    if not 1 <= message_id <= MAX_ID:
        return _outbox_page(request, state, actor, error=f"消息 {message_id} 不存在。", status=404)
    try:
        with state.write() as conn:
            outbox.retry(conn, message_id=message_id, actor=actor, now=state.clock())
    except ServiceError as exc:
        return _outbox_page(request, state, actor, error=exc.message, status=exc.status)
    return RedirectResponse(f"/admin/outbox?retried={message_id}", status_code=303)
