"""Staff accounts, password login (argon2) and bearer tokens (stored only as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tousu.domain.codes import Role
from tousu.services.actors import Actor
from tousu.services.errors import Conflict, Invalid, NotFound, ServiceError
from tousu.storage.tables import api_tokens, users

_hasher = PasswordHasher()
MIN_PASSWORD = 8


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
) -> int:
    if not username.strip() or not username.isascii() or " " in username:
        raise Invalid("invalid_username", "用户名只能使用字母、数字和符号，不能有空格。", "username")
    if password is not None and len(password) < MIN_PASSWORD:
        raise Invalid("weak_password", f"密码至少需要{MIN_PASSWORD}位。", "password")
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
    return user_id


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


def verify_password(conn: sa.Connection, *, username: str, password: str) -> Actor:
    row = get_by_username(conn, username)
    failure = Unauthorized("bad_credentials", "用户名或密码错误。")
    if row is None or not row["active"] or not row["password_hash"]:
        _hasher.hash(password)  # same cost whether or not the user exists
        raise failure
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        raise failure from None
    return actor_of(row)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    conn: sa.Connection,
    *,
    user_id: int,
    kind: str,
    name: str = "",
    now: datetime,
    ttl: timedelta | None = None,
) -> str:
    token = f"tsu_{secrets.token_urlsafe(32)}"
    conn.execute(
        api_tokens.insert().values(
            user_id=user_id,
            token_hash=_digest(token),
            kind=kind,
            name=name,
            created_at=now,
            expires_at=None if ttl is None else now + ttl,
        )
    )
    return token


def actor_for_token(conn: sa.Connection, *, token: str, now: datetime) -> Actor:
    return lookup_token(conn, token=token, now=now)[0]


def lookup_token(conn: sa.Connection, *, token: str, now: datetime) -> tuple[Actor, datetime | None]:
    """The token's user and when the token expires (None: an API token that does not)."""
    row = (
        conn.execute(
            sa.select(users, api_tokens.c.expires_at, api_tokens.c.revoked_at)
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_hash == _digest(token))
        )
        .mappings()
        .first()
    )
    if row is None or row["revoked_at"] is not None or not row["active"]:
        raise Unauthorized("invalid_token", "登录凭证无效，请重新登录。")
    if row["expires_at"] is not None and row["expires_at"] <= now:
        raise Unauthorized("session_expired", "登录已过期，请重新登录。")
    return actor_of(dict(row)), row["expires_at"]


def revoke_token(conn: sa.Connection, *, token: str, now: datetime) -> None:
    conn.execute(api_tokens.update().where(api_tokens.c.token_hash == _digest(token)).values(revoked_at=now))


def list_users(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = (
        conn.execute(
            sa.select(
                users.c.id, users.c.username, users.c.display_name, users.c.role, users.c.team, users.c.active
            ).order_by(users.c.id)
        )
        .mappings()
        .all()
    )
    return [dict(r) for r in rows]


def require_user(conn: sa.Connection, username: str) -> dict[str, Any]:
    row = get_by_username(conn, username)
    if row is None:
        raise NotFound("user_not_found", f"用户“{username}”不存在。", "username")
    return row
