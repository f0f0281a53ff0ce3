"""Who is acting, and what each role may see and do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tousu.domain.codes import ROLE_NAMES, Role
from tousu.services.errors import Forbidden
from tousu.storage.tables import complaints

RANK = {Role.AGENT: 0, Role.MANAGER: 1, Role.DIRECTOR: 2, Role.ADMIN: 3}


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    display_name: str
    role: Role
    team: str

    def at_least(self, role: Role) -> bool:
        return RANK[self.role] >= RANK[role]

    @property
    def sees_everything(self) -> bool:
        return self.at_least(Role.DIRECTOR)


def require_role(actor: Actor, role: Role) -> None:
    if not actor.at_least(role):
        raise Forbidden("forbidden_role", f"此操作需要“{ROLE_NAMES[role]}”或更高权限。")


def can_see(actor: Actor, complaint: Mapping[str, Any]) -> bool:
    """Directors and admins see everything; others their team's complaints and their own.

    An account without a team (one older than the rule that agents and managers name one) has
    no team's complaints: "" is no team, not a team everyone without one shares."""
    return (
        actor.sees_everything
        or (actor.team != "" and complaint["team"] == actor.team)
        or actor.id in (complaint["owner_id"], complaint["responsible_id"], complaint["received_by_id"])
    )


def can_see_clause(actor: Actor) -> sa.ColumnElement[bool]:
    """`can_see` as a condition on the complaints table. (The work queue splits it into parts
    its indexes serve: see queries._scopes.)"""
    if actor.sees_everything:
        return sa.true()
    own = sa.or_(
        complaints.c.owner_id == actor.id,
        complaints.c.responsible_id == actor.id,
        complaints.c.received_by_id == actor.id,
    )
    return sa.or_(complaints.c.team == actor.team, own) if actor.team else own
