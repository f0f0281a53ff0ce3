"""Admissibility of an appeal (受理审查), domain §4 with the law of §12.

Two bodies take a customer's complaint against the organisation, each with its own rules: a
telecom customer appeals to the 通信管理局 (12300) under the 2016 appeal rules, any other
business's customer complains to 市场监管 (12315) under its complaint rules. The outcome is
always explained with its legal basis: never a silent refusal. These rules bind a complaint to
that body, not the organisation's own handling of a complaint: it must take, check and answer a
complaint whatever its age, and may not reject it citing those time limits
(`cites_appeal_time_limit`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tousu.domain.policy import AdmissibilityPolicy
from tousu.domain.urgency import subtract_months

APPEAL_RULES = "《电信用户申诉处理办法》（工信部令第35号，2016年）"
ART_10 = f"{APPEAL_RULES}第十条"
ART_11 = f"{APPEAL_RULES}第十一条"
CONSUMER_RULES = "《市场监督管理投诉举报处理暂行办法》（2020年施行）"
CONSUMER_ART_15 = f"{CONSUMER_RULES}第十五条"

# However it is worded: the appeal limits by name or by their length, a lapse of time as the
# reason (时效, 期限已过, 时间太久), or the operator's own invented limit.
_TIME_LIMIT = re.compile(
    r"(申诉|投诉|处理|受理|追诉)(的)?(时效|时限|期限)"
    r"|(超过|超出|已过|过了|逾期?|早过)(了)?\s*([5五]个?月|[2两二3三]年|(申诉|投诉|处理|受理)?(的)?(时效|时限|期限))"
    r"|时效"
    r"|(时效|时限|期限)(已过|已满|届满|过了|已到)"
    r"|(时间|年代|日子)(太|过于|比较|实在)?(久|长|早|久远)了?"
    r"|(太|很|好)久(以前|之前)?的(事|费用|账|账单|记录|问题)"
)

OPERATOR_MAY_NOT_CITE = (
    "申诉、投诉时限（向通信管理局、12300申诉：收费争议5个月、其他事项2年；向市场监管、12315投诉：3年）"
    "只约束客户向这些部门的申诉或投诉，不是企业受理投诉的条件，不能据此拒绝客户的投诉。"
    "请照常受理、核查能查到的记录并答复客户；确有其他不予受理的法定理由的，请写明那条依据。"
)


SCOPE_NOTE = "本审查针对用户向通信管理局、12300的申诉；企业受理客户投诉不受申诉时限限制，应照常受理、核查并答复。"
CONSUMER_SCOPE_NOTE = (
    "本审查针对消费者向市场监管部门（12315）的投诉；本店受理顾客投诉不受此时限限制，应照常受理、核查并答复。"
)


def cites_appeal_time_limit(text: str | None) -> bool:
    """Does a rejection's basis or reasons lean on the regulator's appeal time limits?"""
    return bool(text and _TIME_LIMIT.search(text))


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
    scope: str = SCOPE_NOTE

    def to_dict(self) -> dict[str, object]:
        return {
            "admissible": self.admissible,
            "reasons": [r.__dict__ for r in self.reasons],
            "scope": self.scope,
        }


def check_admissibility(facts: AppealFacts, policy: AdmissibilityPolicy, *, telecom: bool = True) -> Admissibility:
    """`telecom`: the customer appeals to the 通信管理局 (12300); otherwise to 市场监管 (12315)."""
    return _telecom_appeal(facts, policy) if telecom else _consumer_complaint(facts, policy)


def _consumer_complaint(facts: AppealFacts, policy: AdmissibilityPolicy) -> Admissibility:
    """Art. 15 of the market regulator's complaint rules. The consumer need not have complained
    to the business first, and a billing dispute has no shorter limit."""
    refusals: list[Reason] = []
    years = policy.consumer_complaint_years
    if facts.occurred_at is not None and facts.occurred_at < subtract_months(facts.now, years * 12):
        refusals.append(
            Reason(
                "matter_expired",
                f"消费者知道或应当知道权益受损已超过{years}年，市场监管部门不予受理。",
                CONSUMER_ART_15,
            )
        )
    if facts.handled_elsewhere:
        refusals.append(
            Reason(
                "handled_elsewhere",
                "法院、仲裁机构、消费者协会或其他行政部门已受理或处理，不予受理。",
                CONSUMER_ART_15,
            )
        )
    if not facts.respondent_named:
        refusals.append(Reason("no_respondent", "被投诉人不明确。", CONSUMER_ART_15))
    if not facts.claim_with_facts:
        refusals.append(Reason("no_claim", "没有具体的投诉请求和事实。", CONSUMER_ART_15))
    return Admissibility(admissible=not refusals, reasons=refusals, scope=CONSUMER_SCOPE_NOTE)


def _telecom_appeal(facts: AppealFacts, policy: AdmissibilityPolicy) -> Admissibility:
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
