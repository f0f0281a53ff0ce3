"""The policy in force: the file policy with the administrators' overrides stored in the database.

A change validates the whole policy first (nothing is stored if any value is refused), stores the
new override document under the next version and records the change, before and after, in the
audit trail, in one transaction. Each server process reads the latest version at most every
CHECK_SECONDS and rebuilds its policy when it moved, so a change holds everywhere without a restart.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from tousu.domain import policy_overrides as po
from tousu.domain.policy import Policy
from tousu.knowledge import load_knowledge_base
from tousu.services import audit
from tousu.services.actors import Actor
from tousu.services.errors import Conflict, Invalid
from tousu.services.recheck import Recheck
from tousu.storage.tables import policy_settings, users

logger = logging.getLogger(__name__)
CHECK_SECONDS = 5.0
"""How often a server process looks for a newer policy version."""
MAX_KEYS = 500


class PolicyInvalid(Invalid):
    """Refused overrides; `errors` name every bad setting, `field` the first one's key."""

    def __init__(self, errors: list[po.FieldError]) -> None:
        self.errors = errors
        super().__init__("invalid_policy", "设置未保存：" + "；".join(e.message for e in errors), errors[0].key)


@dataclass(frozen=True)
class Stored:
    version: int  # 0: nothing set yet
    overrides: po.Overrides
    changed_by: str | None = None  # username; None with a version: the command line
    changed_at: datetime | None = None


def latest_version(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.max(policy_settings.c.version))).scalar() or 0)


def load(conn: sa.Connection) -> Stored:
    row = conn.execute(
        sa.select(policy_settings, users.c.username)
        .outerjoin(users, users.c.id == policy_settings.c.changed_by_id)
        .order_by(policy_settings.c.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return Stored(0, {})
    return Stored(row.version, dict(row.overrides), row.username, row.changed_at)


def effective(base: Policy, overrides: po.Overrides) -> Policy:
    """The policy in force; stored overrides the file no longer admits leave the file policy alone."""
    try:
        return po.apply(base, overrides)
    except po.OverrideError as exc:
        logger.error("stored policy overrides refused, using the policy file alone: %s", exc)
        return base


def in_force(conn: sa.Connection, base: Policy) -> Policy:
    """The policy in force now: `base` (the file's) with the overrides stored last."""
    return effective(base, load(conn).overrides)


def change(
    conn: sa.Connection,
    *,
    base: Policy,
    set_values: po.Overrides | None = None,
    reset: list[str] | None = None,
    replace: bool = False,
    expected_version: int | None = None,
    actor: Actor | None,
    now: datetime,
) -> Stored:
    """Set and reset overrides (`replace`: `set_values` becomes the whole document).

    `reset` removes a key's override and every override under it, bringing back the file's value
    (or the default). Refused values raise PolicyInvalid and nothing is stored; a version other
    than `expected_version`, or another change stored meanwhile, raises Conflict. A hall's
    calendar may be set only for a hall `teams` knows, the industry only to one of the knowledge
    base's.
    """
    stored = load(conn)
    if expected_version is not None and expected_version != stored.version:
        raise _stale()
    unknown_industry = po.unknown_industry(set_values or {}, load_knowledge_base().industry_names)
    if unknown_industry:
        raise PolicyInvalid(unknown_industry)
    if any(po.hall_of(key) is not None for key in set_values or {}):
        unknown = po.unknown_halls(set_values or {}, teams(conn, effective(base, stored.overrides)))
        if unknown:
            raise PolicyInvalid(unknown)
    new = {} if replace else dict(stored.overrides)
    new.update(set_values or {})
    for key in reset or []:
        new = {k: v for k, v in new.items() if not (k == key or k.startswith(key + "."))}
    if len(new) > MAX_KEYS:
        raise Invalid("too_many_settings", f"设置项过多（最多 {MAX_KEYS} 项）。")
    before = effective(base, stored.overrides).model_dump(mode="json")
    try:
        after = po.apply(base, new).model_dump(mode="json")
    except po.OverrideError as exc:
        raise PolicyInvalid(exc.errors) from None
    normalized = {key: po.value_at(after, key) for key in sorted(new)}  # "300" typed is stored as 300.0
    if normalized == stored.overrides:
        return stored
    changes = [
        {
            "key": key,
            "name": po.label(key),
            "before": shown(po.value_at(before, key)),
            "after": shown(po.value_at(after, key)),
            "reset": key not in normalized,
        }
        for key in sorted({*stored.overrides, *normalized})
        if stored.overrides.get(key, po.MISSING) != normalized.get(key, po.MISSING)
    ]
    version = stored.version + 1
    try:
        conn.execute(
            policy_settings.insert().values(
                version=version, overrides=normalized, changed_by_id=actor.id if actor else None, changed_at=now
            )
        )
    except IntegrityError:  # another change took this version first; the caller's transaction rolls back
        raise _stale() from None
    audit.record(
        conn,
        action="policy_changed",
        actor_id=actor.id if actor else None,
        at=now,
        data={"version": version, "changes": changes},
    )
    return Stored(version, normalized, actor.username if actor else None, now)


def shown(value: Any) -> Any:
    """A value looked up in a policy dump, None where it has none."""
    return None if value is po.MISSING else value


def _stale() -> Conflict:
    return Conflict("policy_changed_meanwhile", "设置已被他人修改，请刷新页面查看最新设置后再改。", "version")


def teams(conn: sa.Connection, policy: Policy) -> list[str]:
    """The halls (teams) known anywhere: staff's, complaints', and those the policy names."""
    from tousu.storage.tables import complaints

    found = set(policy.subscribers) | set(policy.sla.hall_calendars)
    for table in (users, complaints):
        found.update(t for t in conn.execute(sa.select(table.c.team).distinct()).scalars() if t)
    return sorted(found)


class ActivePolicy:
    """The policy every request and the SLA sweep use: the file policy (`base`) with the stored
    overrides, re-read at most every CHECK_SECONDS by the app's clock (a request pays nothing in
    between) and rebuilt when the version moved."""

    def __init__(self, engine: Engine | None, base: Policy, *, interval: float = CHECK_SECONDS) -> None:
        self._engine = engine
        self._base = base
        self._version = 0
        self._overrides: po.Overrides = {}
        self._current = base
        self._recheck = Recheck(self._refresh, interval)

    @property
    def base(self) -> Policy:
        """The file policy (defaults overridden by TOUSU_POLICY_FILE)."""
        return self._base

    @base.setter
    def base(self, policy: Policy) -> None:
        self._base = policy
        self._current = effective(policy, self._overrides)

    def recheck(self) -> None:
        """Look at the database on the next use: this process made the change itself."""
        self._recheck.soon()

    def current(self, now: datetime) -> Policy:
        if self._engine is not None:
            self._recheck(now)
        return self._current

    def _refresh(self) -> None:
        assert self._engine is not None
        try:
            # Read-only: a request may ask for the policy inside its own write transaction (SQLite's one writer).
            with self._engine.connect().execution_options(readonly=True) as conn, conn.begin():
                version = latest_version(conn)
                if version == self._version:
                    return
                stored = load(conn)
        except SQLAlchemyError:
            logger.exception("cannot read the policy overrides; keeping the policy in use")
            return
        self._version, self._overrides = stored.version, stored.overrides
        self._current = effective(self._base, stored.overrides)
        logger.info("policy version %s in use", stored.version)
