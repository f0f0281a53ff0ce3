"""The administrators' analyzer page: the model in use and how it scores on the organisation's
own held-out history, corrections per week, the model history with rollback, and retraining.
Plain forms, each checked against the CSRF cookie; the services do the work (services/learning)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from tousu.analysis import Analyzer
from tousu.api.deps import AppState, State
from tousu.domain.codes import CATEGORY_NAMES, DEMAND_NAMES, EMOTION_NAMES, Category, Role
from tousu.services import learning
from tousu.services.actors import Actor
from tousu.services.errors import ServiceError
from tousu.web.auth import PageActor
from tousu.web.render import page
from tousu.web.security import CSRF_FIELD, csrf_valid

router = APIRouter(include_in_schema=False)

Csrf = Annotated[str, Form(alias=CSRF_FIELD)]
FORBIDDEN = "分析模型管理仅限系统管理员使用。如发现自动分类不准，请在投诉页更正类别、诉求或情绪。"
CSRF_FAILED = "页面已失效（安全校验未通过），请刷新页面后重试。"
LABEL_NAMES = {
    "category": {c.value: n for c, n in CATEGORY_NAMES.items()},
    "demands": {d.value: n for d, n in DEMAND_NAMES.items()},
    "emotion": {e.value: n for e, n in EMOTION_NAMES.items()},
}
HEAD_NAMES = {"category": "类别", "demands": "诉求", "emotion": "情绪"}
# Refusals come back to the page by their code (post/redirect/get): a link cannot make it say anything else.
ERRORS = {
    "too_little_history": (
        f"本机构已标注的投诉太少，无法训练：训练需至少 {learning.MIN_TRAINING} 条，留出评估需至少 "
        f"{learning.MIN_HELD_OUT} 条带类别的投诉。请在投诉页更正类别、诉求或情绪，或导入带类别的历史投诉后再训练。"
    ),
    "training_failed": "训练失败：已标注的投诉不足以训练模型，请补充更多已标注的投诉后再试。",
    "model_refused": "该模型在留出评估中不如当时使用的模型，已被拒绝，不能启用：请重新训练。",
    "model_not_found": "所选模型不存在：请刷新页面，从模型记录中选择。",
}
NOTICES = {
    "activated": "新模型在留出评估中不低于原模型，已启用：各服务进程将在数秒内改用新模型。",
    "refused": "新模型在留出评估中不如当前模型，未启用：当前模型继续使用（原因见模型记录）。",
    "reactivated": "已重新启用所选模型：各服务进程将在数秒内改用它。",
    "deactivated": "已停用本机构模型：各服务进程将在数秒内改用内置模型。",
}


def _refusal(request: Request, actor: Actor) -> Response | None:
    if actor.at_least(Role.ADMIN):
        return None
    return page(request, "forbidden.html", status_code=403, actor=actor, message=FORBIDDEN)


def _per_label(metrics: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Rows of (head, label name, precision, recall, F1, support) from a stored evaluation."""
    if not metrics:
        return []
    rows = []
    for head in ("category", "demands", "emotion"):
        for code, scores in metrics["candidate"][head]["per_label"].items():
            rows.append({"head": HEAD_NAMES[head], "label": LABEL_NAMES[head].get(code, code), **scores})
    return rows


def _model_page(
    request: Request, state: AppState, actor: Actor, *, error: str | None = None, status: int = 200
) -> Response:
    now = state.clock()
    with state.read() as conn:
        active = learning.active_model(conn)
        models = learning.list_models(conn)
        weeks = learning.corrections_per_week(conn, now=now)
        events = learning.history(conn)
        labelled = len(learning.training_records(conn))
    peak = max((w["corrections"] for w in weeks), default=0)
    known = learning.known_categories(active["metrics"]) if active else []
    return page(
        request,
        "model_admin.html",
        status_code=status,
        actor=actor,
        active=active,
        per_label=_per_label(active["metrics"] if active else None),
        known=known,
        head_names=HEAD_NAMES,
        missing=[c.value for c in Category if c.value not in known],
        models=models,
        weeks=weeks,
        peak=peak,
        events=events,
        labelled=labelled,
        status_names=learning.STATUS_NAMES,
        action_names=learning.ACTION_NAMES,
        notice=NOTICES.get(request.query_params.get("done", "")),
        error=error or ERRORS.get(request.query_params.get("error", "")),
        nav="model",
    )


@router.get("/admin/model")
def model_page(request: Request, state: State, actor: PageActor) -> Response:
    return _refusal(request, actor) or _model_page(request, state, actor)


@router.post("/admin/model/retrain")
def retrain(request: Request, state: State, actor: PageActor, csrf: Csrf = "") -> Response:
    """Read, train and store in separate steps: training holds no transaction open."""
    refused = _refusal(request, actor) or _csrf_refusal(request, state, actor, csrf)
    if refused is not None:
        return refused
    configured = state.models.configured.analyzer or Analyzer()  # no analyzer configured: the rules
    try:
        with state.read() as conn:
            data = learning.prepare(conn)
        candidate = learning.fit(data, configured=configured)
        with state.write() as conn:
            row = learning.store(conn, candidate, baseline_id=data.baseline_id, actor=actor, now=state.clock())
    except ServiceError as exc:
        return _back(error=exc.code)
    state.models.recheck()
    return _back(done="activated" if row["status"] == "active" else "refused")


@router.post("/admin/model/{model_id}/activate")
def activate(model_id: int, request: Request, state: State, actor: PageActor, csrf: Csrf = "") -> Response:
    refused = _refusal(request, actor) or _csrf_refusal(request, state, actor, csrf)
    if refused is not None:
        return refused
    try:
        with state.write() as conn:
            learning.activate(conn, model_id=model_id, actor=actor, now=state.clock())
    except ServiceError as exc:
        return _back(error=exc.code)
    state.models.recheck()
    return _back(done="reactivated")


@router.post("/admin/model/deactivate")
def deactivate(request: Request, state: State, actor: PageActor, csrf: Csrf = "") -> Response:
    refused = _refusal(request, actor) or _csrf_refusal(request, state, actor, csrf)
    if refused is not None:
        return refused
    with state.write() as conn:
        learning.deactivate(conn, actor=actor, now=state.clock())
    state.models.recheck()
    return _back(done="deactivated")


def _back(**outcome: str) -> Response:
    return RedirectResponse(f"/admin/model?{urlencode(outcome)}", status_code=303)


def _csrf_refusal(request: Request, state: AppState, actor: Actor, submitted: str) -> Response | None:
    if csrf_valid(request, submitted):
        return None
    return _model_page(request, state, actor, error=CSRF_FAILED, status=403)
