"""Administrators' overrides of the policy: which settings they may change, applying them over
the file policy, their Chinese names, and where each effective value comes from. Pure, no I/O.

An override document maps a key, the dotted path of a setting in the policy
(`authority.by_role.manager.max_refund`, `subscribers.思明营业厅`,
`sla.hall_calendars.思明营业厅.hours.opens`), to its JSON value. The
effective policy is the file policy (itself the defaults overridden by the policy file) with every
override set in place, validated as a whole by the same model (domain.policy.Policy): a bad value
is refused with the setting's Chinese name and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from tousu.domain.codes import CHANNEL_NAMES, ROLE_NAMES, URGENCY_NAMES
from tousu.domain.policy import Policy

Overrides = dict[str, Any]
Source = Literal["default", "file", "admin"]
SOURCE_NAMES: dict[Source, str] = {"default": "默认", "file": "配置文件", "admin": "管理员设置"}
MISSING: Any = object()

# What may be set in the browser or the API; "*" is any one key. A key may name a pattern or lie under it.
EDITABLE: tuple[tuple[str, ...], ...] = tuple(
    tuple(pattern.split("."))
    for pattern in (
        "industry",
        "urgency.batch_window_minutes",
        "urgency.batch_min_ordinary",
        "urgency.batch_min_vip",
        "urgency.repeat_window_months",
        "sla.warn_before_hours",
        "sla.escalate_every_hours",
        "sla.default",
        "sla.by_channel.*",
        "sla.by_urgency.*",
        "sla.calendars.*.hours",
        "sla.calendars.*.holidays",
        "sla.calendars.*.extra_workdays",
        "sla.hall_calendars.*",
        "authority.by_role.*",
        "subscribers.*",
        "retention.archive_after_days",
    )
)

SEGMENT_NAMES: dict[str, str] = {
    "industry": "本单位所属行业",
    "urgency": "紧急投诉判定",
    "retention": "归档",
    "archive_after_days": "办结后未变动满（天）",
    "batch_window_minutes": "批量时间窗（分钟）",
    "batch_min_ordinary": "批量门槛：普通客户数",
    "batch_min_vip": "批量门槛：VIP 客户数",
    "repeat_window_months": "重复投诉判定期（月）",
    "sla": "处理时限",
    "warn_before_hours": "到期前预警（小时）",
    "escalate_every_hours": "超时后每隔多少小时升级一级",
    "default": "默认",
    "acknowledge_hours": "首次响应（小时）",
    "reply_hours": "答复（小时）",
    "follow_up_hours": "回访（小时）",
    "business_hours": "按营业时间计的时限",
    "calendars": "营业日历",
    "hall_calendars": "各营业厅营业时间",
    "weekdays": "营业日",
    "public_holidays": "按国家法定节假日",
    "service_hall": "营业厅",
    "office": "办公室（信函、传真）",
    "around_the_clock": "全天候",
    "hours": "营业时间",
    "opens": "开始",
    "closes": "结束",
    "holidays": "额外休息日",
    "extra_workdays": "额外工作日",
    "authority": "岗位权限",
    "max_refund": "退费上限（元）",
    "max_compensation": "赔偿上限（元）",
    "max_gift": "赠送上限（元）",
    "monthly_gift_quota": "本厅每月赠送额度（元）",
    "subscribers": "用户数",
}
SKIPPED_SEGMENTS = {"by_role", "by_channel", "by_urgency"}  # the role, channel or urgency names say it
ENUM_NAMES: dict[str, str] = {
    **{r.value: n for r, n in ROLE_NAMES.items()},
    **{c.value: f"渠道：{n}" for c, n in CHANNEL_NAMES.items()},
    **{u.value: f"紧急：{n}" for u, n in URGENCY_NAMES.items()},
}
VALUE_ERRORS = {  # the policy model's own checks, in Chinese
    "closes must be after opens": "结束时间须晚于开始时间",
    "days both holiday and working day": "同一天不能既是休息日又是工作日",
    "unknown calendar": "没有这个营业日历",
}


@dataclass(frozen=True)
class FieldError:
    key: str
    message: str  # Chinese, naming the setting


class OverrideError(ValueError):
    """Overrides the policy refuses; nothing of them applies."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("；".join(e.message for e in errors))


HALL_CALENDARS = "sla.hall_calendars."
HALL_CALENDAR_FIELDS = (
    "hours.opens",
    "hours.closes",
    "hours",
    "weekdays",
    "public_holidays",
    "holidays",
    "extra_workdays",
)


def split_key(key: str) -> tuple[str, ...]:
    """A key's path; a hall's name (after `subscribers.`, or after `sla.hall_calendars.` up to the
    calendar's own fields) is one segment, dots and all."""
    head, _, rest = key.partition(".")
    if head == "subscribers" and rest:
        return (head, rest)
    if key.startswith(HALL_CALENDARS) and len(key) > len(HALL_CALENDARS):
        rest = key[len(HALL_CALENDARS) :]
        for name in HALL_CALENDAR_FIELDS:
            if rest.endswith("." + name) and len(rest) > len(name) + 1:
                return ("sla", "hall_calendars", rest[: -len(name) - 1], *name.split("."))
        return ("sla", "hall_calendars", rest)
    return tuple(key.split("."))


def hall_of(key: str) -> str | None:
    """The hall a key sets the calendar of, if it is a hall calendar's."""
    path = split_key(key)
    return path[2] if path[:2] == ("sla", "hall_calendars") and len(path) > 2 else None


def join_key(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


def label(key: str) -> str:
    """The Chinese name of a setting, e.g. 岗位权限 · 厅经理/店长 · 退费上限（元）."""
    path = split_key(key)
    names = []
    for i, segment in enumerate(path):
        if segment in SKIPPED_SEGMENTS:
            continue
        if (path[0] == "subscribers" and i == 1) or (path[:2] == ("sla", "hall_calendars") and i == 2):
            names.append(segment)  # the hall's own name
        else:
            names.append(SEGMENT_NAMES.get(segment) or ENUM_NAMES.get(segment) or segment)
    return " · ".join(names)


def editable(key: str) -> bool:
    path = split_key(key)
    return all(path) and any(
        len(path) >= len(pattern) and all(p in ("*", s) for p, s in zip(pattern, path, strict=False))
        for pattern in EDITABLE
    )


def value_at(data: Any, key: str) -> Any:
    """The value at `key` in a policy dump (`model_dump(mode="json")`), or MISSING."""
    node = data
    for segment in split_key(key):
        if not isinstance(node, dict) or segment not in node:
            return MISSING
        node = node[segment]
    return node


def apply(base: Policy, overrides: Overrides) -> Policy:
    """`base` with every override set in place, validated; raises OverrideError naming each bad setting."""
    data = base.model_dump(mode="json")
    errors = []
    for key in sorted(overrides, key=lambda k: len(split_key(k))):  # a whole section before its fields
        if not editable(key):
            errors.append(FieldError(key, f"{label(key)}：这一项不能在这里设置（请在配置文件中修改）"))
            continue
        *parents, last = split_key(key)
        node: Any = data
        for segment in parents:
            node = node.get(segment) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            errors.append(FieldError(key, f"{label(key)}：没有这一项设置"))
            continue
        node[last] = overrides[key]
    if errors:
        raise OverrideError(errors)
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        found = [_field_error(err, list(overrides)) for err in exc.errors(include_url=False, include_input=False)]
        raise OverrideError(list(dict.fromkeys(found))) from None


def _field_error(err: Any, keys: list[str]) -> FieldError:
    # The setting refused: where the bad value lies (not an item's position in a list), or, for
    # a whole-model check (opening hours) on a section, the override set inside it.
    loc = tuple(str(p) for p in err["loc"] if p != "[key]" and not isinstance(p, int))
    inside = any(_prefix(split_key(k), loc) for k in keys)
    related = [k for k in keys if _prefix(loc, split_key(k))]
    key = max(related, key=lambda k: len(split_key(k))) if related and not inside else join_key(loc)
    return FieldError(key, f"{label(key)}：{_reason(err)}")


def _prefix(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    return len(short) <= len(long) and long[: len(short)] == short


def _reason(err: Any) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "greater_than":
        return f"必须大于 {number(ctx.get('gt'))}"
    if kind == "greater_than_equal":
        return f"不能小于 {number(ctx.get('ge'))}"
    if kind == "less_than_equal":
        return f"不能大于 {number(ctx.get('le'))}"
    if kind.startswith("int_"):
        return "请填写整数"
    if kind.startswith(("float_", "finite_")):
        return "请填写数字"
    if kind.startswith("time_"):
        return "请按“时:分”填写，如 09:00"
    if kind.startswith("date_"):
        return "请按“年-月-日”填写日期，如 2026-12-31，多个日期用逗号隔开"
    if kind == "extra_forbidden":
        return "没有这一项设置"
    if kind == "missing":
        return "缺少必填的值"
    if kind == "too_short":
        return "至少选一项"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    if kind.startswith("bool_"):
        return "请填写 true（是）或 false（否）"
    if kind in ("enum", "literal_error", "string_pattern_mismatch"):
        return "不是可选的值"
    if kind == "value_error":
        message = str(ctx.get("error", ""))
        for english, chinese in VALUE_ERRORS.items():
            if english in message:
                detail = message.partition(":")[2].strip()
                return f"{chinese}{'：' + detail if detail else ''}"
    return "取值无效，请检查后重填"


def number(value: Any) -> str:
    """300.0 as 300, 0.5 as 0.5."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def unknown_halls(overrides: Overrides, known: Collection[str]) -> list[FieldError]:
    """A hall calendar set for a hall that no account, complaint or policy names: a typing mistake."""
    unknown = dict.fromkeys(h for h in map(hall_of, overrides) if h is not None and h not in known)
    return [
        FieldError(
            f"{HALL_CALENDARS}{hall}",
            f"{label(HALL_CALENDARS + hall)}：没有这个营业厅（班组），请从已有的营业厅中选择",
        )
        for hall in unknown
    ]


def unknown_industry(overrides: Overrides, known: Mapping[str, str]) -> list[FieldError]:
    """An industry the knowledge base does not have (`known`: code -> name)."""
    code = overrides.get("industry", MISSING)
    if code is MISSING or (isinstance(code, str) and code in known):
        return []
    return [FieldError("industry", f"{label('industry')}：没有这个行业，可选：{'、'.join(known.values())}")]


def source_of(key: str, *, defaults: Any, file: Any, overrides: Overrides) -> Source:
    """Where the effective value of `key` comes from (dumps of the default and the file policy)."""
    path = split_key(key)
    if any(_prefix(split_key(k), path) for k in overrides):
        return "admin"
    return "file" if value_at(file, key) != value_at(defaults, key) else "default"
