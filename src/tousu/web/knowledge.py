"""The knowledge-base browser: search every kind of entry, read one entry in full."""

from __future__ import annotations

from enum import Enum
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from tousu.knowledge import KINDS, KnowledgeBase, KnowledgeBaseError, load_knowledge_base
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
    "escalate_when": "何时升级",
    "title": "名称",
    "article": "条款",
    "kind": "类别",
    "effective": "生效日期",
    "replaces": "取代",
    "parameters": "参数",
    "signals": "识别信号",
    "handling": "处理要点",
    "usage": "适用范围",
    "short_title": "简称",
    "text": "内容",
}
SKIPPED = {"code", "id", "name"}


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    return load_knowledge_base()


def _lines(value: Any) -> list[str]:
    """Any field value as readable lines of text."""
    if value is None or value == "" or value == [] or value == {}:
        return []
    if isinstance(value, Enum):
        return [str(value.value)]
    if isinstance(value, BaseModel):
        return _lines(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return ["；".join(f"{FIELD_NAMES.get(k, k)}：{'，'.join(_lines(v))}" for k, v in value.items() if _lines(v))]
    if isinstance(value, (list, tuple)):
        return [line for item in value for line in _lines(item)]
    return [str(value)]


def entry_fields(entry: BaseModel) -> list[tuple[str, list[str]]]:
    return [
        (FIELD_NAMES.get(name, name), lines)
        for name in type(entry).model_fields
        if name not in SKIPPED and (lines := _lines(getattr(entry, name)))
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
        fields=entry_fields(found),
        nav="knowledge",
    )
