"""The password rule: what it refuses, why it says so, and what it lets through."""

from __future__ import annotations

import doctest

import pytest

from tousu.domain import passwords
from tousu.domain.passwords import weakness

REFUSED = [
    ("agent1", "12345678", "过于简单"),
    ("agent1", "87654321", "过于简单"),
    ("agent1", "abcdefgh", "过于简单"),
    ("agent1", "qwertyui", "过于简单"),
    ("agent1", "aaaaaaaa", "过于简单"),
    ("agent1", "abcabcabc", "过于简单"),
    ("agent1", "password", "最常见"),
    ("agent1", "PASSWORD2026!", "最常见"),
    ("agent1", "woaini1314", "最常见"),
    ("agent1", "1qaz2wsx", "过于简单"),
    ("manager1", "manager1", "用户名"),
    ("manager1", "Manager1-2026", "用户名"),
    ("zhangxiaoming", "zhangxiao", "用户名"),
    ("agent1", "x7-Kp", "至少需要8位"),
]


@pytest.mark.parametrize("username,password,why", REFUSED)
def test_weak_passwords_are_refused_saying_why(username: str, password: str, why: str) -> None:
    reason = weakness(username, password)
    assert reason is not None and why in reason


@pytest.mark.parametrize(
    "username,password",
    [
        ("agent1", "demo-pass-2026"),
        ("agent1", "correct-horse-1"),
        ("admin1", "tea-on-the-hill-42"),
        ("li", "lichee-orchard-9"),
    ],
)
def test_ordinary_good_passwords_pass(username: str, password: str) -> None:
    assert weakness(username, password) is None


def test_the_examples_in_the_docstrings_hold() -> None:
    assert doctest.testmod(passwords).failed == 0
