"""Administrators' overrides of a hall's own calendar: set whole or field by field, refused with
the setting's Chinese name and the refused part's key, and only for halls that exist."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from tousu.domain import policy_overrides as po
from tousu.domain.policy import Policy

HALL = "sla.hall_calendars.思明营业厅"
LATE = {"hours": {"opens": "08:30", "closes": "20:00"}, "weekdays": [0, 1, 2, 3, 4, 5, 6]}


def test_a_hall_calendar_is_added_whole_then_edited_field_by_field() -> None:
    added = po.apply(Policy(), {HALL: LATE})
    calendar = added.sla.hall_calendars["思明营业厅"]
    assert calendar.hours is not None and (calendar.hours.opens, calendar.hours.closes) == (time(8, 30), time(20))
    edited = po.apply(Policy(), {HALL: LATE, f"{HALL}.hours.closes": "21:00", f"{HALL}.holidays": ["2026-12-31"]})
    calendar = edited.sla.hall_calendars["思明营业厅"]
    assert calendar.hours is not None and calendar.hours.closes == time(21)
    assert calendar.holidays == {date(2026, 12, 31)}
    assert Policy().sla.hall_calendars == {}  # nothing by default: every hall follows the channel's calendar


@pytest.mark.parametrize(
    ("value", "key", "words"),
    [
        ({**LATE, "hours": {"opens": "20:00", "closes": "08:30"}}, f"{HALL}.hours", "结束时间须晚于开始时间"),
        (
            {**LATE, "holidays": ["2026-10-01"], "extra_workdays": ["2026-10-01", "2026-10-02"]},
            f"{HALL}.extra_workdays",
            "同一天不能既是休息日又是工作日：2026-10-01",
        ),
        ({**LATE, "weekdays": []}, f"{HALL}.weekdays", "营业日：至少选一项"),
        ({**LATE, "weekdays": [7]}, f"{HALL}.weekdays", "不能大于 6"),
        ({**LATE, "holidays": ["2026-02-30"]}, f"{HALL}.holidays", "请按“年-月-日”填写日期"),
        ({"hours": {"opens": "08:30"}}, f"{HALL}.hours.closes", "营业时间 · 结束：缺少必填的值"),
    ],
)
def test_a_refused_hall_calendar_names_the_part_refused(value: Any, key: str, words: str) -> None:
    with pytest.raises(po.OverrideError) as refused:
        po.apply(Policy(), {HALL: value})
    [error] = refused.value.errors
    assert error.key == key and words in error.message
    assert error.message.startswith("处理时限 · 各营业厅营业时间 · 思明营业厅")


def test_a_calendar_only_for_a_hall_that_exists() -> None:
    known = ["思明营业厅", "湖里营业厅"]
    overrides = {HALL: LATE, "sla.hall_calendars.思明营业厅.hours.closes": "21:00", "sla.default.reply_hours": 12}
    assert po.unknown_halls(overrides, known) == []
    [error] = po.unknown_halls({"sla.hall_calendars.思明营业厅 ": LATE, "sla.default.reply_hours": 12}, known)
    assert error.key == "sla.hall_calendars.思明营业厅 " and "没有这个营业厅" in error.message


def test_a_hall_name_with_a_dot_stays_one_name() -> None:
    key = "sla.hall_calendars.厦门.思明营业厅.hours.opens"
    assert po.split_key(key) == ("sla", "hall_calendars", "厦门.思明营业厅", "hours", "opens")
    assert po.hall_of(key) == "厦门.思明营业厅"
    assert po.label(key) == "处理时限 · 各营业厅营业时间 · 厦门.思明营业厅 · 营业时间 · 开始"
    policy = po.apply(Policy(), {"sla.hall_calendars.厦门.思明营业厅": LATE})
    assert list(policy.sla.hall_calendars) == ["厦门.思明营业厅"]


def test_an_industry_the_knowledge_base_lacks_is_named_with_the_choices() -> None:
    known = {"telecom": "电信运营", "retail": "零售与生活服务"}
    assert po.unknown_industry({"industry": "retail"}, known) == []
    assert po.unknown_industry({"urgency.batch_min_vip": 4}, known) == []
    for wrong in ("bank", ["retail"], 3):
        [error] = po.unknown_industry({"industry": wrong}, known)
        assert error.key == "industry" and "电信运营、零售与生活服务" in error.message
