"""How timeline events read on the complaint page: Chinese names and flat 'label：value' lines."""

from __future__ import annotations

import json
from typing import Any

from tousu.domain.workflow import ACTION_NAMES

EVENT_NAMES: dict[str, str] = {
    **{a.value: n for a, n in ACTION_NAMES.items()},
    "created": "受理登记", "analyzed": "自动分析", "assigned": "分派处理人", "batch_alert": "批量投诉预警",
    "escalated": "升级", "handed_over": "移交责任", "linked": "关联投诉", "merged": "合并", "merged_in": "并入投诉",
    "settlement_proposed": "提出处理方案", "settlement_requested": "处理方案待审批",
    "settlement_approved": "处理方案获批", "settlement_denied": "处理方案被驳回",
    "sla_warning": "即将超时提醒", "sla_breached": "超时", "updated": "更正信息", "urgency_changed": "紧急程度变化",
}

FIELD_LABELS: dict[str, str] = {
    "reply": "答复内容", "reason": "原因", "comments": "客户意见", "satisfaction": "满意度", "root_cause": "根本原因",
    "responsible_person": "责任人", "improvement_measure": "改进措施", "new_evidence": "新证据",
    "waiting_for": "等待补充", "username": "处理人", "note": "说明", "to_province": "升级至省公司",
    "legal_basis": "依据", "reasons": "理由", "description": "方案说明", "comment": "审批意见", "members": "涉及客户数",
    "issue_key": "问题标识", "status": "状态", "before": "变更前", "after": "变更后", "settlement_confirmed": "客户确认方案",
    "refund": "退费", "compensation": "赔偿", "gift": "赠送", "message": "提示", "level": "级别",
}
SATISFACTION = {"satisfied": "满意", "neutral": "一般", "dissatisfied": "不满意"}


def event_name(kind: str) -> str:
    return EVENT_NAMES.get(kind, kind)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return SATISFACTION.get(str(value), str(value))


def event_lines(data: dict[str, Any] | None) -> list[str]:
    """'答复内容：…' lines for the event's data; empty values are left out."""
    return [f"{FIELD_LABELS.get(key, key)}：{_text(value)}" for key, value in (data or {}).items()
            if value not in (None, "", [], {})]
