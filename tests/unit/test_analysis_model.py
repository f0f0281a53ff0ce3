"""The statistical model (train, save, load, combine with rules) and the analyzer's commands."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from tousu.analysis import BUNDLED_MODEL, Analyzer, load_model
from tousu.analysis.classify import ModelPrediction
from tousu.analysis.cli import register
from tousu.analysis.datasets import read_jsonl
from tousu.analysis.features import VocabularyCounter
from tousu.analysis.model import FORMAT_VERSION, Model, ModelError, Reading, fit_temperature, save_model, train
from tousu.domain.codes import Category
from tousu.knowledge import load_knowledge_base

REAL_SET = Path(__file__).resolve().parents[3] / "shared" / "real" / "complaints.jsonl"
DATA = Path(__file__).resolve().parents[1] / "data"

SAMPLE = [
    {"text": "话费莫名其妙多扣了50元，要求退还", "category": "billing", "demands": ["refund"], "emotion": "upset"},
    {
        "text": "这个月账单多了一笔流量费，给我解释清楚",
        "category": "billing",
        "demands": ["explanation"],
        "emotion": "upset",
    },
    {
        "text": "乱扣费！马上退钱，不然去工信部投诉",
        "category": "billing",
        "demands": ["refund", "regulator_threat"],
        "emotion": "angry",
    },
    {"text": "话费扣了两次，麻烦退回多扣的", "category": "billing", "demands": ["refund"], "emotion": "calm"},
    {"text": "没订过的彩铃每月扣5块，帮我退订", "category": "vas", "demands": ["cancel"], "emotion": "upset"},
    {
        "text": "莫名其妙开通了手机报，取消掉并退钱",
        "category": "vas",
        "demands": ["cancel", "refund"],
        "emotion": "upset",
    },
    {"text": "彩铃不是我订的，骗子公司，赶紧取消", "category": "vas", "demands": ["cancel"], "emotion": "angry"},
    {"text": "请问怎么退订这个增值业务", "category": "vas", "demands": ["cancel"], "emotion": "calm"},
    {"text": "宽带天天掉线，尽快派人来修", "category": "network", "demands": ["fix"], "emotion": "upset"},
    {"text": "家里没信号，打不出电话，请尽快修复", "category": "network", "demands": ["fix"], "emotion": "calm"},
    {
        "text": "网速慢得要死，再不修好我就曝光",
        "category": "network",
        "demands": ["fix", "media_threat"],
        "emotion": "angry",
    },
    {"text": "小区信号太差了，什么时候能解决", "category": "network", "demands": ["fix"], "emotion": "upset"},
]


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    return load_knowledge_base()


@pytest.fixture(scope="module")
def model(kb) -> Model:  # type: ignore[no-untyped-def]
    return train(SAMPLE, kb.taxonomy)


def test_trained_model_predicts_probabilities(model: Model) -> None:
    prediction = model.predict("彩铃扣费，帮我退订")
    assert set(prediction.category) == {"billing", "vas", "network"}
    assert abs(sum(prediction.category.values()) - 1.0) < 1e-6
    assert max(prediction.category, key=prediction.category.get) == "vas"
    assert 0.0 <= prediction.demands["cancel"] <= 1.0


def test_prediction_counts_exactly_the_features_training_made(model: Model) -> None:
    """Prediction counts n-grams as integers; training builds every n-gram and word string. Both must see the same features, or the weights would be applied to others."""
    texts = [r["text"] for r in SAMPLE] + [
        "客户：我的宽带  坏了3天\n客服：您好",
        "w:宽带 w:x 12315 两千元 WiFi 5G套餐",
        "",
        "   ",
        "𠮷𠮷𠮷 宽带宽带宽带",
    ]
    counter = VocabularyCounter(model.terms)
    for text in texts:
        assert _counted(counter, text) == _made(model, text), text


def test_bundled_model_counts_the_features_of_every_labelled_text() -> None:
    bundled = load_model(BUNDLED_MODEL)
    counter = VocabularyCounter(bundled.terms)
    for text in [r["text"] for path in sorted(DATA.glob("analyzer_*.jsonl")) for r in read_jsonl(path)]:
        assert _counted(counter, text) == _made(bundled, text), text


def test_prediction_is_the_linear_model_over_tf_idf() -> None:
    """Prediction folds idf into per-surface weights; it must still score what the trained
    heads score on the sublinear, unit-length tf-idf vector of the text's features."""
    bundled = load_model(BUNDLED_MODEL)
    texts = [*[r["text"] for r in read_jsonl(DATA / "analyzer_dev.jsonl")][:40], "", "宽带宽带宽带 w:宽带"]
    for text in texts:
        counts = _made(bundled, bundled.reading(text))
        vector = np.zeros(len(bundled.terms))
        for term, count in counts.items():
            vector[term] = (1.0 + np.log(count)) * bundled.idf[term]
        norm = np.linalg.norm(vector)
        vector = vector / norm if norm else vector
        predicted = bundled.predict(text)
        for name, got in (
            ("category", predicted.category),
            ("demands", predicted.demands),
            ("emotion", predicted.emotion),
        ):
            head = bundled.heads[name]
            assert got == pytest.approx(head.probabilities(head.coef @ vector + head.intercept), abs=1e-5), (name, text)


def _made(model: Model, text: str) -> dict[int, int]:
    made = Counter(model.featurizer(text))
    return {model.vocabulary[t]: n for t, n in made.items() if t in model.vocabulary}


def _counted(counter: VocabularyCounter, text: str) -> dict[int, int]:
    surfaces, counts = counter(text)
    assert len(set(surfaces.tolist())) == len(surfaces)
    return {
        term: count
        for surface, count in zip(surfaces.tolist(), counts.tolist(), strict=True)
        for term in counter.surface_terms[surface]
    }


def test_saved_model_round_trips_with_metadata(tmp_path: Path, model: Model, kb) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "analyzer.model"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded.version == model.version
    assert loaded.metadata["format_version"] == FORMAT_VERSION
    assert loaded.metadata["labels"]["category"] == {"billing": 4, "vas": 4, "network": 4}
    text = "宽带掉线了快来修"
    assert loaded.predict(text).category == pytest.approx(model.predict(text).category)
    sidecar = json.loads((tmp_path / "analyzer.model.json").read_text(encoding="utf-8"))
    assert sidecar["model_version"] == model.version


def test_the_model_reads_the_matter_not_the_routing_lines_or_the_punctuation(model: Model) -> None:
    """A work order's routing and contact lines and the writer's punctuation are the same
    whatever the complaint is about: the model's answer must not move with them."""
    plain = model.predict("没订过的彩铃每月扣钱 帮我退订")
    for dressed in (
        "没订过的彩铃每月扣钱，帮我退订！！",
        "用户来电反映：没订过的彩铃每月扣钱，帮我退订。请尽快核实并处理，谢谢！联系电话：139****1234",
        "没订过的彩铃每月扣钱……帮我退订？工单流水号:20260105093011",
    ):
        got = model.predict(dressed)
        assert got.category == pytest.approx(plain.category), dressed
        assert got.demands == pytest.approx(plain.demands), dressed
    assert model.predict("宽带天天掉线").category != pytest.approx(plain.category)  # the matter still counts


def test_a_history_whose_categories_follow_its_routing_lines_reads_them(kb) -> None:  # type: ignore[no-untyped-def]
    """Within one organisation, the line routing a work order may name the team its categories
    follow: its own history, read both ways out of fold, decides that its model keeps them."""
    matters = ["用户反映手机有问题", "客户来电称情况异常", "用户表示最近使用不正常", "客户说这几天一直这样"]
    teams = {"network": "请网管核实处理", "billing": "请计费中心核实处理", "service": "请营业厅核实处理"}
    history = [
        {"text": f"{matters[n % len(matters)]}，已有{n}天。{line}", "category": code}
        for n in range(40)
        for code, line in teams.items()
    ]
    model = train(history, kb.taxonomy)
    agreements = model.metadata["reading"]["agreements"]
    assert agreements["whole"] > 0.9 > 0.5 > agreements["stripped"]
    assert model.metadata["reading"]["name"] == "whole"
    got = model.predict("客户反映信号时有时无，请网管核实处理").category
    assert max(got, key=got.get) == "network"
    # A history too short to tell keeps the reading the bundled model has.
    assert train(history[:60], kb.taxonomy).reading("请网管核实处理").split() == []


def test_a_model_reads_text_as_it_was_trained_to(tmp_path: Path, model: Model) -> None:
    """The reading is the model's, saved with it: a model saved before readings existed reads
    the text whole, whatever the knowledge base says today."""
    path = tmp_path / "analyzer.model"
    save_model(model, path)
    assert load_model(path).reading.as_metadata() == model.reading.as_metadata()
    assert model.reading("客户反映：话费多扣了。请尽快核实并处理，谢谢！").split() == ["话费多扣了"]
    older = Reading.of({"format_version": FORMAT_VERSION})
    assert older("客户反映：话费多扣了。请尽快核实并处理，谢谢！") == "客户反映：话费多扣了。请尽快核实并处理，谢谢！"
    # A template's question answered no is not read: its words are not what the customer said.
    asked = "话费多扣了，是否越级投诉：否，媒体曝光：无，是否有赔偿要求：是"
    assert model.reading(asked).split() == ["话费多扣了", "是否有赔偿要求", "是"]


def test_a_file_that_is_no_model_is_refused(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.model"
    bad.write_bytes(b"not a model at all")
    with pytest.raises(ModelError):
        load_model(bad)
    with pytest.raises(ModelError, match="不存在"):
        load_model(tmp_path / "missing.model")


def test_too_little_training_data_is_refused(kb) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelError, match="太少"):
        train(SAMPLE[:3], kb.taxonomy)


def test_the_model_decides_and_the_cues_it_agrees_with_are_its_evidence(kb, model: Model) -> None:  # type: ignore[no-untyped-def]
    with_model = Analyzer(kb, model=model)
    analysis = with_model.analyze("网速慢得要死")
    assert analysis.model_version == model.version
    assert analysis.category.code == "network"
    strong = with_model.analyze("我的彩铃是谁开通的？没订过的业务赶紧退订")
    assert strong.category.code == "vas" and strong.category.decided_by == "rules+model"
    sources = {evidence.source for evidence in strong.category.evidence}
    assert sources == {"rule", "model"}


def test_the_emotion_is_learned_mostly_from_the_texts_like_those_it_will_meet(kb) -> None:  # type: ignore[no-untyped-def]
    """Written examples and real ones (`calibrate_on`) that disagree on the same words: the
    real ones prevail for the emotion, while for the category each text counts the same."""
    outage, overcharge = "宽带又断了，派人来修", "话费多扣了，给我退回来"
    written = [{"text": outage, "category": "network", "emotion": "angry"}] * 30
    written += [{"text": overcharge, "category": "billing", "emotion": "calm"}] * 30
    real = [{"text": outage, "category": "billing", "emotion": "calm"}] * 15
    real += [{"text": overcharge, "category": "network", "emotion": "angry"}] * 15
    flags = [False] * len(written) + [True] * len(real)
    prediction = train([*written, *real], kb.taxonomy, calibrate_on=flags).predict(outage)
    assert prediction.emotion["calm"] > 0.55
    assert prediction.category["network"] > prediction.category["billing"]
    unflagged = train([*written, *real], kb.taxonomy).predict(outage)
    assert unflagged.emotion["calm"] < 0.45


class _Unsure:
    """A model that cannot tell two categories apart."""

    version = "unsure"

    def predict(self, text: str) -> ModelPrediction:
        return ModelPrediction(
            category={"billing": 0.26, "plan": 0.25, "vas": 0.25, "network": 0.24},
            demands={},
            emotion={"upset": 0.9, "calm": 0.1},
            version=self.version,
        )


def test_an_unsure_model_marks_its_label_for_the_agent_to_confirm(kb) -> None:  # type: ignore[no-untyped-def]
    analysis = Analyzer(kb, model=_Unsure()).analyze("这个月的费用不对")
    assert analysis.category.code == "billing" and analysis.category.uncertain
    assert [code for code, _ in analysis.category.alternatives] == ["plan", "vas"]
    assert analysis.uncertain == ("category",)
    data = analysis.to_dict()
    assert data["uncertain"] == ["category"] and data["labels"]["category"]["alternatives"][0]["code"] == "plan"
    assert not analysis.emotion.uncertain


def test_a_model_never_adds_a_threat_the_words_do_not_make(kb) -> None:  # type: ignore[no-untyped-def]
    class Alarmist(_Unsure):
        def predict(self, text: str) -> ModelPrediction:
            base = super().predict(text)
            return ModelPrediction(base.category, {"media_threat": 0.99, "refund": 0.9}, base.emotion, self.version)

    analysis = Analyzer(kb, model=Alarmist()).analyze("这个月的费用不对")
    assert "media_threat" not in analysis.demand_codes and "refund" in analysis.demand_codes


def test_anger_said_shouted_or_an_insult_is_angry_whatever_the_model_reads(kb) -> None:  # type: ignore[no-untyped-def]
    analyzer = Analyzer(kb, model=_Unsure())  # reads every text as upset
    assert analyzer.analyze("客户表示非常不滿，要求退还多扣的话费").emotion.code == "angry"  # traditional
    assert analyzer.analyze("说好派人来修，到现在也没人来！！").emotion.code == "angry"
    assert analyzer.analyze("你们真是黑心，多收的钱退给我").emotion.code == "angry"
    # A word that also states a fact is no insult: the model decides.
    assert analyzer.analyze("昨天接到骗子电话，想问问怎么拦截").emotion.code == "upset"
    assert analyzer.analyze("我不气愤，就是想问问这笔钱").emotion.code == "upset"


def test_an_emotion_the_agent_recorded_is_the_emotion(kb) -> None:  # type: ignore[no-untyped-def]
    for model in (_Unsure(), None):  # reads every text as upset; the rules alone
        analyzer = Analyzer(kb, model=model)
        calm = analyzer.analyze("客户反映宽带断网两天，要求尽快修复。客户情绪：平稳")
        assert calm.emotion.code == "calm" and calm.emotion.evidence[0].text == "情绪：平稳"
        assert analyzer.analyze("客户反映宽带断网两天。情绪：较激动").emotion.code == "angry"
        # Anger said outright comes first; a state the record does not name is no record.
        assert analyzer.analyze("客户强烈不满，宽带断网两天。客户情绪：平稳").emotion.code == "angry"
    assert Analyzer(kb, model=_Unsure()).analyze("客户反映宽带断网两天。客户情绪：不稳定").emotion.code == "upset"


def test_a_model_never_adds_a_question_the_customer_did_not_ask(kb) -> None:  # type: ignore[no-untyped-def]
    class Curious(_Unsure):
        def predict(self, text: str) -> ModelPrediction:
            base = super().predict(text)
            return ModelPrediction(base.category, {"explanation": 0.95}, base.emotion, self.version)

    analyzer = Analyzer(kb, model=Curious())
    assert "explanation" not in analyzer.analyze("这个月的费用不对，多扣了50元").demand_codes
    assert "explanation" in analyzer.analyze("这个月为什么多扣了50元？").demand_codes


def test_a_templates_question_answered_no_keeps_the_model_from_adding_the_demand(kb) -> None:  # type: ignore[no-untyped-def]
    class Generous(_Unsure):
        def predict(self, text: str) -> ModelPrediction:
            base = super().predict(text)
            return ModelPrediction(base.category, {"high_compensation": 0.9}, base.emotion, self.version)

    analyzer = Analyzer(kb, model=Generous())
    asked = "客户反映本月流量费多扣了8元，要求处理，是否有赔偿要求：{}，客服代表解释无效"
    assert "high_compensation" not in analyzer.analyze(asked.format("否")).demand_codes
    assert "high_compensation" in analyzer.analyze(asked.format("是")).demand_codes
    assert "high_compensation" in analyzer.analyze("客户反映本月流量费多扣了8元，要求处理").demand_codes


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_analyze_command_writes_one_line_per_input_and_survives_bad_lines(app: typer.Typer) -> None:
    lines = "\n".join(
        [
            json.dumps({"id": "a", "text": "乱扣我话费，不退钱就去工信部投诉"}, ensure_ascii=False),
            "{not json",
            json.dumps({"id": "c", "text": "   "}),
            json.dumps({"id": "d", "text": "彩铃不是我订的", "history": "yesterday"}, ensure_ascii=False),
            json.dumps({"text": "宽带断了", "industry": "retail", "authority": {"max_refund": 10}}, ensure_ascii=False),
        ]
    )
    result = CliRunner().invoke(app, ["analyze"], input=lines + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["line"] for o in out] == [1, 2, 3, 4, 5]
    assert out[0]["id"] == "a" and "regulator_threat" in out[0]["demands"]
    assert out[1]["error"]["type"] == "bad_json"
    assert out[2]["id"] == "c" and out[2]["error"]["type"] == "bad_input"
    assert out[3]["error"]["type"] == "bad_line"
    assert out[4]["industry"] == "retail"


def test_train_says_which_reading_the_history_chose(tmp_path: Path, app: typer.Typer) -> None:
    teams = {"network": "请网管核实处理", "billing": "请计费中心核实处理"}
    history = tmp_path / "history.jsonl"
    history.write_text(
        "\n".join(
            json.dumps(
                {"id": f"{code}-{n}", "text": f"客户第{n}次来电反映。{line}", "category": code}, ensure_ascii=False
            )
            for n in range(60)
            for code, line in teams.items()
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["train", str(history), "--out", str(tmp_path / "m.npz")])
    assert result.exit_code == 0, result.output
    assert "reads the whole text (categories right out of fold: the complaint without routing lines" in result.output


def test_train_then_eval_round_trip(tmp_path: Path, app: typer.Typer) -> None:
    data = tmp_path / "train.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in SAMPLE) + "\n", encoding="utf-8")
    model_path = tmp_path / "m.model"
    trained = CliRunner().invoke(app, ["train", str(data), "--out", str(model_path)])
    assert trained.exit_code == 0, trained.output
    assert model_path.exists() and "12 records" in trained.output
    evaluated = CliRunner().invoke(app, ["eval", str(data), "--model", str(model_path), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads(evaluated.output)
    assert report["records"] == 12
    assert report["category"]["macro_f1"] > 0.9
    assert set(report["category"]["confusion"]["labels"]) == {"billing", "vas", "network"}
    text_report = CliRunner().invoke(app, ["eval", str(data)])
    assert "category confusion" in text_report.output and "threat recall" in text_report.output


def test_eval_refuses_a_broken_file(tmp_path: Path, app: typer.Typer) -> None:
    data = tmp_path / "broken.jsonl"
    data.write_text('{"text": "a"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(data)])
    assert result.exit_code == 1


@pytest.mark.skipif(not (DATA / "analyzer_dev.jsonl").exists(), reason="evaluation set not present")
def test_rules_alone_meet_the_targets_on_the_dev_set(kb) -> None:  # type: ignore[no-untyped-def]
    from tousu.analysis.evaluate import evaluate

    report = evaluate(Analyzer(kb), read_jsonl(DATA / "analyzer_dev.jsonl"))
    assert report.category_macro_f1 >= 0.85
    assert report.demand_micro.f1 >= 0.85
    assert report.threat_recall >= 0.95


def test_the_bundled_model_is_trained_on_every_labelled_set_and_the_real_complaints() -> None:
    """`make model` trains on tests/data and, where present, the real complaints beside the
    project; adding labelled texts without retraining would ship a stale model."""
    training = sorted(DATA.glob("analyzer_*.jsonl"))
    bundled = load_model(BUNDLED_MODEL)
    sources = bundled.metadata["sources"]
    assert [s for s in sources if s.startswith("analyzer_")] == [path.name for path in training], "run `make model`"
    records = sum(len(read_jsonl(path)) for path in training)
    if REAL_SET.exists():
        assert "complaints.jsonl" in sources, "run `make model`"
        records += len(read_jsonl(REAL_SET))
    assert bundled.metadata["records"] == records, "run `make model`"
    assert set(bundled.heads["category"].classes) == {c.value for c in Category}


def test_analysis_uses_the_bundled_model_unless_told_to_use_the_rules_alone(tmp_path: Path, app: typer.Typer) -> None:
    line = json.dumps({"id": "x", "text": "宽带天天掉线，赶紧派人来修"}, ensure_ascii=False) + "\n"
    with_model = json.loads(CliRunner().invoke(app, ["analyze"], input=line).output)
    rules_only = json.loads(CliRunner().invoke(app, ["analyze", "--rules-only"], input=line).output)
    assert with_model["model_version"] == load_model(BUNDLED_MODEL).version
    assert rules_only["model_version"] is None and rules_only["category"] == with_model["category"] == "network"
    both = CliRunner().invoke(app, ["analyze", "--rules-only", "--model", str(BUNDLED_MODEL)], input=line)
    assert both.exit_code == 2 and "exclude each other" in both.output


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("overconfidence", [0.5, 1.0, 3.0])
def test_the_temperature_undoes_over_and_under_confidence(binary: bool, overconfidence: float) -> None:
    """Labels drawn from known probabilities; scores `overconfidence` times too sharp (or too
    flat) are brought back to them."""
    rng = np.random.default_rng(7)
    classes = 1 if binary else 4
    logits = rng.normal(0.0, 1.5, size=(20_000, classes))
    if binary:
        gold = (rng.random(len(logits)) < 1.0 / (1.0 + np.exp(-logits[:, 0]))).astype(int)
    else:
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        gold = np.array([rng.choice(classes, p=row) for row in p])
    fitted = fit_temperature(logits * overconfidence, gold, binary=binary)
    assert fitted == pytest.approx(overconfidence, rel=0.15)


@pytest.mark.parametrize("text", ["我要投诉", "麻烦帮我看一下", "你好", "有个问题"])
def test_too_few_words_leave_the_category_to_the_agent(text: str) -> None:
    """However sure the model is, a few words naming no matter are no category: 待确认."""
    category = Analyzer(model=load_model(BUNDLED_MODEL)).analyze(text).category
    assert category.uncertain and category.alternatives


def test_a_short_text_that_names_its_matter_keeps_its_category() -> None:
    category = Analyzer(model=load_model(BUNDLED_MODEL)).analyze("宽带断网了").category
    assert category.code == "network" and not category.uncertain
