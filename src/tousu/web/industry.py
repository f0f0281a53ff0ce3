"""What the pages offer to choose, as the organisation's industry uses and names it: a shop is
offered no 增值业务 category, no 集团公司转办 channel, no 12300 transfer and no 网络故障 root
cause, and its billing category is 收银/价格争议."""

from __future__ import annotations

from tousu.domain.codes import CHANNEL_NAMES, TRANSFER_REPLY, TRANSFER_SOURCE_NAMES, transfer_reply
from tousu.domain.improvement import ROOT_CAUSE_NAMES
from tousu.services.industry import category_names, industry_entry, transfer_sources

Choices = list[tuple[str, str]]


def categories(industry: str, keep: str | None = None) -> Choices:
    """The categories the industry uses, by the names it gives them; `keep`, a category already
    chosen, stays offered."""
    entry = industry_entry(industry)
    names = category_names(industry)
    used = {c.code for c in entry.categories} if entry is not None else set(names)
    return [(code.value, name) for code, name in names.items() if code in used or code == keep]


def channels(industry: str) -> Choices:
    entry = industry_entry(industry)
    return [(c.value, name) for c, name in CHANNEL_NAMES.items() if entry is None or c in entry.channels]


def transfers(industry: str, keep: str | None = None) -> Choices:
    """The regulators and hotlines that transfer the industry's complaints; `keep`, the source
    a complaint already has, stays offered."""
    used = transfer_sources(industry)
    return [(s.value, name) for s, name in TRANSFER_SOURCE_NAMES.items() if s in used or s == keep]


def transfer_reply_name(industry: str) -> str:
    """The reply to a transfer as every source transferring to the industry names it (a shop's
    12315: 投诉处理情况回复), else by its general name."""
    titles = {transfer_reply(source).title for source in transfer_sources(industry)}
    return titles.pop() if len(titles) == 1 else TRANSFER_REPLY.title


def topic_example(industry: str) -> str:
    """A business the industry's complaints are about, for the example in 涉及业务 (宽带)."""
    entry = industry_entry(industry)
    return entry.topic_example if entry is not None else ""


def root_causes(industry: str, keep: str | None = None) -> Choices:
    """The root-cause kinds the industry's complaints can have; `keep`, one already chosen, stays offered."""
    entry = industry_entry(industry)
    used = set(entry.root_causes) if entry is not None and entry.root_causes else set(ROOT_CAUSE_NAMES)
    return [(kind.value, name) for kind, name in ROOT_CAUSE_NAMES.items() if kind in used or kind == keep]
