"""The analyzer learns from the organisation's own corrections.

Every change a person makes to a complaint's category, demands or emotion is kept as a labelled
example (`record_correction`, in the transaction of the change). `retrain` fits a model on the
organisation's labelled history, scores it and the model in use on a held-out slice of that
history, and activates it only when it is not worse there; every server process then switches
to it (see analysis_port.ActiveModel). Earlier models stay stored and can be reactivated.
"""

from __future__ import annotations

import hashlib
import math
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tousu.domain.codes import Category
from tousu.domain.deadlines import LOCAL
from tousu.services.actors import Actor
from tousu.services.errors import Invalid, NotFound
from tousu.storage.tables import analyzer_model_events, analyzer_models, complaints, label_corrections, users

if TYPE_CHECKING:
    from tousu.analysis.analyzer import Analyzer, Predictor
    from tousu.analysis.model import Model

FIELDS = ("category", "demands", "emotion")
MIN_TRAINING = 10  # what tousu.analysis.model.train needs
MIN_HELD_OUT = 5  # held-out records with a category: fewer say nothing about a model
STATUS_NAMES = {"candidate": "待启用", "active": "使用中", "retired": "已停用", "refused": "已拒绝"}
ACTION_NAMES = {
    "trained": "训练（评估通过）",
    "refused": "训练（评估未通过，拒绝）",
    "activated": "启用",
    "deactivated": "停用，改用内置模型",
}
_TOLERANCE = 1e-9  # scores equal up to rounding count as equal: "not worse"


# Corrections


def same_label(field: str, old: Any, new: Any) -> bool:
    """Demands are a set: the same demands in another order are no correction."""
    if field == "demands":
        return set(old or []) == set(new or [])
    return bool(old == new)


def record_correction(
    conn: sa.Connection,
    *,
    complaint: Mapping[str, Any],
    field: str,
    old: Any,
    new: Any,
    actor: Actor,
    now: datetime,
) -> bool:
    """Keep a person's label that differs from `old` as a labelled example; nothing when equal."""
    assert field in FIELDS, field
    if same_label(field, old, new):
        return False
    analysis = complaint.get("analysis") or {}
    conn.execute(
        label_corrections.insert().values(
            complaint_id=complaint["id"],
            field=field,
            old_value=old,
            new_value=new,
            analyzer_value=analysis.get(field),
            text=complaint["content"],
            analyzer_version=complaint.get("analyzer_version"),
            model_version=analysis.get("model_version"),
            actor_id=actor.id,
            created_at=now,
        )
    )
    return True


def current_emotion(conn: sa.Connection, complaint: Mapping[str, Any]) -> str | None:
    """The latest emotion a person gave the complaint, else the analyzer's (complaints keep no emotion column)."""
    corrected = conn.execute(
        sa.select(label_corrections.c.new_value)
        .where(label_corrections.c.complaint_id == complaint["id"], label_corrections.c.field == "emotion")
        .order_by(label_corrections.c.id.desc())
        .limit(1)
    ).scalar()
    if corrected is not None:
        return str(corrected)
    emotion = (complaint.get("analysis") or {}).get("emotion")
    return str(emotion) if emotion else None


def corrections_of(conn: sa.Connection, *, complaint_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(label_corrections)
        .where(label_corrections.c.complaint_id == complaint_id)
        .order_by(label_corrections.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def corrections_per_week(conn: sa.Connection, *, now: datetime, weeks: int = 12) -> list[dict[str, Any]]:
    """Corrections and complaints received per week (Monday to Sunday, Beijing time), oldest first:
    a rising share of corrections means the organisation's words drift from what the model learnt."""
    local = now.astimezone(LOCAL)
    this_monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    starts = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    rows = conn.execute(
        sa.select(label_corrections.c.created_at, label_corrections.c.field).where(
            label_corrections.c.created_at >= starts[0]
        )
    ).all()
    result = []
    for start in starts:
        end = start + timedelta(weeks=1)
        inside = [field for at, field in rows if start <= at < end]
        received = conn.execute(
            sa.select(sa.func.count()).where(complaints.c.received_at >= start, complaints.c.received_at < end)
        ).scalar_one()
        result.append(
            {
                "week": start.date(),
                "corrections": len(inside),
                "by_field": {field: inside.count(field) for field in FIELDS},
                "complaints": received,
                "share": len(inside) / received if received else None,
            }
        )
    return result


# Training data


def training_records(conn: sa.Connection) -> list[dict[str, Any]]:
    """The organisation's labelled history, one record per complaint: `id`, `text` and the labels
    people gave it. A category counts when a person set it (at intake, by a correction, or in an
    import); demands when a person corrected them, or gave them on a complaint the analyzer never
    read (an empty list there is taken as unknown: imports often lack the column); emotion only
    from corrections. The latest correction of each label wins."""
    records: dict[int, dict[str, Any]] = {}
    person_set = conn.execute(
        sa.select(
            complaints.c.id,
            complaints.c.content,
            complaints.c.category,
            complaints.c.demands,
            complaints.c.analyzer_version,
        ).where(complaints.c.category_source == "person")
    )
    for row in person_set:
        record: dict[str, Any] = {"id": row.id, "text": row.content}
        if row.category:
            record["category"] = row.category
        if row.analyzer_version is None and row.demands:
            record["demands"] = list(row.demands)
        records[row.id] = record
    corrections = conn.execute(
        sa.select(
            label_corrections.c.complaint_id,
            label_corrections.c.field,
            label_corrections.c.new_value,
            label_corrections.c.text,
        ).order_by(label_corrections.c.id)
    )
    for fix in corrections:
        record = records.setdefault(fix.complaint_id, {"id": fix.complaint_id, "text": fix.text})
        record[fix.field] = list(fix.new_value) if fix.field == "demands" else fix.new_value
    return [r for r in records.values() if str(r["text"]).strip() and any(f in r for f in FIELDS)]


def _position(complaint_id: int, seed: int) -> float:
    """A complaint's fixed place in [0, 1): a hash of its id, the same on every machine."""
    digest = hashlib.sha256(f"{seed}:{complaint_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split(
    records: Sequence[Mapping[str, Any]], *, seed: int, share: float
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """(training, held out). Held out: every complaint placed below `share`, topped up from the
    next places to a `share` of the records (small histories). By place, not by a shuffle: the
    slice stays nearly the same as the history grows, so a model in use was (almost) never
    trained on the complaints it is compared on."""
    ordered = sorted(records, key=lambda r: _position(int(r["id"]), seed))
    below = sum(_position(int(r["id"]), seed) < share for r in ordered)
    cut = max(below, math.ceil(share * len(ordered)))
    return ordered[cut:], ordered[:cut]


# Models


def serialize(model: Model) -> bytes:
    from tousu.analysis.model import save_model

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        save_model(model, path)
        return path.read_bytes()


def predictor(artifact: bytes) -> Predictor:
    """A stored model, completed by the bundled one for the labels its history lacked."""
    from tousu.analysis import load_model

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        path.write_bytes(artifact)
        return load_model(path)


def active_model_id(conn: sa.Connection) -> int | None:
    """The one indexed read every server process makes every few seconds."""
    return conn.execute(
        sa.select(analyzer_models.c.id)
        .where(analyzer_models.c.status == "active")
        .order_by(analyzer_models.c.activated_at.desc())
        .limit(1)
    ).scalar()


def artifact_of(conn: sa.Connection, model_id: int) -> bytes:
    data = conn.execute(sa.select(analyzer_models.c.artifact).where(analyzer_models.c.id == model_id)).scalar()
    if data is None:
        raise NotFound("model_not_found", f"模型 #{model_id} 不存在：请用 tousu model list 或模型管理页查看已有模型。")
    return bytes(data)


_LISTED = [c for c in analyzer_models.c if c.name != "artifact"]


def active_model(conn: sa.Connection) -> dict[str, Any] | None:
    """The active model's row (without the model file), or None: the configured model is in use."""
    model_id = active_model_id(conn)
    return None if model_id is None else get(conn, model_id)


def get(conn: sa.Connection, model_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(*_LISTED).where(analyzer_models.c.id == model_id)).mappings().first()
    if row is None:
        raise NotFound("model_not_found", f"模型 #{model_id} 不存在：请用 tousu model list 或模型管理页查看已有模型。")
    return dict(row)


def list_models(conn: sa.Connection, *, limit: int = 50) -> list[dict[str, Any]]:
    """The newest first, with who trained each."""
    rows = conn.execute(
        sa.select(*_LISTED, users.c.username.label("created_by"))
        .outerjoin(users, users.c.id == analyzer_models.c.created_by_id)
        .order_by(analyzer_models.c.id.desc())
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


def history(conn: sa.Connection, *, limit: int = 30) -> list[dict[str, Any]]:
    """Trainings, activations and withdrawals, the newest first, with who did them."""
    rows = conn.execute(
        sa.select(analyzer_model_events, users.c.username.label("actor"), analyzer_models.c.version)
        .outerjoin(users, users.c.id == analyzer_model_events.c.actor_id)
        .outerjoin(analyzer_models, analyzer_models.c.id == analyzer_model_events.c.model_id)
        .order_by(analyzer_model_events.c.id.desc())
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


# Retraining


@dataclass(frozen=True)
class TrainingSet:
    training: list[Mapping[str, Any]]
    held: list[Mapping[str, Any]]
    baseline_id: int | None  # the active model the candidate must match; None: the configured one
    baseline_artifact: bytes | None
    seed: int
    share: float


@dataclass(frozen=True)
class Candidate:
    model: Model
    artifact: bytes
    metrics: dict[str, Any]
    better: bool  # not worse than the baseline on the held-out history


def prepare(conn: sa.Connection, *, holdout_share: float = 0.2, seed: int = 0) -> TrainingSet:
    """Read the labelled history and split it; refuse when it is too small to learn or judge."""
    if not 0 < holdout_share < 1:
        raise Invalid("bad_holdout_share", "留出评估的比例须大于 0 且小于 1（例如 0.2）。", "holdout_share")
    records = training_records(conn)
    training, held = split(records, seed=seed, share=holdout_share)
    judged = [r for r in held if r.get("category")]
    if len(training) < MIN_TRAINING or len(judged) < MIN_HELD_OUT:
        raise Invalid(
            "too_little_history",
            f"本机构已标注的投诉太少，无法训练：现有 {len(records)} 条（训练 {len(training)} 条，需至少 "
            f"{MIN_TRAINING} 条；留出评估中带类别的 {len(judged)} 条，需至少 {MIN_HELD_OUT} 条）。"
            "请在投诉页更正类别、诉求或情绪，或导入带类别的历史投诉后再训练。",
        )
    baseline_id = active_model_id(conn)
    baseline = artifact_of(conn, baseline_id) if baseline_id is not None else None
    return TrainingSet(training, held, baseline_id, baseline, seed, holdout_share)


def fit(data: TrainingSet, *, configured: Analyzer) -> Candidate:
    """Train on the training slice; score the candidate and the baseline (the active model, else
    the configured analyzer) on the held-out slice. CPU only, no database."""
    from tousu.analysis import BUNDLED_MODEL, Analyzer
    from tousu.analysis.evaluate import evaluate
    from tousu.analysis.model import ModelError, load_model, train

    try:
        prior = load_model(BUNDLED_MODEL)
        model = train(data.training, configured.kb.taxonomy, sources=["database"], prior=prior)
    except ModelError as exc:
        raise Invalid("training_failed", f"训练失败：{exc}。请补充更多已标注的投诉后再试。") from None
    artifact = serialize(model)
    candidate = evaluate(Analyzer(configured.kb, model=predictor(artifact)), data.held)
    if data.baseline_artifact is not None:
        baseline_analyzer = Analyzer(configured.kb, model=predictor(data.baseline_artifact))
    else:
        baseline_analyzer = configured
    baseline = evaluate(baseline_analyzer, data.held)
    metrics = {
        "seed": data.seed,
        "holdout_share": data.share,
        "train_records": len(data.training),
        "held_out_records": len(data.held),
        "labels": model.metadata.get("labels", {}),
        "own_weights": model.metadata.get("prior", {}).get("weights", {}),
        "reading": model.metadata.get("reading", {}),
        "candidate": _scores(candidate.to_dict()),
        "baseline": {
            "model_id": data.baseline_id,
            "version": getattr(baseline_analyzer.model, "version", None),
            **_scores(baseline.to_dict()),
        },
    }
    better = candidate.category_macro_f1 + _TOLERANCE >= baseline.category_macro_f1
    return Candidate(model, artifact, metrics, better)


def known_categories(metrics: Mapping[str, Any]) -> list[str]:
    """The categories a stored model can choose: those of its history, or all of them when its
    history had fewer than two (the bundled model then decides the category)."""
    seen = sorted((metrics.get("labels") or {}).get("category") or {})
    return seen if len(seen) >= 2 else [c.value for c in Category]


def _scores(report: dict[str, Any]) -> dict[str, Any]:
    return {key: report[key] for key in ("records", "summary", "category", "demands", "emotion")}


def store(
    conn: sa.Connection, candidate: Candidate, *, baseline_id: int | None, actor: Actor | None, now: datetime
) -> dict[str, Any]:
    """Keep the candidate; activate it when it is not worse than the model it was compared with
    and that model is still the active one; otherwise keep it refused, with the reason."""
    _serialise(conn)
    metrics = candidate.metrics
    new_f1 = metrics["candidate"]["category"]["macro_f1"]
    old_f1 = metrics["baseline"]["category"]["macro_f1"]
    reason = None
    if not candidate.better:
        reason = f"留出评估中类别宏平均 F1 为 {new_f1:.3f}，低于当前模型的 {old_f1:.3f}：不予启用，当前模型继续使用。"
    elif active_model_id(conn) != baseline_id:
        reason = "训练期间已有其他模型启用，本次比较已失效：请重新训练。"
    model_id: int = conn.execute(
        analyzer_models.insert().values(
            version=candidate.model.version,
            status="refused" if reason else "candidate",
            created_at=now,
            created_by_id=actor.id if actor else None,
            artifact=candidate.artifact,
            metrics=metrics,
            reason=reason,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    summary = {"category_macro_f1": new_f1, "baseline_category_macro_f1": old_f1}
    if reason:
        _event(conn, model_id=model_id, action="refused", actor=actor, now=now, data={**summary, "reason": reason})
    else:
        _event(conn, model_id=model_id, action="trained", actor=actor, now=now, data=summary)
        _switch(conn, model_id=model_id, actor=actor, now=now)
    return get(conn, model_id)


def retrain(
    conn: sa.Connection,
    *,
    now: datetime,
    actor: Actor | None,
    configured: Analyzer,
    holdout_share: float = 0.2,
    seed: int = 0,
) -> dict[str, Any]:
    """prepare, fit and store on one connection (the command line). A server reads, trains
    and writes in separate transactions, so training holds no lock. `configured` is the
    analyzer servers use when no model is active (TOUSU_MODEL_PATH)."""
    data = prepare(conn, holdout_share=holdout_share, seed=seed)
    candidate = fit(data, configured=configured)
    return store(conn, candidate, baseline_id=data.baseline_id, actor=actor, now=now)


def activate(conn: sa.Connection, *, model_id: int, actor: Actor | None, now: datetime) -> dict[str, Any]:
    """Make a stored model the active one again (a rollback): every server switches within seconds."""
    _serialise(conn)
    row = get(conn, model_id)
    if row["status"] == "refused":
        raise Invalid(
            "model_refused",
            f"模型 #{model_id} 在留出评估中不如当时使用的模型，已被拒绝，不能启用：请重新训练。",
            "model_id",
        )
    if row["status"] != "active":
        _switch(conn, model_id=model_id, actor=actor, now=now)
    return get(conn, model_id)


def deactivate(conn: sa.Connection, *, actor: Actor | None, now: datetime) -> int | None:
    """Stop using the organisation's model: servers go back to the configured (bundled) one.
    Returns the model withdrawn, None when none was active."""
    _serialise(conn)
    model_id = active_model_id(conn)
    if model_id is None:
        return None
    conn.execute(analyzer_models.update().where(analyzer_models.c.status == "active").values(status="retired"))
    _event(conn, model_id=model_id, action="deactivated", actor=actor, now=now, data={})
    return model_id


def _switch(conn: sa.Connection, *, model_id: int, actor: Actor | None, now: datetime) -> None:
    previous = active_model_id(conn)
    conn.execute(analyzer_models.update().where(analyzer_models.c.status == "active").values(status="retired"))
    conn.execute(
        analyzer_models.update().where(analyzer_models.c.id == model_id).values(status="active", activated_at=now)
    )
    _event(conn, model_id=model_id, action="activated", actor=actor, now=now, data={"previous_model_id": previous})


def _serialise(conn: sa.Connection) -> None:
    """One activation at a time across processes, so exactly one model is active (SQLite has one
    writer at a time; PostgreSQL takes a transaction-scoped advisory lock)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('tousu:analyzer_models'))"))


def _event(
    conn: sa.Connection, *, model_id: int | None, action: str, actor: Actor | None, now: datetime, data: dict[str, Any]
) -> None:
    assert action in ACTION_NAMES, action
    conn.execute(
        analyzer_model_events.insert().values(
            model_id=model_id, action=action, actor_id=actor.id if actor else None, at=now, data=data
        )
    )
