"""How timeline events read on the complaint page: Chinese names and flat 'label：value' lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tousu.domain.codes import CATEGORY_NAMES, CHANNEL_NAMES, DEMAND_NAMES, ROLE_NAMES, URGENCY_NAMES
from tousu.domain.deadlines import LOCAL
from tousu.domain.workflow import ACTION_NAMES, STATUS_NAMES

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
    "sla_warning": "即将超时提醒",
    "sla_breached": "超时",
    "updated": "更正信息",
    "urgency_changed": "紧急程度变化",
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
}
# Codes shown by their Chinese names; a code no table knows is shown as it is.
CODE_NAMES: dict[str, dict[str, str]] = {
    "channel": {c.value: n for c, n in CHANNEL_NAMES.items()},
    "category": {c.value: n for c, n in CATEGORY_NAMES.items()},
    "demands": {c.value: n for c, n in DEMAND_NAMES.items()},
    "urgency_types": {c.value: n for c, n in URGENCY_NAMES.items()},
    "status": {c.value: n for c, n in STATUS_NAMES.items()},
    "approver_role": {c.value: n for c, n in ROLE_NAMES.items()},
    "category_source": {"analyzer": "自动分析", "person": "人工"},
}
SIGNAL_NAMES = {
    "media": "媒体曝光",
    "regulator": "监管/越级投诉",
    "litigation": "诉讼/仲裁",
    "group_incident": "群体事件",
    "violence": "暴力/人身危险",
}  # the analyzer's urgency signals (taxonomy.yaml)
SATISFACTION = {"satisfied": "满意", "neutral": "一般", "dissatisfied": "不满意"}


def event_name(kind: str) -> str:
    return EVENT_NAMES.get(kind, kind)


def _text(value: Any, key: str = "") -> str:
    names = CODE_NAMES.get(key, SIGNAL_NAMES if key == "signals" else SATISFACTION)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_text(item, key) for item in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{FIELD_LABELS.get(k, k)} {_text(v, k)}" for k, v in value.items())
    if key.endswith("_by") and isinstance(value, str) and "T" in value:
        return _local(value)
    return names.get(str(value), str(value))


def _local(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def event_lines(data: dict[str, Any] | None) -> list[str]:
    """'答复内容：…' lines for the event's data; empty values are left out."""
    return [
        f"{FIELD_LABELS.get(key, key)}：{_text(value, key)}"
        for key, value in (data or {}).items()
        if value not in (None, "", [], {})
    ]
