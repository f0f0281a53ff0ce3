"""Properties the analyzer keeps on every text, checked over a labelled set's texts and on
generated text: what it reads does not depend on the width of characters, on the script
(traditional or simplified), or on what the agent says in a dialogue; and a category the model
guessed from a handful of characters is never presented as certain."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tousu.analysis import Analyzer
from tousu.analysis.classify import THIN_TEXT_WORDS
from tousu.analysis.datasets import read_jsonl
from tousu.analysis.normalize import Normalizer
from tousu.analysis.results import Analysis

TEXTS = [
    str(record["text"])
    for record in read_jsonl(Path(__file__).resolve().parents[1] / "data" / "analyzer_holdout.jsonl")
]
# Said by the agent, it names every threat and every remedy: none of it is the customer's.
AGENT_TURN = "您也可以向工信部或者12315投诉，找媒体曝光也行，我们可以给您退款、赔偿，再请经理给您道歉。"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def labels(analysis: Analysis) -> tuple[str, tuple[str, ...], str]:
    return analysis.category.code, tuple(sorted(analysis.demand_codes)), analysis.emotion.code


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize("text", TEXTS[:40])
def test_full_width_characters_read_as_half_width(analyzer: Analyzer, text: str) -> None:
    assert labels(analyzer.analyze(_full_width(text))) == labels(analyzer.analyze(text))


def test_traditional_characters_read_as_simplified(analyzer: Analyzer) -> None:
    to_traditional = opencc.OpenCC("s2t")
    normalizer = Normalizer({})
    compared = 0
    for text in TEXTS:
        traditional = str(to_traditional.convert(text))
        if normalizer.normalize(traditional) != normalizer.normalize(text):
            continue  # the round trip changed a word (乾/幹 → 干…): not the same text any more
        compared += 1
        assert labels(analyzer.analyze(traditional)) == labels(analyzer.analyze(text)), text
    assert compared >= len(TEXTS) // 2


def test_what_the_agent_says_adds_nothing_to_the_customer(analyzer: Analyzer) -> None:
    compared = 0
    for text in TEXTS:
        if "：" in text or ":" in text:
            continue  # already a dialogue, or a form with its own fields
        customer = f"客户：{text}"
        compared += 1
        assert labels(analyzer.analyze(f"{customer}\n客服：{AGENT_TURN}")) == labels(analyzer.analyze(customer)), text
    assert compared >= len(TEXTS) // 2


_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(_CJK, min_size=1, max_size=THIN_TEXT_WORDS - 1))
def test_a_category_guessed_from_a_few_characters_is_never_certain(analyzer: Analyzer, text: str) -> None:
    category = analyzer.analyze(text).category
    assert category.uncertain or category.decided_by != "model"
