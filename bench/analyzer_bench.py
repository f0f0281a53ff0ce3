"""The analyzer's quality, speed, start-up time and memory.

Prints one JSON object:
- eval: category macro-F1, demand micro-F1 and threat recall on every labelled set with the rules alone,
  and on the newest set with the bundled model, which is trained on all the others;
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
from tousu.analysis.evaluate import evaluate  # noqa: E402
from tousu.knowledge import load_knowledge_base  # noqa: E402

DATA = ROOT / "tests" / "data"
SETS = ("dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9", "fresh10")  # in the order they were written
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


def figures(analyzer: Analyzer, name: str) -> dict[str, float] | None:
    path = DATA / name
    if not path.exists():
        return None
    report = evaluate(analyzer, read_jsonl(path))
    summary = report.summary()
    return {
        "records": report.records,
        "category_macro_f1": summary["category_macro_f1"],
        "demand_micro_f1": summary["demand_micro_f1"],
        "threat_recall": summary["threat_recall"],
        "emotion_accuracy": summary["emotion_accuracy"],
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
    results["eval"] = {"rules": {name: figures(rules, f"analyzer_{name}.jsonl") for name in SETS}}
    texts = texts_of_about_200_characters()
    results["throughput_rules"] = throughput(rules, texts)
    results["startup_rules"] = startup(None)
    bundled = Analyzer(kb, model=load_model(BUNDLED_MODEL))
    results["throughput_bundled_model"] = throughput(bundled, texts)
    results["startup_bundled_model"] = startup(BUNDLED_MODEL)
    # The bundled model is trained on every set but the newest (see `make model`): this is the
    # shipped analyzer on text it was not built on.
    newest = [name for name in SETS if (DATA / f"analyzer_{name}.jsonl").exists()][-1]
    results["eval"][f"{newest}_bundled_model"] = figures(bundled, f"analyzer_{newest}.jsonl")  # type: ignore[index]
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
