"""An organisation's model over the bundled one: each head is blended with the weight its own
history measured out of fold, so a short history leans on the bundled model and a history with
its own conventions is followed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tousu.analysis import BUNDLED_MODEL
from tousu.analysis.datasets import read_jsonl
from tousu.analysis.model import LayeredModel, Model, TextPreparer, blend, load_model, train
from tousu.knowledge import load_knowledge_base

DEV_SET = Path(__file__).resolve().parents[1] / "data" / "analyzer_dev.jsonl"


@pytest.fixture(scope="module")
def bundled() -> Model:
    return load_model(BUNDLED_MODEL)


def test_the_blend_runs_from_the_prior_alone_to_the_own_model_alone() -> None:
    own = {"billing": 0.8, "network": 0.2}
    prior = {"billing": 0.1, "network": 0.3, "service": 0.6}  # a class the organisation does not use
    assert blend(own, prior, 1.0) == pytest.approx(own)
    assert blend(own, prior, 0.0) == pytest.approx({"billing": 0.25, "network": 0.75})
    halfway = blend(own, prior, 0.5)
    assert set(halfway) == set(own) and sum(halfway.values()) == pytest.approx(1.0)
    assert 0.25 < halfway["billing"] < 0.8


def test_a_history_with_its_own_meaning_of_a_code_is_followed(bundled: Model) -> None:
    # An organisation whose "network" is what tousu calls service, and the other way round.
    swap = {"network": "service", "service": "network"}
    rows = read_jsonl(DEV_SET)
    history = [{"text": r["text"], "category": swap.get(r["category"], r["category"])} for r in rows]
    taxonomy = load_knowledge_base().taxonomy
    own = train(history, taxonomy, prior=bundled)
    assert own.metadata["prior"]["version"] == bundled.version
    assert own.metadata["prior"]["weights"]["category"] >= 0.6
    layered, prepare = LayeredModel(own, bundled), TextPreparer(taxonomy)
    faults = [r["text"] for r in rows if r["category"] == "network"]
    followed = sum(_top(layered.predict(prepare(text)).category) == "service" for text in faults)
    assert followed >= 0.9 * len(faults)


def test_a_short_history_the_bundled_model_already_reads_right_leans_on_it(bundled: Model) -> None:
    rows = read_jsonl(DEV_SET)[:40]  # some categories once or twice
    own = train(
        [{"text": r["text"], "category": r["category"]} for r in rows], load_knowledge_base().taxonomy, prior=bundled
    )
    assert own.metadata["prior"]["weights"]["category"] <= 0.3


def test_the_bundled_model_is_trained_standalone(bundled: Model) -> None:
    assert "prior" not in bundled.metadata


def _top(probabilities: dict[str, float]) -> str:
    return max(probabilities, key=lambda code: probabilities[code])


def test_demands_the_history_never_taught_still_come_from_the_bundled_model(bundled: Model) -> None:
    taught = {"refund", "cancel"}
    rows = read_jsonl(DEV_SET)
    history = [{"text": r["text"], "demands": sorted(taught & set(r["demands"]))} for r in rows]
    taxonomy = load_knowledge_base().taxonomy
    own = train(history, taxonomy, prior=bundled)
    assert set(own.heads["demands"].classes) == taught and 0.0 <= own.metadata["prior"]["weights"]["demands"] <= 1.0
    text = TextPreparer(taxonomy)("宽带坏了三天没人修，再不修好我就去工信部投诉，月租也要退给我")
    predicted = LayeredModel(own, bundled).predict(text).demands
    assert set(predicted) == set(bundled.heads["demands"].classes)
    assert predicted["fix"] == pytest.approx(bundled.predict(text).demands["fix"])
