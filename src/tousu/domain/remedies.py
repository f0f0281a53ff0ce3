"""Settlements within the law: which settlement item the law or the company's policy allows for
a complaint's category and established facts, and on which basis.

The rules are data (the knowledge base's `remedies`, converted by `tousu.knowledge.remedies`);
this module only applies them. A finding without `override_roles` is a refusal; one with them
may be granted only as an exception the organisation's policy allows, by one of those roles,
with a reason recorded in the timeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tousu.domain.authority import LADDER, SettlementOffer
from tousu.domain.codes import ROLE_NAMES, Role


class SettlementType(StrEnum):
    REFUND = "refund"
    DOUBLE_REFUND = "double_refund"
    FEE_WAIVER = "fee_waiver"
    COMPENSATION = "compensation"
    TRANSPORT_LOST_WAGES = "transport_lost_wages"
    GIFT = "gift"


ITEM_NAMES: dict[SettlementType, str] = {
    SettlementType.REFUND: "退费",
    SettlementType.DOUBLE_REFUND: "双倍返还",
    SettlementType.FEE_WAIVER: "费用减免",
    SettlementType.COMPENSATION: "赔偿",
    SettlementType.TRANSPORT_LOST_WAGES: "交通费、误工费",
    SettlementType.GIFT: "礼品",
}


def money_text(settlement: Mapping[str, Any]) -> str:
    """A settlement's amounts by item, as a manager reads them before approving: '双倍返还 174 元、
    礼品 20 元'. A settlement stored before items were kept has its three totals."""
    items = settlement.get("items") or []
    named = [(_item_name(item.get("type")), item.get("amount")) for item in items if isinstance(item, Mapping)]
    if not named:
        named = [
            (name, settlement.get(key))
            for key, name in (("refund", "退费"), ("compensation", "赔偿"), ("gift", "礼品"))
        ]
    return "、".join(
        f"{name} {float(amount):g} 元" for name, amount in named if isinstance(amount, (int, float)) and amount
    )


def _item_name(code: Any) -> str:
    try:
        return ITEM_NAMES[SettlementType(str(code))]
    except ValueError:
        return "其他"


# Which authority limit an item counts against.
_MONEY: dict[SettlementType, str] = {
    SettlementType.REFUND: "refund",
    SettlementType.DOUBLE_REFUND: "refund",
    SettlementType.FEE_WAIVER: "refund",
    SettlementType.COMPENSATION: "compensation",
    SettlementType.TRANSPORT_LOST_WAGES: "compensation",
    SettlementType.GIFT: "gift",
}


class Fact(StrEnum):
    """Facts a settlement may rest on, confirmed by the person proposing it."""

    OUR_FAULT = "our_fault"
    OUTAGE = "outage"
    INSTALL_DELAY = "install_delay"
    PROVEN_LOSS = "proven_loss"
    FRAUD = "fraud"
    PERSONAL_INJURY = "personal_injury"
    PERSONAL_RIGHTS = "personal_rights"


FACT_NAMES: dict[Fact, str] = {
    Fact.OUR_FAULT: "经核实属我方原因错收、多收",
    Fact.OUTAGE: "服务中断或障碍（有记录）",
    Fact.INSTALL_DELAY: "因我方原因装机、移机逾期",
    Fact.PROVEN_LOSS: "客户有证据证明的实际损失",
    Fact.FRAUD: "经认定的欺诈",
    Fact.PERSONAL_INJURY: "发生人身损害（有医疗证明）",
    Fact.PERSONAL_RIGHTS: "人身权益受侵害且后果严重",
}


@dataclass(frozen=True)
class Basis:
    """A law or policy that may ground an item, with what it requires."""

    code: str
    title: str
    categories: frozenset[str] | None = None  # None: any category
    industries: frozenset[str] | None = None  # None: binds every industry
    requires: frozenset[Fact] = frozenset()
    refusal: str = ""  # why it does not apply when its conditions are not met
    outside: str = ""  # why it is not for the other categories, when `refusal` does not say

    def binds(self, industry: str | None) -> bool:
        """Does its law bind this industry (any, when none is named)?"""
        return self.industries is None or industry is None or industry in self.industries


@dataclass(frozen=True)
class RemedyRule:
    type: SettlementType
    name: str
    bases: tuple[Basis, ...]
    basis_required: bool = False
    excluded: Mapping[str, str] = field(default_factory=dict)  # category -> why the law excludes it
    exception_roles: frozenset[Role] = frozenset()  # who may grant it without a basis, as an exception
    exception_policy: str = ""  # the policy that allows the exception

    def basis(self, code: str) -> Basis | None:
        return next((b for b in self.bases if b.code == code), None)


@dataclass(frozen=True)
class Item:
    type: SettlementType
    amount: float
    basis: str | None = None


@dataclass(frozen=True)
class Finding:
    type: SettlementType
    code: str
    message: str
    override_roles: frozenset[Role] = frozenset()

    @property
    def refused(self) -> bool:
        return not self.override_roles


def offer_of(items: Iterable[Item]) -> SettlementOffer:
    """The amounts the authority limits are checked against."""
    totals = {"refund": 0.0, "compensation": 0.0, "gift": 0.0}
    for item in items:
        totals[_MONEY[item.type]] += item.amount
    return SettlementOffer(**totals)


def check_items(
    items: Iterable[Item],
    *,
    category: str | None,
    facts: Iterable[Fact],
    rules: Mapping[SettlementType, RemedyRule],
    description: str = "",
    industry: str | None = None,
) -> list[Finding]:
    """Everything the law or policy says against these items, for this complaint in this
    `industry`; and against a `description` that names money the items do not carry under its own rules."""
    items = list(items)
    known = frozenset(facts)
    findings: list[Finding] = []
    for item in items:
        rule = rules[item.type]
        findings.extend(_check(item, rule, category, known, industry))
    return findings + _check_description(description, items, rules)


# What a settlement's description may call its money, and the item that money must be.
# 精神损失费 paid as a plain 赔偿 on a contract basis would skip the conditions of the law on
# mental damages; 误工费 as 赔偿, those on lost wages; 双倍 as 退费, those on double refunds.
_NAMED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("mental", re.compile(r"精神(损失|损害|赔偿|补偿|抚慰)")),
    (SettlementType.TRANSPORT_LOST_WAGES, re.compile(r"误工|交通费|车费|路费|打车")),
    (SettlementType.DOUBLE_REFUND, re.compile(r"双倍|加倍|两倍|2倍")),
)
_NOT_PAID = re.compile(r"(不|无|没有|不予|不含|不包括|不涉及|未)[^，。；;,]{0,4}$")


def _named(description: str, pattern: re.Pattern[str]) -> bool:
    """Is this money named as paid (not refused: 不予精神损失赔偿)?"""
    return any(not _NOT_PAID.search(description[: m.start()]) for m in pattern.finditer(description))


def _check_description(
    description: str, items: list[Item], rules: Mapping[SettlementType, RemedyRule]
) -> list[Finding]:
    findings: list[Finding] = []
    for named, pattern in _NAMED:
        if not _named(description, pattern):
            continue
        if named == "mental":
            rule = rules[SettlementType.COMPENSATION]
            mental = {b.code for b in rule.bases if Fact.PERSONAL_RIGHTS in b.requires}
            if not any(i.type == SettlementType.COMPENSATION and i.basis in mental for i in items):
                titles = "、".join(b.title for b in rule.bases if b.code in mental)
                message = f"方案说明写有精神损害赔偿：须作为{rule.name}并以{titles}为依据提出（人身权益受侵害且后果严重），话费、扣费等财产纠纷不适用。"
                findings.append(Finding(SettlementType.COMPENSATION, "described_as_mental_damages", message))
        elif not any(i.type == named for i in items):
            rule = rules[SettlementType(named)]
            message = f"方案说明写有{rule.name}：请按“{rule.name}”一项提出，它有自己的法规条件，不能记作其他项目。"
            findings.append(Finding(SettlementType(named), "described_as_other_item", message))
    return findings


def _check(
    item: Item, rule: RemedyRule, category: str | None, facts: frozenset[Fact], industry: str | None
) -> list[Finding]:
    if category is not None and category in rule.excluded:
        return [Finding(item.type, "excluded_for_category", f"{rule.name}：{rule.excluded[category]}")]
    choices = "、".join(b.title for b in rule.bases if b.binds(industry)) or "无"
    if item.basis is None:
        if not rule.basis_required:
            return []
        message = f"{rule.name}必须选择法律或制度依据（可选：{choices}）。"
        if rule.exception_roles:
            who = "、".join(_role_names(rule.exception_roles))
            message += f"没有依据的，只能按{rule.exception_policy}作为例外，由{who}批准并写明理由。"
        return [Finding(item.type, "basis_required", message, rule.exception_roles)]
    basis = rule.basis(item.basis)
    if basis is None:
        return [Finding(item.type, "basis_not_applicable", f"所选依据不能作为{rule.name}的依据（可选：{choices}）。")]
    if not basis.binds(industry):
        message = f"{basis.title}不约束本单位所属的行业，不能作为{rule.name}的依据（可选：{choices}）。"
        return [Finding(item.type, "basis_not_for_industry", message)]
    if basis.categories is not None and category is not None and category not in basis.categories:
        message = f"{rule.name}（{basis.title}）：{basis.outside or basis.refusal}"
        return [Finding(item.type, "basis_not_for_category", message)]
    missing = sorted(basis.requires - facts)
    if missing:
        needed = "、".join(FACT_NAMES[f] for f in missing)
        return [Finding(item.type, "facts_missing", f"{rule.name}（{basis.title}）须先确认：{needed}。{basis.refusal}")]
    return []


_REFUNDS = (SettlementType.REFUND, SettlementType.DOUBLE_REFUND)


def check_refund_total(items: Iterable[Item], *, earlier: Iterable[Item], disputed: float | None) -> list[Finding]:
    """Refunds beyond the disputed charge. What is refunded for it, over every settlement of the
    complaint, comes to the charge at most, or twice it with a double refund: more is
    compensation by another name, which has its own legal conditions. A director may make the
    exception, with the reason (where the charge recorded is short of the real one, correcting
    it is the better way)."""
    items, earlier = list(items), list(earlier)
    if disputed is None or disputed <= 0 or not any(i.type in _REFUNDS for i in items):
        return []
    every = [*earlier, *items]
    refunded = sum(i.amount for i in every if i.type in _REFUNDS)
    double = any(i.type is SettlementType.DOUBLE_REFUND for i in every)
    if refunded <= disputed * (2 if double else 1) + 0.005:
        return []
    limit = f"争议金额 {disputed:g} 元{'的两倍' if double else ''}"
    message = (
        f"退费累计 {refunded:g} 元（含本投诉此前的方案），超过{limit}：超出部分不是退费，应作为赔偿并选依据；"
        "如“涉及金额”记录有误，请先更正。"
    )
    return [Finding(SettlementType.REFUND, "refund_beyond_charge", message, frozenset({Role.DIRECTOR}))]


def _role_names(roles: frozenset[Role]) -> list[str]:
    return [ROLE_NAMES[r] for r in LADDER if r in roles]


def override_role(findings: Iterable[Finding]) -> Role | None:
    """The lowest role that may grant every exception these findings need (None: none needed)."""
    needed = [f.override_roles for f in findings]
    if not needed:
        return None
    allowed = frozenset.intersection(*needed)
    return next((r for r in LADDER if r in allowed), None)
