"""Loading and validating language.yaml."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tousu.knowledge.errors import KnowledgeBaseError
from tousu.knowledge.language import LanguageRules, load_language_rules, packaged_language_rules
from tousu.knowledge.source import data_dir
from tousu.matching import MatchView
from tousu.text import fold


@pytest.fixture(scope="module")
def raw_rules() -> dict[str, Any]:
    with (data_dir() / "language.yaml").open(encoding="utf-8") as fh:
        doc: dict[str, Any] = yaml.safe_load(fh)
    return doc


def _write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "language.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _phrase(doc: dict[str, Any], code: str) -> dict[str, Any]:
    return next(entry for entry in doc["phrases"] if entry["code"] == code)


def _load_broken(tmp_path: Path, raw_rules: dict[str, Any], change: Any) -> KnowledgeBaseError:
    doc = copy.deepcopy(raw_rules)
    change(doc)
    with pytest.raises(KnowledgeBaseError) as caught:
        load_language_rules(_write(tmp_path, doc))
    assert caught.value.file == "language.yaml"
    return caught.value


def test_packaged_rules_load_with_every_phrase_the_spec_names() -> None:
    rules = packaged_language_rules()
    assert isinstance(rules, LanguageRules)
    codes = {rule.code for rule in rules.phrases}
    assert {
        "you_are_mistaken",
        "you_confused_me",
        "already_said_clearly",
        "did_you_understand",
        "what_did_you_say",
        "provoke_escalation",
        "nothing_i_can_do",
        "not_my_responsibility",
        "bare_wait",
    } <= codes
    assert {rule.severity for rule in rules.phrases} == {"forbidden", "discouraged"}
    assert {"empathy_apology", "concrete_deadline", "what_we_can_do", "closing_improve"} <= {
        element.code for element in rules.elements
    }


def test_a_copy_of_the_packaged_file_loads(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    rules = load_language_rules(_write(tmp_path, raw_rules))
    assert len(rules.phrases) == len(raw_rules["phrases"])


def test_an_invalid_regex_names_its_entry(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    error = _load_broken(
        tmp_path, raw_rules, lambda doc: _phrase(doc, "bare_wait")["patterns"].append({"regex": "请(您"})
    )
    assert error.entry == "bare_wait"
    assert "正则表达式无效" in error.message


def test_a_regex_matching_empty_text_is_refused(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    error = _load_broken(tmp_path, raw_rules, lambda doc: _phrase(doc, "belittle")["patterns"].append({"regex": "啊*"}))
    assert error.entry == "belittle"
    assert "空文本" in error.message


def test_a_duplicate_code_is_refused(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    error = _load_broken(
        tmp_path, raw_rules, lambda doc: doc["phrases"].append(copy.deepcopy(_phrase(doc, "belittle")))
    )
    assert error.entry == "belittle"
    assert "重复" in error.message


def test_an_element_may_not_reuse_a_phrase_code(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    def clash(doc: dict[str, Any]) -> None:
        doc["elements"][0]["code"] = "belittle"

    error = _load_broken(tmp_path, raw_rules, clash)
    assert error.entry == "belittle"


def test_a_missing_field_is_named(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    error = _load_broken(tmp_path, raw_rules, lambda doc: _phrase(doc, "belittle").pop("reason"))
    assert error.entry == "belittle"
    assert "reason" in error.message


def test_replacement_must_be_never_or_phrasings(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    def empty_replacement(doc: dict[str, Any]) -> None:
        _phrase(doc, "belittle")["replacement"] = []

    error = _load_broken(tmp_path, raw_rules, empty_replacement)
    assert "never" in error.message


def test_a_replacement_that_breaks_a_rule_is_refused(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    def bad_replacement(doc: dict[str, Any]) -> None:
        _phrase(doc, "belittle")["replacement"] = ["这是公司规定"]

    error = _load_broken(tmp_path, raw_rules, bad_replacement)
    assert error.entry == "belittle"
    assert "rules_are_rules" in error.message


def test_a_rule_that_misses_its_own_example_is_refused(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    error = _load_broken(tmp_path, raw_rules, lambda doc: _phrase(doc, "belittle")["examples"].append("今天天气不错"))
    assert error.entry == "belittle"
    assert "今天天气不错" in error.message


def test_a_rule_that_fires_on_a_non_example_is_refused(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    error = _load_broken(
        tmp_path, raw_rules, lambda doc: _phrase(doc, "nothing_i_can_do")["non_examples"].append("我也没办法")
    )
    assert error.entry == "nothing_i_can_do"


def test_unless_near_must_name_an_element(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    def unknown(doc: dict[str, Any]) -> None:
        _phrase(doc, "bare_wait")["unless_near"] = ["no_such_element"]

    error = _load_broken(tmp_path, raw_rules, unknown)
    assert error.entry == "bare_wait"
    assert "no_such_element" in error.message


def test_a_demand_code_outside_the_taxonomy_is_refused(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    def unknown(doc: dict[str, Any]) -> None:
        doc["demands"][0]["code"] = "free_phone"

    error = _load_broken(tmp_path, raw_rules, unknown)
    assert error.entry == "free_phone"


def test_unknown_top_level_keys_and_missing_sections_are_refused(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    assert _load_broken(tmp_path, raw_rules, lambda doc: doc.update(extra=1)).entry == "extra"
    assert _load_broken(tmp_path, raw_rules, lambda doc: doc.pop("dialogue")).entry == "dialogue"


def test_a_character_in_two_variant_groups_is_refused(tmp_path: Path, raw_rules: dict[str, Any]) -> None:
    error = _load_broken(tmp_path, raw_rules, lambda doc: doc["variants"].append(["你", "尔"]))
    assert error.entry == "variants"


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "language.yaml"
    path.write_text("phrases: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError):
        load_language_rules(path)


def test_literal_phrases_tolerate_variants_spaces_and_script() -> None:
    rules = packaged_language_rules()
    for text in ["你搞错啦", "您 搞 錯 了", "妳搞錯了"]:
        assert "you_are_mistaken" in rules.fired_phrases(text), text


def test_matching_form_keeps_offsets_back_to_the_original() -> None:
    original = "客戶：您　搞 錯了！"
    folded = fold(original)
    assert len(folded) == len(original)
    view = MatchView.of(folded)
    start = view.text.index("您搞错了")
    assert view.span(start, start + 4) == (3, 9)
    assert original[3:9] == "您　搞 錯了"
