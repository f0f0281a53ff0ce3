"""What the pages offer to choose, as the organisation's industry uses it: a shop is offered no
增值业务 category, no 集团公司转办 channel and no 网络故障 root cause."""

from __future__ import annotations

from tousu.domain.codes import CATEGORY_NAMES, CHANNEL_NAMES
from tousu.domain.improvement import ROOT_CAUSE_NAMES
from tousu.knowledge import KnowledgeBaseError
from tousu.knowledge.models import Industry
from tousu.web.knowledge import knowledge_base

Choices = list[tuple[str, str]]


def industry_entry(code: str) -> Industry | None:
    try:
        return knowledge_base().industries.get(code)
    except KnowledgeBaseError:
        return None


def categories(industry: str, keep: str | None = None) -> Choices:
    """The categories the industry uses, with the names every page gives them; `keep`, a
    category already chosen, stays offered."""
    entry = industry_entry(industry)
    used = {c.code for c in entry.categories} if entry is not None else set(CATEGORY_NAMES)
    return [(code.value, name) for code, name in CATEGORY_NAMES.items() if code in used or code == keep]


def channels(industry: str) -> Choices:
    entry = industry_entry(industry)
    return [(c.value, name) for c, name in CHANNEL_NAMES.items() if entry is None or c in entry.channels]


def root_causes(industry: str, keep: str | None = None) -> Choices:
    """The root-cause kinds the industry's complaints can have; `keep`, one already chosen, stays offered."""
    entry = industry_entry(industry)
    used = set(entry.root_causes) if entry is not None and entry.root_causes else set(ROOT_CAUSE_NAMES)
    return [(kind.value, name) for kind, name in ROOT_CAUSE_NAMES.items() if kind in used or kind == keep]
