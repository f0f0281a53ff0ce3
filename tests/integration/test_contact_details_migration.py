"""Migration 0018 moves a customer's address and ID number onto their earliest complaint, and back."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import command

from tests.integration.conftest import Api, complaint_body
from tousu.storage.db import alembic_config, create_db_engine, upgrade

ADDRESS = "厦门市思明区湖滨南路100号"
ID_NUMBER = "350203199001011234"


def _query(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def _columns(url: str, table: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        return {c["name"] for c in sa.inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_contact_details_move_to_the_earliest_complaint_and_back(api: Api, database_url: str, clock: Any) -> None:
    customer = {"name": "王先生", "phone": "13900001111", "address": ADDRESS, "id_number": ID_NUMBER}
    first = api.post("/complaints", "agent1", complaint_body(customer=customer)).json()
    clock.advance(hours=1)
    later = api.post("/complaints", "agent1", complaint_body(customer={"name": "王先生", "phone": "13900001111"}))
    later_id = later.json()["id"]
    try:
        command.downgrade(alembic_config(database_url), "0017")
        # The one record holds the address and number again.
        assert "customer_address" not in _columns(database_url, "complaints")
        assert _query(database_url, "SELECT address, id_number FROM customers") == [(ADDRESS, ID_NUMBER)]
    finally:
        upgrade(database_url)  # the session's database stays at head for the other tests
    assert not {"address", "id_number"} & _columns(database_url, "customers")
    moved = _query(database_url, "SELECT id, customer_address, customer_id_number FROM complaints ORDER BY id")
    assert moved == [(first["id"], ADDRESS, ID_NUMBER), (later_id, "", None)]
    # Seen as before by the hall that was told, on the later complaint too.
    assert api.get(f"/complaints/{later_id}", "manager1").json()["customer"]["id_number"] == ID_NUMBER
