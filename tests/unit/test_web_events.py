"""Timeline entries read in Chinese: field names, codes, people and times in Asia/Shanghai."""

from __future__ import annotations

import re

from tousu.web.events import event_lines, event_name


def test_a_change_reads_with_chinese_names_and_local_times() -> None:
    lines = event_lines(
        {
            "before": {"status": "in_progress", "replied_at": None, "responsible_id": 3, "paused_seconds": 0},
            "after": {"status": "replied", "replied_at": "2026-12-06T13:12:24+00:00", "responsible_id": 5},
            "to": "agent2",
            "to_role": "admin",
        },
        {3: "陈晓燕", 5: "林志强"},
        {"agent2": "林志强"},
    )
    assert lines == [
        "变更前：状态 处理中；答复时间 —；首问责任人 陈晓燕",
        "变更后：状态 已答复；答复时间 2026-12-06 21:12；首问责任人 林志强",
        "移交/升级至：林志强",
        "负责岗位：系统管理员",
    ]


def test_a_settlement_reads_its_items_facts_and_basis_by_name() -> None:
    lines = event_lines(
        {
            "refund": 300.0,
            "items": [{"type": "double_refund", "amount": 60.0, "basis": "policy_double_refund"}],
            "facts": ["our_fault"],
            "exceeded": ["退费上限50元"],
        }
    )
    text = "\n".join(lines)
    assert "退费：300 元" in text
    assert "双倍返还 60 元（依据：" in text and "policy_double_refund" not in text
    assert "已核实事实：经核实属我方原因错收、多收" in text


def test_nothing_internal_is_shown_for_a_field_or_an_event_nobody_named() -> None:
    lines = event_lines({"issue_key": "billing:话费", "paused_seconds": 30, "some_new_field": "x"})
    assert lines == []
    assert not re.search(r"[a-z]", event_name("some_new_kind"))
