"""The password rule: long enough, not the username, not a password everyone tries first."""

from __future__ import annotations

MIN_LENGTH = 8

# Tried first by every guesser (leaked-password lists, Chinese favourites included); compared
# lower-cased, and also with trailing digits and symbols removed ("password2026!" -> "password").
COMMON = frozenset(
    {
        "password",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "admin",
        "administrator",
        "root",
        "welcome",
        "iloveyou",
        "woaini",
        "woaini1314",
        "5201314",
        "1314520",
        "letmein",
        "monkey",
        "dragon",
        "football",
        "baseball",
        "sunshine",
        "princess",
        "qwerty",
        "qwertyuiop",
        "asdfghjkl",
        "zxcvbnm",
        "1qaz2wsx",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "qazwsx",
        "abc123",
        "abcd1234",
        "a1234567",
        "aa123456",
        "qwe123",
        "123qwe",
        "qwer1234",
        "asdf1234",
        "zxcv1234",
        "changeme",
        "secret",
        "tousu",
        "tousu123",
        "test",
        "guest",
        "user",
        "demo",
        "default",
        "china",
        "huawei",
        "zhongguo",
        "nihao",
        "wangluo",
        "dianxin",
        "yidong",
        "liantong",
        "kefu",
        "mima",
    }
)

_SEQUENCES = ("01234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc")


def weakness(username: str, password: str) -> str | None:
    """Why this password is refused (a message for the person choosing it), or None when it is fine.

    >>> weakness("agent1", "12345678")
    '密码过于简单（重复、连续或键盘上相邻的字符），很容易被猜中，请混合字母、数字和符号。'
    >>> weakness("agent1", "demo-pass-2026") is None
    True
    """
    lowered = password.lower()
    name = username.strip().lower()
    if name and (lowered == name or (len(name) >= 3 and name in lowered)):
        return "密码不能与用户名相同，也不能包含用户名。"
    if len(password) < MIN_LENGTH:
        return f"密码至少需要{MIN_LENGTH}位。"
    if name and len(lowered) >= 3 and lowered in name:
        return "密码不能是用户名的一部分。"
    if _trivial(lowered):
        return "密码过于简单（重复、连续或键盘上相邻的字符），很容易被猜中，请混合字母、数字和符号。"
    if lowered in COMMON or lowered.rstrip("0123456789!@#$%^&*.-_ ") in COMMON:
        return "这是最常见的密码之一（如 password、qwerty123、woaini1314），很容易被猜中，请换一个。"
    return None


def _trivial(lowered: str) -> bool:
    """Few distinct characters, a short unit repeated, or one run along the alphabet, the digits or a keyboard row."""
    if len(set(lowered)) <= 3:
        return True
    if any(lowered == (lowered[:unit] * len(lowered))[: len(lowered)] for unit in range(1, 5)):
        return True
    for sequence in _SEQUENCES:
        both_ways = sequence + " " + sequence[::-1]
        if lowered in both_ways:
            return True
    return False
