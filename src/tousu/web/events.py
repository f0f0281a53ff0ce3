"""How timeline events read on the complaint page: Chinese names and flat 'label：value' lines."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tousu.domain.codes import (
    CATEGORY_NAMES,
    CHANNEL_NAMES,
    DEMAND_NAMES,
    EMOTION_NAMES,
    ROLE_NAMES,
    TRANSFER_REPLY,
    TRANSFER_SOURCE_NAMES,
    URGENCY_NAMES,
    VIP_NAMES,
    transfer_reply,
)
from tousu.domain.deadlines import LOCAL
from tousu.domain.improvement import ROOT_CAUSE_NAMES
from tousu.domain.remedies import FACT_NAMES, ITEM_NAMES, SettlementType
from tousu.domain.workflow import ACTION_NAMES, STATUS_NAMES
from tousu.knowledge import KnowledgeBaseError

EVENT_NAMES: dict[str, str] = {
    **{a.value: n for a, n in ACTION_NAMES.items()},
    "created": "受理登记",
    "analyzed": "自动分析",
    "assigned": "分派处理人",
    "batch_alert": "批量投诉预警",
    "escalated": "升级",
    "handed_over": "移交责任",
    "linked": "关联投诉",
    "merged": "合并",
    "merged_in": "并入投诉",
    "settlement_granted": "处理方案生效",
    "approval_requested": "处理方案提交审批",
    "settlement_approved": "处理方案获批",
    "settlement_denied": "处理方案被驳回",
    "approval_forwarded": "处理方案上报",
    "sla_warning": "即将超时提醒",
    "sla_breached": "超时",
    "updated": "更正信息",
    "urgency_changed": "紧急程度变化",
    "customer_updated": "客户资料变更",
    "printed": "打印文书",
    "batch_owner_changed": "批量投诉负责人变更",
    "batch_ticket_changed": "批量投诉故障单变更",
    "batch_closed": "批量投诉关闭",
    "measure_created": "制定整改措施",
    "measure_completed": "整改措施完成",
    "transfer_updated": "转办信息变更",
    "archived": "归档",
}

FIELD_LABELS: dict[str, str] = {
    "reply": "答复内容",
    "reason": "原因",
    "comments": "客户意见",
    "satisfaction": "满意度",
    "root_cause": "根本原因",
    "responsible_person": "责任人",
    "improvement_measure": "改进措施",
    "new_evidence": "新证据",
    "close_reason": "结案理由（回访不满意）",
    "waiting_for": "等待补充",
    "username": "处理人",
    "note": "说明",
    "to_province": "升级至省公司",
    "legal_basis": "依据",
    "reasons": "理由",
    "description": "方案说明",
    "comment": "审批意见",
    "members": "涉及客户数",
    "issue_key": "问题标识",
    "status": "状态",
    "before": "变更前",
    "after": "变更后",
    "settlement_confirmed": "客户确认方案",
    "refund": "退费",
    "compensation": "赔偿",
    "gift": "赠送",
    "message": "提示",
    "level": "级别",
    "reference": "受理编号",
    "channel": "渠道",
    "category": "类别",
    "demands": "诉求",
    "urgency_types": "紧急类型",
    "reply_by": "答复时限",
    "received_by": "受理人",
    "analyzer_version": "分析器版本",
    "signals": "紧急信号",
    "topic": "业务",
    "area": "区域",
    "settlement_id": "方案编号",
    "approver_role": "审批岗位",
    "exceeded": "超出权限",
    "category_source": "分类来源",
    "other": "关联投诉",
    "into": "并入",
    "from": "来自",
    "work_quality": "工作质量问题",
    "vip_level": "客户级别",
    "important": "重要客户",
    "sensitive": "敏感客户",
    "address": "地址",
    # Complaint fields a change records before and after.
    "owner": "处理人",
    "owner_id": "处理人",
    "responsible_id": "首问责任人",
    "received_by_id": "受理人",
    "to": "移交/升级至",
    "to_role": "负责岗位",
    "team": "班组",
    "emotion": "情绪",
    "priority": "优先级",
    "escalation_level": "升级级别",
    "replied_at": "答复时间",
    "closed_at": "结案时间",
    "acknowledge_by": "首次响应时限",
    "follow_up_by": "回访时限",
    "paused_since": "暂停计时起",
    "occurred_at": "发生时间",
    "received_at": "受理时间",
    "claimed_amount": "涉及金额",
    "batch_id": "批量编号",
    "merged_into_id": "并入投诉",
    "window_minutes": "统计时段（分钟）",
    "proxy_name": "代理人",
    "proxy_authorisation": "代理授权",
    "manual_urgency": "人工标注紧急类型",
    # A settlement's items and the facts it rests on.
    "items": "处理项目",
    "facts": "已核实事实",
    "override_reason": "例外理由",
    "exception": "例外情形",
    # A printed document, and whether it was printed or downloaded as a PDF.
    "document": "文书",
    "output": "方式",
    "case_number": "转办案件编号",
    # A transfer's fields, edited after intake (services/transfers.py).
    "transfer_source": "转办来源",
    "transfer_case_number": "转办工单号",
    "transfer_reply_by": "转办方答复时限",
    # A batch handled as one (services/batch_handling.py).
    "batch_owner": "批量投诉负责人",
    "fault_ticket": "故障单",
    # The improvement loop (整改).
    "root_cause_kind": "根因类别",
    "measure": "整改措施",
    "due_on": "完成期限",
    "evidence": "整改证据",
    # Archiving (services/archive.py).
    "archived_at": "归档时间",
    "archive_after_days": "办结后未变动满（天）",
}
# Bookkeeping that means nothing to the people reading the timeline.
HIDDEN_FIELDS = frozenset({"paused_seconds", "issue_key", "analyzer_version", "version", "updated_at", "search_tokens"})
# Codes shown by their Chinese names; a code no table knows is shown as it is.
CODE_NAMES: dict[str, dict[str, str]] = {
    "channel": {c.value: n for c, n in CHANNEL_NAMES.items()},
    "category": {c.value: n for c, n in CATEGORY_NAMES.items()},
    "demands": {c.value: n for c, n in DEMAND_NAMES.items()},
    "urgency_types": {c.value: n for c, n in URGENCY_NAMES.items()},
    "status": {c.value: n for c, n in STATUS_NAMES.items()},
    "approver_role": {c.value: n for c, n in ROLE_NAMES.items()},
    "category_source": {"analyzer": "自动分析", "person": "人工"},
    "vip_level": {c.value: n for c, n in VIP_NAMES.items()},
    "manual_urgency": {c.value: n for c, n in URGENCY_NAMES.items()},
    "to_role": {c.value: n for c, n in ROLE_NAMES.items()},
    "emotion": {c.value: n for c, n in EMOTION_NAMES.items()},
    "reason": {"batch": "形成批量投诉"},
    "facts": {f.value: n for f, n in FACT_NAMES.items()},
    "document": {"settlement": "处理确认单", "reply": "书面答复", "regulator": TRANSFER_REPLY.title},
    "output": {"print": "打印", "pdf": "下载PDF"},
    "root_cause_kind": {k.value: n for k, n in ROOT_CAUSE_NAMES.items()},
    "transfer_source": {s.value: n for s, n in TRANSFER_SOURCE_NAMES.items()},
}
SIGNAL_NAMES = {
    "media": "媒体曝光",
    "regulator": "监管/越级投诉",
    "litigation": "诉讼/仲裁",
    "group_incident": "群体事件",
    "violence": "暴力/人身危险",
}  # the analyzer's urgency signals (taxonomy.yaml)
SATISFACTION = {"satisfied": "满意", "neutral": "一般", "dissatisfied": "不满意"}


# Staff appear by their display names: by user id in changed fields, by username in the rest.
_MONEY_FIELDS = frozenset({"refund", "compensation", "gift", "claimed_amount"})
_PEOPLE_BY_ID = frozenset({"owner_id", "responsible_id", "received_by_id"})
_PEOPLE_BY_USERNAME = frozenset({"owner", "to", "received_by", "username", "batch_owner"})
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")


def event_name(kind: str) -> str:
    return EVENT_NAMES.get(kind, "处理记录")


def people_in(data: Any) -> tuple[set[int], set[str]]:
    """The staff an event's data names (ids and usernames, in changes too): those the page must
    know the display names of."""
    ids: set[int] = set()
    usernames: set[str] = set()
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _PEOPLE_BY_ID and isinstance(value, int) and not isinstance(value, bool):
                    ids.add(value)
                elif key in _PEOPLE_BY_USERNAME and isinstance(value, str):
                    usernames.add(value)
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return ids, usernames


class _Known:
    """What the page knows to name: staff by display name, codes by their Chinese names (the
    categories as the organisation's industry names them)."""

    def __init__(
        self,
        by_id: Mapping[int, str] | None,
        by_username: Mapping[str, str] | None,
        categories: Mapping[str, str] | None,
        demands: Mapping[str, str] | None = None,
    ) -> None:
        self.by_id = by_id or {}
        self.by_username = by_username or {}
        own = {key: names for key, names in (("category", categories), ("demands", demands)) if names}
        self.codes: Mapping[str, Mapping[str, str]] = {**CODE_NAMES, **own}

    def name(self, value: Any, key: str) -> str | None:
        if key in _PEOPLE_BY_ID and isinstance(value, int) and not isinstance(value, bool):
            return self.by_id.get(value, "其他人员")
        if key in _PEOPLE_BY_USERNAME and isinstance(value, str):
            return self.by_username.get(value)
        return None


def _text(value: Any, key: str, known: _Known) -> str:
    names = known.codes.get(key, SIGNAL_NAMES if key == "signals" else SATISFACTION)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "items" and isinstance(value, list):
        return "；".join(_item(item) for item in value if isinstance(item, dict)) or "—"
    if isinstance(value, list):
        return "、".join(_text(item, key, known) for item in value) or "—"
    if isinstance(value, dict):
        return "；".join(
            f"{FIELD_LABELS[k]} {_text(v, k, known)}"
            for k, v in value.items()
            if k in FIELD_LABELS and k not in HIDDEN_FIELDS
        )
    if key in _MONEY_FIELDS and isinstance(value, (int, float)):
        return f"{value:g} 元"
    person = known.name(value, key)
    if person is not None:
        return person
    if isinstance(value, str) and _ISO_MOMENT.fullmatch(value):
        return _local(value)
    return names.get(str(value), str(value))


def _item(item: dict[str, Any]) -> str:
    """One item of a settlement: '退费 40 元（依据：公司承诺错收费用双倍返还）'."""
    try:
        kind = ITEM_NAMES[SettlementType(str(item.get("type")))]
    except ValueError:
        kind = "其他"
    amount = item.get("amount")
    text = f"{kind} {amount:g} 元" if isinstance(amount, (int, float)) else kind
    basis = item.get("basis")
    return f"{text}（依据：{_law_name(basis)}）" if basis else text


def _law_name(code: str) -> str:
    """A law or policy of the knowledge base by its title, never by its code."""
    from tousu.web.knowledge import knowledge_base  # the knowledge base loads on first use

    try:
        law = knowledge_base().laws.get(code)
    except KnowledgeBaseError:
        law = None
    return law.label if law is not None else "其他规定"


def _local(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def event_lines(
    data: dict[str, Any] | None,
    names: Mapping[int, str] | None = None,
    people: Mapping[str, str] | None = None,
    categories: Mapping[str, str] | None = None,
    demands: Mapping[str, str] | None = None,
) -> list[str]:
    """'答复内容：…' lines for the event's data, every field by its Chinese name and every time
    in Asia/Shanghai; empty values and bookkeeping are left out. `names` (user id) and `people`
    (username) give staff members' display names, `categories` and `demands` the organisation's
    names of the categories and the demands."""
    known = _Known(names, people, categories, demands)
    data = data or {}
    if data.get("document") == "regulator":
        # The reply to a transfer as its source names it (申诉回复 to 12300, 投诉处理情况回复 to 12315).
        title = transfer_reply(data.get("transfer_source")).title
        known.codes = {**known.codes, "document": {**known.codes["document"], "regulator": title}}
    return [
        f"{FIELD_LABELS[key]}：{_text(value, key, known)}"
        for key, value in data.items()
        if key in FIELD_LABELS and key not in HIDDEN_FIELDS and value not in (None, "", [], {})
    ]
