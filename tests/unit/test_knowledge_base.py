"""The packaged knowledge base: its doctrine, its lookups, and how broken files are reported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tousu.domain.codes import Demand
from tousu.knowledge import (
    SLOT_DEFAULTS,
    KnowledgeBase,
    KnowledgeBaseError,
    LawKind,
    ProfileGroup,
    ScenarioGroup,
    StrategyUsage,
    UnknownEntryError,
    load_knowledge_base,
    render_script,
    script_slots,
)
from tousu.knowledge.source import data_dir


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


# ---------------------------------------------------------------- the doctrine as data


def test_every_demand_code_has_a_playbook_with_strategies_and_scripts(kb: KnowledgeBase) -> None:
    assert set(kb.demands) == set(Demand)
    for demand in Demand:
        playbook = kb.demands[demand]
        assert kb.strategies_of(playbook), demand
        assert len(playbook.scripts) >= 2, demand


def test_high_compensation_playbook_follows_the_seeds_order(kb: KnowledgeBase) -> None:
    codes = [strategy.code for strategy in kb.strategies_of(kb.demand("高额赔偿"))]
    expected = [
        "ignore_first_mention",
        "pygmalion",
        "hinting",
        "broken_record",
        "retreat_to_advance",
        "question",
        "contrast",
    ]
    assert codes[: len(expected)] == expected
    assert "civil_code_584" in kb.demand("high_compensation").laws


def test_the_seeds_strategies_are_all_present(kb: KnowledgeBase) -> None:
    names = {
        "破唱片机法",
        "皮格马利翁效应",
        "暗示法",
        "以退为进法",
        "问题法",
        "对比法",
        "直接拒绝法",
        "条件假设法",
        "转移话题",
        "目的引导法",
        "置之不理",
        "先处理心情再处理事情",
        "情感银行",
    }
    assert names <= {strategy.name for strategy in kb.strategies.values()}
    assert all(len(strategy.examples) >= 2 for strategy in kb.strategies.values())


def test_broken_record_stops_when_emotion_rises_and_contrast_is_used_with_care(kb: KnowledgeBase) -> None:
    assert any("情绪" in rule for rule in kb.strategy("破唱片机法").when_not_to_use)
    assert kb.strategy("对比法").usage is StrategyUsage.WITH_CARE
    assert "谨慎" in (kb.strategy("对比法").caution or "")


def test_outdated_citations_name_what_they_replaced(kb: KnowledgeBase) -> None:
    assert "合同法第113条" in (kb.law("民法典第584条").replaces or "")
    fraud = kb.law("consumer_law_55")
    assert (fraud.parameters["fraud_multiple"], fraud.parameters["fraud_minimum_yuan"]) == (3, 500)
    assert "第49条" in (fraud.replaces or "")
    assert "2001" in (kb.law("appeal_rules_10").replaces or "")


def test_appeal_rules_carry_their_time_limits(kb: KnowledgeBase) -> None:
    assert kb.law("appeal_rules_10").parameters["operator_reply_days"] == 15
    assert kb.law("appeal_rules_11").parameters == {"billing_dispute_months": 5, "other_matter_years": 2}
    assert kb.law("appeal_rules_14").parameters == {"decision_working_days": 5, "reply_days": 30}
    for article in ("31", "32", "33", "34", "35", "39", "40"):
        assert kb.law(f"telecom_reg_{article}").effective.year == 2016  # type: ignore[union-attr]


def test_company_policies_are_kept_apart_from_law(kb: KnowledgeBase) -> None:
    policies = {law.id for law in kb.laws.values() if law.kind is LawKind.COMPANY_POLICY}
    assert {"policy_double_refund", "policy_gift_authority", "policy_reply_48h"} <= policies
    assert kb.law("policy_reply_48h").parameters["reply_hours"] == 48
    assert all(law.effective is not None for law in kb.laws.values() if law.kind is not LawKind.COMPANY_POLICY)


def test_profiles_cover_difficult_types_personalities_and_motives(kb: KnowledgeBase) -> None:
    names = lambda group: {profile.name for profile in kb.profiles_in(group)}  # noqa: E731
    difficult = {"投诉为生型", "政策质疑型", "万事通型", "欲语不休型", "有理在先型", "变色龙型"}
    assert difficult <= names(ProfileGroup.DIFFICULT)
    assert names(ProfileGroup.PERSONALITY) == {"和平型", "活泼型", "完美型", "力量型"}
    assert names(ProfileGroup.MOTIVE) == {"质量监督型", "理智型", "谈判型", "受害型", "忠实拥戴型"}
    assert len(kb.profile("有理在先").sub_cases) == 3


def test_scenarios_hold_the_eighteen_everyday_cases_and_the_group_incident_rules(kb: KnowledgeBase) -> None:
    everyday = [s for s in kb.scenarios.values() if s.group is ScenarioGroup.EVERYDAY]
    assert len(everyday) == 18
    blocking = kb.scenario("blocking_others")
    steps = " ".join(blocking.measures)
    assert "110" in steps and "2-3" in steps and "不得动手" in steps
    assert "综合部" in " ".join(kb.scenario("reporter_visit").measures)
    card = kb.scenario("充值卡密码被套取")
    assert [case.condition for case in card.cases] == ["在本公司营业厅购买", "在营业厅以外的渠道购买"]
    assert "24小时" in kb.scenario("wrong_number_topup").situation


def test_every_script_uses_only_known_slots(kb: KnowledgeBase) -> None:
    scripts = [s for strategy in kb.strategies.values() for s in strategy.examples]
    scripts += [s for playbook in kb.demands.values() for s in playbook.scripts]
    used = {slot for script in scripts for slot in script_slots(script)}
    assert used <= set(SLOT_DEFAULTS)
    assert {"称呼", "金额", "期限", "业务"} <= used


# ---------------------------------------------------------------- lookups and matching


def test_an_entry_is_found_by_code_name_alias_and_traditional_characters(kb: KnowledgeBase) -> None:
    strategy = kb.strategy("broken_record")
    assert kb.strategy("破唱片机法") is strategy
    assert kb.strategy("乒乓法") is strategy
    assert kb.strategy(" 破唱片機法 ") is strategy
    assert kb.law("民法典 第584条") is kb.law("civil_code_584")
    assert kb.industry().code == "telecom"


def test_an_unknown_name_raises_a_bilingual_lookup_error(kb: KnowledgeBase) -> None:
    with pytest.raises(UnknownEntryError) as caught:
        kb.strategy("不存在的方法")
    assert "知识库中没有" in str(caught.value) and "no strategy named" in str(caught.value)


def test_search_lists_name_matches_before_text_matches(kb: KnowledgeBase) -> None:
    found = [(entry.entry_kind, entry.key) for entry in kb.search("霸王条款")]
    assert found[0] == ("demand", "unfair_terms")
    assert ("profile", "policy_challenger") in found
    assert kb.search("   ") == []


def test_signals_match_colloquial_traditional_and_full_width_text(kb: KnowledgeBase) -> None:
    assert kb.match_scenarios("昨天充話費充錯號碼了，２００塊能退嗎")[0].entry.code == "wrong_number_topup"
    profiles = [match.entry.code for match in kb.match_profiles("我都投诉过好多次了，12315和工信部都找过")]
    assert profiles[0] == "professional_complainant"
    assert kb.match_profiles("你最好了，哈哈")[0].entry.code == "lively"
    assert kb.match_profiles("您好，我想咨询一下套餐") == []


def test_scenarios_of_another_industry_are_not_matched(kb: KnowledgeBase) -> None:
    text = "健身卡换了老板就不能用了，还要我加钱换卡"
    assert [m.entry.code for m in kb.match_scenarios(text, "retail")] == ["prepaid_card_store_change"]
    assert kb.match_scenarios(text) == []


def test_render_script_fills_slots_and_falls_back_to_neutral_wording(kb: KnowledgeBase) -> None:
    template = "{称呼}，{金额}会在{期限}内退回，详情请拨打{热线}。"
    filled = render_script(template, {"称呼": "王先生", "金额": "50元"})
    assert filled == "王先生，50元会在48小时内退回，详情请拨打客服热线。"
    assert render_script(template) == "相关费用会在48小时内退回，详情请拨打客服热线。"
    assert render_script("请{称呼}稍坐，{工号}为您服务") == "请您稍坐，工号为您服务"
    filled = kb.render(template, {"称呼": "李女士", "金额": " "})
    assert filled == "李女士，相关费用会在48小时内退回，详情请拨打10086。"
    assert kb.render("欢迎到{门店}办理", industry="retail") == "欢迎到本店办理"


# ---------------------------------------------------------------- broken files

Mutation = Callable[[dict[str, Any]], None]


def _entry(doc: dict[str, Any], key: str, code: str) -> dict[str, Any]:
    return next(entry for entry in doc[key] if entry.get("code", entry.get("id")) == code)


def _set(key: str, code: str, field: str, value: Any) -> Mutation:
    return lambda doc: _entry(doc, key, code).__setitem__(field, value)


def _drop(key: str, code: str, field: str | None = None) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        if field is None:
            doc[key].remove(_entry(doc, key, code))
        else:
            del _entry(doc, key, code)[field]

    return mutate


def _duplicate(key: str, code: str) -> Mutation:
    return lambda doc: doc[key].append(dict(_entry(doc, key, code)))


BROKEN = {
    "unknown strategy reference": (
        "demands.yaml",
        _set("demands", "high_compensation", "strategies", ["broken_record", "brokn_record"]),
        "high_compensation",
        "brokn_record",
    ),
    "unknown law reference": (
        "scenarios.yaml",
        _set("scenarios", "wrong_number_topup", "laws", ["policy_wrong_top_up"]),
        "wrong_number_topup",
        "policy_wrong_top_up",
    ),
    "unknown taxonomy category": (
        "industries.yaml",
        lambda doc: _entry(doc, "industries", "retail")["categories"].append({"code": "pharmacy"}),
        "retail",
        "pharmacy",
    ),
    "missing field": ("strategies.yaml", _drop("strategies", "broken_record", "summary"), "broken_record", "summary"),
    "misspelt field": ("profiles.yaml", _set("profiles", "chameleon", "singals", ["反悔"]), "chameleon", "singals"),
    "duplicate code": ("laws.yaml", _duplicate("laws", "civil_code_584"), "civil_code_584", "duplicate"),
    "duplicate name": (
        "strategies.yaml",
        _set("strategies", "question", "aliases", ["对比法"]),
        "contrast",
        "question",
    ),
    "missing demand playbook": ("demands.yaml", _drop("demands", "apology"), "apology", "apology"),
    "unknown slot": (
        "strategies.yaml",
        _set("strategies", "hinting", "examples", ["{客户姓名}您好", "您好"]),
        "hinting",
        "客户姓名",
    ),
    "unbalanced brace": (
        "demands.yaml",
        _set("demands", "refund", "scripts", ["{称呼，您好", "您好"]),
        "refund",
        "花括号",
    ),
    "bad signal regex": ("profiles.yaml", _set("profiles", "victim", "signals", ["(委屈"]), "victim", "regex"),
    "forbidden phrase in a script": (
        "strategies.yaml",
        _set("strategies", "empathy", "examples", ["我也没办法", "您好"]),
        "empathy",
        "nothing_i_can_do",
    ),
    "taxonomy hint naming an unknown scenario": (
        "taxonomy.yaml",
        lambda doc: doc["derived_hints"][0].__setitem__("target", "scenario:no_such"),
        "derived_hints.scenario:no_such",
        "scenario",
    ),
    "two default industries": ("industries.yaml", _set("industries", "retail", "default", True), "retail", "default"),
    "law without a date": ("laws.yaml", _drop("laws", "consumer_law_24", "effective"), "consumer_law_24", "effective"),
    "law for an unknown category": (
        "laws.yaml",
        _set("laws", "telecom_reg_39", "categories", ["pharmacy"]),
        "telecom_reg_39",
        "categories",
    ),
    "script fitting an unknown industry": (
        "strategies.yaml",
        _set("strategies", "hinting", "examples", [{"text": "您好", "fits": {"industries": ["bank"]}}, "您好啊"]),
        "hinting",
        "bank",
    ),
    "script fitting an unknown category": (
        "strategies.yaml",
        _set("strategies", "hinting", "examples", [{"text": "您好", "fits": {"categories": ["pharmacy"]}}, "您好啊"]),
        "hinting",
        "categories",
    ),
    "misspelt key of a fitted script": (
        "strategies.yaml",
        _set("strategies", "hinting", "examples", [{"text": "您好", "fit": {"demands": ["refund"]}}, "您好啊"]),
        "hinting",
        "fit",
    ),
    "playbook line naming a basis its remedy lacks": (
        "demands.yaml",
        _set(
            "demands",
            "refund",
            "may_grant",
            [{"text": "减免", "remedy": "fee_waiver", "bases": ["policy_double_refund"]}],
        ),
        "refund",
        "policy_double_refund",
    ),
}


@pytest.fixture(scope="module")
def packaged_files() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in data_dir().glob("*.yaml")}


def _write_copy(tmp_path: Path, packaged_files: dict[str, str]) -> Path:
    directory = tmp_path / "kb"
    directory.mkdir()
    for name, text in packaged_files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_file_is_reported_with_its_file_and_entry(
    case: str, tmp_path: Path, packaged_files: dict[str, str]
) -> None:
    file, mutate, entry, fragment = BROKEN[case]
    directory = _write_copy(tmp_path, packaged_files)
    doc = yaml.load(packaged_files[file], Loader=yaml.CSafeLoader)
    mutate(doc)
    text = yaml.dump(doc, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    (directory / file).write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(directory)
    assert (caught.value.file, caught.value.entry) == (file, entry)
    assert fragment in caught.value.message


def test_bad_yaml_is_reported_with_its_file_and_line(tmp_path: Path, packaged_files: dict[str, str]) -> None:
    directory = _write_copy(tmp_path, packaged_files)
    (directory / "scenarios.yaml").write_text("scenarios:\n  - code: x\n    name: [未闭合\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(directory)
    assert caught.value.file == "scenarios.yaml"
    assert "YAML" in caught.value.message and "line" in caught.value.message


def test_a_key_given_twice_is_refused_not_silently_overwritten(tmp_path: Path, packaged_files: dict[str, str]) -> None:
    directory = _write_copy(tmp_path, packaged_files)
    twice = "scenarios:\n  - code: x\n    signals: ['a']\n    signals: ['b']\n"
    (directory / "scenarios.yaml").write_text(twice, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(directory)
    assert caught.value.file == "scenarios.yaml"
    assert "重复的键" in caught.value.message and "signals" in caught.value.message and "line 4" in caught.value.message


def test_a_missing_directory_is_reported(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(tmp_path / "nowhere")
    assert "nowhere" in caught.value.file


def test_an_unmodified_copy_loads_like_the_packaged_one(
    tmp_path: Path, packaged_files: dict[str, str], kb: KnowledgeBase
) -> None:
    copy = load_knowledge_base(_write_copy(tmp_path, packaged_files))
    assert copy is not kb
    assert copy.counts() == kb.counts()
    assert load_knowledge_base() is kb


def test_a_phrase_to_avoid_that_the_reply_checker_would_miss_is_refused(
    tmp_path: Path, packaged_files: dict[str, str]
) -> None:
    directory = _write_copy(tmp_path, packaged_files)
    demands = directory / "demands.yaml"
    text = demands.read_text(encoding="utf-8")
    demands.write_text(text.replace("      - 系统就是这样的\n", "      - 月底再说吧\n", 1), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(directory)
    assert caught.value.file == "demands.yaml"
    assert caught.value.entry == "explanation"
    assert "月底再说吧" in caught.value.message and "language.yaml" in caught.value.message
