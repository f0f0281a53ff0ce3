"""Request bodies: shape and type validation; meaning is checked by the services."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tousu.domain.codes import Category, Channel, Demand, UrgencyType, VipLevel
from tousu.services.intake import NewComplaint


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CustomerIn(_In):
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(min_length=3, max_length=20)
    address: str | None = Field(None, max_length=300)
    id_number: str | None = Field(None, max_length=18)
    vip_level: VipLevel | None = None
    important: bool = False
    sensitive: bool = False


class ComplaintIn(_In):
    channel: Channel
    customer: CustomerIn
    content: str = Field(max_length=20000, description="what the customer said, as stated")
    category: Category | None = None
    demands: list[Demand] = Field(default_factory=list, max_length=14)
    claimed_amount: float | None = Field(None, ge=0, le=10_000_000)
    occurred_at: AwareDatetime | None = None
    received_at: AwareDatetime | None = None
    proxy_name: str | None = Field(None, max_length=100)
    proxy_authorisation: str | None = Field(None, max_length=2000)
    topic: str | None = Field(None, max_length=100, description="affected service, e.g. 宽带")
    area: str | None = Field(None, max_length=100, description="affected area, e.g. 思明区")
    urgency: list[UrgencyType] = Field(default_factory=list, description="urgency types set by a person")
    work_quality: bool | None = None

    def to_new_complaint(self) -> NewComplaint:
        return NewComplaint(
            channel=self.channel,
            customer=self.customer.model_dump(),
            content=self.content,
            category=self.category,
            demands=[d.value for d in self.demands],
            claimed_amount=self.claimed_amount,
            occurred_at=self.occurred_at,
            received_at=self.received_at,
            proxy_name=self.proxy_name,
            proxy_authorisation=self.proxy_authorisation,
            topic=self.topic,
            area=self.area,
            manual_urgency=self.urgency,
            work_quality=self.work_quality,
        )


class Versioned(_In):
    version: int = Field(ge=1, description="the version you read: a stale one gets 409")


class ReplyIn(Versioned):
    reply: str = Field(max_length=20000)
    settlement_confirmed: bool = False


class FollowUpIn(Versioned):
    satisfaction: Literal["satisfied", "neutral", "dissatisfied"]
    comments: str | None = Field(None, max_length=5000)


class CloseIn(Versioned):
    root_cause: str | None = Field(None, max_length=5000)
    responsible_person: str | None = Field(None, max_length=100)
    improvement_measure: str | None = Field(None, max_length=5000)


class RejectIn(Versioned):
    legal_basis: str = Field(max_length=2000)
    reasons: str = Field(max_length=5000)


class ReopenIn(Versioned):
    reason: str | None = Field(None, max_length=5000)
    new_evidence: str | None = Field(None, max_length=5000)


class WaitIn(Versioned):
    waiting_for: str = Field(max_length=2000)


class AssignIn(Versioned):
    username: str = Field(max_length=64)


class HandOverIn(Versioned):
    username: str = Field(max_length=64)
    note: str = Field(max_length=5000)


class EscalateIn(Versioned):
    reason: str = Field(max_length=5000)
    to_province: bool = False


class SettlementIn(Versioned):
    refund: float = Field(0, ge=0, le=10_000_000)
    compensation: float = Field(0, ge=0, le=10_000_000)
    gift: float = Field(0, ge=0, le=10_000_000)
    description: str = Field(max_length=5000)
    legal_basis: str = Field("", max_length=2000)


class DecisionIn(_In):
    approve: bool
    comment: str | None = Field(None, max_length=2000)


class LinkIn(Versioned):
    other_id: int
    merge: bool = False


class DetailsIn(Versioned):
    category: Category | None = None
    demands: list[Demand] | None = None
    topic: str | None = Field(None, max_length=100)
    area: str | None = Field(None, max_length=100)
    root_cause: str | None = Field(None, max_length=5000)
    responsible_person: str | None = Field(None, max_length=100)
    improvement_measure: str | None = Field(None, max_length=5000)
    work_quality: bool | None = None


class CustomerFlagsIn(Versioned):
    vip_level: VipLevel | None = None
    important: bool | None = None
    sensitive: bool | None = None
    address: str | None = Field(None, max_length=300)


class NoteIn(_In):
    kind: Literal["note", "filing"] = "note"
    text: str = Field(max_length=5000)


class LoginIn(_In):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)


class AdmissibilityIn(_In):
    occurred_at: AwareDatetime | None = None
    billing_dispute: bool = False
    complained_to_operator_at: AwareDatetime | None = None
    operator_answered: bool = False
    customer_satisfied_with_answer: bool = False
    settled_and_executed: bool = False
    mediated_by_appeal_body: bool = False
    handled_elsewhere: bool = False
    direct_interest: bool = True
    respondent_named: bool = True
    claim_with_facts: bool = True
    by_proxy: bool = False
    proxy_authorised: bool = False
