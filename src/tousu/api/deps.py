"""Request-scoped dependencies: the app state, the acting user and role checks."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.engine import Engine

from tousu.analysis import Analyzer
from tousu.domain.codes import Role
from tousu.domain.policy import Policy
from tousu.services import users
from tousu.services.actors import Actor, require_role
from tousu.services.analysis_port import TextAnalyzer, no_analysis
from tousu.settings import Settings

SESSION_COOKIE = "tousu_session"
TOKEN_CACHE_SECONDS = 5.0
"""How long another process may still accept a token revoked elsewhere."""


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    policy: Policy
    analyze: TextAnalyzer = no_analysis
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    analyzer: Analyzer | None = None  # the full analyzer, for /analyze
    # token -> (actor, expires_at, looked up at): saves a database read per request for a few seconds.
    token_cache: dict[str, tuple[Actor, datetime | None, float]] = field(default_factory=dict)

    write_lock: AbstractContextManager[None] = field(default_factory=nullcontext)  # see storage.db

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """One transaction, committed before the response is sent."""
        with self.write_lock, self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.engine.connect().execution_options(readonly=True) as conn, conn.begin():
            yield conn


async def get_state(request: Request) -> AppState:
    return request.app.state.tousu  # type: ignore[no-any-return]


State = Annotated[AppState, Depends(get_state)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


async def current_actor(request: Request, state: State) -> Actor:
    """Async on purpose: a cache hit costs no thread hop; a miss is one indexed read."""
    token = bearer_token(request)
    if token is None:
        raise users.Unauthorized("not_authenticated", "请先登录（缺少登录凭证或 API 令牌）。")
    now = state.clock()
    cached = state.token_cache.get(token)
    if cached is not None and time.monotonic() - cached[2] < TOKEN_CACHE_SECONDS:
        actor, expires_at, _ = cached
        if expires_at is not None and expires_at <= now:
            raise users.Unauthorized("session_expired", "登录已过期，请重新登录。")
        return actor
    with state.read() as conn:
        actor, expires_at = users.lookup_token(conn, token=token, now=now)
    if len(state.token_cache) > 10_000:
        state.token_cache.clear()
    state.token_cache[token] = (actor, expires_at, time.monotonic())
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def role_at_least(role: Role) -> Callable[[Actor], Awaitable[Actor]]:
    async def check(actor: CurrentActor) -> Actor:
        require_role(actor, role)
        return actor

    return check


Manager = Annotated[Actor, Depends(role_at_least(Role.MANAGER))]
Admin = Annotated[Actor, Depends(role_at_least(Role.ADMIN))]
