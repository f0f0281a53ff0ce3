"""The taxonomy file: the shipped one loads, and every kind of mistake is refused by name."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from tousu.analysis.hints import HintMatcher
from tousu.domain.codes import Category, Demand, Emotion
from tousu.knowledge import load_knowledge_base
from tousu.knowledge.errors import KnowledgeBaseError
from tousu.knowledge.source import data_dir
from tousu.knowledge.taxonomy import URGENCY_CODES, load_taxonomy

SHIPPED = data_dir() / "taxonomy.yaml"


@pytest.fixture(scope="module")
def shipped_doc() -> dict:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def _write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _copy(doc: dict) -> dict:
    return yaml.safe_load(yaml.safe_dump(doc, allow_unicode=True))


def test_shipped_taxonomy_has_exactly_the_domain_codes() -> None:
    taxonomy = load_taxonomy(SHIPPED)
    assert [c.code for c in taxonomy.categories] == [c.value for c in Category]
    assert [d.code for d in taxonomy.demands] == [d.value for d in Demand]
    assert [e.code for e in taxonomy.emotions] == [e.value for e in Emotion]
    assert tuple(u.code for u in taxonomy.urgency) == URGENCY_CODES
    assert taxonomy.category("vas").name == "增值业务/代收费"


def test_unknown_category_code_is_refused_with_file_and_entry(tmp_path: Path, shipped_doc: dict) -> None:
    doc = _copy(shipped_doc)
    doc["categories"][0]["code"] = "billling"
    with pytest.raises(KnowledgeBaseError) as caught:
        load_taxonomy(_write(tmp_path, doc))
    assert caught.value.file == "taxonomy.yaml"
    assert caught.value.entry == "categories.billling"


def test_missing_demand_code_is_refused(tmp_path: Path, shipped_doc: dict) -> None:
    doc = _copy(shipped_doc)
    doc["demands"] = [d for d in doc["demands"] if d["code"] != "apology"]
    with pytest.raises(KnowledgeBaseError, match="apology"):
        load_taxonomy(_write(tmp_path, doc))


def test_an_explicit_anger_word_must_be_an_angry_cue(tmp_path: Path, shipped_doc: dict) -> None:
    """It decides through the cue that finds it, with that cue's exclusions (我不气愤)."""
    doc = _copy(shipped_doc)
    doc["decision"]["emotion"]["explicit"].append("怒发冲冠")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_taxonomy(_write(tmp_path, doc))
    assert caught.value.entry == "decision.emotion.explicit" and "怒发冲冠" in caught.value.message


def test_bad_regex_names_the_label(tmp_path: Path, shipped_doc: dict) -> None:
    doc = _copy(shipped_doc)
    doc["demands"][0]["signals"].append({"weight": 1.0, "regexes": ["(未闭合"]})
    with pytest.raises(KnowledgeBaseError) as caught:
        load_taxonomy(_write(tmp_path, doc))
    assert caught.value.entry == "demands.explanation"
    assert "regex" in caught.value.message


def test_regex_matching_empty_text_is_refused(tmp_path: Path, shipped_doc: dict) -> None:
    doc = _copy(shipped_doc)
    doc["demands"][0]["signals"].append({"weight": 1.0, "regexes": ["(退款)?"]})
    with pytest.raises(KnowledgeBaseError, match="empty"):
        load_taxonomy(_write(tmp_path, doc))


def test_duplicate_keyword_in_one_label_is_refused(tmp_path: Path, shipped_doc: dict) -> None:
    doc = _copy(shipped_doc)
    doc["demands"][1]["signals"].append({"weight": 1.0, "keywords": ["退款"]})
    with pytest.raises(KnowledgeBaseError, match="duplicate cue"):
        load_taxonomy(_write(tmp_path, doc))


def test_duplicate_code_is_refused(tmp_path: Path, shipped_doc: dict) -> None:
    doc = _copy(shipped_doc)
    doc["emotions"].append(dict(doc["emotions"][0]))
    with pytest.raises(KnowledgeBaseError, match="duplicate code"):
        load_taxonomy(_write(tmp_path, doc))


def test_typo_fix_must_keep_the_length(tmp_path: Path, shipped_doc: dict) -> None:
    doc = _copy(shipped_doc)
    doc["typos"]["消协会"] = "消费者协会"
    with pytest.raises(KnowledgeBaseError, match="length"):
        load_taxonomy(_write(tmp_path, doc))


def test_one_character_keyword_is_refused(tmp_path: Path, shipped_doc: dict) -> None:
    doc = _copy(shipped_doc)
    doc["categories"][0]["signals"].append({"weight": 1.0, "keywords": ["扣"]})
    with pytest.raises(KnowledgeBaseError, match="too short"):
        load_taxonomy(_write(tmp_path, doc))


def test_unknown_condition_in_derived_hint_is_refused(tmp_path: Path, shipped_doc: dict) -> None:
    doc = _copy(shipped_doc)
    doc["derived_hints"][0]["when_any"] = ["signal:earthquake"]
    with pytest.raises(KnowledgeBaseError, match="signal:earthquake"):
        load_taxonomy(_write(tmp_path, doc))


def test_yields_to_must_name_a_label_of_the_same_section(tmp_path: Path, shipped_doc: dict) -> None:
    doc = _copy(shipped_doc)
    doc["demands"][1]["yields_to"] = ["billing"]
    with pytest.raises(KnowledgeBaseError, match="billing"):
        load_taxonomy(_write(tmp_path, doc))


def test_hotline_numbers_may_be_written_as_yaml_numbers(tmp_path: Path, shipped_doc: dict) -> None:
    doc = _copy(shipped_doc)
    doc["demands"][8]["signals"].append({"weight": 2.0, "keywords": [96315]})
    taxonomy = load_taxonomy(_write(tmp_path, doc))
    assert "96315" in taxonomy.demand(doc["demands"][8]["code"]).keyword_list()


def test_hint_evidence_regex_that_matches_nothing_is_refused(tmp_path: Path, shipped_doc: dict) -> None:
    doc = _copy(shipped_doc)
    doc["hint_evidence"][0]["requires"] = ["(记者)?"]
    with pytest.raises(KnowledgeBaseError, match="empty string"):
        load_taxonomy(_write(tmp_path, doc))


def test_hint_evidence_must_name_a_known_profile_or_scenario(tmp_path: Path, shipped_doc: dict) -> None:
    doc = _copy(shipped_doc)
    doc["hint_evidence"][0]["target"] = "profile:no_such_profile"
    kb = dataclasses.replace(load_knowledge_base(), taxonomy=load_taxonomy(_write(tmp_path, doc)))
    with pytest.raises(KnowledgeBaseError, match=r"hint_evidence\.profile:no_such_profile"):
        HintMatcher(kb)
