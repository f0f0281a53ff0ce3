"""Staff accounts, password login (argon2) and bearer tokens (stored only as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tousu.domain import passwords
from tousu.domain.codes import ROLE_NAMES, Role
from tousu.domain.deadlines import LOCAL
from tousu.services import audit
from tousu.services.actors import Actor
from tousu.services.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from tousu.storage.tables import api_tokens, users

_hasher = PasswordHasher()
MIN_PASSWORD = passwords.MIN_LENGTH


class Unauthorized(ServiceError):
    status = 401


def add_user(
    conn: sa.Connection,
    *,
    username: str,
    password: str | None,
    role: Role,
    team: str = "",
    display_name: str | None = None,
    now: datetime,
    by: Actor | None = None,
) -> int:
    """Add an account; `by` is the administrator (None: the command line), recorded in the audit trail."""
    if not username.strip() or not username.isascii() or " " in username:
        raise Invalid("invalid_username", "用户名只能使用字母、数字和符号，不能有空格。", "username")
    if username == SYSTEM_USERNAME:
        raise Invalid("reserved_username", f"用户名“{SYSTEM_USERNAME}”留给系统自身使用，请换一个。", "username")
    team = team.strip()
    require_team(role, team)
    if password is not None:
        check_new_password(username, password)
    if conn.execute(sa.select(users.c.id).where(users.c.username == username)).scalar() is not None:
        raise Conflict("user_exists", f"用户“{username}”已存在。", "username")
    user_id: int = conn.execute(
        users.insert().values(
            username=username,
            display_name=display_name or username,
            role=role.value,
            team=team,
            password_hash=_hasher.hash(password) if password else None,
            active=True,
            created_at=now,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    audit.record(
        conn,
        action="user_added",
        actor_id=_actor_id(by),
        at=now,
        target_user_id=user_id,
        data={"username": username, "role": role.value, "team": team},
    )
    return user_id


SYSTEM_USERNAME = "system"
"""The identity imports act under: an administrator without a password, for whom no token is issued."""

TEAM_ROLES = frozenset({Role.AGENT, Role.MANAGER})
"""Roles whose scope is their team: an account of these roles must name one."""


def require_team(role: Role, team: str) -> None:
    if role in TEAM_ROLES and not team:
        raise Invalid(
            "team_required",
            f"“{ROLE_NAMES[role]}”必须属于一个班组或营业厅，请填写班组/营业厅（命令行：--team 名称）。",
            "team",
        )


def system_actor(conn: sa.Connection, *, now: datetime) -> Actor:
    """The system's own identity (imports), created on first use; it cannot log in."""
    row = get_by_username(conn, SYSTEM_USERNAME)
    if row is None:
        conn.execute(
            users.insert().values(
                username=SYSTEM_USERNAME,
                display_name="系统",
                role=Role.ADMIN.value,
                team="",
                password_hash=None,
                active=True,
                created_at=now,
            )
        )
        row = require_user(conn, SYSTEM_USERNAME)
    return actor_of(row)


def get_by_username(conn: sa.Connection, username: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    return None if row is None else dict(row)


def actor_of(row: dict[str, Any]) -> Actor:
    return Actor(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        team=row["team"],
    )


def check_password(row: dict[str, Any] | None, password: str) -> Actor:
    """The account's actor if `password` is its password. Slow on purpose (argon2), and touches
    no database: call it outside any transaction, never while holding the write lock."""
    failure = Unauthorized("bad_credentials", "用户名或密码错误。")
    if row is None or not row["password_hash"]:
        _hasher.hash(password)  # same cost whether or not the user exists
        raise failure
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        raise failure from None
    if not row["active"]:  # said only to whoever knows the password: no hint to a guesser
        raise _disabled()
    return actor_of(row)


def _disabled() -> Unauthorized:
    return Unauthorized("account_disabled", "您的账号已停用，无法登录或使用令牌。如需恢复，请联系系统管理员。")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_PREFIX_LENGTH = 12
"""'tsu_' and 8 random characters: enough to tell tokens apart in a list, useless as a credential."""
API_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650
LAST_USED_EVERY = timedelta(minutes=5)
"""A token's last use is written at most this often: a write per request would slow intake."""


def _insert_token(
    conn: sa.Connection, *, user_id: int, kind: str, name: str, now: datetime, ttl: timedelta | None
) -> tuple[int, str]:
    token = f"tsu_{secrets.token_urlsafe(32)}"
    token_id: int = conn.execute(
        api_tokens.insert().values(
            user_id=user_id,
            token_hash=_digest(token),
            prefix=token[:TOKEN_PREFIX_LENGTH],
            kind=kind,
            name=name,
            created_at=now,
            expires_at=None if ttl is None else now + ttl,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    if kind == "session":
        conn.execute(users.update().where(users.c.id == user_id).values(last_login_at=now))
    return token_id, token


def issue_token(
    conn: sa.Connection,
    *,
    user_id: int,
    kind: str,
    name: str = "",
    now: datetime,
    ttl: timedelta | None = None,
) -> str:
    """A new token (only its SHA-256 is stored); a session token also records the login."""
    return _insert_token(conn, user_id=user_id, kind=kind, name=name, now=now, ttl=ttl)[1]


def create_api_token(
    conn: sa.Connection, *, username: str, days: int, name: str = "", now: datetime, by: Actor | None = None
) -> tuple[int, str]:
    """An API token for another system, valid `days` days: its id and the secret, shown once."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise Invalid("invalid_days", f"有效期须在 1 到 {MAX_TOKEN_DAYS} 天之间。", "days")
    row = require_user(conn, username)
    if row["username"] == SYSTEM_USERNAME:
        raise Forbidden("system_account", "系统账号只供系统内部使用，不能为它生成令牌。", "username")
    if not row["active"]:
        raise Forbidden("account_disabled", f"用户“{username}”已停用，请先启用再生成令牌。", "username")
    token_id, token = _insert_token(conn, user_id=row["id"], kind="api", name=name, now=now, ttl=timedelta(days=days))
    audit.record(
        conn,
        action="token_created",
        actor_id=_actor_id(by),
        at=now,
        target_user_id=row["id"],
        target_token_id=token_id,
        data={"prefix": token[:TOKEN_PREFIX_LENGTH], "name": name, "days": days},
    )
    return token_id, token


@dataclass(frozen=True)
class TokenCheck:
    """A valid token: who it acts as, and whether its last use is due to be recorded."""

    actor: Actor
    token_id: int
    touch: bool


def actor_for_token(conn: sa.Connection, *, token: str, now: datetime) -> Actor:
    return lookup_token(conn, token=token, now=now).actor


def lookup_token(conn: sa.Connection, *, token: str, now: datetime) -> TokenCheck:
    """Read the token and its user (one indexed read); refuse it when revoked, expired or the user disabled."""
    row = (
        conn.execute(
            sa.select(
                users,
                api_tokens.c.id.label("token_id"),
                api_tokens.c.kind,
                api_tokens.c.expires_at,
                api_tokens.c.revoked_at,
                api_tokens.c.last_used_at,
            )
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_hash == _digest(token))
        )
        .mappings()
        .first()
    )
    if row is None:
        raise Unauthorized("invalid_token", "登录凭证无效，请重新登录。")
    if not row["active"]:  # first: disabling also revokes the account's sessions
        raise _disabled()
    session = row["kind"] == "session"
    if row["revoked_at"] is not None and session:
        raise Unauthorized("invalid_token", "登录凭证无效，请重新登录。")
    if row["revoked_at"] is not None:
        raise Unauthorized("token_revoked", "此 API 令牌已被撤销，请向系统管理员申请新令牌。")
    if row["expires_at"] is not None and row["expires_at"] <= now:
        if session:
            raise Unauthorized("session_expired", "登录已过期，请重新登录。")
        when = row["expires_at"].astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
        raise Unauthorized("token_expired", f"此 API 令牌已于 {when} 过期，请向系统管理员申请新令牌。")
    last = row["last_used_at"]
    return TokenCheck(actor_of(dict(row)), row["token_id"], last is None or now - last >= LAST_USED_EVERY)


def touch_token(conn: sa.Connection, *, token_id: int, now: datetime) -> None:
    conn.execute(api_tokens.update().where(api_tokens.c.id == token_id).values(last_used_at=now))


def revoke_token(conn: sa.Connection, *, token: str, now: datetime) -> None:
    """Logout: the session's own token."""
    conn.execute(api_tokens.update().where(api_tokens.c.token_hash == _digest(token)).values(revoked_at=now))


def revoke_token_id(conn: sa.Connection, *, token_id: int, now: datetime, by: Actor | None = None) -> None:
    """An administrator's revocation: refused from the next request on, in every process."""
    row = (
        conn.execute(
            sa.select(api_tokens.c.user_id, api_tokens.c.prefix, api_tokens.c.kind, api_tokens.c.revoked_at).where(
                api_tokens.c.id == token_id
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound("token_not_found", f"令牌 #{token_id} 不存在，请核对编号（tousu token list 可查看）。", "id")
    if row["revoked_at"] is not None:
        raise Conflict("token_already_revoked", f"令牌 #{token_id} 已经撤销过了。", "id")
    conn.execute(api_tokens.update().where(api_tokens.c.id == token_id).values(revoked_at=now))
    audit.record(
        conn,
        action="token_revoked",
        actor_id=_actor_id(by),
        at=now,
        target_user_id=row["user_id"],
        target_token_id=token_id,
        data={"prefix": row["prefix"], "kind": row["kind"]},
    )


def token_state(row: dict[str, Any], now: datetime) -> str:
    """'revoked', 'expired' or 'active'."""
    if row["revoked_at"] is not None:
        return "revoked"
    if row["expires_at"] is not None and row["expires_at"] <= now:
        return "expired"
    return "active"


def list_tokens(
    conn: sa.Connection, *, now: datetime, username: str | None = None, everything: bool = False, limit: int = 1000
) -> list[dict[str, Any]]:
    """Tokens newest first, without their secrets (only a hash is stored): usable ones unless `everything`."""
    query = (
        sa.select(
            api_tokens.c.id,
            users.c.username,
            api_tokens.c.kind,
            api_tokens.c.name,
            api_tokens.c.prefix,
            api_tokens.c.created_at,
            api_tokens.c.expires_at,
            api_tokens.c.last_used_at,
            api_tokens.c.revoked_at,
        )
        .join(users, users.c.id == api_tokens.c.user_id)
        .order_by(api_tokens.c.id.desc())
        .limit(limit)
    )
    if username is not None:
        query = query.where(api_tokens.c.user_id == require_user(conn, username)["id"])
    if not everything:
        query = query.where(
            api_tokens.c.revoked_at.is_(None),
            sa.or_(api_tokens.c.expires_at.is_(None), api_tokens.c.expires_at > now),
        )
    rows = [dict(r) for r in conn.execute(query).mappings()]
    return [{**r, "state": token_state(r, now)} for r in rows]


_STAFF_COLUMNS = (users.c.id, users.c.username, users.c.display_name, users.c.role, users.c.team, users.c.active)


def list_users(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every account (the administrators' configuration page, the API's user list)."""
    return [dict(r) for r in conn.execute(sa.select(*_STAFF_COLUMNS).order_by(users.c.id)).mappings()]


def staff_named(
    conn: sa.Connection, *, ids: Iterable[int | None] = (), usernames: Iterable[str | None] = ()
) -> list[dict[str, Any]]:
    """The accounts with these ids or usernames: the people a page names, not every account
    (a province has thousands)."""
    wanted_ids = sorted({i for i in ids if i is not None})
    wanted_names = sorted({u for u in usernames if u})
    if not wanted_ids and not wanted_names:
        return []
    found = sa.or_(users.c.id.in_(wanted_ids), users.c.username.in_(wanted_names))
    return [dict(r) for r in conn.execute(sa.select(*_STAFF_COLUMNS).where(found).order_by(users.c.id)).mappings()]


def active_staff(conn: sa.Connection, *, teams: Iterable[str], roles: Iterable[Role] = ()) -> list[dict[str, Any]]:
    """The active accounts of these teams, and of these roles in any team."""
    found = sa.or_(users.c.team.in_(sorted(set(teams))), users.c.role.in_([r.value for r in roles]))
    query = sa.select(*_STAFF_COLUMNS).where(users.c.active, found).order_by(users.c.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def pickable(conn: sa.Connection, *, team: str) -> list[dict[str, Any]]:
    """Whom a complaint of `team` is assigned or handed over to from its page: the active staff
    of its own hall, and the managers and directors of every hall and team (another hall's
    complaint goes to its manager, who assigns it there). Not every account: a province has
    thousands, and listing them all made the complaint page a dozen times slower."""
    return active_staff(conn, teams=[team], roles=(Role.MANAGER, Role.DIRECTOR))


def require_user(conn: sa.Connection, username: str) -> dict[str, Any]:
    row = get_by_username(conn, username)
    if row is None:
        raise NotFound("user_not_found", f"用户“{username}”不存在。", "username")
    return row


def list_accounts(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every account with its last login: for administrators only."""
    rows = conn.execute(
        sa.select(
            users.c.id,
            users.c.username,
            users.c.display_name,
            users.c.role,
            users.c.team,
            users.c.active,
            users.c.last_login_at,
        ).order_by(users.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def _actor_id(by: Actor | None) -> int | None:
    return None if by is None else by.id


def _account(conn: sa.Connection, user_id: int) -> dict[str, Any]:
    """An account an administrator may change: any but the system's own."""
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).mappings().first()
    if row is None:
        raise NotFound("user_not_found", f"用户 #{user_id} 不存在，请刷新页面后重试。", "user_id")
    if row["username"] == SYSTEM_USERNAME:
        raise Forbidden("system_account", "系统账号只供系统内部使用，不能修改。", "user_id")
    return dict(row)


def _revoke_sessions(conn: sa.Connection, *, user_id: int, now: datetime) -> None:
    conn.execute(
        api_tokens.update()
        .where(api_tokens.c.user_id == user_id, api_tokens.c.kind == "session", api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def set_active(conn: sa.Connection, *, user_id: int, active: bool, now: datetime, by: Actor | None = None) -> str:
    """Disable or enable an account. Disabling ends its logins at once; its API tokens are refused
    while it stays disabled (every request reads the account) and work again once it is enabled."""
    row = _account(conn, user_id)
    if by is not None and by.id == user_id and not active:
        raise Invalid("cannot_disable_self", "不能停用您自己的账号，请由另一位系统管理员操作。", "user_id")
    if row["active"] == active:
        raise Conflict("unchanged", f"用户“{row['username']}”已经是{'启用' if active else '停用'}状态。", "user_id")
    conn.execute(users.update().where(users.c.id == user_id).values(active=active))
    if not active:
        _revoke_sessions(conn, user_id=user_id, now=now)
    audit.record(
        conn,
        action="user_enabled" if active else "user_disabled",
        actor_id=_actor_id(by),
        at=now,
        target_user_id=user_id,
        data={"username": row["username"]},
    )
    return str(row["username"])


def check_new_password(username: str, password: str) -> None:
    """Refuse short, common or trivial passwords and ones containing the username, saying why."""
    reason = passwords.weakness(username, password)
    if reason is not None:
        raise Invalid("weak_password", reason, "password")


def set_password(conn: sa.Connection, *, user_id: int, password: str, now: datetime, by: Actor | None = None) -> str:
    """An administrator's password reset: the account's current logins end."""
    row = _account(conn, user_id)
    check_new_password(row["username"], password)
    conn.execute(users.update().where(users.c.id == user_id).values(password_hash=_hasher.hash(password)))
    _revoke_sessions(conn, user_id=user_id, now=now)
    audit.record(
        conn,
        action="password_reset",
        actor_id=_actor_id(by),
        at=now,
        target_user_id=user_id,
        data={"username": row["username"]},  # never the password
    )
    return str(row["username"])


def change_role_and_team(
    conn: sa.Connection, *, user_id: int, role: Role, team: str, now: datetime, by: Actor | None = None
) -> str:
    """Takes effect on the account's next request: tokens carry no role, each request reads it."""
    row = _account(conn, user_id)
    team = team.strip()
    require_team(role, team)
    if by is not None and by.id == user_id and role != Role(row["role"]):
        raise Invalid("cannot_change_own_role", "不能修改您自己的岗位，请由另一位系统管理员操作。", "role")
    before = {"role": row["role"], "team": row["team"]}
    after = {"role": role.value, "team": team}
    if before == after:
        raise Conflict("unchanged", "岗位和班组都没有变化。", "role")
    conn.execute(users.update().where(users.c.id == user_id).values(**after))
    audit.record(
        conn,
        action="user_changed",
        actor_id=_actor_id(by),
        at=now,
        target_user_id=user_id,
        data={"username": row["username"], "before": before, "after": after},
    )
    return str(row["username"])
