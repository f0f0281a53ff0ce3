"""One dialogue parser and one speaker vocabulary for the analyzer and the reply checker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tousu.analysis.dialogue import DialogueSplitter, customer_text
from tousu.analysis.normalize import Normalizer
from tousu.knowledge import KnowledgeBaseError, load_knowledge_base
from tousu.knowledge.language import load_language_rules
from tousu.knowledge.source import data_dir
from tousu.knowledge.taxonomy import Speakers, load_taxonomy
from tousu.quality import check_dialogue
from tousu.quality.transcript import parse_transcript
from tousu.text import fold

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def speakers() -> Speakers:
    return load_knowledge_base().taxonomy.speakers


def _no_demands(transcript: str) -> list[tuple[str, int | None, int | None]]:
    return []


def test_the_analyzer_and_the_checker_read_the_same_turns(speakers: Speakers) -> None:
    """On every labelled text and every sample dialogue: the same turns, the same sides, at the
    same offsets of the original text (the checker calls the agent's side staff)."""
    taxonomy = load_knowledge_base().taxonomy
    splitter, normalizer = DialogueSplitter(speakers), Normalizer(taxonomy.typos)
    texts = [json.loads(line)["text"] for path in sorted(DATA.glob("analyzer_*.jsonl")) for line in path.open()]
    texts += [path.read_text(encoding="utf-8") for path in sorted((DATA / "dialogues").glob("*.txt"))]
    dialogues = 0
    for text in texts:
        analyzer = [(t.speaker, t.start, t.end) for t in splitter.split(normalizer.normalize(text)) if t.tagged]
        checker = parse_transcript(text, fold(text), speakers).turns
        assert analyzer == [("agent" if t.role == "staff" else "customer", t.start, t.end) for t in checker], text
        dialogues += len({side for side, _, _ in analyzer}) == 2
    assert dialogues >= 100


def test_untagged_text_is_the_customers_account_to_the_analyzer_and_left_out_by_the_checker(
    speakers: Speakers,
) -> None:
    text = "以下是录音整理\n客户：你们乱扣费\n客服：您好，我马上帮您查"
    turns = DialogueSplitter(speakers).split(fold(text))
    assert [(t.speaker, t.tagged, text[t.start : t.end]) for t in turns] == [
        ("customer", False, "以下是录音整理"),
        ("customer", True, "你们乱扣费"),
        ("agent", True, "您好，我马上帮您查"),
    ]
    checked = check_dialogue(text, read_demands=_no_demands)
    assert [t.text for t in checked.turns] == ["你们乱扣费", "您好，我马上帮您查"]
    assert any("7 个字没有标明说话人" in note for note in checked.notes)


def test_a_quoted_tag_inside_a_line_is_no_turn_for_the_analyzer_either(speakers: Speakers) -> None:
    text = "客户：我上次打电话，你们客服：说会回电，结果没有。\n客服：非常抱歉，我马上帮您查。"
    turns = DialogueSplitter(speakers).split(fold(text))
    assert [t.speaker for t in turns] == ["customer", "agent"]
    assert customer_text(text, turns) == "我上次打电话，你们客服：说会回电，结果没有。"


def test_an_anonymous_speaker_opposite_a_named_customer_is_the_agent_for_both(speakers: Speakers) -> None:
    text = "客户：我要投诉！\nB：您好，请问遇到什么问题了？"
    assert [t.speaker for t in DialogueSplitter(speakers).split(fold(text))] == ["customer", "agent"]
    checked = check_dialogue(text, read_demands=_no_demands)
    assert [t.role for t in checked.turns] == ["customer", "staff"] and checked.roles_guessed
    assert "B 按客服处理（另一方已标明为客户）" in checked.notes


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        # Staff words the checker used not to know, and the customer as 我 opposite 对方.
        ("顾客：小票上酸奶扫了两次。\n收银员：系统扫的，不会错的。", ["customer", "staff"]),
        ("我：宽带上不了网了\n对方：亲，请问光猫指示灯是什么状态呢？", ["customer", "staff"]),
        # A role word told about is no tag (打给客服：), in one paragraph as on separate lines.
        ("客户:我之前打给客服:她说要等48小时。客服:非常抱歉，我来跟进。", ["customer", "staff"]),
    ],
)
def test_the_checker_reads_speakers_as_the_analyzer_does(text: str, roles: list[str]) -> None:
    assert [t.role for t in check_dialogue(text, read_demands=_no_demands).turns] == roles


def test_a_deployments_own_speaker_words_serve_both(speakers: Speakers) -> None:
    text = "来电客户：我的宽带断了三天\n坐席员：非常抱歉，我马上为您报修"
    own = Speakers.model_validate(
        speakers.model_dump() | {"agent": {"tags": [*speakers.agent.tags, "坐席员"], "titles": speakers.agent.titles}}
    )
    assert [t.speaker for t in DialogueSplitter(speakers).split(fold(text))] == ["customer"]
    assert [t.speaker for t in DialogueSplitter(own).split(fold(text))] == ["customer", "agent"]
    assert check_dialogue(text, read_demands=_no_demands).score is None
    assert [t.role for t in check_dialogue(text, read_demands=_no_demands, speakers=own).turns] == ["customer", "staff"]


def test_speaker_words_live_in_the_taxonomy_only(tmp_path: Path) -> None:
    language = yaml.safe_load((data_dir() / "language.yaml").read_text(encoding="utf-8"))
    language["speakers"] = {"customer": {"tags": ["客户"]}}
    path = tmp_path / "language.yaml"
    path.write_text(yaml.safe_dump(language, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as error:
        load_language_rules(path)
    assert error.value.entry == "speakers"

    taxonomy = yaml.safe_load((data_dir() / "taxonomy.yaml").read_text(encoding="utf-8"))
    taxonomy["speakers"]["agent"]["tags"].append("客户")
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(taxonomy, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="客户"):
        load_taxonomy(path)
