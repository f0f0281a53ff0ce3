"""Admissibility of an appeal (受理审查), domain §4 with the 2016 appeal rules of §12.

The outcome is always explained with its legal basis: never a silent refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tousu.domain.policy import AdmissibilityPolicy
from tousu.domain.urgency import subtract_months

APPEAL_RULES = "《电信用户申诉处理办法》（工信部令第35号，2016年）"
ART_10 = f"{APPEAL_RULES}第十条"
ART_11 = f"{APPEAL_RULES}第十一条"


@dataclass(frozen=True)
class AppealFacts:
    now: datetime
    occurred_at: datetime | None = None
    billing_dispute: bool = False
    complained_to_operator_at: datetime | None = None
    operator_answered: bool = False
    customer_satisfied_with_answer: bool = False
    settled_and_executed: bool = False
    mediated_by_appeal_body: bool = False
    handled_elsewhere: bool = False  # court, arbitration, consumer organisation, other agency
    direct_interest: bool = True
    respondent_named: bool = True
    claim_with_facts: bool = True
    by_proxy: bool = False
    proxy_authorised: bool = False


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    basis: str


@dataclass(frozen=True)
class Admissibility:
    admissible: bool
    reasons: list[Reason] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "admissible": self.admissible,
            "reasons": [r.__dict__ for r in self.reasons],
        }


def check_admissibility(facts: AppealFacts, policy: AdmissibilityPolicy) -> Admissibility:
    refusals: list[Reason] = []
    if facts.occurred_at is not None:
        if facts.billing_dispute:
            if facts.occurred_at < subtract_months(facts.now, policy.billing_dispute_months):
                refusals.append(
                    Reason(
                        "billing_dispute_expired",
                        f"话费争议发生已超过{policy.billing_dispute_months}个月，申诉机构不予受理。",
                        ART_11,
                    )
                )
        elif facts.occurred_at < subtract_months(facts.now, policy.other_matter_years * 12):
            refusals.append(
                Reason(
                    "matter_expired",
                    f"争议事项发生已超过{policy.other_matter_years}年，申诉机构不予受理。",
                    ART_11,
                )
            )
    if facts.settled_and_executed:
        refusals.append(Reason("already_settled", "双方已达成和解并已执行，不予受理。", ART_11))
    if facts.mediated_by_appeal_body:
        refusals.append(Reason("already_mediated", "申诉机构已调解并出具意见，不再受理。", ART_11))
    if facts.handled_elsewhere:
        refusals.append(
            Reason(
                "handled_elsewhere",
                "法院、仲裁机构、消费者组织或其他行政机关已受理或处理，不予受理。",
                ART_11,
            )
        )
    if not facts.direct_interest:
        refusals.append(Reason("no_direct_interest", "申诉人与申诉事项没有直接利害关系。", ART_10))
    if not facts.respondent_named:
        refusals.append(Reason("no_respondent", "没有明确的被申诉电信业务经营者。", ART_10))
    if not facts.claim_with_facts:
        refusals.append(Reason("no_claim", "没有具体的申诉请求和事实依据。", ART_10))
    if facts.by_proxy and not facts.proxy_authorised:
        refusals.append(
            Reason(
                "proxy_unauthorised",
                "代理他人申诉须提交书面授权委托书（写明代理人、代理事项、权限和期限，并由委托人签名）。",
                ART_10,
            )
        )
    refusals.extend(_operator_first(facts, policy))
    return Admissibility(admissible=not refusals, reasons=refusals)


def _operator_first(facts: AppealFacts, policy: AdmissibilityPolicy) -> list[Reason]:
    """Art. 10: first complain to the operator, then appeal if unsatisfied or unanswered in 15 days."""
    if facts.complained_to_operator_at is None:
        return [
            Reason(
                "operator_not_contacted",
                "申诉前须先向电信业务经营者投诉；请先向运营商投诉，对处理结果不满意或"
                f"{policy.operator_wait_days}日内未获答复的，再提出申诉。",
                ART_10,
            )
        ]
    waited = facts.now - facts.complained_to_operator_at
    if facts.operator_answered:
        if facts.customer_satisfied_with_answer:
            return [Reason("operator_resolved", "运营商已答复且申诉人对处理结果满意，无需申诉。", ART_10)]
        return []
    if waited < timedelta(days=policy.operator_wait_days):
        days_left = policy.operator_wait_days - waited.days
        return [
            Reason(
                "operator_wait_pending",
                f"向运营商投诉未满{policy.operator_wait_days}日且尚未获答复，"
                f"请再等待约{days_left}日，仍未答复的可以申诉。",
                ART_10,
            )
        ]
    return []
