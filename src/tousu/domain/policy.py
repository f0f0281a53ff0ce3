"""The organisation's policy: thresholds, SLA table, calendars and authority limits.

Defaults are the seeds' numbers; an organisation overrides them in a YAML file that
the configuration layer reads and validates with these models. Pure data, no I/O.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tousu.domain.codes import Channel, Role, UrgencyType


class _Strict(BaseModel):
    # No inf/nan; the time-like fields below have upper bounds: deadlines are computed from them.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class UrgencyPolicy(_Strict):
    batch_window_minutes: int = Field(60, gt=0, le=7 * 24 * 60)
    batch_min_ordinary: int = Field(11, gt=0, le=1_000_000, description="more than 10 ordinary customers")
    batch_min_vip: int = Field(6, gt=0, le=1_000_000, description="more than 5 VIP customers")
    repeat_window_months: int = Field(3, gt=0, le=120)
    over_level_channels: frozenset[Channel] = frozenset(
        {
            Channel.GROUP_HQ,
            Channel.GOVERNMENT,
            Channel.CONSUMER_BODY,
            Channel.MEDIA,
            Channel.PROVINCE_LEADER,
            Channel.PROVINCE_HOTLINE,
            Channel.COURT,
        }
    )
    major_channels: frozenset[Channel] = frozenset({Channel.MEDIA, Channel.COURT})
    important_vip_levels: frozenset[str] = frozenset({"gold", "diamond"})


DeadlineName = Literal["acknowledge", "reply", "follow_up"]
MAX_HOURS = 24 * 366  # a deadline beyond a year is a typing mistake


class Sla(_Strict):
    """Hours to each deadline: calendar hours, but for the deadlines named in `business_hours`,
    which are counted on the complaint's business calendar (its channel's, or its hall's own:
    see deadlines.calendar_for)."""

    acknowledge_hours: float = Field(gt=0, le=MAX_HOURS)
    reply_hours: float = Field(gt=0, le=MAX_HOURS)
    follow_up_hours: float = Field(gt=0, le=MAX_HOURS)
    business_hours: frozenset[DeadlineName] = frozenset()


class OpeningHours(_Strict):
    opens: time
    closes: time

    @model_validator(mode="after")
    def _ordered(self) -> OpeningHours:
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


Weekday = Annotated[int, Field(ge=0, le=6)]  # Monday = 0
# A year of the organisation's own days is plenty; more could close a calendar for good.
Days = Annotated[frozenset[date], Field(max_length=366)]
HallName = Annotated[str, StringConstraints(min_length=1, max_length=100)]  # a team, as accounts name it


class Calendar(_Strict):
    """Business time: `hours` None means around the clock.

    With `public_holidays`, China's public holidays (closed) and make-up working days (调休, open)
    from the State Council calendar override the weekday rule; `holidays` (closed) and
    `extra_workdays` (open) override both, for the organisation's own days or a year the
    installed calendar does not know yet.
    """

    hours: OpeningHours | None = None
    weekdays: Annotated[frozenset[Weekday], Field(min_length=1)] = frozenset(range(7))
    public_holidays: bool = False
    holidays: Days = frozenset()
    extra_workdays: Days = frozenset()

    @field_validator("extra_workdays")
    @classmethod
    def _disjoint(cls, extra_workdays: frozenset[date], info: ValidationInfo) -> frozenset[date]:
        # A field check, so that the refusal names the working days, where the clash is typed.
        both = sorted(extra_workdays & info.data.get("holidays", frozenset()))
        if both:
            raise ValueError(f"days both holiday and working day: {', '.join(d.isoformat() for d in both)}")
        return extra_workdays


class SlaPolicy(_Strict):
    default: Sla = Sla(acknowledge_hours=2, reply_hours=48, follow_up_hours=72)
    by_channel: dict[Channel, Sla] = {
        Channel.LETTER: Sla(acknowledge_hours=8, reply_hours=48, follow_up_hours=72),
    }
    by_urgency: dict[UrgencyType, Sla] = {
        UrgencyType.MAJOR: Sla(acknowledge_hours=0.5, reply_hours=24, follow_up_hours=48),
        UrgencyType.OVER_LEVEL: Sla(acknowledge_hours=1, reply_hours=24, follow_up_hours=48),
        UrgencyType.BATCH: Sla(acknowledge_hours=1, reply_hours=72, follow_up_hours=96),
        UrgencyType.REPEAT: Sla(acknowledge_hours=1, reply_hours=24, follow_up_hours=48),
        UrgencyType.ESCALATED: Sla(acknowledge_hours=1, reply_hours=24, follow_up_hours=48),
        UrgencyType.CROSS_REGION: Sla(acknowledge_hours=2, reply_hours=72, follow_up_hours=96),
        UrgencyType.IMPORTANT_CUSTOMER: Sla(acknowledge_hours=1, reply_hours=24, follow_up_hours=48),
        UrgencyType.SENSITIVE: Sla(acknowledge_hours=1, reply_hours=24, follow_up_hours=48),
    }
    calendars: dict[str, Calendar] = {
        "around_the_clock": Calendar(),
        "service_hall": Calendar(hours=OpeningHours(opens=time(9), closes=time(18))),
        "office": Calendar(
            hours=OpeningHours(opens=time(9), closes=time(17, 30)), weekdays=frozenset(range(5)), public_holidays=True
        ),
    }
    channel_calendar: dict[Channel, str] = {
        Channel.HALL: "service_hall",
        Channel.LETTER: "office",
        Channel.FAX: "office",
    }
    default_calendar: str = "around_the_clock"
    # A hall's (team's) own calendar, for the walk-ins it takes in; a hall not named uses the channel's.
    hall_calendars: dict[HallName, Calendar] = {}
    warn_before_hours: float = Field(4, ge=0, le=MAX_HOURS)
    escalate_every_hours: float = Field(24, gt=0, le=MAX_HOURS)

    @model_validator(mode="after")
    def _calendars_exist(self) -> SlaPolicy:
        names = {self.default_calendar, *self.channel_calendar.values()}
        missing = sorted(names - set(self.calendars))
        if missing:
            raise ValueError(f"unknown calendar(s): {', '.join(missing)}")
        return self


class EscalationPolicy(_Strict):
    """The ladder a breached complaint climbs, with the role that owns each rung. In-house it
    ends with the director, the highest role that handles complaints: administrators keep the
    system, and a complaint left with them is in nobody's handling queue. Beyond the director
    is the head office (升级 to 省公司/总部), reported and followed by the director's rung."""

    ladder: tuple[tuple[str, Role], ...] = (
        ("一线", Role.AGENT),
        ("厅经理", Role.MANAGER),
        ("客户中心主任", Role.DIRECTOR),
    )


class RoleAuthority(_Strict):
    """What a role may grant on one complaint without approval (yuan)."""

    max_refund: float = Field(ge=0)
    max_compensation: float = Field(ge=0)
    max_gift: float = Field(ge=0)
    monthly_gift_quota: float | None = Field(None, ge=0, description="per hall, for all its staff")


class AuthorityPolicy(_Strict):
    # The front line promises no gift or compensation of its own (the company's 服务补救制度): it
    # asks its manager, who gives within the hall's monthly quota.
    by_role: dict[Role, RoleAuthority] = {
        Role.AGENT: RoleAuthority(max_refund=50, max_compensation=0, max_gift=0, monthly_gift_quota=1000),
        Role.MANAGER: RoleAuthority(max_refund=300, max_compensation=100, max_gift=100, monthly_gift_quota=1000),
        Role.DIRECTOR: RoleAuthority(max_refund=2000, max_compensation=1000, max_gift=500),
        Role.ADMIN: RoleAuthority(max_refund=10000, max_compensation=5000, max_gift=2000),
    }


class AdmissibilityPolicy(_Strict):
    # A telecom appeal to the 通信管理局 (12300)
    billing_dispute_months: int = Field(5, gt=0, le=120)
    other_matter_years: int = Field(2, gt=0, le=50)
    operator_wait_days: int = Field(15, gt=0, le=3650)
    # A consumer's complaint to 市场监管 (12315), any other industry
    consumer_complaint_years: int = Field(3, gt=0, le=50)


class RetentionPolicy(_Strict):
    """How long finished complaints stay in the working set (services/archive.py): a closed,
    rejected or merged complaint unchanged for `archive_after_days` is archived. 0 or None turns
    archiving off."""

    archive_after_days: int | None = Field(365, ge=0, le=36_500)

    @property
    def archive_after(self) -> timedelta | None:
        return timedelta(days=self.archive_after_days) if self.archive_after_days else None


class Policy(_Strict):
    # The organisation's industry, a code of the knowledge base's industries (telecom, retail):
    # the analyzer's categories, cues, scenarios and wording (营业厅 or 本店). The knowledge base
    # is data outside this core, so where the policy is read checks that the code is one of it.
    industry: str = Field("telecom", pattern=r"^[a-z][a-z_]{0,31}$")
    urgency: UrgencyPolicy = UrgencyPolicy()
    sla: SlaPolicy = SlaPolicy()
    escalation: EscalationPolicy = EscalationPolicy()
    authority: AuthorityPolicy = AuthorityPolicy()
    admissibility: AdmissibilityPolicy = AdmissibilityPolicy()
    # Subscribers per hall (team name -> count), for the reports' 百万用户申诉率; a hall not named is blank.
    subscribers: dict[str, PositiveInt] = {}
    retention: RetentionPolicy = RetentionPolicy()
