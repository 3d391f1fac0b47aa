"""Deadline arithmetic against a plain day-by-day reference (contract section 3)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govwatch.workcal.calendar import OutOfCalendar, WorkCalendar, day_by_day_add
from govwatch.workcal.schedule import shipped_schedule

_days, _years = shipped_schedule()
SHIPPED = WorkCalendar(
    [d for d, k in _days.items() if k == "holiday"], [d for d, k in _days.items() if k == "workday"], _years
)


def reference_is_workday(cal: WorkCalendar):
    def is_workday(d: date) -> bool:
        if d in cal.workdays:
            return True
        return d.weekday() < 5 and d not in cal.holidays

    return is_workday


def reference_provisional(cal: WorkCalendar, start: date, end: date) -> bool:
    day = start + timedelta(days=1)
    while day <= end:
        if day.year not in cal.scheduled_years:
            return True
        day += timedelta(days=1)
    return False


dates = st.dates(min_value=date(2003, 6, 1), max_value=date(2028, 6, 30))
counts = st.integers(min_value=0, max_value=400)


@settings(max_examples=400, deadline=None)
@given(dates, counts)
def test_add_workdays_matches_day_by_day_reference(d, n):
    expected = day_by_day_add(reference_is_workday(SHIPPED), d, n)
    got = SHIPPED.add_workdays(d, n)
    assert got.date == expected
    assert got.provisional == reference_provisional(SHIPPED, d, expected)


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.dates(min_value=date(2030, 1, 1), max_value=date(2030, 12, 31)), max_size=40),
    st.sets(st.dates(min_value=date(2030, 1, 1), max_value=date(2030, 12, 31)), max_size=15),
    st.dates(min_value=date(2029, 11, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=120),
)
def test_any_schedule_with_make_up_days_matches_reference(holidays, workdays, d, n):
    holidays = holidays - workdays
    cal = WorkCalendar(holidays, workdays, {2030})
    expected = day_by_day_add(reference_is_workday(cal), d, n)
    got = cal.add_workdays(d, n)
    assert got.date == expected
    assert got.provisional == reference_provisional(cal, d, expected)


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(min_value=1, max_value=400))
def test_result_is_a_working_day_and_spans_exactly_n_working_days(d, n):
    got = SHIPPED.add_workdays(d, n).date
    assert SHIPPED.is_workday(got)
    assert SHIPPED.workdays_between(d, got) == n
    assert SHIPPED.workdays_between(d, got - timedelta(days=1)) == n - 1


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(dates, counts), min_size=1, max_size=200))
def test_vectorised_path_equals_scalar_path(pairs):
    ordinals = np.array([d.toordinal() for d, _ in pairs])
    ns = np.array([n for _, n in pairs])
    result, provisional = SHIPPED.add_workdays_many(ordinals, ns)
    for (d, n), r, p in zip(pairs, result.tolist(), provisional.tolist(), strict=True):
        scalar = SHIPPED.add_workdays(d, n)
        assert (date.fromordinal(r), p) == (scalar.date, scalar.provisional)


def test_zero_days_gives_the_date_itself_even_on_a_holiday():
    assert SHIPPED.add_workdays(date(2026, 2, 17), 0).date == date(2026, 2, 17)
    assert SHIPPED.add_workdays(date(2026, 2, 15), 0).provisional is False


def test_spring_festival_2026_skips_the_holiday_and_counts_the_make_up_saturday():
    # 2026-02-14 (Saturday) is a make-up working day; 02-15..02-23 are the holiday.
    assert SHIPPED.add_workdays(date(2026, 2, 13), 1).date == date(2026, 2, 14)
    assert SHIPPED.add_workdays(date(2026, 2, 13), 2).date == date(2026, 2, 24)
    assert SHIPPED.add_workdays(date(2026, 2, 14), 1).date == date(2026, 2, 24)
    # 02-28 (Saturday) is a make-up working day too.
    assert SHIPPED.add_workdays(date(2026, 2, 27), 1).date == date(2026, 2, 28)


def test_year_end_into_a_make_up_sunday():
    # New Year 2026: 01-01..01-03 holiday, Sunday 01-04 a working day.
    assert SHIPPED.add_workdays(date(2025, 12, 31), 1).date == date(2026, 1, 4)
    assert SHIPPED.is_workday(date(2026, 1, 4))


def test_a_deadline_reaching_an_unscheduled_year_is_provisional():
    got = SHIPPED.add_workdays(date(2026, 12, 28), 5)
    assert got.provisional is True
    assert got.date == date(2027, 1, 4)  # weekday rule in 2027
    assert SHIPPED.add_workdays(date(2026, 12, 1), 5).provisional is False


def test_out_of_range_dates_are_refused():
    with pytest.raises(OutOfCalendar):
        SHIPPED.add_workdays(date(1960, 1, 1), 1)
    with pytest.raises(ValueError):
        SHIPPED.add_workdays(date(2026, 1, 5), -1)
