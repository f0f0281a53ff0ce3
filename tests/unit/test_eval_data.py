"""Guards the labelled evaluation sets for the complaint analyzer.

The sets are trusted as ground truth, so a malformed line, an unknown code, a
mislabelled script or a holdout or fresh text copied from another set must fail here.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import opencc
import pytest

from tousu.domain.codes import Category, Demand, Emotion

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEV_FILE = DATA_DIR / "analyzer_dev.jsonl"
HOLDOUT_FILE = DATA_DIR / "analyzer_holdout.jsonl"
FRESH_FILE = DATA_DIR / "analyzer_fresh.jsonl"
FRESH2_FILE = DATA_DIR / "analyzer_fresh2.jsonl"
FRESH3_FILE = DATA_DIR / "analyzer_fresh3.jsonl"
FRESH4_FILE = DATA_DIR / "analyzer_fresh4.jsonl"
FRESH5_FILE = DATA_DIR / "analyzer_fresh5.jsonl"
FRESH6_FILE = DATA_DIR / "analyzer_fresh6.jsonl"
FRESH7_FILE = DATA_DIR / "analyzer_fresh7.jsonl"
FRESH8_FILE = DATA_DIR / "analyzer_fresh8.jsonl"
FRESH9_FILE = DATA_DIR / "analyzer_fresh9.jsonl"
FRESH10_FILE = DATA_DIR / "analyzer_fresh10.jsonl"

FIELDS = {
    "id",
    "text",
    "category",
    "demands",
    "emotion",
    "industry",
    "script",
    "source",
    "threats",
    "note",
}
THREATS = {"media_threat", "regulator_threat", "litigation", "group_incident", "violence"}
# Threat kinds that are also demand codes must agree with the demands list.
THREAT_DEMANDS = {"media_threat", "regulator_threat"}

SETS = [
    "dev",
    "holdout",
    "fresh",
    "fresh2",
    "fresh3",
    "fresh4",
    "fresh5",
    "fresh6",
    "fresh7",
    "fresh8",
    "fresh9",
    "fresh10",
]
MIN_SIZE = {
    "dev": 170,
    "holdout": 80,
    "fresh": 120,
    "fresh2": 120,
    "fresh3": 150,
    "fresh4": 150,
    "fresh5": 150,
    "fresh6": 150,
    "fresh7": 150,
    "fresh8": 150,
    "fresh9": 150,
    "fresh10": 150,
}
MIN_PER_CODE = {
    "dev": 6,
    "holdout": 3,
    "fresh": 5,
    "fresh2": 5,
    "fresh3": 6,
    "fresh4": 6,
    "fresh5": 6,
    "fresh6": 6,
    "fresh7": 6,
    "fresh8": 6,
    "fresh9": 6,
    "fresh10": 6,
}

SPEAKER_TAG = re.compile(
    r"^(客户|客戶|客服|营业员|營業員|店员|店員|服务员|服務員|收银员|顾客|顧客|職員|我|对方|對方|A|B)[：:]", re.M
)
SENTENCE_END = re.compile(r"[。！？!?\n；;…]+")
NOISE = re.compile(r"[\s，,、：:“”「」『』\"'（）()《》~～.。！？!?；;…]+")
# Keywords that look like a threat or a manager demand; when one appears but the
# label is absent, the record must carry a note saying why (a hard negative).
LOOKALIKES = {
    Demand.MEDIA_THREAT: ("记者", "曝光", "媒体", "电视", "微博", "抖音", "朋友圈"),
    Demand.REGULATOR_THREAT: ("工信部", "12315", "12300", "消协", "法院", "起诉"),
    Demand.MANAGER: ("领导", "经理", "店长"),
}

Record = dict[str, Any]


def _load(path: Path) -> list[Record]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            pytest.fail(f"{path.name} line {number} is not valid JSON: {error}")
        assert isinstance(record, dict), f"{path.name} line {number} is not an object"
        records.append(record)
    return records


@pytest.fixture(scope="module")
def sets() -> dict[str, list[Record]]:
    return {
        "dev": _load(DEV_FILE),
        "holdout": _load(HOLDOUT_FILE),
        "fresh": _load(FRESH_FILE),
        "fresh2": _load(FRESH2_FILE),
        "fresh3": _load(FRESH3_FILE),
        "fresh4": _load(FRESH4_FILE),
        "fresh5": _load(FRESH5_FILE),
        "fresh6": _load(FRESH6_FILE),
        "fresh7": _load(FRESH7_FILE),
        "fresh8": _load(FRESH8_FILE),
        "fresh9": _load(FRESH9_FILE),
        "fresh10": _load(FRESH10_FILE),
    }


@pytest.fixture(scope="module")
def t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _all(sets: dict[str, list[Record]]) -> list[Record]:
    return [record for records in sets.values() for record in records]


def _share(records: list[Record], predicate: Any) -> float:
    return sum(1 for r in records if predicate(r)) / len(records)


def test_every_record_has_exactly_the_contract_fields(sets):
    for record in _all(sets):
        assert set(record) == FIELDS, record.get("id")
        assert isinstance(record["text"], str) and isinstance(record["note"], str)
        assert isinstance(record["demands"], list) and isinstance(record["threats"], list)


def test_ids_are_unique_and_carry_their_file_prefix(sets):
    ids = [r["id"] for r in _all(sets)]
    assert len(ids) == len(set(ids))
    for name, records in sets.items():
        for record in records:
            assert re.fullmatch(rf"{name}-\d{{3}}", record["id"]), record["id"]


def test_labels_are_taxonomy_codes(sets):
    for record in _all(sets):
        assert record["category"] in set(Category), record["id"]
        assert record["emotion"] in set(Emotion), record["id"]
        assert set(record["demands"]) <= set(Demand), record["id"]
        assert len(record["demands"]) == len(set(record["demands"])), record["id"]


def test_descriptive_fields_use_known_values(sets):
    for record in _all(sets):
        assert record["industry"] in {"telecom", "retail"}, record["id"]
        assert record["script"] in {"simplified", "traditional"}, record["id"]
        assert re.fullmatch(r"seed:00[0-4]|variant|fresh\d*", record["source"]), record["id"]
    # The holdout is written from scratch, never retold from a seed.
    assert {r["source"] for r in sets["holdout"]} == {"variant"}
    # The fresh set is independent of both, and only it is marked so.
    for name in ("fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9", "fresh10"):
        assert {r["source"] for r in sets[name]} == {name}


def test_threats_agree_with_demands(sets):
    for record in _all(sets):
        threats = set(record["threats"])
        assert threats <= THREATS, record["id"]
        assert len(record["threats"]) == len(threats), record["id"]
        assert threats & THREAT_DEMANDS == set(record["demands"]) & THREAT_DEMANDS, record["id"]
        if "litigation" in threats:
            assert "regulator_threat" in record["demands"], record["id"]


def test_script_label_matches_the_characters(sets, t2s):
    for record in _all(sets):
        is_simplified = t2s.convert(record["text"]) == record["text"]
        assert is_simplified == (record["script"] == "simplified"), record["id"]


def test_text_lengths_stay_in_range(sets):
    for name, records in sets.items():
        lengths = [len(r["text"]) for r in records]
        assert min(lengths) >= 8 and max(lengths) <= 600, name  # one-line outbursts are real
        assert _share(records, lambda r: 60 <= len(r["text"]) <= 250) >= 0.5, name
        assert _share(records, lambda r: len(r["text"]) < 40) > 0, name


def test_no_text_appears_twice_across_the_files(sets):
    texts = [re.sub(r"\s+", "", r["text"]) for r in _all(sets)]
    duplicates = [t for t, n in Counter(texts).items() if n > 1]
    assert duplicates == []


def _sentences(text: str, t2s: opencc.OpenCC) -> set[str]:
    parts = (NOISE.sub("", t2s.convert(s)) for s in SENTENCE_END.split(text))
    return {p for p in parts if len(p) >= 6}


@pytest.mark.parametrize(
    ("name", "earlier"),
    [
        ("holdout", ("dev",)),
        ("fresh", ("dev", "holdout")),
        ("fresh2", ("dev", "holdout", "fresh")),
        ("fresh3", ("dev", "holdout", "fresh", "fresh2")),
        ("fresh4", ("dev", "holdout", "fresh", "fresh2", "fresh3")),
        ("fresh5", ("dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4")),
        ("fresh6", ("dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5")),
        ("fresh7", ("dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6")),
        ("fresh8", ("dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7")),
        ("fresh9", ("dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8")),
        (
            "fresh10",
            ("dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9"),
        ),
    ],
)
def test_later_sets_reuse_no_sentence_of_earlier_ones(sets, t2s, name, earlier):
    seen = set().union(*(_sentences(r["text"], t2s) for e in earlier for r in sets[e]))
    reused = {(r["id"], s) for r in sets[name] for s in _sentences(r["text"], t2s) & seen}
    assert reused == set()


@pytest.mark.parametrize("name", SETS)
def test_sets_are_large_enough_and_cover_every_code(sets, name):
    records = sets[name]
    assert len(records) >= MIN_SIZE[name]
    categories = Counter(r["category"] for r in records)
    demands = Counter(d for r in records for d in r["demands"])
    for category in Category:
        assert categories[category] >= MIN_PER_CODE[name], (name, category)
    for demand in Demand:
        assert demands[demand] >= MIN_PER_CODE[name], (name, demand)


@pytest.mark.parametrize("name", SETS)
def test_sets_keep_realistic_proportions(sets, name):
    records = sets[name]
    for emotion in Emotion:
        assert _share(records, lambda r, wanted=emotion: r["emotion"] == wanted) >= 0.1, (name, emotion)
    assert 0.15 <= _share(records, lambda r: r["script"] == "traditional") <= 0.3
    assert 0.2 <= _share(records, lambda r: r["industry"] == "retail") <= 0.4
    assert 0.1 <= _share(records, lambda r: len(SPEAKER_TAG.findall(r["text"])) >= 2) <= 0.25
    assert _share(records, lambda r: not r["demands"]) > 0
    assert {"group_incident", "litigation", "violence"} <= {t for r in records for t in r["threats"]}


def test_dev_set_draws_on_the_seed_cases(sets):
    sources = Counter(r["source"] for r in sets["dev"])
    for seed in ("seed:000", "seed:002", "seed:003", "seed:004"):
        assert sources[seed] >= 3, seed


def test_unlabelled_lookalike_keywords_are_explained_by_a_note(sets, t2s):
    for record in _all(sets):
        text = t2s.convert(record["text"])
        for demand, keywords in LOOKALIKES.items():
            if any(k in text for k in keywords) and demand not in record["demands"]:
                assert record["note"], (record["id"], demand)
