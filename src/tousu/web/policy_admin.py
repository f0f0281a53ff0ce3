"""The administrators' rule pages (规则设置): authority limits, thresholds and deadlines, halls
(with the halls' own calendars: web/hall_calendars.py), the organisation's industry.

Each page shows every setting's value in force and where it comes from (默认 / 配置文件 /
管理员设置), saves what was changed as overrides (services/policy_settings.py: validated as a
whole, audited) and brings a setting back to the file's value or the default. On a refusal
nothing is saved and the page comes back with what was typed and the reason beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from tousu.api.deps import AppState, State
from tousu.domain import policy_overrides as po
from tousu.domain.codes import ROLE_NAMES, Role
from tousu.domain.policy import Policy
from tousu.knowledge import load_knowledge_base
from tousu.services import audit, policy_settings
from tousu.services.actors import Actor
from tousu.services.errors import ServiceError
from tousu.web import hall_calendars
from tousu.web.auth import PageActor
from tousu.web.render import page
from tousu.web.security import CSRF_FIELD, csrf_valid

router = APIRouter(include_in_schema=False)

Kind = Literal["number", "optional", "count", "time", "dates", "deadlines", "choice"]
SECTIONS = {"authority": "岗位权限", "thresholds": "阈值与时限", "halls": "营业厅与班组", "industry": "行业"}
FORBIDDEN = "规则设置仅限系统管理员使用。"
CSRF_FAILED = "页面已失效（安全校验未通过），请刷新页面后重试。"
SLA_COLUMNS = ("acknowledge_hours", "reply_hours", "follow_up_hours")
DEADLINE_NAMES = {"acknowledge": "首次响应", "reply": "答复", "follow_up": "回访"}
# Which deadlines of a row run in business hours: one choice among the subsets, in this order.
BUSINESS_HOURS_CHOICES = [
    ",".join(chosen)
    for chosen in ((), ("reply",), ("acknowledge", "reply"), ("reply", "follow_up"), tuple(DEADLINE_NAMES))
]


def deadlines_text(codes: str) -> str:
    """A choice of deadlines as people read it: 答复、回访, or 无（全部按日历小时）."""
    return "、".join(DEADLINE_NAMES.get(c, c) for c in codes.split(",") if c) or "无（全部按日历小时）"


BUSINESS_HOURS_OPTIONS = [(choice, deadlines_text(choice)) for choice in BUSINESS_HOURS_CHOICES]


AUTHORITY_COLUMNS = ("max_refund", "max_compensation", "max_gift", "monthly_gift_quota")


@dataclass
class Setting:
    key: str
    kind: Kind
    text: str = ""  # what the input shows: the value in force, or what was typed
    source: po.Source = "default"
    error: str | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)  # (value, what it shows): a select

    def options(self) -> list[tuple[str, str]]:
        """The choices, with the value in force (or typed) kept where it is none of them."""
        if self.text in (value for value, _ in self.choices):
            return self.choices
        return [*self.choices, (self.text, deadlines_text(self.text) if self.kind == "deadlines" else self.text)]

    @property
    def name(self) -> str:
        return po.label(self.key)

    @property
    def source_name(self) -> str:
        if self.kind == "count" and self.source == "default":
            return "未设置"  # no hall has a subscriber count by default
        return po.SOURCE_NAMES[self.source]


@dataclass
class Row:
    name: str
    settings: list[Setting | None]  # None: no such setting in this column
    note: str = ""


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[Row]
    note: str = ""
    id: str = ""

    def settings(self) -> list[Setting]:
        return [s for row in self.rows for s in row.settings if s is not None]


@dataclass
class Layout:
    tables: list[Table] = field(default_factory=list)
    halls: list[str] | None = None  # the known halls, on the page that sets their calendars
    calendars: hall_calendars.HallCalendars | None = None  # filled in with the sources (_fill)

    def settings(self) -> dict[str, Setting]:
        return {s.key: s for table in self.tables for s in table.settings()}


def _authority(policy: Policy) -> Layout:
    rows = [
        Row(
            ROLE_NAMES[role],
            [
                Setting(f"authority.by_role.{role.value}.{c}", "optional" if c == "monthly_gift_quota" else "number")
                for c in AUTHORITY_COLUMNS
            ],
        )
        for role in Role
        if role in policy.authority.by_role
    ]
    note = (
        "单件投诉中该岗位可直接给予的金额；超出即提交上一级审批，审批人也只能批准其额度之内的方案。"
        "本厅每月赠送额度为全厅所有人员合计，留空表示不限。改后立即生效：已在等待审批的方案按新额度审批。"
    )
    columns = ["退费上限（元）", "赔偿上限（元）", "赠送上限（元）", "本厅每月赠送额度（元）"]
    return Layout([Table("岗位权限（元，单件投诉）", columns, rows, note, "authority")])


def _thresholds(policy: Policy) -> Layout:
    urgency = Table(
        "紧急投诉判定",
        ["数值"],
        [
            Row(po.SEGMENT_NAMES[name], [Setting(f"urgency.{name}", "number")])
            for name in ("batch_window_minutes", "batch_min_ordinary", "batch_min_vip", "repeat_window_months")
        ],
        "同一问题在批量时间窗内的投诉达到门槛即判定为批量投诉（普通客户或 VIP 客户其一达到即可）；"
        "答复归档后在判定期内同一问题再次投诉即为重复投诉。对此后受理的投诉生效。",
        "urgency",
    )
    sla = policy.sla

    def sla_row(base: str, name: str) -> Row:
        hours = [Setting(f"{base}.{c}", "number") for c in SLA_COLUMNS]
        return Row(name, [*hours, Setting(f"{base}.business_hours", "deadlines", choices=BUSINESS_HOURS_OPTIONS)])

    sla_rows = [sla_row("sla.default", "默认")]
    sla_rows += [
        sla_row(f"sla.by_channel.{ch.value}", _row_name(f"sla.by_channel.{ch.value}")) for ch in sla.by_channel
    ]
    sla_rows += [sla_row(f"sla.by_urgency.{u.value}", _row_name(f"sla.by_urgency.{u.value}")) for u in sla.by_urgency]
    deadlines = Table(
        "处理时限（小时）",
        ["首次响应", "答复", "回访", "按营业时间计的时限"],
        sla_rows,
        "紧急投诉取所属各紧急类型中最短的时限，否则按渠道，再否则按默认。时限按日历小时连续计算，"
        "选为“按营业时间计”的只在该渠道（或营业厅）的营业时间内计时，并跳过法定节假日、计入调休工作日。"
        "对此后受理的投诉生效，已受理投诉的时限不变。",
        "sla",
    )
    sweep = Table(
        "预警与升级",
        ["数值"],
        [
            Row(po.SEGMENT_NAMES[n], [Setting(f"sla.{n}", "number")])
            for n in ("warn_before_hours", "escalate_every_hours")
        ],
        "答复时限到期前多少小时提醒处理人；超时后每隔多少小时沿升级链上升一级。下一次超时检查即按新值执行。",
        "sweep",
    )
    archive = Table(
        "归档",
        ["天数"],
        [Row(po.SEGMENT_NAMES["archive_after_days"], [Setting("retention.archive_after_days", "optional")])],
        "已结案、不予受理或已合并的投诉，办结后这么多天没有任何变动即归档：不再出现在工作台、队列和默认搜索中，"
        "仍可打开、打印、导出，并照常计入报表；重新打开即回到工作中。留空或填 0 表示不归档。下一次归档即按新值执行。",
        "retention",
    )
    return Layout([urgency, deadlines, sweep, archive])


def _halls(policy: Policy, teams: list[str]) -> Layout:
    subscribers = Table(
        "各营业厅（班组）用户数",
        ["用户数"],
        [Row(team, [Setting(f"subscribers.{team}", "count")]) for team in teams],
        "报表中“百万用户申诉率”的分母；留空表示未设置（该厅的申诉率不计算）。列表包括账号、投诉和配置中出现过的全部营业厅（班组）。",
        "subscribers",
    )
    rows = []
    for name, calendar in policy.sla.calendars.items():
        if calendar.hours is None:
            continue  # around the clock: nothing to set
        base = f"sla.calendars.{name}"
        rows.append(
            Row(
                _row_name(base),
                [
                    Setting(f"{base}.hours.opens", "time"),
                    Setting(f"{base}.hours.closes", "time"),
                    Setting(f"{base}.holidays", "dates"),
                    Setting(f"{base}.extra_workdays", "dates"),
                ],
                "按国家法定节假日和调休安排" if calendar.public_holidays else "不按国家法定节假日",
            )
        )
    calendars = Table(
        "营业时间与节假日",
        ["开始", "结束", "额外休息日", "额外工作日"],
        rows,
        "营业时间按渠道设置：营业厅现场投诉按“营业厅”日历（下方“各营业厅营业时间”中单独设置了的营业厅按本厅的），"
        "信函、传真按“办公室”日历。"
        "按国家法定节假日的日历，其节假日和调休日按国务院公布的日历自动计入；这里的额外休息日（如本单位停业日）"
        "和额外工作日在其上生效。日期写作 2026-12-31，多个日期用逗号隔开。只有选为按营业时间计的时限受影响（在“阈值与时限”页的处理时限中选择）。",
        "calendars",
    )
    return Layout([subscribers, calendars], halls=teams)


def _industry() -> Layout:
    names = load_knowledge_base().industry_names
    table = Table(
        "本单位所属行业",
        ["行业"],
        [Row(po.SEGMENT_NAMES["industry"], [Setting("industry", "choice", choices=list(names.items()))])],
        "分析投诉时按本行业的分类叫法、线索词、常见场景和话术用语（如“营业厅”“10086”或“本店”“店长”）给出建议。"
        "对此后的分析生效，已受理投诉保存的分类不变。",
        "industry",
    )
    return Layout([table])


def _row_name(key: str) -> str:
    """A row's name within its table: the last part of the setting's name (渠道：信函, 营业厅)."""
    return po.label(key).rsplit(" · ", 1)[-1]


def _layout(section: str, policy: Policy, state: AppState) -> Layout:
    if section == "authority":
        return _authority(policy)
    if section == "thresholds":
        return _thresholds(policy)
    if section == "industry":
        return _industry()
    with state.read() as conn:
        teams = policy_settings.teams(conn, policy)
    return _halls(policy, teams)


def _text(value: Any, kind: Kind) -> str:
    """A stored value as typed in the form."""
    if value is None or value is po.MISSING:
        return ""
    if kind == "dates":
        return ", ".join(sorted(value))
    if kind == "deadlines":
        return ",".join(c for c in DEADLINE_NAMES if c in value)
    if kind == "time":
        return str(value)[:5]  # HH:MM
    if kind == "choice":
        return str(value)
    return po.number(value)


def _parsed(text: str, kind: Kind) -> Any:
    """What was typed, for the policy model to validate (it turns "300" into 300.0)."""
    text = text.strip()
    if kind == "dates":
        return hall_calendars.typed_dates(text)
    if kind == "deadlines":
        return [c for c in text.split(",") if c]  # the policy model refuses any other code
    if kind == "optional" and not text:
        return None
    if kind == "time":
        return hall_calendars.typed_time(text)
    return text


def shown(value: Any, key: str = "") -> str:
    """A value before or after a change of the setting `key`, for the change history."""
    if value is None:
        return "（未单独设置）" if po.hall_of(key) else "（未设置）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "industry":
        return load_knowledge_base().industry_names.get(str(value), str(value))
    if key.endswith(".weekdays") and isinstance(value, list):
        return hall_calendars.weekdays_text(value)
    if key.endswith(".business_hours") and isinstance(value, list):
        return deadlines_text(",".join(c for c in DEADLINE_NAMES if c in value))
    if isinstance(value, dict) and "weekdays" in value:
        return hall_calendars.described(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in sorted(value)) or "（无）"
    if isinstance(value, dict):
        return "，".join(f"{po.SEGMENT_NAMES.get(k, k)} {shown(v)}" for k, v in value.items())
    return po.number(value)


def _fill(layout: Layout, state: AppState, overrides: po.Overrides) -> None:
    defaults = Policy().model_dump(mode="json")
    file = state.policies.base.model_dump(mode="json")
    policy = policy_settings.effective(state.policies.base, overrides)
    current = policy.model_dump(mode="json")
    for s in layout.settings().values():
        s.text = _text(po.value_at(current, s.key), s.kind)
        s.source = po.source_of(s.key, defaults=defaults, file=file, overrides=overrides)
    if layout.halls is not None:
        layout.calendars = hall_calendars.build(policy, layout.halls, defaults=defaults, file=file, overrides=overrides)


def _render(
    request: Request,
    state: AppState,
    actor: Actor,
    section: str,
    *,
    typed: dict[str, str] | None = None,
    errors: list[po.FieldError] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    with state.read() as conn:
        stored = policy_settings.load(conn)
        history = audit.recent(conn, limit=20, action="policy_changed")
    policy = policy_settings.effective(state.policies.base, stored.overrides)
    layout = _layout(section, policy, state)
    _fill(layout, state, stored.overrides)
    settings = layout.settings()
    for key, text in (typed or {}).items():
        if key in settings:
            settings[key].text = text  # what was typed stays on the page
    unplaced = []
    for error in errors or []:
        if error.key in settings:
            settings[error.key].error = error.message
        else:
            unplaced.append(error)
    if layout.calendars is not None:
        layout.calendars.keep_typed(typed or {})
        unplaced = layout.calendars.place(unplaced)
    saved = request.query_params.get("saved") == "1" and not errors and not message
    return page(
        request,
        "admin_policy.html",
        status_code=status,
        actor=actor,
        nav="policy",
        section=section,
        sections=SECTIONS,
        layout=layout,
        version=stored.version,
        history=history,
        shown=shown,
        policy_file=state.settings.policy_file,
        error=message or ("设置未保存，请按提示修改：" + "；".join(e.message for e in unplaced) if unplaced else None),
        has_errors=bool(errors) or bool(message),
        notice="已保存，立即生效。" if saved else None,
    )


def _refusal(request: Request, actor: Actor, section: str) -> Response | None:
    if not actor.at_least(Role.ADMIN):
        return page(request, "forbidden.html", status_code=403, actor=actor, message=FORBIDDEN)
    if section not in SECTIONS:
        return page(request, "forbidden.html", status_code=404, actor=actor, message="没有这个设置页面。")
    return None


@router.get("/admin/policy")
def policy_home(request: Request, actor: PageActor) -> Response:
    return _refusal(request, actor, "authority") or RedirectResponse("/admin/policy/authority", status_code=303)


@router.get("/admin/policy/{section}")
def policy_page(section: str, request: Request, state: State, actor: PageActor) -> Response:
    return _refusal(request, actor, section) or _render(request, state, actor, section)


@router.post("/admin/policy/{section}")
async def save_policy(section: str, request: Request, state: State, actor: PageActor) -> Response:
    form = await request.form()
    typed = {k: v for k, v in form.items() if isinstance(v, str) and len(v) <= 2000}
    return await run_in_threadpool(_save, section, request, state, actor, typed)


def _save(section: str, request: Request, state: AppState, actor: Actor, typed: dict[str, str]) -> Response:
    refused = _refusal(request, actor, section)
    if refused is not None:
        return refused
    if not csrf_valid(request, typed.get(CSRF_FIELD, "")):
        return _render(request, state, actor, section, typed=typed, message=CSRF_FAILED, status=403)
    # Only what differs from the page as it was shown is set; everything else keeps its source.
    with state.read() as conn:
        stored = policy_settings.load(conn)
    layout = _layout(section, policy_settings.effective(state.policies.base, stored.overrides), state)
    _fill(layout, state, stored.overrides)
    shown_settings = layout.settings()
    reset = typed.get("reset", "")
    calendars = layout.calendars
    resets = [reset] if reset in shown_settings or (calendars and reset in calendars.resettable()) else []
    changes: dict[str, Any] = {}
    for key, setting in shown_settings.items():
        text = typed.get(key)
        if text is None or key in resets or text.strip() == setting.text:
            continue
        if setting.kind == "count" and not text.strip():
            resets.append(key)  # a hall's count emptied: no longer set by the administrator
        else:
            changes[key] = _parsed(text, setting.kind)
    if calendars is not None:
        found, problems = calendars.changes(typed)
        if problems:
            return _render(request, state, actor, section, typed=typed, errors=problems, status=422)
        changes.update(found)
    version = typed.get("version", "")
    try:
        with state.write() as conn:
            policy_settings.change(
                conn,
                base=state.policies.base,
                set_values=changes,
                reset=resets,
                expected_version=int(version) if version.isdigit() and len(version) < 10 else None,
                actor=actor,
                now=state.clock(),
            )
    except policy_settings.PolicyInvalid as exc:
        return _render(request, state, actor, section, typed=typed, errors=exc.errors, status=422)
    except ServiceError as exc:
        return _render(request, state, actor, section, typed=typed, message=exc.message, status=exc.status)
    state.policies.recheck()
    return RedirectResponse(f"/admin/policy/{section}?saved=1", status_code=303)
