"""Every demand gets its playbook: one demand's strategies never crowd out another's."""

from __future__ import annotations

import pytest

from tousu.analysis import Analyzer
from tousu.domain.codes import Demand
from tousu.knowledge import KnowledgeBase, load_knowledge_base


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.mark.parametrize(
    "text",
    [
        "你们乱扣我话费58元，必须双倍返还，还要赔我精神损失费，不然我就找记者曝光你们！",
        "宽带断了三天没人管，耽误我上班，要赔误工费，还要你们经理出来给我道歉！",
    ],
)
def test_each_demand_brings_the_first_strategy_of_its_playbook(kb: KnowledgeBase, text: str) -> None:
    analysis = Analyzer(kb).analyze(text)
    chosen = {advice.code for advice in analysis.recommendations.strategies}
    assert len(analysis.demands) >= 2
    angry = analysis.emotion.code == "angry"
    for code in analysis.demand_codes:
        # Broken record is put aside when the customer is angry (the doctrine's own warning).
        playbook = [s for s in kb.demands[Demand(code)].strategies if not (angry and s == "broken_record")]
        assert playbook[0] in chosen, (code, playbook, chosen)
