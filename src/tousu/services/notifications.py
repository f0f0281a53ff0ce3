"""Who is told of which timeline event, and in what words: the one map from events to notifications.

`on_event` is called by the timeline (services/timeline.py) for every event it writes, in the same
transaction: the notification rows of the bell and the outbox rows of each person's other channels
are committed with the event or not at all. The actor is never told of their own action.

Texts are Chinese, carry the complaint's reference and a link, and never the customer's name,
phone, ID number or address; what a person typed (a reason, a note) is quoted with every phone and
ID number in it masked, the same masking as the logs and lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tousu.domain.authority import LADDER
from tousu.domain.codes import ROLE_NAMES, Category, Role
from tousu.domain.deadlines import LOCAL
from tousu.domain.policy import EscalationPolicy
from tousu.domain.remedies import money_text
from tousu.domain.urgency import describe_issue_key

# The module, not its function: customers writes to the timeline, which calls this module.
from tousu.services import customers, outbox
from tousu.services.industry import category_names, served
from tousu.services.users import SYSTEM_USERNAME
from tousu.storage.tables import complaints, notification_preferences, notifications, settlements, users

KIND_NAMES = {
    "assigned": "新分派",
    "handed_over": "移交给我",
    "escalated": "升级督办",
    "approval_requested": "待我审批",
    "approval_decided": "审批结果",
    "deadline_warning": "即将超时",
    "deadline_breached": "已超时",
    "batch_formed": "批量投诉",
    "dissatisfied": "回访不满意",
}
QUOTE_CHARS = 120  # a quoted reason or note: enough to know what it is about


@dataclass(frozen=True)
class Notice:
    user_id: int
    kind: str
    title: str
    body: str


@dataclass(frozen=True)
class Context:
    """What every text needs: the complaint (as it is after the event), the actor's name, the event."""

    complaint: Mapping[str, Any]
    actor_name: str
    data: Mapping[str, Any]
    # The categories as the organisation's industry names them (services.industry.category_names).
    category_names: Mapping[Category, str]

    @property
    def ref(self) -> str:
        return str(self.complaint["reference"])

    @property
    def about(self) -> str:
        """'投诉 TS…（计费/扣费争议）'."""
        code = self.complaint["category"]
        try:
            name = self.category_names[Category(code)] if code else ""
        except (ValueError, KeyError):
            name = code
        return f"投诉 {self.ref}" + (f"（{name}）" if name else "")


def _quote(text: Any) -> str:
    cleaned = " ".join(str(text or "").split())
    return cleaned if len(cleaned) <= QUOTE_CHARS else cleaned[: QUOTE_CHARS - 1] + "…"


def _when(value: Any) -> str:
    if value is None:
        return "未设定"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return str(moment.astimezone(LOCAL).strftime("%m月%d日 %H:%M"))


# Recipients ---------------------------------------------------------------------------------


def holders(conn: sa.Connection, role: Role, team: str) -> list[int]:
    """The active people holding `role`: of the complaint's hall for agents and managers, all others."""
    query = sa.select(users.c.id).where(users.c.role == role.value, users.c.active, users.c.username != SYSTEM_USERNAME)
    if role in (Role.AGENT, Role.MANAGER):
        query = query.where(users.c.team == team, users.c.team != "")
    return [int(i) for i in conn.execute(query.order_by(users.c.id)).scalars()]


def _handler(complaint: Mapping[str, Any]) -> list[int]:
    return [int(complaint["owner_id"] or complaint["responsible_id"])]


def _by_username(conn: sa.Connection, username: Any) -> list[int]:
    found = conn.execute(sa.select(users.c.id).where(users.c.username == str(username))).scalar()
    return [] if found is None else [int(found)]


_LADDER = EscalationPolicy().ladder


def _rung_role(data: Mapping[str, Any], level: int) -> Role:
    """The role an escalation reached: named by the SLA sweep, else the default ladder's rung at `level`."""
    if data.get("to_role"):
        return Role(data["to_role"])
    for name, role in _LADDER:
        if name == data.get("to"):
            return role
    return LADDER[min(level, len(LADDER) - 1)]


# One builder per event kind ------------------------------------------------------------------

Builder = Callable[[sa.Connection, Context], list[Notice]]


def _assigned(conn: sa.Connection, c: Context) -> list[Notice]:
    title = f"新分派：投诉 {c.ref}"
    body = f"{c.actor_name}将{c.about}分派给您处理，答复期限 {_when(c.complaint['reply_by'])}。"
    return [Notice(u, "assigned", title, body) for u in _by_username(conn, c.data.get("owner"))]


def _handed_over(conn: sa.Connection, c: Context) -> list[Notice]:
    title = f"移交：投诉 {c.ref} 改由您负责"
    body = f"{c.actor_name}将{c.about}移交给您负责。移交说明：{_quote(c.data.get('note'))}"
    return [Notice(u, "handed_over", title, body) for u in _by_username(conn, c.data.get("to"))]


def _escalated(conn: sa.Connection, c: Context) -> list[Notice]:
    role = _rung_role(c.data, int(c.complaint["escalation_level"]))
    rung = c.data.get("to") or ROLE_NAMES[role]
    title = f"升级：投诉 {c.ref} 已升级至{rung}"
    body = f"{c.actor_name}将{c.about}升级至{rung}，请您督办。升级原因：{_quote(c.data.get('reason'))}"
    return [Notice(u, "escalated", title, body) for u in holders(conn, role, c.complaint["team"])]


def _breached(conn: sa.Connection, c: Context) -> list[Notice]:
    role = _rung_role(c.data, int(c.complaint["escalation_level"]))
    rung = c.data.get("to") or ROLE_NAMES[role]
    deadline = _when(c.data.get("reply_by"))
    handler = [
        Notice(
            u,
            "deadline_breached",
            f"已超时：投诉 {c.ref}",
            f"{c.about}已超过答复期限（{deadline}），已按规定升级至{rung}。请尽快答复客户。",
        )
        for u in _handler(c.complaint)
    ]
    body = f"{c.about}已超过答复期限（{deadline}），按升级规则升至{rung}，请您督办。"
    up = [
        Notice(u, "escalated", f"超时升级：投诉 {c.ref} 已升级至{rung}", body)
        for u in holders(conn, role, c.complaint["team"])
    ]
    return handler + up


def _warning(conn: sa.Connection, c: Context) -> list[Notice]:
    title = f"即将超时：投诉 {c.ref}"
    body = f"{c.about}的答复期限是 {_when(c.data.get('reply_by'))}，请在期限前答复客户。"
    return [Notice(u, "deadline_warning", title, body) for u in _handler(c.complaint)]


def _settlement(conn: sa.Connection, c: Context) -> dict[str, Any] | None:
    query = sa.select(settlements).where(settlements.c.id == c.data.get("settlement_id"))
    row = conn.execute(query).mappings().first()
    return None if row is None else dict(row)


def _approval_requested(conn: sa.Connection, c: Context) -> list[Notice]:
    settlement = _settlement(conn, c)
    if settlement is None or not c.data.get("approver_role"):
        return []
    role = Role(c.data["approver_role"])
    title = f"待审批：投诉 {c.ref} 的处理方案"
    body = f"{c.actor_name}为{c.about}提交的处理方案（{money_text(settlement) or '无金额'}）需要您审批。"
    return [Notice(u, "approval_requested", title, body) for u in holders(conn, role, c.complaint["team"])]


def _approval_decided(conn: sa.Connection, c: Context, *, approved: bool) -> list[Notice]:
    settlement = _settlement(conn, c)
    if settlement is None:
        return []
    outcome = "已批准" if approved else "被驳回"
    comment = _quote(c.data.get("comment"))
    body = f"{c.actor_name}{'批准' if approved else '驳回'}了您为{c.about}提交的处理方案（{money_text(settlement) or '无金额'}）。"
    if comment:
        body += f"审批意见：{comment}"
    title = f"审批结果：投诉 {c.ref} 的处理方案{outcome}"
    return [Notice(int(settlement["proposed_by_id"]), "approval_decided", title, body)]


def _batch(conn: sa.Connection, c: Context) -> list[Notice]:
    issue = describe_issue_key(str(c.data.get("issue_key", "")), c.category_names)
    title = f"批量投诉：{issue}"
    body = (
        f"{c.data.get('window_minutes')} 分钟内已有 {c.data.get('members')} 位客户就同一问题投诉"
        f"（最新一件为投诉 {c.ref}），已标为批量投诉，请统筹处理。"
    )
    people = holders(conn, Role.MANAGER, c.complaint["team"]) + holders(conn, Role.DIRECTOR, "")
    return [Notice(u, "batch_formed", title, body) for u in people]


def _follow_up(conn: sa.Connection, c: Context) -> list[Notice]:
    if (c.data.get("after") or {}).get("satisfaction") != "dissatisfied":
        return []
    title = f"回访不满意：投诉 {c.ref}"
    body = f"{c.actor_name}回访{c.about}，客户表示不满意。"
    if _quote(c.data.get("comments")):
        body += f"客户意见：{_quote(c.data.get('comments'))}。"
    body += "请安排跟进。"
    people = [int(c.complaint["responsible_id"]), *holders(conn, Role.MANAGER, c.complaint["team"])]
    return [Notice(u, "dissatisfied", title, body) for u in people]


BUILDERS: dict[str, Builder] = {
    "assigned": _assigned,
    "handed_over": _handed_over,
    "escalated": _escalated,
    "sla_breached": _breached,
    "sla_warning": _warning,
    "approval_requested": _approval_requested,
    "approval_forwarded": _approval_requested,
    "settlement_approved": lambda conn, c: _approval_decided(conn, c, approved=True),
    "settlement_denied": lambda conn, c: _approval_decided(conn, c, approved=False),
    "batch_alert": _batch,
    "follow_up": _follow_up,
}

_COMPLAINT = sa.select(
    complaints.c.id,
    complaints.c.reference,
    complaints.c.category,
    complaints.c.team,
    complaints.c.owner_id,
    complaints.c.responsible_id,
    complaints.c.escalation_level,
    complaints.c.reply_by,
)


def on_event(
    conn: sa.Connection, *, complaint_id: int, kind: str, actor_id: int | None, at: datetime, data: Mapping[str, Any]
) -> int:
    """Notify whoever this event concerns; returns how many people were notified."""
    build = BUILDERS.get(kind)
    if build is None:
        return 0
    complaint = conn.execute(_COMPLAINT.where(complaints.c.id == complaint_id)).mappings().first()
    if complaint is None:
        return 0
    actor_name = "系统"
    if actor_id is not None:
        actor_name = conn.execute(sa.select(users.c.display_name).where(users.c.id == actor_id)).scalar() or "同事"
    notices = build(conn, Context(dict(complaint), actor_name, data, category_names(served(conn))))
    return deliver(conn, notices, actor_id=actor_id, complaint_id=complaint_id, at=at)


def _once_each(notices: Iterable[Notice], actor_id: int | None) -> list[Notice]:
    """The first notice for each person, never one for the actor."""
    seen: set[int] = set() if actor_id is None else {actor_id}
    kept = []
    for notice in notices:
        if notice.user_id not in seen:
            seen.add(notice.user_id)
            kept.append(notice)
    return kept


def deliver(
    conn: sa.Connection, notices: Iterable[Notice], *, actor_id: int | None, complaint_id: int, at: datetime
) -> int:
    """Write each notice to the bell and queue it on the person's other channels."""
    kept = _once_each(notices, actor_id)
    if not kept:
        return 0
    people = {
        int(r["id"]): dict(r)
        for r in conn.execute(
            sa.select(users.c.id, users.c.active, notification_preferences)
            .outerjoin(notification_preferences, notification_preferences.c.user_id == users.c.id)
            .where(users.c.id.in_([n.user_id for n in kept]))
        ).mappings()
    }
    link = f"/complaints/{complaint_id}"
    written = 0
    for notice in kept:
        person = people.get(notice.user_id)
        if person is None or not person["active"]:
            continue
        title, body = customers.mask_numbers_in_text(notice.title), customers.mask_numbers_in_text(notice.body)
        notification_id = conn.execute(
            notifications.insert().values(
                user_id=notice.user_id,
                kind=notice.kind,
                complaint_id=complaint_id,
                title=title,
                body=body,
                link=link,
                created_at=at,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        written += 1
        payload = {"subject": title, "text": body, "link": link}
        for channel, address in _instant_channels(person):
            outbox.enqueue(
                conn,
                channel=channel,
                recipient=address,
                payload=payload,
                dedup_key=f"{channel}:{notification_id}",
                now=at,
                user_id=notice.user_id,
                notification_id=notification_id,
            )
    return written


def _instant_channels(person: Mapping[str, Any]) -> list[tuple[str, str]]:
    """E-mail (unless the person takes the daily digest instead) and the webhook, when chosen."""
    channels = []
    if person["email"] and person["email_address"] and not person["daily_digest"]:
        channels.append(("email", str(person["email_address"])))
    if person["webhook"] and person["webhook_url"]:
        channels.append(("webhook", str(person["webhook_url"])))
    return channels
