"""`tousu analyze`, `tousu train`, `tousu eval`: the analyzer on the command line.

`tousu analyze` reads JSON Lines on standard input — one object per line with `text` and,
optionally, `id`, `industry`, `role`, `channel` (hall, hotline…), `authority`
({"max_refund": 100, ...}) and `history` ([{"received_at": "2026-10-01T09:00:00", "category":
"billing", "closed": true}]) — and writes one JSON object per line, in order. A line that cannot be analysed gets
{"line": n, "error": {"type": ..., "message": ...}} and the run goes on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from tousu.analysis.signals import PastComplaint


def register(app: typer.Typer) -> None:
    """Add the analyzer's commands to the main application."""
    app.command("analyze")(analyze)
    app.command("train")(train)
    app.command("eval")(evaluate)


ModelOption = Annotated[
    Path | None, typer.Option("--model", dir_okay=False, help="trained model file (default: the bundled one)")
]
RulesOnlyOption = Annotated[bool, typer.Option("--rules-only", help="the knowledge-base rules alone, no model")]


def analyze(
    model: ModelOption = None,
    rules_only: RulesOnlyOption = False,
    industry: Annotated[str, typer.Option(help="industry when a line names none")] = "telecom",
) -> None:
    """Analyse complaints: JSON Lines in on standard input, one JSON line out per input line."""
    analyzer = _analyzer(model, rules_only)
    _analyze_stream(analyzer, sys.stdin, sys.stdout, default_industry=industry)


def _analyze_stream(analyzer: Any, source: TextIO, sink: TextIO, *, default_industry: str) -> None:
    for number, line in enumerate(source, 1):
        if not line.strip():
            continue
        output = _analyze_line(analyzer, line, number, default_industry)
        sink.write(json.dumps(output, ensure_ascii=False) + "\n")
        sink.flush()


def _analyze_line(analyzer: Any, line: str, number: int, default_industry: str) -> dict[str, Any]:
    ident = None
    try:
        record = json.loads(line)
        if not isinstance(record, dict):
            raise _LineError("bad_line", "每行必须是一个 JSON 对象 (each line must be a JSON object)")
        ident = record.get("id")
        text = record.get("text")
        if not isinstance(text, str):
            raise _LineError("bad_line", "缺少字符串字段 text (missing string field 'text')")
        analysis = analyzer.analyze(
            text,
            history=_history(record.get("history")),
            role=record.get("role"),
            authority=_authority(record.get("authority")),
            industry=record.get("industry") or default_industry,
            channel=record.get("channel"),
        )
    except json.JSONDecodeError as exc:
        return _error(number, ident, "bad_json", f"不是合法的 JSON (invalid JSON): {exc.msg} at column {exc.colno}")
    except _LineError as exc:
        return _error(number, ident, exc.kind, exc.message)
    except ValueError as exc:
        return _error(number, ident, "bad_input", str(exc))
    result = {"line": number, **({"id": ident} if ident is not None else {}), **analysis.to_dict()}
    return result


class _LineError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _error(number: int, ident: Any, kind: str, message: str) -> dict[str, Any]:
    data: dict[str, Any] = {"line": number, "error": {"type": kind, "message": message}}
    if ident is not None:
        data["id"] = ident
    return data


def _history(raw: Any) -> list[PastComplaint]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _LineError("bad_line", "history 必须是列表 (history must be a list)")
    history = []
    for index, item in enumerate(raw):
        try:
            history.append(
                PastComplaint(
                    received_at=datetime.fromisoformat(item["received_at"]),
                    category=str(item["category"]),
                    status=str(item.get("status", "")),
                    closed=bool(item.get("closed", False)),
                    closed_at=datetime.fromisoformat(item["closed_at"]) if item.get("closed_at") else None,
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise _LineError("bad_line", f"history[{index}] 无效 (invalid): {exc}") from None
    return history


def _authority(raw: Any) -> Mapping[str, Any] | None:
    if raw is None or isinstance(raw, dict):
        return raw
    raise _LineError("bad_line", "authority 必须是对象 (authority must be an object)")


DataFiles = Annotated[
    list[Path], typer.Argument(exists=True, dir_okay=False, help="labelled complaints: .jsonl, .csv or .xlsx")
]
MapOption = Annotated[
    Path | None,
    typer.Option("--map", exists=True, dir_okay=False, help="YAML mapping the files' own labels to tousu's codes"),
]


def train(
    data: Annotated[
        list[Path] | None,
        typer.Argument(exists=True, dir_okay=False, help="labelled complaints: .jsonl, .csv or .xlsx"),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", dir_okay=False, help="where to write the model file")] = None,
    mapping: MapOption = None,
    c: Annotated[float, typer.Option("--c", help="inverse regularisation strength")] = 8.0,
    calibrate_on: Annotated[
        list[Path] | None,
        typer.Option(
            "--calibrate-on",
            exists=True,
            dir_okay=False,
            help="of the files given, those most like the texts the model will meet: their records set how sure it "
            "may be, and the emotion is learned mostly from them (default: all)",
        ),
    ] = None,
    standalone: Annotated[
        bool, typer.Option("--standalone", help="without the bundled model as a prior (how that model itself is made)")
    ] = False,
    from_db: Annotated[
        bool, typer.Option("--from-db", help="train on the organisation's history in TOUSU_DATABASE_URL instead")
    ] = False,
    holdout: Annotated[float, typer.Option(help="with --from-db: share of the history held out")] = 0.2,
    seed: Annotated[int, typer.Option(help="with --from-db: chooses the held-out slice")] = 0,
) -> None:
    """Train the statistical model on labelled complaints and save it as a versioned file.

    Records may carry only some labels (a category alone, say): each part of the model learns
    from the records that have its label, and `tousu analyze --model` takes the parts a model
    lacks from the bundled one. The category, the emotion and the demands are blended with the
    bundled model's, with the weight that predicts the records' own labels best (out of fold),
    unless --standalone. With --from-db, the same as `tousu model retrain`: train on the
    organisation's corrected and imported history, activate the model only if it is not worse."""
    if from_db:
        if data or out is not None:
            typer.echo("error: --from-db reads the database; it takes no files and no --out", err=True)
            raise typer.Exit(1)
        from tousu.cli import retrain_from_db

        retrain_from_db(holdout=holdout, seed=seed)
        return
    if not data or out is None:
        typer.echo("error: name the labelled files and --out FILE (or use --from-db)", err=True)
        raise typer.Exit(1)
    from tousu.analysis import BUNDLED_MODEL
    from tousu.analysis.model import ModelError, load_model, save_model
    from tousu.analysis.model import train as fit
    from tousu.knowledge import load_knowledge_base

    calibrating = {path.resolve() for path in calibrate_on or ()}
    if calibrating - {path.resolve() for path in data}:
        typer.echo("error: --calibrate-on names a file that is not among the training files", err=True)
        raise typer.Exit(1)
    try:
        parts = [(path, _read([path], mapping)) for path in data]
        records = [record for _, part in parts for record in part]
        flags = [not calibrating or path.resolve() in calibrating for path, part in parts for _ in part]
        prior = None if standalone else load_model(BUNDLED_MODEL)
        model = fit(
            records,
            load_knowledge_base().taxonomy,
            c=c,
            sources=[path.name for path in data],
            prior=prior,
            calibrate_on=flags,
        )
    except (ModelError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    save_model(model, out)
    meta = model.metadata
    weights = (meta.get("prior") or {}).get("weights") or {}
    heads = ", ".join(
        f"{name} ({len(classes)}"
        + (f", own {weights[name]:.0%} + bundled {1 - weights[name]:.0%}" if name in weights else "")
        + ")"
        for name, classes in meta["heads"].items()
        if classes
    )
    typer.echo(
        f"model {meta['model_version']}: {meta['records']} records, {meta['features']} features, {heads} -> {out}"
    )
    agreements = meta["reading"].get("agreements") or {}
    if len(agreements) > 1:
        shares = ", ".join(f"{_READING_NAMES[name]} {share:.1%}" for name, share in agreements.items())
        typer.echo(f"reads {_READING_NAMES[meta['reading']['name']]} (categories right out of fold: {shares})")


_READING_NAMES = {"stripped": "the complaint without routing lines and punctuation", "whole": "the whole text"}


def _read(paths: list[Path], mapping_path: Path | None) -> list[dict[str, Any]]:
    from tousu.analysis.datasets import read_labelled, read_mapping

    mapping = read_mapping(mapping_path) if mapping_path is not None else None
    return [record for path in paths for record in read_labelled(path, mapping)]


def evaluate(
    data: DataFiles,
    model: ModelOption = None,
    rules_only: RulesOnlyOption = False,
    mapping: MapOption = None,
    cv: Annotated[
        int,
        typer.Option("--cv", help="k-fold cross-validation: train on --base plus k-1 folds, score the k-th"),
    ] = 0,
    base: Annotated[
        list[Path] | None,
        typer.Option("--base", exists=True, dir_okay=False, help="with --cv: extra training data, never scored"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Precision, recall and F1 per label, macro/micro F1, threat recall and precision,
    calibration, confusion matrix. With --cv, a model trained on the data is scored only on
    folds it did not see."""
    from tousu.analysis.evaluate import cross_validate
    from tousu.analysis.evaluate import evaluate as run
    from tousu.knowledge import load_knowledge_base

    try:
        records = _read(data, mapping)
        if cv:
            if model is not None or rules_only:
                typer.echo("error: --cv trains its own models; it excludes --model and --rules-only", err=True)
                raise typer.Exit(2)
            extra = _read(base or [], mapping)
            report = cross_validate(records, load_knowledge_base(), base=extra, folds=cv)
        else:
            report = run(_analyzer(model, rules_only), records)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(_render(report.to_dict()))


def _analyzer(model_path: Path | None, rules_only: bool) -> Any:
    from tousu.analysis import BUNDLED_MODEL, Analyzer, load_model
    from tousu.analysis.model import ModelError

    if rules_only and model_path is not None:
        typer.echo("error: --model and --rules-only exclude each other", err=True)
        raise typer.Exit(2)
    try:
        model = None if rules_only else load_model(model_path or BUNDLED_MODEL)
    except ModelError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    return Analyzer(model=model)


def _render(report: dict[str, Any]) -> str:
    lines = [f"records: {report['records']}", ""]
    summary = report["summary"]
    lines += [f"{key:<20} {value:.4f}" for key, value in summary.items()]
    for title in ("category", "demands", "emotion"):
        section = report[title]
        lines += ["", f"{title}:", f"  {'label':<22}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}"]
        for label, s in section["per_label"].items():
            lines.append(f"  {label:<22}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>10.3f}{s['support']:>9}")
        if title == "demands":
            micro = section["micro"]
            lines.append(f"  {'micro':<22}{micro['precision']:>10.3f}{micro['recall']:>10.3f}{micro['f1']:>10.3f}")
            lines.append(f"  {'macro f1':<22}{'':>20}{section['macro_f1']:>10.3f}")
            lines.append(f"  {'threat recall':<22}{'':>20}{report['threats']['recall']:>10.3f}")
            lines.append(f"  {'threat precision':<22}{'':>20}{report['threats']['precision']:>10.3f}")
    confusion = report["category"]["confusion"]
    labels = confusion["labels"]
    short = [label[:5] for label in labels]
    lines += [
        "",
        "category confusion (rows: gold, columns: predicted):",
        "  " + " " * 12 + "".join(f"{s:>6}" for s in short),
    ]
    for label, row in zip(labels, confusion["matrix"], strict=True):
        lines.append(f"  {label:<12}" + "".join(f"{n:>6}" for n in row))
    if report["skipped"]:
        lines += ["", f"skipped {len(report['skipped'])} records:"] + [f"  {s}" for s in report["skipped"][:20]]
    return "\n".join(lines)
