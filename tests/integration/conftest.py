"""An API client per backend, with staff of two halls and a controllable clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tousu.api.app import create_app
from tousu.domain.codes import Role
from tousu.services import users
from tousu.settings import Settings

STAFF = [
    ("agent1", Role.AGENT, "思明营业厅"),
    ("agent2", Role.AGENT, "思明营业厅"),
    ("agent_b", Role.AGENT, "湖里营业厅"),
    ("manager1", Role.MANAGER, "思明营业厅"),
    ("director1", Role.DIRECTOR, "客户中心"),
    ("admin1", Role.ADMIN, "服务管理室"),
]


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    def as_(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def post(self, path: str, who: str, body: Any = None, **kw: Any) -> Any:
        return self.client.post(f"/api/v1{path}", json=body, headers={**self.as_(who), **kw.pop("headers", {})}, **kw)

    def get(self, path: str, who: str, **kw: Any) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.as_(who), **kw)

    def patch(self, path: str, who: str, body: Any) -> Any:
        return self.client.patch(f"/api/v1{path}", json=body, headers=self.as_(who))


@pytest.fixture
def api(database_url: str, clock: Any) -> Iterator[Api]:
    settings = Settings(
        database_url=database_url, secret_key="integration-tests-secret-0123456789", scheduler_interval_seconds=0
    )
    app = create_app(settings, with_scheduler=False)
    state = app.state.tousu
    state.clock = clock
    tokens = {}
    with state.write() as conn:
        for username, role, team in STAFF:
            user_id = users.add_user(
                conn,
                username=username,
                password=None if username != "agent1" else "correct-horse-1",
                role=role,
                team=team,
                now=clock.now,
            )
            tokens[username] = users.issue_token(conn, user_id=user_id, kind="api", now=clock.now)
    with TestClient(app) as client:
        yield Api(client, tokens)
    state.engine.dispose()


def complaint_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "hotline",
        "customer": {"name": "王先生", "phone": "13900001111"},
        "content": "这个月被重复扣费两次，每次58元，要求双倍返还，不处理我就找记者曝光。",
    }
    body.update(overrides)
    return body
