"""Every route of the application, called by every kind of user against 思明营业厅's objects.

The table below says, for each route, what each user gets: "ok" (allowed: a success, or a
refusal of the business kind such as a stale version, after the access check), "hidden"
(allowed, but nothing of 思明营业厅's complaints or customer in the answer), 401, 403, 404, or
"login" (a page that sends the visitor to the login page). A route added to the application
without a line here fails `test_every_route_has_an_entry`: decide who may call it, then add it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import count
from typing import Any

import sqlalchemy as sa
from fastapi.routing import iter_route_contexts

from tests.integration.conftest import Api, complaint_body
from tousu.api.app import create_app
from tousu.domain.codes import Role
from tousu.services import users
from tousu.settings import Settings
from tousu.storage.tables import notifications as notification_table
from tousu.storage.tables import outbox as outbox_table
from tousu.web import documents
from tousu.web.knowledge import knowledge_base
from tousu.web.security import csrf_for, csrf_key

ROLES = ("agent_a", "agent_b", "manager", "director", "admin", "anonymous")
USERNAMES: dict[str, str | None] = {
    "agent_a": "agent1",  # 思明营业厅, who received the complaints
    "agent_b": "agent_b",  # 湖里营业厅
    "manager": "manager1",  # 思明营业厅
    "director": "director1",
    "admin": "admin1",
    "anonymous": None,
}
PHONE = "13900001111"
ADDRESS = "厦门市思明区湖滨南路100号"
CSRF = "walk-csrf-token"


def expect(**overrides: str) -> dict[str, str]:
    """Every staff member allowed and the anonymous visitor refused, unless overridden."""
    return {**{role: "ok" for role in ROLES}, "anonymous": "401", **overrides}


API_STAFF = expect()
API_HALL_A = expect(agent_b="404")
API_MANAGERS = expect(agent_a="403", agent_b="403")
API_ADMINS = expect(agent_a="403", agent_b="403", manager="403", director="403")
PUBLIC = expect(anonymous="ok")
PAGE_STAFF = expect(anonymous="login")
PAGE_HALL_A = expect(agent_b="404", anonymous="login")
PAGE_MANAGERS = expect(agent_a="403", agent_b="403", anonymous="login")
PAGE_ADMINS = expect(agent_a="403", agent_b="403", manager="403", director="403", anonymous="login")


@dataclass
class Call:
    method: str
    url: str
    json: Any = None
    form: dict[str, str] | None = None
    fresh_token: bool = False  # the call ends the session it is made with


@dataclass
class World:
    """思明营业厅's objects; a fresh complaint for every write, so one call cannot spoil the next."""

    api: Api
    complaint: dict[str, Any] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)

    def new_complaint(self) -> dict[str, Any]:
        customer = {"name": "王先生", "phone": PHONE, "address": ADDRESS}
        body = complaint_body(customer=customer, category="billing", demands=["refund"], channel="hall")
        created = self.api.post("/complaints", "agent1", body)
        assert created.status_code == 201, created.text
        self.references.append(created.json()["reference"])
        return dict(created.json())

    def pending_settlement(self) -> int:
        complaint = self.new_complaint()
        proposal = self.api.post(
            f"/complaints/{complaint['id']}/settlements",
            "agent1",
            {"version": complaint["version"], "refund": 150, "description": "退还重复扣费并补偿"},
        )
        assert proposal.json()["status"] == "pending_approval", proposal.text
        return int(proposal.json()["id"])


Builder = Callable[[World, str], Call]


def _act(action: str, **body: Any) -> Builder:
    def build(world: World, user: str) -> Call:
        complaint = world.new_complaint()
        return Call("POST", f"/api/v1/complaints/{complaint['id']}/{action}", {"version": complaint["version"], **body})

    return build


def _self_assign(world: World, user: str) -> Call:
    complaint = world.new_complaint()
    return Call("POST", f"/api/v1/complaints/{complaint['id']}/assign", {"version": 1, "username": user})


def _hand_over(world: World, user: str) -> Call:
    complaint = world.new_complaint()
    body = {"version": 1, "username": "agent2", "note": "已核实扣费记录，请跟进退费"}
    return Call("POST", f"/api/v1/complaints/{complaint['id']}/hand-over", body)


def _link(world: World, user: str) -> Call:
    complaint = world.new_complaint()
    body = {"version": 1, "other_id": world.complaint["id"], "merge": False}
    return Call("POST", f"/api/v1/complaints/{complaint['id']}/links", body)


def _decide(world: World, user: str) -> Call:
    return Call("POST", f"/api/v1/settlements/{world.pending_settlement()}/decision", {"approve": True})


def _customer(world: World) -> int:
    return int(world.complaint["customer"]["id"])


def _knowledge_entry(world: World, user: str) -> Call:
    key = next(iter(knowledge_base().entries("strategy")))
    return Call("GET", f"/knowledge/strategy/{key}")


def _get(url: str) -> Builder:
    return lambda world, user: Call("GET", url)


def _post(url: str, body: Any) -> Builder:
    return lambda world, user: Call("POST", url, body)


def _complaint_page(world: World, user: str) -> Call:
    return Call("GET", f"/complaints/{world.complaint['id']}")


def _document(suffix: str, printed: bool = False) -> Builder:
    """The written reply of a complaint that has been replied to (a document needs its reply);
    with `printed`, the page's report that it was printed."""

    def build(world: World, user: str) -> Call:
        complaint = world.new_complaint()
        body = {"version": complaint["version"], "reply": "已为您退回重复扣取的费用。"}
        replied = world.api.post(f"/complaints/{complaint['id']}/reply", "agent1", body)
        assert replied.status_code == 200, replied.text
        if printed:
            return Call("POST", f"/api/v1/complaints/{complaint['id']}/documents/reply/printed", json={})
        return Call("GET", f"/complaints/{complaint['id']}/documents/reply{suffix}")

    return build


# Without Chromium on the server the PDF is refused (503, print from the page instead) after the access check.
PDF_HALL_A = (
    PAGE_HALL_A
    if shutil.which(documents.CHROMIUM)
    else expect(agent_a="503", agent_b="404", manager="503", director="503", admin="503", anonymous="login")
)


_SPARE = count(1)


def _spare_user(world: World, *, active: bool = True, with_token: bool = False) -> int:
    """An account of its own for each administrator's change, so no change spoils another call;
    with `with_token`, the id of a token of that account instead."""
    state = world.api.client.app.state.tousu
    username = f"spare{next(_SPARE)}"
    with state.write() as conn:
        user_id = users.add_user(
            conn, username=username, password=None, role=Role.AGENT, team="思明营业厅", now=state.clock()
        )
        if not active:
            users.set_active(conn, user_id=user_id, active=False, now=state.clock())
        if with_token:
            return users.create_api_token(conn, username=username, days=1, now=state.clock())[0]
    return user_id


def _closed_with_kind(world: World) -> int:
    """A 思明营业厅 complaint closed with a root-cause kind, for an improvement measure to answer."""
    c = world.new_complaint()
    for action, body in (
        ("reply", {"reply": "已退还重复扣费。"}),
        ("follow-up", {"satisfaction": "satisfied"}),
        ("close", {"root_cause": "计费规则配置错误", "root_cause_kind": "billing_error"}),
    ):
        c = world.api.post(f"/complaints/{c['id']}/{action}", "agent1", {"version": c["version"], **body}).json()
    assert c["status"] == "closed", c
    return int(c["id"])


def _measure_body(world: World) -> dict[str, Any]:
    state = world.api.client.app.state.tousu
    due = (state.clock() + timedelta(days=14)).date().isoformat()
    return {
        "title": "计费规则双人复核",
        "root_cause_kind": "billing_error",
        "owner": "agent1",
        "due_on": due,
        "complaint_ids": [_closed_with_kind(world)],
    }


def _measure(world: World) -> int:
    """A measure of 思明营业厅 owned by agent1, made by its manager."""
    created = world.api.post("/improvement/measures", "manager1", _measure_body(world))
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _new_measure_form(world: World, user: str) -> Call:
    body = _measure_body(world)
    return Call("POST", "/improvement/measures", form={**body, "complaint_ids": str(body["complaint_ids"][0])})


def _own_notification(world: World, user: str) -> int:
    """A notification of the caller's own (about 思明营业厅's complaint); id 1 for the anonymous visitor."""
    from tousu.services import notifications

    state = world.api.client.app.state.tousu
    with state.write() as conn:
        target = users.get_by_username(conn, user)
        if target is None:
            return 1
        notice = notifications.Notice(target["id"], "escalated", "升级：测试", "测试通知")
        notifications.deliver(conn, [notice], actor_id=None, complaint_id=world.complaint["id"], at=state.clock())
        return int(conn.execute(sa.select(sa.func.max(notification_table.c.id))).scalar_one())


def _failed_message(world: World) -> int:
    from tousu.services import outbox

    state = world.api.client.app.state.tousu
    with state.write() as conn:
        key = f"walk:{next(_SPARE)}"
        outbox.enqueue(
            conn,
            channel="email",
            recipient="a@example.test",
            payload={"subject": "测试"},
            dedup_key=key,
            now=state.clock(),
        )
        conn.execute(outbox_table.update().where(outbox_table.c.dedup_key == key).values(status="failed"))
        return int(conn.execute(sa.select(outbox_table.c.id).where(outbox_table.c.dedup_key == key)).scalar_one())


def _admin_form(action: str, **form: str) -> Builder:
    return lambda w, u: Call("POST", f"/admin/users/{_spare_user(w, active=action != 'enable')}/{action}", form=form)


def _batch(world: World) -> int:
    """An open batch of 思明营业厅 (eleven customers on one outage), made again once one is closed."""
    found = world.api.get("/batches", "agent1").json()["batches"]
    if found:
        return int(found[0]["id"])
    for n in range(11):
        customer = {"name": f"客户{n}", "phone": f"1391234{n:04d}"}
        body = complaint_body(category="network", topic="4G信号", area="思明区", customer=customer)
        created = world.api.post("/complaints", "agent1", body)
        assert created.status_code == 201, created.text
        world.references.append(created.json()["reference"])
    return _batch(world)


def _on_batch(action: str, body: Any = None) -> Builder:
    return lambda w, u: Call("POST", f"/api/v1/batches/{_batch(w)}/{action}", body)


BATCH_HANDLERS = expect(agent_a="403", agent_b="404")  # the owner (nobody here) or a manager and up


ROUTES: dict[tuple[str, str], tuple[dict[str, str], Builder]] = {
    # Complaints
    ("POST", "/api/v1/complaints"): (
        API_STAFF,
        _post("/api/v1/complaints", complaint_body(customer={"name": "李女士", "phone": "13700000001"})),
    ),
    ("GET", "/api/v1/complaints"): (expect(agent_b="hidden"), _get("/api/v1/complaints")),
    ("GET", "/api/v1/complaints/{complaint_id}"): (
        API_HALL_A,
        lambda w, u: Call("GET", f"/api/v1/complaints/{w.complaint['id']}"),
    ),
    ("GET", "/api/v1/complaints/{complaint_id}/events"): (
        API_HALL_A,
        lambda w, u: Call("GET", f"/api/v1/complaints/{w.complaint['id']}/events"),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/start"): (API_HALL_A, _act("start")),
    ("POST", "/api/v1/complaints/{complaint_id}/wait-customer"): (
        API_HALL_A,
        _act("wait-customer", waiting_for="扣费截图"),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/resume"): (API_HALL_A, _act("resume")),
    ("POST", "/api/v1/complaints/{complaint_id}/reply"): (
        API_HALL_A,
        _act("reply", reply="已核实，退还重复扣费58元。"),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/follow-up"): (
        API_HALL_A,
        _act("follow-up", satisfaction="satisfied", comments="满意"),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/close"): (API_HALL_A, _act("close", root_cause="计费系统重复出账")),
    ("POST", "/api/v1/complaints/{complaint_id}/reject"): (
        API_MANAGERS,
        _act("reject", legal_basis="电信用户申诉处理办法第十一条", reasons="法院已受理同一争议"),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/reopen"): (API_HALL_A, _act("reopen", reason="客户提供了新证据")),
    ("POST", "/api/v1/complaints/{complaint_id}/assign"): (API_HALL_A, _self_assign),
    ("POST", "/api/v1/complaints/{complaint_id}/hand-over"): (API_HALL_A, _hand_over),
    ("POST", "/api/v1/complaints/{complaint_id}/escalate"): (API_HALL_A, _act("escalate", reason="本厅无法解决")),
    ("PATCH", "/api/v1/complaints/{complaint_id}"): (
        API_HALL_A,
        lambda w, u: Call("PATCH", f"/api/v1/complaints/{w.new_complaint()['id']}", {"version": 1, "topic": "流量包"}),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/links"): (API_HALL_A, _link),
    ("POST", "/api/v1/complaints/{complaint_id}/settlements"): (
        API_HALL_A,
        _act("settlements", gift=10, description="赠送10元话费"),
    ),
    ("POST", "/api/v1/settlements/{settlement_id}/decision"): (API_MANAGERS, _decide),
    ("GET", "/api/v1/stats/overview"): (API_MANAGERS, _get("/api/v1/stats/overview")),
    ("GET", "/api/v1/batches"): (expect(agent_b="hidden"), _get("/api/v1/batches")),
    ("GET", "/api/v1/batches/{batch_id}"): (API_HALL_A, lambda w, u: Call("GET", f"/api/v1/batches/{_batch(w)}")),
    ("POST", "/api/v1/batches/{batch_id}/owner"): (
        API_MANAGERS,
        lambda w, u: Call("POST", f"/api/v1/batches/{_batch(w)}/owner", {"username": u or "manager1"}),
    ),
    ("POST", "/api/v1/batches/{batch_id}/fault-ticket"): (
        BATCH_HANDLERS,
        _on_batch("fault-ticket", {"fault_ticket": "GZ-20261123-0042"}),
    ),
    ("POST", "/api/v1/batches/{batch_id}/reply"): (BATCH_HANDLERS, _on_batch("reply", {"reply": "基站故障已修复。"})),
    ("POST", "/api/v1/batches/{batch_id}/close"): (BATCH_HANDLERS, _on_batch("close")),
    ("GET", "/api/v1/todo"): (expect(agent_b="hidden"), _get("/api/v1/todo")),
    # Reports and exports
    ("GET", "/api/v1/reports/kpi"): (API_MANAGERS, _get("/api/v1/reports/kpi?from=2026-11-01&to=2026-11-30")),
    ("GET", "/api/v1/exports/complaints"): (expect(agent_b="hidden"), _get("/api/v1/exports/complaints?format=csv")),
    # Text tools
    ("POST", "/api/v1/analyze"): (API_STAFF, _post("/api/v1/analyze", {"text": "重复扣费58元，要求退还"})),
    ("POST", "/api/v1/check-reply"): (API_STAFF, _post("/api/v1/check-reply", {"text": "您好，已为您退还58元。"})),
    # People and customers
    ("POST", "/api/v1/auth/login"): (
        PUBLIC,
        _post("/api/v1/auth/login", {"username": "agent1", "password": "correct-horse-1"}),
    ),
    ("POST", "/api/v1/auth/logout"): (API_STAFF, lambda w, u: Call("POST", "/api/v1/auth/logout", fresh_token=True)),
    ("GET", "/api/v1/me"): (API_STAFF, _get("/api/v1/me")),
    ("GET", "/api/v1/customers"): (expect(agent_b="hidden"), _get(f"/api/v1/customers?phone={PHONE}")),
    ("GET", "/api/v1/customers/{customer_id}"): (
        API_HALL_A,
        lambda w, u: Call("GET", f"/api/v1/customers/{_customer(w)}"),
    ),
    ("PATCH", "/api/v1/customers/{customer_id}"): (
        expect(agent_a="403", agent_b="404"),
        lambda w, u: Call("PATCH", f"/api/v1/customers/{_customer(w)}", {"version": 1, "important": True}),
    ),
    ("POST", "/api/v1/customers/{customer_id}/notes"): (
        API_HALL_A,
        lambda w, u: Call("POST", f"/api/v1/customers/{_customer(w)}/notes", {"text": "下午方便接电话"}),
    ),
    ("GET", "/api/v1/users"): (API_MANAGERS, _get("/api/v1/users")),
    # System
    ("GET", "/api/v1/health"): (PUBLIC, _get("/api/v1/health")),
    ("GET", "/api/v1/config"): (API_STAFF, _get("/api/v1/config")),
    ("POST", "/api/v1/admissibility"): (API_STAFF, _post("/api/v1/admissibility", {"billing_dispute": True})),
    ("GET", "/openapi.json"): (PUBLIC, _get("/openapi.json")),
    ("GET", "/docs"): (PUBLIC, _get("/docs")),
    ("GET", "/docs/assets"): (PUBLIC, _get("/docs/assets/swagger-ui.css")),
    ("GET", "/static"): (PUBLIC, _get("/static/app.css")),
    # Web pages
    ("GET", "/login"): (PUBLIC, _get("/login")),
    ("POST", "/login"): (
        PUBLIC,
        lambda w, u: Call("POST", "/login", form={"username": "agent1", "password": "correct-horse-1"}),
    ),
    ("POST", "/logout"): (PUBLIC, lambda w, u: Call("POST", "/logout", form={}, fresh_token=True)),
    ("GET", "/"): (PAGE_STAFF, _get("/")),
    ("GET", "/queue"): (expect(agent_b="hidden", anonymous="login"), _get("/queue")),
    ("GET", "/complaints/new"): (PAGE_STAFF, _get("/complaints/new")),
    ("GET", "/complaints/{complaint_id}"): (PAGE_HALL_A, _complaint_page),
    ("GET", "/complaints/{complaint_id}/documents/{kind}"): (PAGE_HALL_A, _document("")),
    ("GET", "/complaints/{complaint_id}/documents/{kind}.pdf"): (PDF_HALL_A, _document(".pdf")),
    ("POST", "/api/v1/complaints/{complaint_id}/documents/{kind}/printed"): (API_HALL_A, _document("", printed=True)),
    ("GET", "/dashboard"): (PAGE_MANAGERS, _get("/dashboard")),
    ("GET", "/todo"): (expect(agent_b="hidden", anonymous="login"), _get("/todo")),
    ("GET", "/batches/{batch_id}"): (PAGE_HALL_A, lambda w, u: Call("GET", f"/batches/{_batch(w)}")),
    ("GET", "/reports"): (PAGE_MANAGERS, _get("/reports")),
    ("GET", "/reports/complaints"): (PAGE_MANAGERS, _get("/reports/complaints?measure=received")),
    ("GET", "/admin/config"): (PAGE_ADMINS, _get("/admin/config")),
    ("GET", "/admin/users"): (PAGE_ADMINS, _get("/admin/users")),
    ("POST", "/admin/users"): (
        PAGE_ADMINS,
        lambda w, u: Call(
            "POST",
            "/admin/users",
            form={
                "username": f"new{next(_SPARE)}",
                "role": "agent",
                "team": "思明营业厅",
                "password": "walk-pass-2026",
            },
        ),
    ),
    ("POST", "/admin/users/{user_id}/disable"): (PAGE_ADMINS, _admin_form("disable")),
    ("POST", "/admin/users/{user_id}/enable"): (PAGE_ADMINS, _admin_form("enable")),
    ("POST", "/admin/users/{user_id}/password"): (PAGE_ADMINS, _admin_form("password", password="walk-pass-2026")),
    ("POST", "/admin/users/{user_id}/role"): (PAGE_ADMINS, _admin_form("role", role="manager", team="思明营业厅")),
    ("GET", "/admin/tokens"): (PAGE_ADMINS, _get("/admin/tokens")),
    ("POST", "/admin/tokens"): (
        PAGE_ADMINS,
        lambda w, u: Call("POST", "/admin/tokens", form={"username": "agent_b", "name": "对接", "days": "7"}),
    ),
    ("POST", "/admin/tokens/{token_id}/revoke"): (
        PAGE_ADMINS,
        lambda w, u: Call("POST", f"/admin/tokens/{_spare_user(w, with_token=True)}/revoke", form={}),
    ),
    ("GET", "/admin/model"): (PAGE_ADMINS, _get("/admin/model")),
    ("POST", "/admin/model/retrain"): (PAGE_ADMINS, lambda w, u: Call("POST", "/admin/model/retrain", form={})),
    ("POST", "/admin/model/{model_id}/activate"): (
        PAGE_ADMINS,
        lambda w, u: Call("POST", "/admin/model/1/activate", form={}),
    ),
    ("POST", "/admin/model/deactivate"): (PAGE_ADMINS, lambda w, u: Call("POST", "/admin/model/deactivate", form={})),
    ("GET", "/knowledge"): (PAGE_STAFF, _get("/knowledge")),
    ("GET", "/knowledge/{kind}/{key}"): (PAGE_STAFF, _knowledge_entry),
    # Notifications: each person's own; the outbox's failures for administrators.
    ("GET", "/api/v1/notifications"): (expect(agent_b="hidden"), _get("/api/v1/notifications")),
    ("GET", "/api/v1/notifications/unread-count"): (API_STAFF, _get("/api/v1/notifications/unread-count")),
    ("POST", "/api/v1/notifications/read-all"): (API_STAFF, _post("/api/v1/notifications/read-all", None)),
    ("POST", "/api/v1/notifications/{notification_id}/read"): (
        API_STAFF,
        lambda w, u: Call("POST", f"/api/v1/notifications/{_own_notification(w, u)}/read"),
    ),
    ("GET", "/api/v1/me/notification-preferences"): (API_STAFF, _get("/api/v1/me/notification-preferences")),
    ("PUT", "/api/v1/me/notification-preferences"): (
        API_STAFF,
        lambda w, u: Call("PUT", "/api/v1/me/notification-preferences", {"email": False}),
    ),
    ("GET", "/notifications"): (expect(agent_b="hidden", anonymous="login"), _get("/notifications")),
    ("POST", "/notifications/{notification_id}/open"): (
        PAGE_STAFF,
        lambda w, u: Call("POST", f"/notifications/{_own_notification(w, u)}/open", form={}),
    ),
    ("POST", "/notifications/read-all"): (PAGE_STAFF, lambda w, u: Call("POST", "/notifications/read-all", form={})),
    ("GET", "/notifications/preferences"): (PAGE_STAFF, _get("/notifications/preferences")),
    ("POST", "/notifications/preferences"): (
        PAGE_STAFF,
        lambda w, u: Call("POST", "/notifications/preferences", form={}),
    ),
    ("GET", "/admin/outbox"): (PAGE_ADMINS, _get("/admin/outbox")),
    ("POST", "/admin/outbox/{message_id}/retry"): (
        PAGE_ADMINS,
        lambda w, u: Call("POST", f"/admin/outbox/{_failed_message(w)}/retry", form={}),
    ),
    # The policy in force and the administrators' overrides of it.
    ("GET", "/api/v1/admin/policy"): (API_ADMINS, _get("/api/v1/admin/policy")),
    ("PUT", "/api/v1/admin/policy"): (API_ADMINS, lambda w, u: Call("PUT", "/api/v1/admin/policy", {"overrides": {}})),
    ("PATCH", "/api/v1/admin/policy"): (
        API_ADMINS,
        lambda w, u: Call("PATCH", "/api/v1/admin/policy", {"set": {"urgency.batch_min_vip": 6}}),
    ),
    ("GET", "/admin/policy"): (PAGE_ADMINS, _get("/admin/policy")),
    ("GET", "/admin/policy/{section}"): (PAGE_ADMINS, _get("/admin/policy/thresholds")),
    ("POST", "/admin/policy/{section}"): (
        PAGE_ADMINS,
        lambda w, u: Call("POST", "/admin/policy/authority", form={"authority.by_role.agent.max_refund": "60"}),
    ),
    # The improvement loop (整改): managers and up; a measure's owner (agent1 here) opens and updates it.
    ("GET", "/api/v1/improvement/pareto"): (API_MANAGERS, _get("/api/v1/improvement/pareto")),
    ("GET", "/api/v1/improvement/measures"): (API_STAFF, _get("/api/v1/improvement/measures")),
    ("POST", "/api/v1/improvement/measures"): (
        API_MANAGERS,
        lambda w, u: Call("POST", "/api/v1/improvement/measures", _measure_body(w)),
    ),
    ("GET", "/api/v1/improvement/measures/{measure_id}"): (
        API_HALL_A,
        lambda w, u: Call("GET", f"/api/v1/improvement/measures/{_measure(w)}"),
    ),
    ("PATCH", "/api/v1/improvement/measures/{measure_id}"): (
        API_HALL_A,
        lambda w, u: Call("PATCH", f"/api/v1/improvement/measures/{_measure(w)}", {"version": 1, "evidence": "已培训"}),
    ),
    ("GET", "/improvement"): (PAGE_MANAGERS, _get("/improvement?kind=billing_error")),
    ("POST", "/improvement/measures"): (PAGE_MANAGERS, _new_measure_form),
    ("GET", "/improvement/measures/{measure_id}"): (
        PAGE_HALL_A,
        lambda w, u: Call("GET", f"/improvement/measures/{_measure(w)}"),
    ),
    ("POST", "/improvement/measures/{measure_id}"): (
        PAGE_HALL_A,
        lambda w, u: Call("POST", f"/improvement/measures/{_measure(w)}", form={"version": "1", "evidence": "已培训"}),
    ),
}


def _app_routes() -> set[tuple[str, str]]:
    app = create_app(Settings(database_url="sqlite://", secret_key="walk-tests-secret-0123456789abcdef"))
    found = set()
    for route in iter_route_contexts(app.routes):
        for method in route.methods or {"GET"}:  # a mount (static files) answers GET
            if method != "HEAD":
                found.add((method, str(route.path)))
    return found


def test_every_route_has_an_entry() -> None:
    routes = _app_routes()
    missing = sorted(routes - ROUTES.keys())
    assert not missing, f"routes without an authorization entry (add them to ROUTES): {missing}"
    stale = sorted(ROUTES.keys() - routes)
    assert not stale, f"entries for routes that no longer exist: {stale}"


def _outcome(response: Any) -> str:
    status = response.status_code
    if status in (302, 303, 307):
        return "login" if response.headers["location"].startswith("/login?next=") else "ok"
    if status < 300:
        return "ok"
    if status in (409, 422) and response.headers.get("content-type", "").startswith("application/json"):
        # Refused by the business rules (stale version, wrong state): the access check passed.
        # A malformed request is this table's mistake and shows as 422.
        return "ok" if response.json()["error"]["code"] != "validation_failed" else "422"
    return str(status)


def _send(api: Api, call: Call, username: str | None) -> Any:
    token = api.tokens.get(username or "")
    if token and call.fresh_token:
        state = api.client.app.state.tousu
        with state.write() as conn:
            user_id = users.get_by_username(conn, username)["id"]  # type: ignore[index]
            token = users.issue_token(conn, user_id=user_id, kind="session", now=state.clock())
    api.client.cookies.clear()  # nothing carries over from the previous call
    headers = {}
    if call.url.startswith("/api/"):
        if token:
            headers["Authorization"] = f"Bearer {token}"
    else:
        headers["Cookie"] = f"tousu_csrf={CSRF}" + (f"; tousu_session={token}" if token else "")
    # The form token is bound to the browser's CSRF cookie and to its session.
    key = csrf_key(api.client.app.state.tousu.settings.resolved_secret())
    data = None if call.form is None else {**call.form, "csrf_token": csrf_for(key, CSRF, token or "")}
    return api.client.request(call.method, call.url, json=call.json, data=data, headers=headers, follow_redirects=False)


def test_every_route_answers_every_role_as_the_table_says(api: Api) -> None:
    world = World(api)
    world.complaint = world.new_complaint()
    secrets = (PHONE, ADDRESS, world.complaint["reference"])
    wrong = []
    for (method, path), (expected, build) in ROUTES.items():
        for role in ROLES:
            call = build(world, USERNAMES[role] or "")
            response = _send(api, call, USERNAMES[role])
            got = _outcome(response)
            if expected[role] == "hidden" and got == "ok":
                leaked = [s for s in (*secrets, *world.references) if s in response.text]
                got = "hidden" if not leaked else f"ok, showing {leaked[0]}"
            if got != expected[role]:
                wrong.append(f"{method} {path} as {role}: expected {expected[role]}, got {got} ({call.url})")
    assert not wrong, "\n".join(wrong)
