"""Password login: throttled in the database, and never hashing while the write lock is held.

argon2 costs tens of milliseconds of CPU on purpose. On SQLite every write transaction holds
the database-wide write lock, so a login that verified inside one would stall intake for every
other user; a flood of wrong passwords would stall it for all. So a login is three short steps:
a read (is this account or address blocked? the account's row), a write that counts the attempt
as a failure up front (so parallel guesses cannot exceed the limit), argon2 outside any
transaction, and on success a write that issues the session and takes the failure back.

The counts live in the `login_throttle` table, shared by every server process and machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tousu.domain.deadlines import LOCAL
from tousu.services import users
from tousu.services.actors import Actor
from tousu.services.errors import ServiceError
from tousu.storage.tables import login_throttle

ACCOUNT, ADDRESS = "account", "address"

Transaction = Callable[[], AbstractContextManager[sa.Connection]]


@dataclass(frozen=True)
class ThrottlePolicy:
    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)  # how long failures count, and how long a block lasts

    def limit(self, scope: str) -> int:
        return self.per_account if scope == ACCOUNT else self.per_address


class Throttled(ServiceError):
    """Too many failed logins: refused without looking at the password, until `until`."""

    status = 429

    def __init__(self, scope: str, until: datetime, now: datetime) -> None:
        at = until.astimezone(LOCAL).strftime("%H:%M")
        if scope == ACCOUNT:
            message = f"登录失败次数过多，该账号已暂时锁定，请于 {at} 后再试；如急需使用，请联系系统管理员解锁。"
        else:
            message = f"登录失败次数过多，本网络地址已暂时不能登录，请于 {at} 后再试。"
        super().__init__("login_throttled" if scope == ACCOUNT else "address_throttled", message)
        self.until = until
        self.retry_after = max(1, math.ceil((until - now).total_seconds()))


@dataclass(frozen=True)
class Login:
    actor: Actor
    token: str


def login(
    read: Transaction,
    write: Transaction,
    *,
    username: str,
    password: str,
    address: str,
    now: datetime,
    policy: ThrottlePolicy,
    session_ttl: timedelta,
) -> Login:
    """A session for the right password; Throttled (429) or users.Unauthorized (401) otherwise."""
    keys = {ACCOUNT: username, ADDRESS: address}
    with read() as conn:
        _refuse_if_blocked(conn, keys, now=now, policy=policy)  # a blocked flood costs a read, no hash
        row = users.get_by_username(conn, username)
    with write() as conn:
        count_failure(conn, keys, now=now, policy=policy)
    actor = users.check_password(row, password)  # argon2, outside any transaction
    with write() as conn:
        _take_back(conn, keys)
        token = users.issue_token(conn, user_id=actor.id, kind="session", now=now, ttl=session_ttl)
    return Login(actor, token)


def _rows(conn: sa.Connection, keys: dict[str, str], *, lock: bool = False) -> dict[str, Any]:
    query = sa.select(login_throttle.c.scope, login_throttle.c.failures, login_throttle.c.until).where(
        sa.or_(*(sa.and_(login_throttle.c.scope == s, login_throttle.c.subject == k) for s, k in keys.items()))
    )
    if lock:
        query = query.order_by(login_throttle.c.scope).with_for_update()
    return {r.scope: r for r in conn.execute(query)}


def _refuse_if_blocked(conn: sa.Connection, keys: dict[str, str], *, now: datetime, policy: ThrottlePolicy) -> None:
    for scope, row in sorted(_rows(conn, keys).items()):
        if row.failures >= policy.limit(scope) and row.until > now:
            raise Throttled(scope, row.until, now)


def count_failure(conn: sa.Connection, keys: dict[str, str], *, now: datetime, policy: ThrottlePolicy) -> None:
    """Count one failed attempt per key, unless a key is blocked (Throttled). Rows are locked, so
    every process counts each attempt exactly once; the limit-th failure starts a block."""
    conn.execute(login_throttle.delete().where(login_throttle.c.until <= now - policy.window))  # forgotten
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(login_throttle)
    conn.execute(
        insert.values(
            [{"scope": s, "subject": k, "failures": 0, "until": now} for s, k in keys.items()]
        ).on_conflict_do_nothing()
    )
    rows = _rows(conn, keys, lock=True)
    for scope, row in sorted(rows.items()):
        if row.failures >= policy.limit(scope) and row.until > now:
            raise Throttled(scope, row.until, now)
    for scope, row in rows.items():
        fresh = row.until <= now  # the last window is over: count afresh
        failures = 1 if fresh else row.failures + 1
        until = now + policy.window if fresh or failures >= policy.limit(scope) else row.until
        conn.execute(
            login_throttle.update()
            .where(login_throttle.c.scope == scope, login_throttle.c.subject == keys[scope])
            .values(failures=failures, until=until)
        )


def _take_back(conn: sa.Connection, keys: dict[str, str]) -> None:
    """The right password: the account starts afresh; the address only loses this attempt."""
    conn.execute(
        login_throttle.delete().where(login_throttle.c.scope == ACCOUNT, login_throttle.c.subject == keys[ACCOUNT])
    )
    conn.execute(
        login_throttle.update()
        .where(
            login_throttle.c.scope == ADDRESS,
            login_throttle.c.subject == keys[ADDRESS],
            login_throttle.c.failures > 0,
        )
        .values(failures=login_throttle.c.failures - 1)
    )


def unblock(conn: sa.Connection, *, username: str | None = None, address: str | None = None) -> int:
    """An administrator lifts a block at once (and forgets the failures). How many rows were cleared."""
    cleared = 0
    for scope, subject in ((ACCOUNT, username), (ADDRESS, address)):
        if subject is not None:
            cleared += conn.execute(
                login_throttle.delete().where(login_throttle.c.scope == scope, login_throttle.c.subject == subject)
            ).rowcount
    return cleared
