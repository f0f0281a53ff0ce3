"""Text handling: normalisation that keeps positions, dialogue turns, literal search, prefilters."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import opencc
import pytest

from tousu.analysis.datasets import read_jsonl
from tousu.analysis.dialogue import DialogueSplitter, customer_text, customer_turns
from tousu.analysis.literals import LiteralIndex, TriggeredRegexes
from tousu.analysis.normalize import Normalizer, has_content, normalize_pattern
from tousu.analysis.prefilter import may_match, required_literals, starting_characters, with_starting_characters
from tousu.knowledge import load_knowledge_base
from tousu.knowledge.source import data_dir
from tousu.knowledge.taxonomy import Taxonomy, load_taxonomy
from tousu.text import KEPT, PHRASE_ONLY_CHANGES, convertible_characters, to_simplified

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy(data_dir() / "taxonomy.yaml")


@pytest.fixture(scope="module")
def normalizer(taxonomy: Taxonomy) -> Normalizer:
    return Normalizer(taxonomy.typos)


@pytest.fixture(scope="module")
def splitter(taxonomy: Taxonomy) -> DialogueSplitter:
    return DialogueSplitter(taxonomy.speakers)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("我要曝光！ＶＩＰ客戶", "我要曝光!vip客户"),
        ("充值１００元，帳單不對", "充值100元,账单不对"),
        ("網路訊號很差，冲话费也没到帐", "网络信号很差,充话费也没到账"),
        ("暴光你们", "曝光你们"),
    ],
)
def test_normalisation_folds_width_script_case_and_typos(normalizer: Normalizer, raw: str, expected: str) -> None:
    assert normalizer.normalize(raw) == expected


def test_normalisation_keeps_every_position(normalizer: Normalizer) -> None:
    raw = "我在營業廳充值了１，５００元😡\x00\ud800還被亂扣費"
    normalized = normalizer.normalize(raw)
    assert len(normalized) == len(raw)
    assert normalized.index("乱扣费") == raw.index("亂扣費")


def _opencc_table(name: str, tmp_path: Path) -> dict[str, str]:
    """One of OpenCC's t2s tables as key → first value, dumped by its own tool."""
    root = Path(opencc.__file__).parent / "clib"
    out = tmp_path / f"{name}.txt"
    subprocess.run(
        [
            root / "bin" / "opencc_dict",
            "-i",
            root / "share" / "opencc" / f"{name}.ocd2",
            "-o",
            out,
            "-f",
            "ocd2",
            "-t",
            "text",
        ],
        check=True,
        capture_output=True,
    )
    rows = (line.split("\t") for line in out.read_text(encoding="utf-8").splitlines())
    return {key: value.split(" ")[0] for key, value in rows}


def test_simplified_text_skips_conversion_only_when_t2s_would_not_change_it(tmp_path: Path) -> None:
    """The shortcut in to_simplified is exact: every character that t2s's tables change on
    its own, and every character its phrases change in otherwise simplified text, is known."""
    convertible = convertible_characters()
    assert convertible is not None
    changed = {
        key
        for name in ("TSCharacters", "TSCharactersExt", "CJK_Compatibility_Ideographs")
        for key, value in _opencc_table(name, tmp_path).items()
        if value != key
    }
    assert changed <= convertible
    for phrase, value in _opencc_table("TSPhrases", tmp_path).items():
        if value != phrase and changed.isdisjoint(phrase):
            assert len(value) == len(phrase)
            assert {a for a, b in zip(phrase, value, strict=True) if a != b} <= set(PHRASE_ONLY_CHANGES + KEPT), phrase
    assert to_simplified("我们的话费被乱扣了") == "我们的话费被乱扣了"
    assert to_simplified("意志消沈") == opencc.OpenCC("t2s").convert("意志消沈") == "意志消沉"


def test_broken_stays_broken_whatever_the_script() -> None:
    """坏 is kept: t2s's phrases would read 打坏 as 打坯 (making adobe bricks)."""
    assert to_simplified("手机被打坏了") == "手机被打坏了"
    assert to_simplified("手機被打坏了，螢幕也裂了") == "手机被打坏了，萤幕也裂了"
    assert to_simplified("手機被打壞了") == "手机被打坏了"


def test_only_empty_or_blank_text_has_no_content() -> None:
    assert not has_content("")
    assert not has_content(" \n\t\u3000")
    assert has_content("😡")


def test_tagged_dialogue_is_split_into_turns(splitter: DialogueSplitter) -> None:
    text = "客户:我要投诉\n客服:您可以向12315反映\n客户:好的"
    turns = splitter.split(text)
    assert [t.speaker for t in turns] == ["customer", "agent", "customer"]
    assert "12315" not in customer_text(text, turns)


def test_run_together_transcript_is_split_on_role_tags(splitter: DialogueSplitter) -> None:
    text = "客户:我想问一下你是哪个部门的客服:我这边是专门处理的客户:处理员工的对吧"
    assert [t.speaker for t in splitter.split(text)] == ["customer", "agent", "customer"]


def test_named_customer_and_manager_tags(splitter: DialogueSplitter) -> None:
    text = "王先生:你们乱收费\n张主任:我来处理\n客户经理:我帮您查"
    assert [t.speaker for t in splitter.split(text)] == ["customer", "agent", "agent"]


def test_a_role_word_told_about_is_no_tag(splitter: DialogueSplitter) -> None:
    text = "我打给客服:她说要等48小时"
    turns = splitter.split(text)
    assert len(turns) == 1 and turns[0].speaker == "customer" and not turns[0].tagged


def test_text_before_the_first_tag_is_the_customers_account(splitter: DialogueSplitter) -> None:
    text = "有一位用户被多扣了50元。客户:你们乱收费\n厅经理:先请您喝杯水"
    turns = splitter.split(text)
    assert [(t.speaker, t.tagged) for t in turns] == [("customer", False), ("customer", True), ("agent", True)]


def test_agent_only_text_is_analysed_whole(splitter: DialogueSplitter) -> None:
    turns = splitter.split("客服:您好,请问有什么可以帮您")
    assert customer_turns(turns) == turns


def test_tags_are_found_as_a_plain_scan_finds_them(splitter: DialogueSplitter, normalizer: Normalizer) -> None:
    """The splitter looks for tags only just before colons; it must find exactly what a scan of
    the whole text with the tag pattern finds, on every labelled text and on awkward ones."""
    texts = [json.loads(line)["text"] for path in sorted(DATA.glob("analyzer_*.jsonl")) for line in path.open()]
    texts += [
        "客服：：您好\n客户:::我要投诉",
        "王先生说：我：客服：",
        "【客服】：您好【客户】：",
        "客户经理 ：好的",
        "：开头就是冒号",
        "打给客服：没人接",
        "a：b：c：",
        "我要找10086：你们",
        "客户" * 20 + "：",
        "[10:02:03] 客户：你好\n[10:02:09] 值班经理：您好",
        "a：你好 b：您好\nB：好\n 甲 1：嗯",
        "。王先生说：好\n张主任：嗯【客服】：您好 我找了经理：",
    ]
    for text in (normalizer.normalize(t) for t in texts):
        plain = [splitter._read(text, m) for m in splitter._tag.finditer(text)]
        assert splitter._tags(text) == [tag for tag in plain if tag is not None], text


def test_literal_index_reports_positions_of_all_occurrences() -> None:
    index: LiteralIndex[str] = LiteralIndex()
    index.add("扣费", "billing")
    index.add("乱扣费", "billing-strong")
    index.add("!", "exclamation")
    found = sorted((pos, literal) for pos, literal, _ in index.find("又乱扣费!扣费", 0, 8))
    assert found == [(1, "乱扣费"), (2, "扣费"), (4, "!"), (5, "扣费")]
    # Within bounds, at positions in the whole text.
    assert sorted((pos, literal) for pos, literal, _ in index.find("又乱扣费!扣费", 2, 6)) == [(2, "扣费"), (4, "!")]
    # Positions count characters, emoji (outside the basic plane) too.
    assert sorted((pos, literal) for pos, literal, _ in index.find("😡😡乱扣费", 0, 5)) == [(2, "乱扣费"), (3, "扣费")]


def test_required_literals_are_necessary_conditions() -> None:
    factors = required_literals("(不然|否则)(我)?就(去)?(告|起诉|曝光)")
    assert sorted(map(sorted, factors)) == [["不然", "否则"], ["告", "曝光", "起诉"], ["就"]]
    assert may_match(factors, "不然我就去曝光")
    assert not may_match(factors, "不然我也没办法")
    assert required_literals("(a|)b") == (frozenset({"b"}),)


@pytest.mark.parametrize(
    ("pattern", "first"),
    [
        ("(?:市民|用户)?反映[:：]", "反市用"),  # an optional start: what follows may start the match
        ("(?<![\\d.])1[3-9]", "1"),  # a lookbehind takes no character
        ("(a|)b", "ab"),
        ("[一-龥]x", "一-龥"),
        ("(?i)k退|Q", "KQkq\u212a"),  # ignoring case: both cases, and the Kelvin sign for k
        ("a*", None),  # may match the empty string: a lookahead would lose those matches
        ("\\d+元", None),  # a category: left to the engine
        ("[^a]b", None),
        ("(?i)é", None),  # a letter whose cases the engine folds beyond ASCII
    ],
)
def test_starting_characters(pattern: str, first: str | None) -> None:
    assert starting_characters(pattern) == first


def test_ignoring_case_the_starting_characters_hold_all_the_engine_matches() -> None:
    """Every character the engine takes for an ASCII letter when it ignores case (the Kelvin
    sign for k, among others) is a starting character of a pattern starting with that letter."""
    for letter in "abcdefghijklmnopqrstuvwxyz":
        pattern = f"(?i){letter}x"
        first = starting_characters(pattern)
        assert first is not None
        starts = re.compile(f"[{first}]")
        engine = re.compile(pattern)
        assert all(starts.match(chr(code)) for code in range(0x10000) if engine.match(chr(code) + "x")), letter


def test_a_lookahead_for_the_first_characters_changes_no_match(taxonomy: Taxonomy, normalizer: Normalizer) -> None:
    """Every cue, exclusion, hint signal and the boilerplate, with the lookahead the analyzer
    adds where the engine has no fast start of its own, over every labelled text."""
    kb = load_knowledge_base()
    labels = (*taxonomy.categories, *taxonomy.demands, *taxonomy.emotions, *taxonomy.urgency)
    sources = [p for label in labels for group in label.signals for p in group.regexes]
    sources += [p for label in labels for p in label.exclude]
    patterns = [re.compile(normalize_pattern(p)) for p in sources]
    hints = (*kb.profiles.values(), *kb.scenarios.values())
    patterns += [re.compile(normalize_pattern(p), re.IGNORECASE | re.MULTILINE) for e in hints for p in e.signals]
    patterns.append(re.compile("|".join(f"(?:{p})" for p in taxonomy.boilerplate)))
    rewritten = [(p, q) for p in patterns if (q := with_starting_characters(p)) is not p]
    assert len(rewritten) >= 10
    texts = [
        normalizer.normalize(r["text"]) for path in sorted(DATA.glob("analyzer_*.jsonl")) for r in read_jsonl(path)
    ]
    for original, quick in rewritten:
        for text in texts:
            assert [m.span() for m in quick.finditer(text)] == [m.span() for m in original.finditer(text)], (
                original.pattern
            )


def test_triggered_regexes_run_only_when_their_literals_occur() -> None:
    regexes: TriggeredRegexes[str] = TriggeredRegexes()
    regexes.add(re.compile(r"退\d+元"), "refund")
    regexes.add(re.compile(r"\d+倍"), "multiple")
    triggers: LiteralIndex[int] = LiteralIndex()
    for literal, item in regexes.triggers():
        triggers.add(literal, item)

    def candidates(text: str) -> list[str]:
        found = {item for _, _, items in triggers.find(text, 0, len(text)) for item in items}
        return [payload for _, payload in regexes.select(found, text)]

    assert candidates("给我退50元") == ["refund"]
    assert candidates("没有金额") == []
