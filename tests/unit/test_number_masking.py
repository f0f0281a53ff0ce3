"""Phone and ID numbers typed inside a complaint's text are masked in lists; other numbers are not."""

from __future__ import annotations

import pytest

from tousu.services.customers import mask_numbers_in_text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("回电13900001111", "回电139****1111"),
        ("回电 139 0000 1111 谢谢", "回电 139****1111 谢谢"),
        ("回电139-0000-1111", "回电139****1111"),
        ("回电１３９００００１１１１", "回电１３９****１１１１"),
        ("座机0592-5551234", "座机059****1234"),
        ("座机010-12345678", "座机010****5678"),
        ("身份证350203199001011234", "身份证350***********1234"),
        ("身份证35020319900101123X。", "身份证350***********123X。"),
        # Grouped as people write them.
        ("回电139.1111.2222", "回电139****2222"),
        ("回电(139)11112222", "回电139****2222"),
        ("回电139/1111/2222", "回电139****2222"),
        ("回电139—1111—2222", "回电139****2222"),
        ("回电13911112222x", "回电139****2222x"),
        ("回电+86 139 1111 2222", "回电139****2222"),
        ("座机0592 5551234", "座机059****1234"),
        ("座机（0592）5551234", "座机059****1234"),
        ("座机0592-555-1234", "座机059****1234"),
        ("身份证350203-1990-0101-5678", "身份证350***********5678"),
        ("身份证3502 0319 9001 0112 34", "身份证350***********1234"),
        ("老身份证350203900101123", "老身份证350***********1123"),
    ],
)
def test_phone_and_id_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_numbers_in_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "扣了58元，套餐128元/月",
        "2026-11-23 10:00 断网",
        "订单号202611230000111122223333",  # a longer run of digits is no phone number
        "宽带账号 5920012345",
        "扣费 158.00 120.00 99.00",  # amounts in a row are not a number grouped
        "2026-03-07 09:15:27",
    ],
)
def test_other_numbers_stay_as_written(text: str) -> None:
    assert mask_numbers_in_text(text) == text
