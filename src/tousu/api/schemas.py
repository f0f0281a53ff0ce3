"""Request bodies and parameters: shape, type and size validation; meaning is checked by the services.

Every limit here is one a person can act on: the error names the field and the limit (errors.py).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from tousu.domain.codes import Category, Channel, Demand, Emotion, TransferSource, UrgencyType, VipLevel
from tousu.domain.improvement import ROOT_CAUSE_NAMES, MeasureStatus
from tousu.domain.remedies import Fact, SettlementType
from tousu.services.intake import NewComplaint

MAX_ID = 2**31 - 1
"""Ids, versions and offsets fit PostgreSQL's INTEGER: a larger number names nothing stored."""

EARLIEST_YEAR, LATEST_YEAR = 1970, 2099
"""Dates outside these years are typing mistakes, and year 1 or 9999 overflow on conversion to UTC."""

NAME_CHARS = 50  # a person's or place's name
NOTE_CHARS = 2000  # a note, reason or measure
CONTENT_CHARS = 5000  # what the customer said, or a reply to them
TRANSCRIPT_CHARS = 20_000  # a whole dialogue for the analyzer or the checker
ROOT_CAUSE_KIND_HELP = "根因类别：" + "、".join(f"{k.value} {n}" for k, n in ROOT_CAUSE_NAMES.items())

# Control characters (but tab and line breaks) and lone surrogates: PostgreSQL refuses NUL, UTF-8 refuses
# surrogates, and none of them is ever typed by a person.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def printable(value: str) -> bool:
    return _UNPRINTABLE.search(value) is None


def refuse_unprintable(value: str) -> str:
    if not printable(value):
        raise ValueError("含有不可见的控制字符（如 NUL）：请删除后重新提交")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_only(value: Any) -> Any:
    """Dates as ISO 8601 text only: pydantic would also read numbers as seconds since 1970."""
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("日期时间格式不正确（例：2026-11-23T10:00:00+08:00）")


def refuse_odd_year(value: datetime) -> datetime:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"日期须在 {EARLIEST_YEAR} 年至 {LATEST_YEAR} 年之间：请核对年份")
    return value


Text = Annotated[str, AfterValidator(refuse_unprintable)]
"""A string parameter (query or header); body fields are checked by `_In`."""
Moment = Annotated[AwareDatetime, BeforeValidator(iso_only), AfterValidator(refuse_odd_year)]
LooseMoment = Annotated[datetime, BeforeValidator(iso_only), AfterValidator(refuse_odd_year)]
"""A query parameter's date and time, with or without its time zone."""
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@cache
def _max_length(model: type[BaseModel], field: str) -> int | None:
    return next((m.max_length for m in model.model_fields[field].metadata if isinstance(m, MaxLen)), None)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _within_length_as_sent(cls, value: Any, info: ValidationInfo) -> Any:
        """The length limit counts what was sent: blanks stripped before the check would let a
        longer text through than the schema allows."""
        if isinstance(value, str) and info.field_name is not None:
            limit = _max_length(cls, info.field_name)
            if limit is not None and len(value) > limit:
                raise PydanticCustomError("string_too_long", "too long", {"max_length": limit})
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        """Every text field of every request body, including those added later."""
        if isinstance(value, str):
            return refuse_unprintable(value)
        return value


class CustomerIn(_In):
    name: str = Field(min_length=1, max_length=NAME_CHARS)
    phone: str = Field(min_length=3, max_length=20)
    address: str | None = Field(None, max_length=200)
    id_number: str | None = Field(None, max_length=18)
    vip_level: VipLevel | None = None
    important: bool = False
    sensitive: bool = False


class ComplaintIn(_In):
    channel: Channel
    customer: CustomerIn
    content: str = Field(max_length=CONTENT_CHARS, description="what the customer said, as stated")
    category: Category | None = None
    demands: list[Demand] = Field(default_factory=list, max_length=14)
    claimed_amount: float | None = Field(None, ge=0, le=10_000_000)
    occurred_at: Moment | None = None
    received_at: Moment | None = None
    proxy_name: str | None = Field(None, max_length=NAME_CHARS)
    proxy_authorisation: str | None = Field(None, max_length=NOTE_CHARS)
    transfer_source: TransferSource | None = Field(
        None, description="the regulator or hotline it was transferred from: one the organisation's industry uses"
    )
    transfer_case_number: str | None = Field(None, max_length=64, description="the transferring body's case number")
    transfer_reply_by: Moment | None = Field(None, description="the reply deadline the transferring body set")
    topic: str | None = Field(None, max_length=NAME_CHARS, description="affected service, e.g. 宽带")
    area: str | None = Field(None, max_length=NAME_CHARS, description="affected area, e.g. 思明区")
    urgency: list[UrgencyType] = Field(default_factory=list, max_length=20, description="urgency types set by a person")
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
            transfer_source=self.transfer_source,
            transfer_case_number=self.transfer_case_number,
            transfer_reply_by=self.transfer_reply_by,
            topic=self.topic,
            area=self.area,
            manual_urgency=self.urgency,
            work_quality=self.work_quality,
        )


class Versioned(_In):
    version: int = Field(ge=1, le=MAX_ID, description="the version you read: a stale one gets 409")


class ReplyIn(Versioned):
    reply: str = Field(max_length=CONTENT_CHARS)
    settlement_confirmed: bool = False


class FollowUpIn(Versioned):
    satisfaction: Literal["satisfied", "neutral", "dissatisfied"]
    comments: str | None = Field(None, max_length=NOTE_CHARS)


class CloseIn(Versioned):
    root_cause: str | None = Field(None, max_length=NOTE_CHARS)
    root_cause_kind: str | None = Field(None, max_length=32, description=ROOT_CAUSE_KIND_HELP)
    responsible_person: str | None = Field(None, max_length=NAME_CHARS)
    improvement_measure: str | None = Field(None, max_length=NOTE_CHARS)
    close_reason: str | None = Field(
        None,
        max_length=NOTE_CHARS,
        description="why it is closed although the customer was dissatisfied at the follow-up (required then)",
    )


class RejectIn(Versioned):
    legal_basis: str = Field(max_length=NOTE_CHARS)
    reasons: str = Field(max_length=NOTE_CHARS)


class ReopenIn(Versioned):
    reason: str | None = Field(None, max_length=NOTE_CHARS)
    new_evidence: str | None = Field(None, max_length=NOTE_CHARS)


class WaitIn(Versioned):
    waiting_for: str = Field(max_length=NOTE_CHARS)


class AssignIn(Versioned):
    username: str = Field(max_length=64)


class HandOverIn(Versioned):
    username: str = Field(max_length=64)
    note: str = Field(max_length=NOTE_CHARS)


class EscalateIn(Versioned):
    reason: str = Field(max_length=NOTE_CHARS)
    to_province: bool = Field(False, description="to the body above the organisation (省公司, 总部: the industry's)")


class SettlementItemIn(_In):
    type: SettlementType = Field(
        description="refund 退费 | double_refund 双倍返还 | fee_waiver 费用减免 | "
        "compensation 赔偿 | transport_lost_wages 交通费、误工费 | gift 礼品"
    )
    amount: float = Field(gt=0, le=10_000_000)
    basis: str | None = Field(None, max_length=64, description="知识库中法规或制度的编号（如 policy_double_refund）")


class SettlementIn(Versioned):
    items: list[SettlementItemIn] = Field(default_factory=list, max_length=20)
    facts: list[Fact] = Field(default_factory=list, max_length=10, description="已核实的事实，处理项目的前提")
    override_reason: str | None = Field(None, max_length=NOTE_CHARS, description="例外批准的理由")
    # The older form: amounts by authority limit; the compensation's basis is `legal_basis` (a code).
    refund: float = Field(0, ge=0, le=10_000_000)
    compensation: float = Field(0, ge=0, le=10_000_000)
    gift: float = Field(0, ge=0, le=10_000_000)
    description: str = Field(max_length=NOTE_CHARS)
    legal_basis: str = Field("", max_length=NOTE_CHARS)


class DecisionIn(_In):
    approve: bool = False
    forward: bool = Field(False, description="上报：转给上一级审批")
    comment: str | None = Field(None, max_length=NOTE_CHARS)
    override_reason: str | None = Field(None, max_length=NOTE_CHARS, description="例外批准的理由")


class LinkIn(Versioned):
    other_id: Id
    merge: bool = False


class DetailsIn(Versioned):
    category: Category | None = None
    demands: list[Demand] | None = Field(None, max_length=14)
    emotion: Emotion | None = Field(
        None, description="the customer's emotion as a person judged it (kept as a correction)"
    )
    topic: str | None = Field(None, max_length=NAME_CHARS)
    area: str | None = Field(None, max_length=NAME_CHARS)
    root_cause: str | None = Field(None, max_length=NOTE_CHARS)
    root_cause_kind: str | None = Field(None, max_length=32, description=ROOT_CAUSE_KIND_HELP)
    responsible_person: str | None = Field(None, max_length=NAME_CHARS)
    improvement_measure: str | None = Field(None, max_length=NOTE_CHARS)
    work_quality: bool | None = None
    transfer_source: TransferSource | None = Field(
        None, description="transferred from (one the organisation's industry uses); null clears the whole transfer"
    )
    transfer_case_number: str | None = Field(None, max_length=64, description="the transferring body's case number")
    transfer_reply_by: Moment | None = Field(
        None, description="the transferring body's reply deadline (null clears it: our own deadline applies again)"
    )


class CustomerFlagsIn(Versioned):
    vip_level: VipLevel | None = None
    important: bool | None = None
    sensitive: bool | None = None
    address: str | None = Field(None, max_length=200)


class NoteIn(_In):
    kind: Literal["note", "filing"] = "note"
    text: str = Field(max_length=NOTE_CHARS)


class LoginIn(_In):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)


class AdmissibilityIn(_In):
    occurred_at: Moment | None = None
    billing_dispute: bool = False
    complained_to_operator_at: Moment | None = None
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


def _odd_year_day(value: date) -> date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"日期须在 {EARLIEST_YEAR} 年至 {LATEST_YEAR} 年之间：请核对年份")
    return value


Day = Annotated[date, BeforeValidator(iso_only), AfterValidator(_odd_year_day)]
"""A calendar day as ISO 8601 text (2026-12-31), in the years the application accepts."""


class MeasureIn(_In):
    title: str = Field(min_length=1, max_length=200, description="整改措施的名称")
    root_cause_kind: str = Field(max_length=32, description=ROOT_CAUSE_KIND_HELP)
    description: str | None = Field(None, max_length=NOTE_CHARS)
    owner: str = Field(max_length=64, description="责任人的用户名")
    due_on: Day = Field(description="完成期限（日期）")
    team: str | None = Field(None, max_length=100, description="适用的营业厅（仅主任、管理员可选；空为全部）")
    complaint_ids: list[Id] = Field(default_factory=list, max_length=500, description="引发该措施的投诉")
    closed_from: Day | None = Field(None, description="不列投诉时：关联此期间内结案的该类别全部投诉（起）")
    closed_to: Day | None = Field(None, description="不列投诉时：关联此期间内结案的该类别全部投诉（止，含当天）")


class MeasureChangeIn(Versioned):
    status: MeasureStatus | None = Field(
        None, description="open 待办 | in_progress 进行中 | done 已完成 | verified 已核实"
    )
    evidence: str | None = Field(None, max_length=NOTE_CHARS, description="整改证据")
