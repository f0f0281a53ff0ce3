"""The halls' own calendars on the page 营业厅与班组: opening hours, open weekdays, whether the
State Council's holidays apply, extra closed and working days, per hall.

A hall's calendar is one override, `sla.hall_calendars.<hall>` holding the whole calendar, so a
hall has a complete calendar of its own or none (then its walk-ins follow the shared 营业厅
calendar). The page shows a row per hall calendar in force and a row to add one for a hall
chosen from the known halls; a row sends its hidden `….row` marker, so an unticked box (which
a browser does not send) reads as unticked and not as absent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tousu.domain import policy_overrides as po
from tousu.domain.codes import Channel
from tousu.domain.deadlines import calendar_for
from tousu.domain.policy import Calendar, Policy

NEW = "new_hall_calendar"  # the add row's inputs: new_hall_calendar.hall, new_hall_calendar.hours.opens…
TEXTS = ("hours.opens", "hours.closes", "holidays", "extra_workdays")
PARTS = frozenset({"hall", "weekdays", "public_holidays", *TEXTS})  # where a row shows a refusal
WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")  # Monday = 0, as the policy counts


def typed_time(text: str) -> str:
    """A time as typed, for the policy model to read: 9:00 as 09:00."""
    text = text.strip()
    return "0" + text if re.fullmatch(r"\d:\d\d", text) else text


def typed_dates(text: str) -> list[str]:
    """Dates as typed, separated by commas (either width), 、, semicolons or spaces."""
    return [d for d in re.split(r"[\s,，、;；]+", text.strip()) if d]


def weekdays_text(days: list[int]) -> str:
    """Open weekdays in words: 每天, 周一至周五, 周二、周四."""
    days = sorted(days)
    if days == list(range(7)):
        return "每天"
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"周{WEEKDAYS[days[0]]}至周{WEEKDAYS[days[-1]]}"
    return "、".join(f"周{WEEKDAYS[d]}" for d in days if 0 <= d < 7) or "（无）"


def described(value: dict[str, Any]) -> str:
    """A hall's calendar (as stored) in words, for the change history."""
    hours = value.get("hours")
    parts = [
        f"营业时间 {str(hours['opens'])[:5]}–{str(hours['closes'])[:5]}" if hours else "全天营业",
        "营业日 " + weekdays_text(value.get("weekdays") or []),
        "按国家法定节假日" if value.get("public_holidays") else "不按国家法定节假日",
    ]
    for part in ("holidays", "extra_workdays"):
        if value.get(part):
            parts.append(f"{po.SEGMENT_NAMES[part]} {'、'.join(sorted(value[part]))}")
    return "，".join(parts)


@dataclass
class CalendarRow:
    hall: str  # "" in the add row until a hall is chosen
    prefix: str  # its inputs' names start with this: the override's key, or NEW
    texts: dict[str, str]  # each of TEXTS as shown or typed
    weekdays: set[int]
    public_holidays: bool
    source: po.Source = "admin"
    in_file: bool = False  # the policy file gives the hall a calendar: removing ours brings it back
    errors: dict[str, str] = field(default_factory=dict)  # by part: "hall", "weekdays", one of TEXTS…

    def input(self, part: str) -> str:
        return f"{self.prefix}.{part}"

    def label(self, part: str) -> str:
        """The Chinese name of one input, e.g. 处理时限 · 各营业厅营业时间 · 思明营业厅 · 营业时间 · 开始."""
        row = "新增营业厅营业时间" if self.prefix == NEW else po.label(self.prefix)
        return " · ".join([row, *(po.SEGMENT_NAMES.get(s, "营业厅") for s in part.split("."))])

    def day_label(self, day: int) -> str:
        return f"{self.label('weekdays')} · 周{WEEKDAYS[day]}"

    @property
    def source_name(self) -> str:
        return po.SOURCE_NAMES[self.source]

    def error_id(self, part: str) -> str:
        return f"err-{self.prefix}-{part}".replace(".", "-")

    def same_as(self, other: CalendarRow) -> bool:
        return (self.texts, self.weekdays, self.public_holidays) == (other.texts, other.weekdays, other.public_holidays)

    def value(self) -> dict[str, Any]:
        """The override: the whole calendar as typed; no hours at all is a hall open around the clock."""
        opens, closes = (self.texts[p].strip() for p in ("hours.opens", "hours.closes"))
        return {
            "hours": {"opens": typed_time(opens), "closes": typed_time(closes)} if opens or closes else None,
            "weekdays": sorted(self.weekdays),
            "public_holidays": self.public_holidays,
            "holidays": typed_dates(self.texts["holidays"]),
            "extra_workdays": typed_dates(self.texts["extra_workdays"]),
        }

    def read(self, typed: dict[str, str]) -> CalendarRow:
        """This row as the form sent it."""
        return CalendarRow(
            hall=typed.get(self.input("hall"), "").strip() if self.prefix == NEW else self.hall,
            prefix=self.prefix,
            texts={p: typed.get(self.input(p), "") for p in TEXTS},
            weekdays={d for d in range(7) if typed.get(self.input(f"weekdays.{d}"))},
            public_holidays=bool(typed.get(self.input("public_holidays"))),
            source=self.source,
            in_file=self.in_file,
        )


@dataclass
class HallCalendars:
    rows: list[CalendarRow]
    new: CalendarRow  # prefilled with the shared calendar the halls follow today
    choices: list[str]  # the known halls without a calendar of their own

    def resettable(self) -> set[str]:
        return {row.prefix for row in self.rows if row.source == "admin"}

    def keep_typed(self, typed: dict[str, str]) -> None:
        """Show what was typed (after a refusal) instead of the values in force."""
        self.rows = [row.read(typed) if row.input("row") in typed else row for row in self.rows]
        if self.new.input("row") in typed:
            self.new = self.new.read(typed)

    def changes(self, typed: dict[str, str]) -> tuple[dict[str, Any], list[po.FieldError]]:
        """The overrides the form asks for (a row changed, a hall added), or why it cannot ask."""
        found: dict[str, Any] = {}
        for row in self.rows:
            if row.input("row") in typed and not (sent := row.read(typed)).same_as(row):
                found[row.prefix] = sent.value()
        if self.new.input("row") not in typed:
            return found, []
        added = self.new.read(typed)
        if added.hall:
            found[po.HALL_CALENDARS + added.hall] = added.value()
        elif not added.same_as(self.new):  # filled in, but for no hall: say so rather than drop it
            return found, [po.FieldError(self.new.input("hall"), "新增营业厅营业时间：请选择营业厅")]
        return found, []

    def place(self, errors: list[po.FieldError]) -> list[po.FieldError]:
        """Put each refusal beside its input; those about no input here are given back."""
        unplaced = []
        for error in errors:
            row, part = self._input_of(error.key)
            if row is None:
                unplaced.append(error)
            else:
                row.errors[part] = error.message
        return unplaced

    def _input_of(self, key: str) -> tuple[CalendarRow | None, str]:
        if key == self.new.input("hall"):
            return self.new, "hall"
        hall = po.hall_of(key)
        if hall is None:
            return None, ""
        part = ".".join(po.split_key(key)[3:]) or "hall"
        part = "hours.closes" if part == "hours" else part  # opening hours refused as a whole: said by 结束
        rows = [r for r in self.rows if r.hall == hall] or ([self.new] if self.new.hall == hall else [])
        return (rows[0], part) if rows and part in PARTS else (None, "")


def build(policy: Policy, teams: list[str], *, defaults: Any, file: Any, overrides: po.Overrides) -> HallCalendars:
    """The rows of the calendars in force (`policy`), their sources (dumps of the default and the
    file policy, the stored overrides), and the add row for the halls without one."""

    def row(hall: str, calendar: Calendar, prefix: str) -> CalendarRow:
        hours = calendar.hours
        return CalendarRow(
            hall=hall,
            prefix=prefix,
            texts={
                "hours.opens": hours.opens.strftime("%H:%M") if hours else "",
                "hours.closes": hours.closes.strftime("%H:%M") if hours else "",
                "holidays": ", ".join(sorted(d.isoformat() for d in calendar.holidays)),
                "extra_workdays": ", ".join(sorted(d.isoformat() for d in calendar.extra_workdays)),
            },
            weekdays=set(calendar.weekdays),
            public_holidays=calendar.public_holidays,
            source=po.source_of(prefix, defaults=defaults, file=file, overrides=overrides) if hall else "default",
            in_file=po.value_at(file, prefix) is not po.MISSING,
        )

    own = policy.sla.hall_calendars
    shared = calendar_for(channel=Channel.HALL, team="", policy=policy.sla)  # "" is no hall: the channel's
    return HallCalendars(
        rows=[row(hall, own[hall], po.HALL_CALENDARS + hall) for hall in sorted(own)],
        new=row("", shared, NEW),
        choices=[team for team in teams if team not in own],
    )
