"""The knowledge-base browser: search every kind of entry, read one entry in full."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from tousu.domain.codes import CATEGORY_NAMES, CHANNEL_NAMES, TRANSFER_SOURCE_NAMES
from tousu.domain.improvement import ROOT_CAUSE_NAMES
from tousu.knowledge import KINDS, Industry, KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from tousu.knowledge.models import LAW_KIND_NAMES, PROFILE_GROUP_NAMES, SCENARIO_GROUP_NAMES, USAGE_NAMES
from tousu.web.auth import PageActor
from tousu.web.render import page

router = APIRouter(include_in_schema=False)
KIND_NAMES = {
    "strategy": "应对策略",
    "demand": "诉求应对",
    "profile": "客户类型",
    "scenario": "场景",
    "law": "法律法规",
    "industry": "行业",
}
FIELD_NAMES = {
    "summary": "概要",
    "when_to_use": "适用情形",
    "when_not_to_use": "不适用情形",
    "steps": "步骤",
    "caution": "注意",
    "examples": "话术示例",
    "aliases": "别名",
    "laws": "相关法规",
    "may_grant": "可以满足",
    "may_not_grant": "不能满足",
    "strategies": "推荐策略",
    "scripts": "话术",
    "avoid_saying": "忌语",
    "avoid": "忌讳",
    "escalate_when": "何时升级",
    "title": "名称",
    "article": "条款",
    "kind": "类别",
    "effective": "生效日期",
    "replaces": "取代",
    "parameters": "参数",
    "handling": "处理要点",
    "usage": "适用范围",
    "short_title": "简称",
    "group": "分组",
    "sub_cases": "细分情形",
    "situation": "情形",
    "measures": "处理措施",
    "answers": "答复话术",
    "cases": "分情况处理",
    "notify": "须通知",
    "categories": "涉及分类",
    "industries": "适用行业",
    "segments": "细分业务",
    "channels": "受理渠道",
    "transfer_sources": "转办来源",
    "head_office": "上级单位",
    "topic_example": "业务示例",
    "root_causes": "结案根因类别",
    "slot_defaults": "话术用语",
}
# Codes, flags and recognition patterns are for the analyzer, not for the people reading.
SKIPPED = {"code", "id", "name", "signals", "default"}
# A law's parameters by their Chinese names (with the unit); a parameter without one is not shown.
PARAMETER_NAMES = {
    "operator_reply_days": "企业答复时限（日）",
    "billing_dispute_months": "话费争议申诉时效（月）",
    "other_matter_years": "其他争议申诉时效（年）",
    "decision_working_days": "决定是否受理（工作日）",
    "reply_days": "答复时限（日）",
    "penalty_rate_per_day": "每日违约金比例",
    "urban_repair_hours": "城镇修复时限（小时）",
    "rural_repair_hours": "农村修复时限（小时）",
    "abnormal_bill_multiple": "异常话费倍数",
    "baseline_months": "对比此前平均（月）",
    "late_fee_rate_per_day": "每日违约金比例",
    "suspend_after_days": "逾期停机（日）",
    "terminate_after_days": "逾期终止服务（日）",
    "restore_hours": "缴费后恢复时限（小时）",
    "return_days": "退货期限（日）",
    "no_reason_return_days": "无理由退货期限（日）",
    "refund_days": "退款时限（日）",
    "agency_working_days": "行政部门处理时限（工作日）",
    "fraud_multiple": "欺诈赔偿倍数",
    "fraud_minimum_yuan": "欺诈最低赔偿（元）",
    "limitation_years": "诉讼时效（年）",
    "fine_yuan": "罚款（元）",
    "serious_fine_yuan": "情节较重的罚款（元）",
    "ringleader_fine_yuan": "组织者罚款（元）",
    "limit_years": "投诉时限（年）",
    "mediation_working_days": "调解期限（工作日）",
    "refund_multiple": "返还倍数",
    "hall_monthly_gift_quota": "每厅每月礼品额度（份）",
    "director_gift_max_yuan": "须主任决定的礼品价值（元）",
    "reply_hours": "答复时限（小时）",
    "group_incident_reply_days": "群体事件答复时限（日）",
    "reversal_hours": "冲正时限（小时）",
}
ENUM_NAMES: dict[str, dict[str, str]] = {
    "kind": {k.value: n for k, n in LAW_KIND_NAMES.items()},
    "usage": {k.value: n for k, n in USAGE_NAMES.items()},
    "group": {
        **{k.value: n for k, n in PROFILE_GROUP_NAMES.items()},
        **{k.value: n for k, n in SCENARIO_GROUP_NAMES.items()},
    },
    "categories": {k.value: n for k, n in CATEGORY_NAMES.items()},
    "channels": {k.value: n for k, n in CHANNEL_NAMES.items()},
    "transfer_sources": {k.value: n for k, n in TRANSFER_SOURCE_NAMES.items()},
    "root_causes": {k.value: n for k, n in ROOT_CAUSE_NAMES.items()},
}
_SLOT = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Line:
    """One line of an entry's field: text, and where it links to when it names another entry."""

    text: str
    href: str | None = None


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    return load_knowledge_base()


def script_text(script: str) -> str:
    """A script as people read it: its slots as blanks to fill in (【金额】), not braces."""
    return _SLOT.sub(lambda found: f"【{found.group(1)}】", script)


def _plain(value: Any, name: str) -> list[str]:
    """Any field value as readable lines of text."""
    if value is None or value == "" or value == [] or value == {}:
        return []
    if isinstance(value, Enum):
        value = str(value.value)
    if isinstance(value, str) and name in ENUM_NAMES:
        return [ENUM_NAMES[name][value]] if value in ENUM_NAMES[name] else []  # no code shown for a name missing
    if isinstance(value, BaseModel):
        return [_nested(value)]
    if isinstance(value, dict):
        return ["；".join(f"{FIELD_NAMES[k]}：{'，'.join(_plain(v, k))}" for k, v in value.items() if k in FIELD_NAMES)]
    if isinstance(value, (list, tuple)):
        return [line for item in value for line in _plain(item, name)]
    if isinstance(value, str) and name in ("scripts", "examples", "answers"):
        return [script_text(value)]
    if isinstance(value, bool):
        return ["是" if value else "否"]
    return [str(value)]


def _nested(part: BaseModel) -> str:
    """A sub-case or a case of a scenario on one line: its name or condition, then its parts."""
    head = str(getattr(part, "name", None) or getattr(part, "condition", ""))
    rest = [
        f"{FIELD_NAMES[field]}：{'；'.join(line.rstrip('。') for line in lines)}"
        for field in type(part).model_fields
        if field not in SKIPPED and field != "condition" and field in FIELD_NAMES
        if (lines := _plain(getattr(part, field), field))
    ]
    return f"{head}——{'。'.join(rest)}。" if rest else head


def _lines(kb: KnowledgeBase, entry: BaseModel, name: str) -> list[Line]:
    value = getattr(entry, name)
    if name == "laws":
        return [Line(kb.laws[code].label, f"/knowledge/law/{code}") for code in value if code in kb.laws]
    if name == "strategies":
        return [Line(kb.strategies[c].name, f"/knowledge/strategy/{c}") for c in value if c in kb.strategies]
    if name == "industries":
        return [Line(kb.industries[c].name, f"/knowledge/industry/{c}") for c in value if c in kb.industries]
    if isinstance(entry, Industry) and name == "categories":
        names = ENUM_NAMES["categories"]
        return [Line(c.label or names.get(c.code, "")) for c in entry.categories if c.label or c.code in names]
    if name == "parameters":
        return [
            Line(f"{PARAMETER_NAMES[k]}：{v:g}" if isinstance(v, (int, float)) else f"{PARAMETER_NAMES[k]}：{v}")
            for k, v in value.items()
            if k in PARAMETER_NAMES
        ]
    if name == "slot_defaults":
        return [Line(f"【{slot}】：{text}") for slot, text in value.items()]
    return [Line(text) for text in _plain(value, name) if text]


def entry_fields(kb: KnowledgeBase, entry: BaseModel) -> list[tuple[str, list[Line]]]:
    """The entry's fields people read, each by its Chinese name, in the order of the entry."""
    return [
        (FIELD_NAMES[name], lines)
        for name in type(entry).model_fields
        if name not in SKIPPED and name in FIELD_NAMES and (lines := _lines(kb, entry, name))
    ]


def _unavailable(request: Request, actor: PageActor, error: KnowledgeBaseError) -> Response:
    return page(
        request,
        "knowledge.html",
        status_code=503,
        actor=actor,
        entries=[],
        q="",
        kind="",
        kind_names=KIND_NAMES,
        counts={},
        nav="knowledge",
        broken=str(error),
    )


@router.get("/knowledge")
def browse(request: Request, actor: PageActor) -> Response:
    try:
        kb = knowledge_base()
    except KnowledgeBaseError as error:
        return _unavailable(request, actor, error)
    q = (request.query_params.get("q") or "").strip()[:100]
    kind = request.query_params.get("kind", "")
    kinds = (kind,) if kind in KINDS else KINDS
    entries = kb.search(q, kinds) if q else [e for k in kinds for e in kb.entries(k).values()]
    return page(
        request,
        "knowledge.html",
        actor=actor,
        entries=entries,
        q=q,
        kind=kind if kind in KINDS else "",
        kind_names=KIND_NAMES,
        counts=kb.counts(),
        nav="knowledge",
    )


@router.get("/knowledge/{kind}/{key}")
def entry(kind: str, key: str, request: Request, actor: PageActor) -> Response:
    try:
        kb = knowledge_base()
    except KnowledgeBaseError as error:
        return _unavailable(request, actor, error)
    found = kb.entries(kind).get(key) if kind in KINDS else None
    if found is None:
        return page(
            request,
            "knowledge.html",
            status_code=404,
            actor=actor,
            entries=[],
            q="",
            kind="",
            kind_names=KIND_NAMES,
            counts=kb.counts(),
            nav="knowledge",
            missing=True,
        )
    return page(
        request,
        "knowledge_entry.html",
        actor=actor,
        entry=found,
        kind=kind,
        kind_names=KIND_NAMES,
        fields=entry_fields(kb, found),
        nav="knowledge",
    )
