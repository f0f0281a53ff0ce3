"""Admissibility of appeals (2016 rules) and authority limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tousu.domain.admissibility import AppealFacts, check_admissibility
from tousu.domain.authority import SettlementOffer, decide
from tousu.domain.codes import Role
from tousu.domain.policy import AdmissibilityPolicy, AuthorityPolicy

NOW = datetime(2026, 11, 23, tzinfo=UTC)
ADMIT = AdmissibilityPolicy()
CONTACTED = NOW - timedelta(days=20)


def codes(facts: AppealFacts) -> list[str]:
    return [r.code for r in check_admissibility(facts, ADMIT).reasons]


def test_an_unanswered_complaint_after_15_days_is_admissible() -> None:
    result = check_admissibility(AppealFacts(now=NOW, complained_to_operator_at=CONTACTED), ADMIT)
    assert result.admissible and result.reasons == []


def test_the_operator_must_be_asked_first_and_given_15_days() -> None:
    assert codes(AppealFacts(now=NOW)) == ["operator_not_contacted"]
    assert codes(AppealFacts(now=NOW, complained_to_operator_at=NOW - timedelta(days=10))) == ["operator_wait_pending"]
    answered = AppealFacts(now=NOW, complained_to_operator_at=NOW - timedelta(days=3), operator_answered=True)
    assert codes(answered) == []


def test_time_limits_five_months_for_billing_two_years_otherwise() -> None:
    old_bill = AppealFacts(
        now=NOW, complained_to_operator_at=CONTACTED, billing_dispute=True, occurred_at=NOW - timedelta(days=160)
    )
    assert codes(old_bill) == ["billing_dispute_expired"]
    recent_bill = AppealFacts(
        now=NOW, complained_to_operator_at=CONTACTED, billing_dispute=True, occurred_at=NOW - timedelta(days=140)
    )
    assert codes(recent_bill) == []
    old_matter = AppealFacts(now=NOW, complained_to_operator_at=CONTACTED, occurred_at=NOW - timedelta(days=740))
    assert codes(old_matter) == ["matter_expired"]


def test_every_refusal_cites_its_legal_basis() -> None:
    facts = AppealFacts(now=NOW, settled_and_executed=True, handled_elsewhere=True, by_proxy=True)
    result = check_admissibility(facts, ADMIT)
    assert not result.admissible
    assert {r.code for r in result.reasons} >= {"already_settled", "handled_elsewhere", "proxy_unauthorised"}
    assert all("电信用户申诉处理办法" in r.basis for r in result.reasons)


def shop(facts: AppealFacts) -> list[str]:
    return [r.code for r in check_admissibility(facts, ADMIT, telecom=False).reasons]


def test_a_shops_customer_complains_to_the_market_regulator_within_three_years() -> None:
    # No business to complain to first, no shorter limit for a billing dispute: 12315's own rules.
    half_a_year = AppealFacts(now=NOW, billing_dispute=True, occurred_at=NOW - timedelta(days=180))
    assert shop(half_a_year) == []
    assert shop(AppealFacts(now=NOW, occurred_at=NOW - timedelta(days=3 * 365 - 5))) == []
    assert shop(AppealFacts(now=NOW, occurred_at=NOW - timedelta(days=3 * 365 + 5))) == ["matter_expired"]
    result = check_admissibility(AppealFacts(now=NOW, handled_elsewhere=True), ADMIT, telecom=False)
    assert [r.code for r in result.reasons] == ["handled_elsewhere"]
    assert all("市场监督管理投诉举报处理暂行办法" in r.basis for r in result.reasons)
    assert "12315" in result.to_dict()["scope"] and "12300" not in result.to_dict()["scope"]


AUTH = AuthorityPolicy()


def test_within_limits_no_approval() -> None:
    assert decide(
        role=Role.AGENT, offer=SettlementOffer(refund=50), gift_used_this_month=0, policy=AUTH
    ).within_authority


def test_past_the_limit_goes_to_the_lowest_role_that_may_grant_it() -> None:
    assert (
        decide(role=Role.AGENT, offer=SettlementOffer(refund=150), gift_used_this_month=0, policy=AUTH).approver_role
        is Role.MANAGER
    )
    # The director could grant a 200-yuan gift that the manager could not.
    assert (
        decide(role=Role.MANAGER, offer=SettlementOffer(gift=200), gift_used_this_month=0, policy=AUTH).approver_role
        is Role.DIRECTOR
    )


def test_the_hall_monthly_gift_quota_counts() -> None:
    decision = decide(role=Role.MANAGER, offer=SettlementOffer(gift=50), gift_used_this_month=980, policy=AUTH)
    assert not decision.within_authority and decision.approver_role is Role.DIRECTOR
