"""整改: the Pareto of root causes as a server-drawn SVG, the complaints behind each bar, the
measures with their owners and due dates, and each measure's page with its effect.

Plain forms checked against the CSRF cookie; every change is made by services/improvement.py.
Managers and up use the page; a measure's owner (an agent too) opens the measure's own page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from tousu.api.deps import AppState, State
from tousu.api.schemas import MAX_ID, printable
from tousu.domain.codes import Role
from tousu.domain.deadlines import LOCAL
from tousu.domain.improvement import (
    MEASURE_STATUS_NAMES,
    MOVES,
    ROOT_CAUSE_NAMES,
    UNCLASSIFIED,
    MeasureStatus,
    root_cause_name,
)
from tousu.services import improvement, users
from tousu.services.actors import Actor
from tousu.services.errors import Invalid, NotFound, ServiceError
from tousu.web import industry as choices
from tousu.web.auth import PageActor
from tousu.web.render import page
from tousu.web.security import CSRF_FIELD, csrf_valid

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form(alias=CSRF_FIELD)]
FORBIDDEN = "整改管理仅限厅经理及以上人员使用；您负责的整改措施可从“我的待办”打开。"
CSRF_FAILED = "页面已失效（安全校验未通过），请刷新页面后重试。"
NOTICES = {
    "created": "已制定整改措施，并记入所关联投诉的处理记录。",
    "changed": "已保存。",
}


def _day(value: str | None) -> date | None:
    """A yyyy-mm-dd from a form or the query string; None for anything else (the default applies)."""
    if not value or len(value) != 10:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if 1970 <= day.year <= 2099 else None


def _short(name: str) -> str:
    return name.split("（")[0]


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


# --- the charts, laid out here so the templates only draw -------------------------------------


@dataclass(frozen=True)
class ParetoChart:
    width: int
    height: int
    top: int
    bottom: int  # y of the base line
    left: int
    right: int  # x of the right axis
    bars: list[dict[str, Any]]
    line: str  # the cumulative line's points
    eighty: float  # y of the 80% line
    ticks: list[dict[str, Any]]
    label_y: int  # where the rotated names under the bars hang from


# Text sizes the layout reserves room for, in SVG units at the chart's font sizes; a line of text
# takes more height than its size (a Chinese font's ascent and descent), ASCENT above the baseline.
NAME_SIZE, COUNT_SIZE, PERCENT_SIZE = 12, 12, 11
LINE, ASCENT = 1.5, 1.15
SLANT = math.radians(35)  # names under the bars are rotated this far, anchored at their end


def _text_width(text: str, size: float) -> float:
    """A generous width of `text`: a Chinese character (or full-width mark) is a square, the rest narrower."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.62 for ch in text)


def pareto_chart(bars: list[dict[str, Any]], link: dict[str, str]) -> ParetoChart | None:
    """The Pareto's layout: bars by count, the cumulative line on a 0–100% right axis, and room
    for every label: a long name rotated under the first bar neither leaves the picture nor runs
    into another, and no percentage sits on a bar or on the count above it."""
    if not bars:
        return None
    width, right, top, plot = 720, 660, 42, 200
    bottom = top + plot
    label_y = bottom + 14
    names = [_short(b["name"]) for b in bars]
    cos, sin = math.cos(SLANT), math.sin(SLANT)
    # A name hangs down-left from its bar's centre: far enough left of the first bars to need room.
    reach = [_text_width(n, NAME_SIZE) * cos + LINE * NAME_SIZE * sin + 4 for n in names]
    left = 16
    for i, need in enumerate(reach):
        share = (i + 0.5) / len(bars)  # where bar i's centre lies between left and right
        left = max(left, math.ceil((need - share * right) / (1 - share)))
    slot = (right - left) / len(bars)
    deepest = max(_text_width(n, NAME_SIZE) * sin + LINE * NAME_SIZE * cos for n in names)
    height = math.ceil(label_y + deepest + 8)
    most = max(b["count"] for b in bars)
    drawn = []
    for i, b in enumerate(bars):
        tall = b["count"] / most * plot
        centre = left + (i + 0.5) * slot
        bar = min(slot * 0.64, 96)  # a few kinds should not make slabs
        point = bottom - b["cumulative"] * plot
        count_y = bottom - tall - 5
        # Above the point, or above the bar's count when the point lies on the bar.
        percent_y = min(point - 8, count_y - ASCENT * COUNT_SIZE - (LINE - ASCENT) * PERCENT_SIZE - 2)
        drawn.append(
            {
                **b,
                "x": round(centre - bar / 2, 1),
                "y": round(bottom - tall, 1),
                "w": round(bar, 1),
                "h": round(tall, 1),
                "cx": round(centre, 1),
                "cy": round(point, 1),
                "count_y": round(count_y, 1),
                "percent_y": round(percent_y, 1),
                "short": names[i],
                "percent": _pct(b["share"]),
                "cumulative_percent": _pct(b["cumulative"]),
                "href": "/improvement?" + urlencode({**link, "kind": b["kind"]}) + "#complaints",
            }
        )
    line = " ".join(f"{d['cx']},{d['cy']}" for d in drawn)
    # The 80% mark is a tick of its own on the right axis, so 75% would crowd it.
    ticks = [{"y": round(bottom - f * plot, 1), "label": f"{int(f * 100)}%"} for f in (0, 0.2, 0.4, 0.6, 1)]
    return ParetoChart(
        width, height, top, bottom, left, right, drawn, line, round(bottom - 0.8 * plot, 1), ticks, label_y
    )


def effect_chart(effect: dict[str, Any]) -> dict[str, Any]:
    """Bars per week, before the completion in grey, after in blue, with a line at the completion."""
    weeks = effect["weeks"]
    left, right, top, plot = 36, 684, 20, 160
    slot = (right - left) / len(weeks)
    most = max([w["count"] for w in weeks] + [1])
    drawn, split = [], None
    for i, w in enumerate(weeks):
        height = w["count"] / most * plot
        if w["after"] and split is None:
            split = round(left + i * slot, 1)
        start = datetime.fromisoformat(w["start"]).astimezone(LOCAL)
        drawn.append(
            {
                **w,
                "x": round(left + i * slot + slot * 0.15, 1),
                "y": round(top + plot - height, 1),
                "w": round(slot * 0.7, 1),
                "h": round(height, 1),
                "cx": round(left + (i + 0.5) * slot, 1),
                "label": start.strftime("%m-%d"),
            }
        )
    return {"width": 720, "height": top + plot + 40, "top": top, "bottom": top + plot, "bars": drawn, "split": split}


# --- pages ------------------------------------------------------------------------------------


def _refusal(request: Request, actor: Actor) -> Response | None:
    if actor.at_least(Role.MANAGER):
        return None
    return page(request, "forbidden.html", status_code=403, actor=actor, message=FORBIDDEN)


def _improvement_page(
    request: Request,
    state: AppState,
    actor: Actor,
    *,
    error: ServiceError | None = None,
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    params = request.query_params
    now = state.clock()
    team = (params.get("team") or "").strip()[:100] if actor.sees_everything else ""
    team = team if printable(team) else ""
    try:
        within = improvement.period(_day(params.get("closed_from")), _day(params.get("closed_to")), now=now)
    except Invalid as exc:
        error = error or exc
        within = improvement.period(None, None, now=now)
    kind = params.get("kind") or ""
    kind = kind if kind in ROOT_CAUSE_NAMES or kind == improvement.UNCLASSIFIED_KEY else ""
    link = {"closed_from": within.first.isoformat(), "closed_to": within.last.isoformat()}
    if team:
        link["team"] = team
    with state.read() as conn:
        counted = improvement.pareto(conn, actor=actor, within=within, team=team or None)
        behind = (
            improvement.closed_of_kind(conn, actor=actor, kind=kind, within=within, team=team or None) if kind else []
        )
        measures = improvement.list_measures(conn, actor=actor, now=now)
        # Who may own a measure: one's own hall; for whoever sees every hall, every hall's managers too.
        leads = (Role.MANAGER, Role.DIRECTOR) if actor.sees_everything else ()
        staff = [
            u
            for u in users.active_staff(conn, teams=[actor.team], roles=leads)
            if u["username"] != users.SYSTEM_USERNAME
        ]
    return page(
        request,
        "improvement.html",
        status_code=status,
        actor=actor,
        nav="improvement",
        pareto=counted,
        chart=pareto_chart(counted["bars"], link),
        unclassified_href="/improvement?" + urlencode({**link, "kind": improvement.UNCLASSIFIED_KEY}) + "#complaints",
        period=link,
        team=team,
        kind=kind,
        kind_name=(root_cause_name(kind) or UNCLASSIFIED) if kind else "",
        behind=behind,
        measures=measures,
        staff=staff,
        kinds=choices.root_causes(state.policy.industry, keep=kind),
        may_choose_team=actor.sees_everything,
        today=now.astimezone(LOCAL).date().isoformat(),
        typed=typed or {},
        error=error,
        notice=NOTICES.get(params.get("done", "")),
    )


@router.get("/improvement")
def improvement_page(request: Request, state: State, actor: PageActor) -> Response:
    return _refusal(request, actor) or _improvement_page(request, state, actor)


@router.post("/improvement/measures")
def create_measure(
    request: Request,
    state: State,
    actor: PageActor,
    csrf: Csrf = "",
    title: Annotated[str, Form(max_length=200)] = "",
    root_cause_kind: Annotated[str, Form(max_length=32)] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
    owner: Annotated[str, Form(max_length=64)] = "",
    due_on: Annotated[str, Form(max_length=10)] = "",
    team: Annotated[str, Form(max_length=100)] = "",
    complaint_ids: Annotated[list[str], Form(max_length=500)] = [],  # noqa: B006 (FastAPI copies defaults)
    closed_from: Annotated[str, Form(max_length=10)] = "",
    closed_to: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    refused = _refusal(request, actor)
    if refused is not None:
        return refused
    typed = {"title": title, "root_cause_kind": root_cause_kind, "description": description, "owner": owner}
    typed.update(due_on=due_on, team=team)
    if not csrf_valid(request, csrf):
        return _improvement_page(request, state, actor, error=Invalid("csrf", CSRF_FAILED), typed=typed, status=403)
    now = state.clock()
    try:
        due = _day(due_on)
        if due is None:
            raise Invalid("due_on_required", "请选择完成期限（日期）。", "due_on")
        if not all(len(c) <= 10 and c.isascii() and c.isdigit() and 1 <= int(c) <= MAX_ID for c in complaint_ids):
            raise Invalid("complaint_ids_invalid", "所选投诉有误，请刷新页面后重新选择。", "complaint_ids")
        ids = [int(c) for c in complaint_ids]
        within = None if ids else improvement.period(_day(closed_from), _day(closed_to), now=now)
        with state.write() as conn:
            created = improvement.create_measure(
                conn,
                actor=actor,
                title=title,
                root_cause_kind=root_cause_kind,
                owner=owner,
                due_on=due,
                description=description,
                team=team,
                complaint_ids=ids,
                within=within,
                now=now,
            )
    except ServiceError as exc:
        return _improvement_page(request, state, actor, error=exc, typed=typed, status=exc.status)
    return RedirectResponse(f"/improvement/measures/{created['id']}?done=created", status_code=303)


def _measure_page(
    request: Request,
    state: AppState,
    actor: Actor,
    measure_id: int,
    *,
    error: ServiceError | None = None,
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    if not 1 <= measure_id <= MAX_ID:
        return page(request, "missing.html", status_code=404, actor=actor)
    try:
        with state.read() as conn:
            measure = improvement.get_measure(conn, actor=actor, measure_id=measure_id, now=state.clock())
    except NotFound:
        return page(request, "missing.html", status_code=404, actor=actor)
    current = MeasureStatus(measure["status"])
    is_owner = measure["owner"]["id"] == actor.id
    moves = [
        (s.value, MEASURE_STATUS_NAMES[s])
        for s in MOVES[current]
        if s is not MeasureStatus.VERIFIED or (actor.at_least(Role.MANAGER) and not is_owner)
    ]
    return page(
        request,
        "improvement_measure.html",
        status_code=status,
        actor=actor,
        nav="improvement",
        m=measure,
        moves=moves,
        chart=effect_chart(measure["effect"]),
        status_names={s.value: n for s, n in MEASURE_STATUS_NAMES.items()},
        error=error,
        typed=typed or {},
        notice=NOTICES.get(request.query_params.get("done", "")),
    )


@router.get("/improvement/measures/{measure_id}")
def measure_page(measure_id: int, request: Request, state: State, actor: PageActor) -> Response:
    return _measure_page(request, state, actor, measure_id)


@router.post("/improvement/measures/{measure_id}")
def change_measure(
    measure_id: int,
    request: Request,
    state: State,
    actor: PageActor,
    csrf: Csrf = "",
    version: Annotated[str, Form(max_length=10)] = "",
    status: Annotated[str, Form(max_length=16)] = "",
    evidence: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    typed = {"status": status, "evidence": evidence}
    if not csrf_valid(request, csrf):
        return _measure_page(request, state, actor, measure_id, error=Invalid("csrf", CSRF_FAILED), status=403)
    if not 1 <= measure_id <= MAX_ID:
        return page(request, "missing.html", status_code=404, actor=actor)
    try:
        try:
            target = MeasureStatus(status) if status else None
        except ValueError:
            raise Invalid("invalid_status", "请选择措施的新状态。", "status") from None
        if not (version.isdigit() and 1 <= int(version) <= MAX_ID):
            raise Invalid("version_invalid", "页面已过期，请刷新后再保存。", "version")
        with state.write() as conn:
            improvement.change_measure(
                conn,
                actor=actor,
                measure_id=measure_id,
                version=int(version),
                status=target,
                evidence=evidence,
                now=state.clock(),
            )
    except NotFound:
        return page(request, "missing.html", status_code=404, actor=actor)
    except ServiceError as exc:
        return _measure_page(request, state, actor, measure_id, error=exc, typed=typed, status=exc.status)
    return RedirectResponse(f"/improvement/measures/{measure_id}?done=changed", status_code=303)
