"""What the organisation's industry (the policy's `industry`, an entry of industries.yaml) calls
things and uses, for every layer that names or checks them: the pages, the API, the documents,
the exports. Without a readable knowledge base, or for a code it lacks, everything is used and
named as in tousu.domain.codes."""

from __future__ import annotations

import sqlalchemy as sa

from tousu.domain.codes import (
    CATEGORY_NAMES,
    DEMAND_NAMES,
    DEMANDS_AS_SAID,
    TRANSFER_SOURCE_NAMES,
    Category,
    Demand,
    TransferSource,
)
from tousu.knowledge import Industry, KnowledgeBaseError, load_knowledge_base

DEFAULT_HEAD_OFFICE = "上级公司"
# The connection option saying which industry the organisation is of, for what a service writes
# or reads for people on a connection it was handed (notifications, batch descriptions).
_OPTION = "tousu_industry"


def industry_entry(code: str) -> Industry | None:
    try:
        return load_knowledge_base().industries.get(code)
    except KnowledgeBaseError:
        return None


APPEAL_TIME_LIMITS = "appeal_rules_11"
"""The law whose time limits domain/admissibility.py applies (5 months for billing, 2 years otherwise)."""


def appeal_time_limits_bind(industry: str) -> bool:
    """Whether the regulator's appeal time limits bind the industry's customers: a telecom customer
    may appeal to the 通信管理局 (12300), a shop's customers appeal to no such body."""
    try:
        law = load_knowledge_base().law(APPEAL_TIME_LIMITS)
    except (KnowledgeBaseError, KeyError):
        return industry == "telecom"
    return not law.industries or industry in law.industries


def category_names(industry: str) -> dict[Category, str]:
    """Every category by the name the industry gives it (a shop's product is 商品质量): the one
    naming every screen, document and export of the organisation uses."""
    entry = industry_entry(industry)
    return entry.category_names() if entry is not None else dict(CATEGORY_NAMES)


def demand_names(industry: str) -> dict[Demand, str]:
    """Every demand by the name the industry gives it (a shop's cancel is 退货/退卡/解约): the one
    naming every screen, document and export of the organisation uses."""
    entry = industry_entry(industry)
    return entry.demand_names() if entry is not None else dict(DEMAND_NAMES)


def demands_as_said(industry: str) -> dict[Demand, str]:
    """The demands as the read-back puts them to the industry's customers (codes.DEMANDS_AS_SAID)."""
    entry = industry_entry(industry)
    return entry.demands_as_said() if entry is not None else dict(DEMANDS_AS_SAID)


def transfer_sources(industry: str) -> list[TransferSource]:
    """The regulators and hotlines that transfer the industry's complaints (a shop has no 12300)."""
    entry = industry_entry(industry)
    return list(entry.transfer_sources) if entry is not None else list(TransferSource)


def transfer_source_names(sources: list[TransferSource]) -> str:
    """'12300(电信用户申诉受理中心)、12315(市场监管)', for a message naming the choices."""
    return "、".join(TRANSFER_SOURCE_NAMES[source] for source in sources)


def head_office(industry: str) -> str:
    """The body above the organisation a complaint may be escalated to: 省公司 for a telecom hall."""
    entry = industry_entry(industry)
    return entry.head_office if entry is not None else DEFAULT_HEAD_OFFICE


def serving(conn: sa.Connection, industry: str) -> sa.Connection:
    """The connection, marked as the organisation's of `industry`: what is written or read on it
    for people (a notification, a batch's description) names things as that industry does."""
    return conn.execution_options(**{_OPTION: industry})


def served(conn: sa.Connection) -> str:
    """The industry the connection was marked with by serving(); '' (the common names) unmarked."""
    return str(conn.get_execution_options().get(_OPTION, ""))
