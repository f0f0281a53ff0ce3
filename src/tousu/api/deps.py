"""Request-scoped dependencies: the app state, the acting user and role checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from tousu.analysis import Analyzer
from tousu.domain.codes import Role
from tousu.domain.policy import Policy
from tousu.services import logins, users
from tousu.services.actors import Actor, require_role
from tousu.services.analysis_port import ActiveModel, TextAnalyzer, no_analysis
from tousu.services.industry import serving
from tousu.services.policy_settings import ActivePolicy
from tousu.settings import Settings

SESSION_COOKIE = "tousu_session"


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    # The policy in use: the file's with the administrators' overrides, followed without a restart.
    policies: ActivePolicy
    # The analyzer in use: the organisation's active model, swapped in without a restart.
    models: ActiveModel = field(default_factory=lambda: ActiveModel.fixed(None, no_analysis))
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    write_lock: AbstractContextManager[None] = field(default_factory=nullcontext)  # see storage.db

    @property
    def policy(self) -> Policy:
        return self.policies.current(self.clock())

    @policy.setter
    def policy(self, policy: Policy) -> None:
        """Replace the file policy (tests, tools); the stored overrides still apply over it."""
        self.policies.base = policy

    @property
    def analyze(self) -> TextAnalyzer:
        """What intake stores of an analysis."""
        return self.models.current(self.clock()).analyze

    @property
    def analyzer(self) -> Analyzer | None:
        """The full analyzer, for /analyze and the pages."""
        return self.models.current(self.clock()).analyzer

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """One transaction, committed before the response is sent."""
        industry = self.policy.industry
        with self.write_lock, self.engine.begin() as conn:
            yield serving(conn, industry)

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        industry = self.policy.industry
        with self.engine.connect().execution_options(readonly=True) as conn, conn.begin():
            yield serving(conn, industry)


async def get_state(request: Request) -> AppState:
    return request.app.state.tousu  # type: ignore[no-any-return]


State = Annotated[AppState, Depends(get_state)]


def header_bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header; None for any other header."""
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None


def bearer_token(request: Request) -> str | None:
    """A Bearer header, when sent, is the only credential (the cookie then counts for nothing);
    otherwise the session cookie, whose unsafe API requests the CSRF check guards."""
    header = request.headers.get("authorization")
    if header is not None and header[:7].lower() == "bearer ":
        return header_bearer(header)
    return request.cookies.get(SESSION_COOKIE)


def client_address(request: Request, settings: Settings) -> str:
    """The client's address. X-Forwarded-For is believed only from a configured proxy
    (TOUSU_TRUSTED_PROXIES), read from the right, skipping the trusted proxies themselves."""
    peer = request.client.host if request.client else "unknown"
    trusted = settings.trusted_networks
    if not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return str(ip_address(hop)) if _is_ip(hop) else peer  # what our proxy saw, or nothing usable
    return hops[0] if hops else peer


def password_login(state: AppState, request: Request, username: str, password: str) -> logins.Login:
    """The one login of the API and the web pages: throttled, argon2 outside the write lock."""
    settings = state.settings
    return logins.login(
        state.read,
        state.write,
        username=username,
        password=password,
        address=client_address(request, settings),
        now=state.clock(),
        policy=logins.ThrottlePolicy(
            per_account=settings.login_max_failures,
            per_address=settings.login_max_failures_per_address,
            window=timedelta(minutes=settings.login_block_minutes),
        ),
        session_ttl=timedelta(hours=settings.session_hours),
    )


def _is_ip(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def _trusted(address: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    return _is_ip(address) and any(ip_address(address) in network for network in networks)


async def current_actor(request: Request, state: State) -> Actor:
    """The token's user, read from the database on every request.

    No per-process cache: a revoked token, a disabled account or a changed role must take
    effect at once in every process, and a cache could only be trusted after a read of some
    revocation marker, which costs the same round trip as this read of the token row by its
    unique index. Async on purpose: that one short read costs no thread hop; the rarer write of
    the token's last use goes to a worker thread.
    """
    token = bearer_token(request)
    if token is None:
        raise users.Unauthorized("not_authenticated", "请先登录（缺少登录凭证或 API 令牌）。")
    now = state.clock()
    with state.read() as conn:
        check = users.lookup_token(conn, token=token, now=now)
    if check.touch:
        await run_in_threadpool(_touch, state, check.token_id, now)
    request.state.actor = check.actor  # named in the access log line
    return check.actor


def _touch(state: AppState, token_id: int, now: datetime) -> None:
    with state.write() as conn:
        users.touch_token(conn, token_id=token_id, now=now)


CurrentActor = Annotated[Actor, Depends(current_actor)]


def role_at_least(role: Role) -> Callable[[Actor], Awaitable[Actor]]:
    async def check(actor: CurrentActor) -> Actor:
        require_role(actor, role)
        return actor

    return check


Manager = Annotated[Actor, Depends(role_at_least(Role.MANAGER))]
Admin = Annotated[Actor, Depends(role_at_least(Role.ADMIN))]
