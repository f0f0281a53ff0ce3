"""The demo data is consistent with itself: the amount recorded with a complaint is the one its words name."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from tousu.demo import load_demo
from tousu.settings import Settings
from tousu.storage.db import create_db_engine, upgrade
from tousu.storage.tables import complaints


def test_a_demo_complaints_amount_is_the_one_its_words_name(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    try:
        load_demo(engine, Settings(database_url=url).policy, count=80, seed=3)
        with engine.connect() as conn:
            rows = conn.execute(sa.select(complaints.c.content, complaints.c.claimed_amount)).all()
    finally:
        engine.dispose()
    recorded = [(content, amount) for content, amount in rows if amount is not None]
    assert len(recorded) > 10
    for content, amount in recorded:
        assert re.search(rf"(?<!\d){int(amount)}(?!\d)", content), content  # never an amount the words do not name
