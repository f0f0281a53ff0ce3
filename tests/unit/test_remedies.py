"""Which settlement items the law allows: the rules from the knowledge base, applied."""

from __future__ import annotations

import re
from pathlib import Path

from tousu.domain.codes import Role
from tousu.domain.remedies import Fact, Item, SettlementType, check_items, offer_of, override_role
from tousu.knowledge.remedies import load_remedy_rules, render_table

RULES = load_remedy_rules()
README = Path(__file__).resolve().parents[2] / "README.md"


def _check(category: str, *items: Item, facts: tuple[Fact, ...] = ()) -> list[str]:
    return [f.code for f in check_items(items, category=category, facts=facts, rules=RULES)]


def test_mental_damages_never_fit_a_property_dispute() -> None:
    for basis in ("consumer_law_51", "civil_code_1183"):
        item = Item(SettlementType.COMPENSATION, 500, basis)
        assert _check("billing", item, facts=(Fact.PERSONAL_RIGHTS,)) == ["basis_not_for_category"]
        assert _check("service", item) == ["facts_missing"]
        assert _check("service", item, facts=(Fact.PERSONAL_RIGHTS,)) == []


def test_a_medical_bill_is_compensation_for_a_personal_injury() -> None:
    medical = Item(SettlementType.COMPENSATION, 300, "consumer_law_49")
    assert _check("product", medical, facts=(Fact.PERSONAL_INJURY,)) == []
    assert _check("product", medical) == ["facts_missing"]
    # An allergy from a cream hurts the person: mental damages are not refused as a property dispute.
    mental = Item(SettlementType.COMPENSATION, 2000, "consumer_law_51")
    assert _check("product", mental) == ["facts_missing"]


def test_fraud_compensation_refused_for_a_category_says_the_category_not_the_missing_fraud() -> None:
    # The agent ticked 经认定的欺诈: being told 退一赔三 needs fraud would send him in circles.
    fraud = Item(SettlementType.COMPENSATION, 1500, "consumer_law_55")
    [finding] = check_items([fraud], category="billing", facts=(Fact.FRAUD,), rules=RULES)
    assert finding.code == "basis_not_for_category"
    assert "计费" in finding.message and "更正投诉分类" in finding.message
    assert "一般差错" not in finding.message
    assert _check("marketing", fraud, facts=(Fact.FRAUD,)) == []


def test_compensation_without_basis_is_an_exception_for_a_director() -> None:
    findings = check_items([Item(SettlementType.COMPENSATION, 300)], category="billing", facts=(), rules=RULES)
    assert [f.code for f in findings] == ["basis_required"]
    assert override_role(findings) is Role.DIRECTOR
    assert Role.MANAGER not in findings[0].override_roles


def test_what_the_law_excludes_cannot_be_overridden() -> None:
    findings = check_items(
        [Item(SettlementType.TRANSPORT_LOST_WAGES, 80, "civil_code_1179")], category="service", facts=(), rules=RULES
    )
    assert findings and findings[0].refused
    outage = check_items(
        [Item(SettlementType.DOUBLE_REFUND, 60, "policy_double_refund")], category="network", facts=(), rules=RULES
    )
    assert outage[0].refused and "减免" in outage[0].message


def test_a_basis_binds_only_the_industries_its_law_binds() -> None:
    waiver = Item(SettlementType.FEE_WAIVER, 30, "telecom_reg_34")
    assert check_items([waiver], category="billing", facts=(), rules=RULES, industry="telecom") == []
    refused = check_items([waiver], category="billing", facts=(), rules=RULES, industry="retail")
    assert [f.code for f in refused] == ["basis_not_for_industry"] and refused[0].refused
    assert "电信条例" not in refused[0].message.split("可选")[1]  # the shop is offered only its own bases
    consumer = Item(SettlementType.REFUND, 30, "consumer_law_24")
    assert check_items([consumer], category="billing", facts=(), rules=RULES, industry="retail") == []


def test_double_refund_needs_our_fault_and_a_fee_category() -> None:
    item = Item(SettlementType.DOUBLE_REFUND, 116, "policy_double_refund")
    assert _check("billing", item) == ["facts_missing"]
    assert _check("billing", item, facts=(Fact.OUR_FAULT,)) == []


def test_items_count_against_the_authority_limits_by_kind() -> None:
    offer = offer_of(
        [
            Item(SettlementType.DOUBLE_REFUND, 116),
            Item(SettlementType.FEE_WAIVER, 30),
            Item(SettlementType.TRANSPORT_LOST_WAGES, 50),
            Item(SettlementType.GIFT, 20),
        ]
    )
    assert (offer.refund, offer.compensation, offer.gift) == (146, 50, 20)


def test_the_readme_table_is_the_one_the_knowledge_base_generates() -> None:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- remedies-table:start[^>]*-->\n(.*?)<!-- remedies-table:end -->", text, re.S)
    assert found, "README lacks the remedies table markers"
    assert found.group(1) == render_table(), "regenerate the README table with tousu.knowledge.remedies.render_table()"


def _described(description: str, *items: Item, category: str = "billing") -> list[str]:
    facts = (Fact.PROVEN_LOSS, Fact.PERSONAL_RIGHTS)
    return [f.code for f in check_items(items, category=category, facts=facts, rules=RULES, description=description)]


def test_money_named_in_the_description_is_checked_under_its_own_rules() -> None:
    contract = Item(SettlementType.COMPENSATION, 100, "civil_code_584")
    # 精神损失费 paid as a contract compensation would skip the law on mental damages.
    assert _described("赔偿精神损失费100元", contract) == ["described_as_mental_damages"]
    assert _described("客户有票据的实际损失100元", contract) == []
    assert _described("不予精神损失赔偿，按实际损失赔偿100元", contract) == []
    on_its_basis = Item(SettlementType.COMPENSATION, 100, "civil_code_1183")
    assert _described("精神抚慰金100元", on_its_basis, category="security") == []
    # 误工费 as 赔偿, 双倍 as 退费: each has conditions of its own.
    assert _described("补偿误工费80元", contract) == ["described_as_other_item"]
    assert _described("双倍返还多收的40元", Item(SettlementType.REFUND, 40)) == ["described_as_other_item"]
    double = Item(SettlementType.DOUBLE_REFUND, 40, "policy_double_refund")
    assert "described_as_other_item" not in _described("双倍返还多收的40元", double)
    assert all(
        f.refused for f in check_items([contract], category="billing", facts=(), rules=RULES, description="精神损失费")
    )
