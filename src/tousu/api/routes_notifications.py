"""My notifications (the bell) and how I want to be told."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field, StrictBool

from tousu.api import present
from tousu.api.deps import CurrentActor, State
from tousu.api.errors import documented
from tousu.api.schemas import PathId, QueryId, _In
from tousu.services import inbox

router = APIRouter(prefix="/api/v1", tags=["notifications"], responses=documented(400, 401, 403, 413, 422))


class PreferencesIn(_In):
    """Besides the bell (always on): e-mail, one by one or as a daily digest, and a group-chat robot;
    for managers and up, 日报/周报 by e-mail with the workbook attached (an agent's request to
    subscribe gets 422). Switches are JSON true/false only (strict): a 0 or "no" is refused, not
    read as a choice."""

    email: StrictBool = False
    email_address: str = Field("", max_length=254, description="where e-mails and the digest go")
    webhook: StrictBool = False
    webhook_url: str = Field("", max_length=500, description="a 企业微信 or 钉钉 group robot's webhook URL")
    daily_digest: StrictBool = Field(
        False, description="one e-mail a day listing unread notifications, instead of each"
    )
    daily_report: StrictBool = Field(
        False, description="日报: yesterday's KPIs by e-mail each day at the digest hour (managers and up)"
    )
    weekly_report: StrictBool = Field(
        False, description="周报: last Monday-Sunday's KPIs by e-mail on Mondays at the digest hour (managers and up)"
    )


def notification_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "kind_name": row["kind_name"],
        "complaint_id": row["complaint_id"],
        "title": row["title"],
        "body": row["body"],
        "link": row["link"],
        "created_at": present.when(row["created_at"]),
        "read_at": present.when(row["read_at"]),
    }


@router.get("/notifications", summary="我的通知（最新在前）及未读数")
def list_notifications(
    state: State,
    actor: CurrentActor,
    unread: Annotated[bool, Query(description="only the unread ones")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[QueryId, Query(description="page back: notifications older than this id")] = None,
) -> dict[str, Any]:
    with state.read() as conn:
        rows = inbox.listing(conn, actor=actor, unread_only=unread, limit=limit, before_id=before_id)
        count = inbox.unread_count(conn, actor=actor)
    return {"unread": count, "notifications": [notification_json(r) for r in rows]}


@router.get("/notifications/unread-count", summary="未读通知数（页面右上角的铃铛轮询）")
def unread_count(state: State, actor: CurrentActor) -> dict[str, int]:
    with state.read() as conn:
        return {"unread": inbox.unread_count(conn, actor=actor)}


@router.post("/notifications/read-all", summary="全部标为已读")
def read_all(state: State, actor: CurrentActor) -> dict[str, int]:
    with state.write() as conn:
        return {"marked": inbox.mark_all_read(conn, actor=actor, now=state.clock())}


@router.post("/notifications/{notification_id}/read", summary="标为已读", responses=documented(404))
def read_one(notification_id: PathId, state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.write() as conn:
        return notification_json(inbox.mark_read(conn, notification_id=notification_id, actor=actor, now=state.clock()))


@router.get("/me/notification-preferences", summary="我的通知方式")
def get_preferences(state: State, actor: CurrentActor) -> dict[str, Any]:
    with state.read() as conn:
        return inbox.preferences(conn, actor=actor).as_dict()


@router.put("/me/notification-preferences", summary="设置我的通知方式（邮件、群机器人、每日摘要、日报/周报）")
def put_preferences(body: PreferencesIn, state: State, actor: CurrentActor) -> dict[str, Any]:
    prefs = inbox.Preferences(**body.model_dump())
    with state.write() as conn:
        return inbox.save_preferences(conn, actor=actor, prefs=prefs, now=state.clock()).as_dict()
