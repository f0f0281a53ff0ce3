"""Masking personal data in log lines."""

from __future__ import annotations

import logging

from tousu.logs import MaskingFormatter, mask_text


def test_phones_and_id_numbers_are_masked_wherever_they_appear() -> None:
    text = "客户13912345678（+86 13800002222，座机0592-5557788）身份证350203199001011234 req=a0592555123400b"
    masked = mask_text(text)
    assert "139****5678" in masked and "138****2222" in masked and "350***********1234" in masked
    for secret in ("13912345678", "13800002222", "5557788", "350203199001011234"):
        assert secret not in masked
    assert "req=a0592555123400b" in masked  # digits inside an identifier are not a phone number


def test_postgresql_details_quoting_a_row_or_key_are_blanked() -> None:
    detail = (
        "DETAIL:  Failing row contains (7, 欧阳小明, 13912345678, 思明区演武路88号, null).\n"
        "DETAIL:  Key (name)=(欧阳小明) already exists."
    )
    masked = mask_text(detail)
    assert "欧阳小明" not in masked and "演武路" not in masked
    assert "Failing row contains (…)" in masked and "Key (name)=(…)" in masked


def test_the_formatter_writes_masked_key_value_lines_with_tracebacks() -> None:
    try:
        raise ValueError("phone 13912345678 refused")
    except ValueError:
        record = logging.LogRecord("tousu.test", logging.ERROR, __file__, 1, "saving %s", ("13912345678",), None)
        import sys

        record.exc_info = sys.exc_info()
    line = MaskingFormatter().format(record)
    assert "level=ERROR logger=tousu.test saving 139****5678" in line
    assert "ValueError: phone 139****5678 refused" in line and "13912345678" not in line


def test_request_ids_stay_whole_so_a_quoted_one_can_be_found() -> None:
    request_id = "a94333d8fec84a5f88b7d13578677867"  # digits inside that look like a mobile number
    line = f"request_id={request_id} user=agent1 path=/api/v1/complaints note=13912345678"
    masked = mask_text(line)
    assert f"request_id={request_id} " in masked and "13912345678" not in masked
