"""Report periods and KPI arithmetic (tousu.domain.kpi)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tousu.domain import kpi
from tousu.domain.kpi import Counts, GroupBy, Period


def test_a_period_is_shanghai_days_and_the_previous_one_is_as_long() -> None:
    period = kpi.period_of("2026-03-01", "2026-03-31")
    assert period.days == 31
    assert period.bounds() == (datetime(2026, 2, 28, 16, tzinfo=UTC), datetime(2026, 3, 31, 16, tzinfo=UTC))
    assert period.previous() == Period(date(2026, 1, 29), date(2026, 2, 28))


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [("2026-03-02", "2026-03-01", "to"), ("2025-01-01", "2026-01-02", "to"), ("20260301", "2026-03-02", "from"),
     ("2026-03-01", "", "to"), ("1970-01-01", "1970-01-02", "from")],
)  # fmt: skip
def test_periods_that_cannot_be_reported_name_the_field(start: str, end: str, field: str) -> None:
    with pytest.raises(kpi.PeriodError) as refused:
        kpi.period_of(start, end)
    assert refused.value.field == field


def test_a_year_is_the_longest_period() -> None:
    assert kpi.period_of("2024-01-01", "2024-12-31").days == 366  # a leap year fits


def test_trend_buckets_cover_the_period_without_gaps() -> None:
    period = Period(date(2026, 11, 25), date(2026, 12, 8))  # Wednesday to Tuesday
    assert kpi.buckets(period, GroupBy.WEEK) == [date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7)]
    assert kpi.buckets(period, GroupBy.MONTH) == [date(2026, 11, 1), date(2026, 12, 1)]
    assert len(kpi.buckets(period, GroupBy.DAY)) == 14
    # A bucket's own days are cut to the period: the first week starts on the 25th.
    assert kpi.bucket_period(date(2026, 11, 23), GroupBy.WEEK, period) == Period(date(2026, 11, 25), date(2026, 11, 29))
    assert kpi.bucket_period(date(2026, 12, 1), GroupBy.MONTH, period) == Period(date(2026, 12, 1), date(2026, 12, 8))


def test_rates_are_blank_when_there_is_nothing_to_divide_by() -> None:
    empty = kpi.kpis(Counts(), None)
    assert empty["received"] == 0
    assert empty["on_time_rate"] is None and empty["avg_handling_hours"] is None and empty["per_million"] is None
    figures = kpi.kpis(Counts(received=3, on_time=1, overdue=2, closed=2, handling_hours=7.0), 1_500_000)
    assert figures["on_time_rate"] == 0.3333 and figures["avg_handling_hours"] == 3.5 and figures["per_million"] == 2.0


def test_changes_are_differences_and_blank_beside_a_blank() -> None:
    now = kpi.kpis(Counts(received=5, on_time=3, overdue=1), None)
    before = kpi.kpis(Counts(received=2, on_time=0, overdue=0), None)
    change = kpi.changes(now, before)
    assert change["received"] == 3 and change["on_time_rate"] is None
    assert kpi.changes({"r": 0.75}, {"r": 0.5})["r"] == 0.25


def test_every_kpi_has_one_definition_and_a_column() -> None:
    assert [k.key for k in kpi.KPIS] == list(kpi.kpis(Counts(), None))
    assert all(k.definition and k.name for k in kpi.KPIS)
