"""Authority limits: what a role may grant; past it a settlement needs the next level's approval."""

from __future__ import annotations

from dataclasses import dataclass

from tousu.domain.codes import Role
from tousu.domain.policy import AuthorityPolicy, RoleAuthority

LADDER: tuple[Role, ...] = (Role.AGENT, Role.MANAGER, Role.DIRECTOR, Role.ADMIN)


@dataclass(frozen=True)
class SettlementOffer:
    refund: float = 0.0
    compensation: float = 0.0
    gift: float = 0.0


@dataclass(frozen=True)
class AuthorityDecision:
    within_authority: bool
    approver_role: Role | None
    exceeded: list[str]


def _exceeded(limits: RoleAuthority, offer: SettlementOffer, gift_used_this_month: float) -> list[str]:
    over = []
    if offer.refund > limits.max_refund:
        over.append(f"退费上限{limits.max_refund:g}元")
    if offer.compensation > limits.max_compensation:
        over.append(f"赔偿上限{limits.max_compensation:g}元")
    if offer.gift > limits.max_gift:
        over.append(f"赠送上限{limits.max_gift:g}元")
    quota = limits.monthly_gift_quota
    if quota is not None and offer.gift > 0 and gift_used_this_month + offer.gift > quota:
        over.append(f"本厅本月赠送额度{limits.monthly_gift_quota:g}元")
    return over


def decide(
    *, role: Role, offer: SettlementOffer, gift_used_this_month: float, policy: AuthorityPolicy
) -> AuthorityDecision:
    """Within the role's limits, or the lowest higher role whose limits cover the offer."""
    over = _exceeded(policy.by_role[role], offer, gift_used_this_month)
    if not over:
        return AuthorityDecision(True, None, [])
    for higher in LADDER[LADDER.index(role) + 1 :]:
        if not _exceeded(policy.by_role[higher], offer, gift_used_this_month):
            return AuthorityDecision(False, higher, over)
    return AuthorityDecision(False, None, over)


def may_approve(*, role: Role, offer: SettlementOffer, gift_used_this_month: float, policy: AuthorityPolicy) -> bool:
    return not _exceeded(policy.by_role[role], offer, gift_used_this_month)
