"""The staff pages: work queue, intake form, complaint page. Pages read through the services;
every change goes through the JSON API from the browser."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from tousu.api import present
from tousu.api.deps import AppState, State
from tousu.api.schemas import MAX_ID, printable
from tousu.domain.codes import Category, Channel, Role, UrgencyType
from tousu.domain.deadlines import reply_within, sla_for
from tousu.domain.remedies import FACT_NAMES
from tousu.domain.workflow import ACTIVE_STATUSES, CLOCK_RUNNING, OPEN_STATUSES, Status
from tousu.knowledge import KnowledgeBaseError
from tousu.knowledge.remedies import load_remedy_rules
from tousu.services import analytics, customers, queries, settlements, users
from tousu.services import complaints as store
from tousu.services.actors import Actor
from tousu.services.batches import open_batches
from tousu.services.errors import Invalid, NotFound
from tousu.services.industry import appeal_time_limits_bind, category_names, head_office
from tousu.web import industry as choices
from tousu.web.auth import PageActor
from tousu.web.events import people_in
from tousu.web.knowledge import knowledge_base
from tousu.web.render import page

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
STATUS_CHOICES = {"active": [s.value for s in ACTIVE_STATUSES], "open": [s.value for s in OPEN_STATUSES], "all": []}


def _whole_number(value: str | None) -> int | None:
    """A number that can name a stored row, else None: out of range, it would fail the query."""
    if value and len(value) <= 10 and value.isascii() and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return None


def _choice(value: str | None, kind: type) -> str | None:
    try:
        return kind(value).value if value else None
    except ValueError:
        return None


def _queue_filter(params: dict[str, str], actor_id: int) -> tuple[queries.ComplaintFilter, dict[str, str]]:
    """The filter from the query string; bad values are ignored rather than failing the page."""
    archived = params.get("archived") if params.get("archived") in ("include", "only") else ""
    status = params.get("status") or "active"
    if archived and status in ("active", "open"):
        status = "all"  # archived complaints are all finished: 含已归档 looks among every status
    statuses = STATUS_CHOICES.get(status) if status in STATUS_CHOICES else [_choice(status, Status)]
    batch = params.get("batch_id", "")
    chosen = {
        "status": status,
        "archived": archived or "",
        "channel": _choice(params.get("channel"), Channel) or "",
        "category": _choice(params.get("category"), Category) or "",
        "urgency_type": _choice(params.get("urgency_type"), UrgencyType) or "",
        "overdue": params.get("overdue", "") if params.get("overdue") in ("1", "0") else "",
        "mine": "1" if params.get("mine") == "1" else "",
        "batch_id": batch if _whole_number(batch) is not None else "",
        "q": q if printable(q := (params.get("q") or "").strip()[:100]) else "",
    }
    filters = queries.ComplaintFilter(
        status=[s for s in statuses or [] if s] or None,
        channel=chosen["channel"] or None,
        category=chosen["category"] or None,
        urgency_type=chosen["urgency_type"] or None,
        overdue=None if not chosen["overdue"] else chosen["overdue"] == "1",
        owner=actor_id if chosen["mine"] else None,
        batch_id=int(chosen["batch_id"]) if chosen["batch_id"] else None,
        q=chosen["q"] or None,
        archived="include" if archived == "include" else "only" if archived == "only" else None,
    )
    return filters, chosen


@router.get("/")
def home(actor: PageActor) -> Response:
    return RedirectResponse("/queue", status_code=303)


@router.get("/queue")
def queue(request: Request, state: State, actor: PageActor) -> Response:
    params = dict(request.query_params)
    filters, chosen = _queue_filter(params, actor.id)
    # 下一页 follows a cursor (the last row shown), so a deep page costs what a first one does;
    # an offset in an older link still works, as far as queries.MAX_OFFSET.
    after = params.get("after") if re.fullmatch(r"[A-Za-z0-9_-]{1,200}", params.get("after") or "") else None
    offset = 0 if after else min(_whole_number(params.get("offset")) or 0, queries.MAX_OFFSET)
    start = (_whole_number(params.get("pos")) or 1) if after else offset + 1  # the first row's number, as shown
    now = state.clock()
    with state.read() as conn:
        try:
            found = queries.list_page(
                conn, actor=actor, filters=filters, now=now, limit=PAGE_SIZE, offset=offset, cursor=after
            )
        except Invalid:  # a damaged link: the first page rather than an error
            after, start = None, 1
            found = queries.list_page(conn, actor=actor, filters=filters, now=now, limit=PAGE_SIZE)
        batches, other_batches = queries.visible_batches(
            conn, actor=actor, batches=open_batches(conn, now=now, policy=state.policy)
        )
        names = {u["id"]: u["display_name"] for u in users.staff_named(conn, ids=[r["owner_id"] for r in found.rows])}
    items = [
        {
            **present.list_item_json(r),
            "owner_name": names.get(r["owner_id"], ""),
            # The countdown runs only while the clock does: not while waiting on the customer.
            "awaiting_reply": Status(r["status"]) in CLOCK_RUNNING,
        }
        for r in found.rows
    ]
    kept = {k: v for k, v in chosen.items() if v}
    pages = {
        "first": urlencode(kept) if after or offset else None,
        "prev": urlencode({**kept, "offset": max(0, offset - PAGE_SIZE)}) if offset else None,
        "next": urlencode({**kept, "after": found.next_cursor, "pos": start + len(items)})
        if found.next_cursor
        else None,
    }
    return page(
        request,
        "queue.html",
        actor=actor,
        items=items,
        total=found.total,
        total_capped=found.total_capped,
        chosen=chosen,
        batches=batches,
        other_batches=other_batches,
        start=start,
        pages=pages,
        now=now,
        nav="queue",
    )


@router.get("/complaints/new")
def new_complaint(request: Request, state: State, actor: PageActor) -> Response:
    return page(
        request,
        "new.html",
        actor=actor,
        nav="new",
        categories=choices.categories(state.policy.industry),
        channels=choices.channels(state.policy.industry),
        transfer_sources=choices.transfers(state.policy.industry),
        topic_example=choices.topic_example(state.policy.industry),
        appeal_to=_appeal_to(state.policy.industry),
    )


def _appeal_to(industry: str) -> dict[str, str]:
    """Where the organisation's customers may take a complaint it does not settle, as the intake
    panel's time-limit note names it."""
    if appeal_time_limits_bind(industry):
        return {"body": "管理局", "word": "申诉"}
    return {"body": "市场监管部门（12315）", "word": "投诉"}


def _law_titles() -> list[str]:
    """Suggestions for the legal-basis fields; none when the knowledge base cannot be read."""
    try:
        return [entry.label for entry in knowledge_base().entries("law").values()]
    except KnowledgeBaseError:
        return []


def _remedy_bases(industry: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """The settlement form's choices: the bases that bind the organisation's industry (code,
    Chinese title, the item types each may ground) and the facts they rest on (a shop is not
    asked whether an installation was late)."""
    try:
        rules = load_remedy_rules()
    except KnowledgeBaseError:
        return [], [(f.value, name) for f, name in FACT_NAMES.items()]
    bases: dict[str, tuple[str, list[str]]] = {}
    needed: set[str] = set()
    for rule in rules.values():
        for basis in rule.bases:
            if not basis.binds(industry):
                continue
            bases.setdefault(basis.code, (basis.title, []))[1].append(rule.type.value)
            needed.update(basis.requires)
    facts = [(f.value, name) for f, name in FACT_NAMES.items() if f in needed]
    return [(code, title, " ".join(types)) for code, (title, types) in bases.items()], facts


def _settlement_view(
    s: dict[str, Any], *, complaint: Any, others: list[dict[str, Any]], actor: Actor, state: AppState
) -> dict[str, Any]:
    """A settlement with its items named in Chinese, and what this person may do with it (批准 or
    上报); `others`: the complaint's other settlements."""
    try:
        rules = load_remedy_rules()
        names = {t.value: r.name for t, r in rules.items()}
        titles = {b.code: b.title for r in rules.values() for b in r.bases}
        found = settlements.exceptions_of(
            s, complaint=complaint, others=others, industry=state.policy.industry, rules=rules
        )
        exceptions = [f.message for f in found]
    except KnowledgeBaseError:
        names, titles, exceptions = {}, {}, []
    items = [
        {"name": names.get(i.type.value, i.type.value), "amount": i.amount, "basis": titles.get(i.basis or "", i.basis)}
        for i in settlements.items_of(s)
    ]
    may_decide = settlements.addressed_to(actor, s)
    may_approve = False
    if s["status"] == "pending_approval" and actor.at_least(Role.MANAGER):
        with state.read() as conn:
            may_approve = settlements.can_approve(
                conn, settlement=s, complaint=complaint, actor=actor, policy=state.policy
            )
    return {**s, "item_views": items, "exceptions": exceptions, "may_decide": may_decide, "may_approve": may_approve}


def _by_hall(staff: list[dict[str, Any]], *, first: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """Staff grouped by hall for the pickers, the complaint's own hall first: the right one is
    nearly always in it."""
    halls: dict[str, list[dict[str, Any]]] = {}
    for person in staff:
        halls.setdefault(person["team"] or "", []).append(person)
    return sorted(halls.items(), key=lambda hall: (hall[0] != first, hall[0] == "", hall[0]))


@router.get("/complaints/{complaint_id}")
def complaint_page(complaint_id: int, request: Request, state: State, actor: PageActor) -> Response:
    if not 1 <= complaint_id <= MAX_ID:  # no stored complaint has such a number
        return page(request, "missing.html", status_code=404, actor=actor)
    try:
        with state.read() as conn:
            row = store.load(conn, complaint_id=complaint_id, actor=actor)
            customer = customers.view(conn, customer_id=row["customer_id"], actor=actor, complaint=row)
            events = [present.event_json(e) for e in store.timeline_of(conn, complaint_id=complaint_id)]
            settled = settlements.for_complaint(conn, complaint_id=complaint_id)
            staff = users.pickable(conn, team=row["team"])
            ids, usernames = people_in([e["data"] for e in events])
            named = users.staff_named(conn, ids={row["owner_id"], *ids}, usernames=usernames)
            # The customer is in scope (the actor sees this complaint); their other complaints may not be.
            found = customers.lookup(conn, customer_id=row["customer_id"], actor=actor)
    except NotFound:
        return page(request, "missing.html", status_code=404, actor=actor)
    complaint: dict[str, Any] = present.complaint_json(
        row, customer=customer, actor=actor, category_names=category_names(state.policy.industry)
    )
    authority = state.policy.authority.by_role[actor.role]
    settled = [_settlement_view(s, complaint=row, others=settled, actor=actor, state=state) for s in settled]
    names = {u["id"]: u["display_name"] for u in [*named, *staff]}
    remedy_bases, facts = _remedy_bases(state.policy.industry)
    status = Status(complaint["status"])
    return page(
        request,
        "complaint.html",
        actor=actor,
        c=complaint,
        events=events,
        settlements=settled,
        names=names,
        people={u["username"]: u["display_name"] for u in [*named, *staff]},
        staff=_by_hall(staff, first=row["team"]),
        categories=choices.categories(state.policy.industry, keep=row["category"]),
        root_causes=choices.root_causes(state.policy.industry, keep=row["root_cause_kind"]),
        transfer_sources=choices.transfers(state.policy.industry, keep=row["transfer_source"]),
        transfer_reply_name=choices.transfer_reply_name(state.policy.industry),
        head_office=head_office(state.policy.industry),
        is_manager=actor.at_least(Role.MANAGER),
        awaiting_reply=status in OPEN_STATUSES,
        active=status in ACTIVE_STATUSES,
        nav="queue",
        is_responsible=actor.id in (complaint["owner_id"], complaint["responsible_id"]),
        authority=authority,
        laws=_law_titles(),
        remedy_bases=remedy_bases,
        facts=facts,
        may_override=actor.at_least(Role.DIRECTOR),
        advice=_advice(state, actor, row, authority.model_dump()),
        related=[h for h in found["history"]["complaints"] if h["id"] != complaint_id][:20],
        elsewhere=found["elsewhere"],
    )


def _advice(state: AppState, actor: Actor, row: Mapping[str, Any], authority: dict[str, Any]) -> dict[str, Any] | None:
    """What to do and say for this complaint, for this role and the channel it came in by: read
    afresh, since the knowledge base and the role's authority may have changed since intake."""
    if state.analyzer is None:
        return None
    try:
        return state.analyzer.analyze(
            row["content"],
            role=actor.role.value,
            authority=authority,
            industry=state.policy.industry,
            channel=row["channel"],
            recorded_category=row["category"],
            reply_within=reply_within(
                sla_for(
                    channel=Channel(row["channel"]),
                    urgency=[UrgencyType(t) for t in row["urgency_types"] or ()],
                    policy=state.policy.sla,
                )
            ),
        ).to_dict()
    except ValueError:
        return None


@router.get("/dashboard")
def dashboard_page(request: Request, state: State, actor: PageActor) -> Response:
    if not actor.at_least(Role.MANAGER):
        return page(
            request,
            "forbidden.html",
            status_code=403,
            actor=actor,
            message="管理看板仅限厅经理及以上人员查看。如需查看，请联系您的厅经理。",
        )
    with state.read() as conn:
        data = analytics.overview(conn, actor=actor, now=state.clock(), policy=state.policy)
    return page(request, "dashboard.html", actor=actor, o=data, nav="dashboard")


@router.get("/admin/config")
def config_page(request: Request, state: State, actor: PageActor) -> Response:
    """The effective policy, read-only: what the organisation's policy file and defaults add up to."""
    if not actor.at_least(Role.ADMIN):
        return page(request, "forbidden.html", status_code=403, actor=actor, message="系统配置仅限系统管理员查看。")
    with state.read() as conn:
        staff = users.list_users(conn)
    return page(
        request,
        "config.html",
        actor=actor,
        p=state.policy,
        telecom_appeal=appeal_time_limits_bind(state.policy.industry),
        industry_name=knowledge_base().industry_names.get(state.policy.industry, state.policy.industry),
        staff=staff,
        nav="config",
        policy_file=state.settings.policy_file,
    )
