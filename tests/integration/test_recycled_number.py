"""A phone number changes hands: each complaint keeps the name its caller gave, wherever it is
shown or printed, and the customer record takes the latest name."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import command

from tests.conftest import Clock
from tests.integration.conftest import Api, complaint_body
from tousu.storage.db import alembic_config, create_db_engine, upgrade

PHONE = "13900001111"


def _file(api: Api, name: str) -> dict[str, Any]:
    created = api.post("/complaints", "agent1", complaint_body(customer={"name": name, "phone": PHONE}))
    assert created.status_code == 201, created.text
    return dict(created.json())


def _name_on(api: Api, complaint_id: int) -> str:
    return str(api.get(f"/complaints/{complaint_id}", "agent1").json()["customer"]["name"])


def test_each_complaint_keeps_the_name_its_caller_gave(api: Api, clock: Clock) -> None:
    before = _file(api, "王先生")
    clock.advance(days=200)  # the number was given up and reissued
    after = _file(api, "李女士")
    assert after["customer"]["name"] == "李女士"
    assert _name_on(api, after["id"]) == "李女士"
    assert _name_on(api, before["id"]) == "王先生"

    listed = {i["id"]: i["customer"]["name"] for i in api.get("/complaints", "agent1").json()["items"]}
    assert listed == {before["id"]: "王先生", after["id"]: "李女士"}
    # The next call from the number is greeted by the latest name.
    found = api.get("/customers", "agent1", params={"phone": PHONE}).json()
    assert found["customer"]["name"] == "李女士"


def test_the_written_reply_is_addressed_to_the_caller_who_complained(api: Api, clock: Clock) -> None:
    _file(api, "王先生")
    clock.advance(days=200)
    complaint = _file(api, "李女士")
    version = api.get(f"/complaints/{complaint['id']}", "agent1").json()["version"]
    replied = api.post(f"/complaints/{complaint['id']}/reply", "agent1", {"version": version, "reply": "已为您处理。"})
    assert replied.status_code == 200, replied.text
    api.client.cookies.clear()
    page = api.client.get(
        f"/complaints/{complaint['id']}/documents/reply", headers={"Cookie": f"tousu_session={api.tokens['agent1']}"}
    )
    assert page.status_code == 200, page.text
    assert "尊敬的李女士" in page.text
    assert "王先生" not in page.text


def test_existing_complaints_take_their_customers_name_when_upgraded(api: Api, database_url: str) -> None:
    complaint = _file(api, "王先生")
    try:
        command.downgrade(alembic_config(database_url), "0018")
    finally:
        upgrade(database_url)  # the session's database stays at head for the other tests
    engine = create_db_engine(database_url)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT id, customer_name FROM complaints")).all()
    engine.dispose()
    assert [tuple(row) for row in stored] == [(complaint["id"], "王先生")]
