"""The analyzer's quality, speed, start-up time and memory.

Prints one JSON object:
- eval: the analyzer on real complaints (../shared/real, read there, never copied; skipped with a
  note where absent), scored by 5-fold cross-validation (a model trained on tests/data and four
  fifths of the real texts scores the fifth), overall and per register (work orders, customers'
  own words, news, official records): per-label precision/recall/F1, the confusion matrix,
  threat precision and recall, calibration error; and the rules alone on the same texts;
- throughput: analyses per second (analyze + to_dict) on one core for ~200-character texts, with the
  bundled model (the default) and with the rules alone, the fastest of three runs (all listed);
- startup: a fresh process importing the analyzer, loading the model and analysing one text, wall time;
- peak_rss_mb: the peak resident memory of that process;
- compiled: whether the analyzer's core runs compiled (setup.py) or as plain Python.
No asserts: this reports. Run: PYTHONPATH=src python bench/analyzer_bench.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tousu.analysis import (  # noqa: E402
    BUNDLED_MODEL,
    Analyzer,
    load_model,
)
from tousu.analysis import matcher as matcher_module  # noqa: E402
from tousu.analysis.datasets import read_jsonl  # noqa: E402
from tousu.analysis.evaluate import cross_validate, evaluate, score  # noqa: E402
from tousu.knowledge import KnowledgeBase, load_knowledge_base  # noqa: E402

DATA = ROOT / "tests" / "data"
REAL = ROOT.parent / "shared" / "real" / "complaints.jsonl"
SECONDS = 2.0
TRIALS = 3

_CHILD = """
import json, resource, sys, time
started = time.perf_counter()
from tousu.analysis import Analyzer, load_model
model = load_model(sys.argv[1]) if len(sys.argv) > 1 else None
analyzer = Analyzer(model=model)
analyzer.analyze("乱扣我话费200块，不退钱我就去工信部投诉！").to_dict()
elapsed = time.perf_counter() - started
# VmHWM is this process's own peak; ru_maxrss may carry the parent's over fork and exec.
try:
    peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"import_and_first_s": elapsed, "peak_rss_mb": peak}))
"""


def real_text_figures(kb: KnowledgeBase) -> dict[str, object]:
    if not REAL.exists():
        return {"skipped": f"no real complaints at {REAL.relative_to(ROOT.parent)}: accuracy on real text not measured"}
    real = read_jsonl(REAL)
    base = [record for path in sorted(DATA.glob("analyzer_*.jsonl")) for record in read_jsonl(path)]
    report = cross_validate(real, kb, base=base, folds=5)
    registers = sorted({str(r.get("register")) for r in real})
    by_register = {
        register: score([(r, a) for r, a in report.scored if r.get("register") == register]).summary()
        for register in registers
    }
    return {
        "records": report.records,
        "cross_validated": report.to_dict(),
        "by_register": by_register,
        "rules_alone": evaluate(Analyzer(kb), real).summary(),
    }


def texts_of_about_200_characters() -> list[str]:
    texts = (
        [r["text"] for r in read_jsonl(DATA / "analyzer_dev.jsonl")] if (DATA / "analyzer_dev.jsonl").exists() else []
    )
    chosen = [t for t in texts if 170 <= len(t) <= 240]
    short = [t for t in texts if 60 <= len(t) < 170]
    # Pairs of shorter complaints, cut at 200 characters, make up the rest.
    chosen += [(a + b)[:200] for a, b in zip(short[::2], short[1::2], strict=False) if len(a + b) >= 170]
    if len(chosen) >= 5:
        return chosen
    return [
        "我是你们的老客户了，上个月12月22日莫名其妙被扣了两千元流量费，打10086客服态度很差，"
        "说48小时内回复到现在都没人管。我要求全额退费并书面道歉，不然我就去工信部投诉，"
        "还要发到微博上曝光你们！！我的号码13912345678。"
    ]


def throughput(analyzer: Analyzer, texts: list[str]) -> dict[str, object]:
    """Analyses per second in TRIALS runs of SECONDS: the fastest run, since the machine's own
    speed varies from one run to the next, and every run's rate."""
    for text in texts:
        analyzer.analyze(text).to_dict()
    rates = []
    for _ in range(TRIALS):
        count = 0
        started = time.perf_counter()
        while time.perf_counter() - started < SECONDS:
            for text in texts:
                analyzer.analyze(text).to_dict()
                count += 1
        rates.append(round(count / (time.perf_counter() - started), 1))
    return {"per_s": max(rates), "trials": rates, "mean_chars": round(sum(map(len, texts)) / len(texts), 1)}


def startup(model_path: Path | None) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    args = [sys.executable, "-c", _CHILD, *([str(model_path)] if model_path else [])]
    started = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        return {"error": result.stderr[-300:]}  # type: ignore[dict-item]
    child = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "wall_s": round(wall, 3),
        "import_and_first_s": round(child["import_and_first_s"], 3),
        "peak_rss_mb": round(child["peak_rss_mb"], 1),
    }


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    kb = load_knowledge_base()
    rules = Analyzer(kb)
    results: dict[str, object] = {"compiled": not str(matcher_module.__file__).endswith(".py")}
    results["eval"] = real_text_figures(kb)
    texts = texts_of_about_200_characters()
    results["throughput_rules"] = throughput(rules, texts)
    results["startup_rules"] = startup(None)
    bundled = Analyzer(kb, model=load_model(BUNDLED_MODEL))
    results["throughput_bundled_model"] = throughput(bundled, texts)
    results["startup_bundled_model"] = startup(BUNDLED_MODEL)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
