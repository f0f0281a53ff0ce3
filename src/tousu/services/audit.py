"""The administrators' audit trail: who changed which account or token, and when.

Written in the same transaction as the change it records, so a change is never without its
record. Complaint history has its own timeline (services/timeline.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tousu.storage.tables import audit_events, users

ACTION_NAMES = {
    "user_added": "新增用户",
    "user_disabled": "停用用户",
    "user_enabled": "启用用户",
    "password_reset": "重置密码",
    "user_changed": "修改岗位或班组",
    "token_created": "生成 API 令牌",
    "token_revoked": "撤销令牌",
    "outbox_retried": "重发通知消息",
    "policy_changed": "修改规则设置",
}


def record(
    conn: sa.Connection,
    *,
    action: str,
    actor_id: int | None,
    at: datetime,
    target_user_id: int | None = None,
    target_token_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Append one audit event; `actor_id` None means the command line (an operator on the server)."""
    assert action in ACTION_NAMES, action
    conn.execute(
        audit_events.insert().values(
            at=at,
            actor_id=actor_id,
            action=action,
            target_user_id=target_user_id,
            target_token_id=target_token_id,
            data=data or {},
        )
    )


def recent(conn: sa.Connection, *, limit: int = 50, action: str | None = None) -> list[dict[str, Any]]:
    """The newest events first (of one `action` when given), with the acting account's name and
    username and the affected account's username."""
    actor = users.alias("actor")
    target = users.alias("target")
    only = [audit_events.c.action == action] if action else []
    rows = conn.execute(
        sa.select(
            audit_events,
            actor.c.username.label("actor_username"),
            actor.c.display_name.label("actor_display_name"),
            target.c.username.label("target_username"),
        )
        .outerjoin(actor, actor.c.id == audit_events.c.actor_id)
        .outerjoin(target, target.c.id == audit_events.c.target_user_id)
        .where(*only)
        .order_by(audit_events.c.id.desc())
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]
