"""A complaint's deadline by kind and urgency (contract section 7) and the card e-supervision gives
it at the boundaries (the case rule with the complaint kind's yellow threshold)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from govwatch.cases.deadlines import card_on
from govwatch.complaints import deadlines, watching
from govwatch.core.choices import ComplaintKind
from govwatch.core.localtime import local_date
from govwatch.supervision.kinds import kind_of
from govwatch.workcal.calendar import day_by_day_add

from .conftest import TZ, at


@pytest.mark.parametrize(
    ("kind", "urgency", "days"),
    [("consult", "normal", 2), ("help", "normal", 10), ("suggest", "normal", 10), ("complaint", "normal", 15),
     ("report", "normal", 15), ("consult", "urgent", 1), ("report", "urgent", 1)],
)  # fmt: skip
def test_days_by_kind_and_urgency_follow_the_contract(kind, urgency, days):
    assert deadlines.days_for(kind, urgency) == days


def test_an_urgent_complaint_on_friday_is_due_on_monday(shipped_calendar):
    assert deadlines.due(date(2026, 3, 6), "complaint", "urgent").date == date(2026, 3, 9)


def test_a_consultation_before_the_spring_festival_is_due_after_it(shipped_calendar):
    # Friday 13 Feb 2026, then the make-up Saturday 14th, then the holiday to Monday 23rd.
    assert deadlines.due(date(2026, 2, 13), "consult", "normal").date == date(2026, 2, 24)


def test_a_complaint_received_on_a_sunday_counts_from_the_next_working_day(shipped_calendar):
    # Sunday 8 March: 15 working days from Monday 9 March inclusive.
    assert deadlines.due(date(2026, 3, 8), "complaint", "normal").date == date(2026, 3, 27)


def test_the_region_may_change_the_days(shipped_calendar, settings):
    settings.COMPLAINT_DAYS = {**settings.COMPLAINT_DAYS, "consult": 3, "urgent": 2}
    assert deadlines.due(date(2026, 3, 6), "consult", "normal").date == date(2026, 3, 11)
    assert deadlines.due(date(2026, 3, 6), "consult", "urgent").date == date(2026, 3, 10)


def card(due: date, moment: datetime, cal) -> str:
    """The card e-supervision gives a complaint's watched deadline at a moment."""
    return card_on(local_date(moment), due, kind_of(watching.COMPLAINT).yellow_days, cal)


def test_a_consultation_turns_yellow_one_working_day_before_and_red_after(shipped_calendar):
    cal = shipped_calendar
    due = deadlines.due(date(2026, 3, 6), "consult", "normal").date  # Tuesday 10 March
    assert due == date(2026, 3, 10)
    assert card(due, at(2026, 3, 6, 10), cal) == "none"
    assert card(due, at(2026, 3, 8, 23, 59), cal) == "none"  # Sunday: two working days left
    assert card(due, at(2026, 3, 9, 0, 0), cal) == "yellow"
    assert card(due, datetime(2026, 3, 10, 23, 59, 59, 999999, tzinfo=TZ), cal) == "yellow"
    assert card(due, at(2026, 3, 11, 0, 0), cal) == "red"


def test_an_urgent_complaint_is_yellow_at_once(shipped_calendar):
    due = deadlines.due(date(2026, 3, 6), "complaint", "urgent").date
    assert card(due, at(2026, 3, 6, 10), shipped_calendar) == "yellow"


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 6, 30)),
    kind=st.sampled_from(ComplaintKind.values),
    urgent=st.booleans(),
)
def test_deadline_and_card_agree_with_counting_day_by_day(shipped_calendar, start, kind, urgent):
    cal = shipped_calendar
    urgency = "urgent" if urgent else "normal"
    due = deadlines.due(start, kind, urgency).date
    assert due == day_by_day_add(cal.is_workday, start, deadlines.days_for(kind, urgency))
    last = datetime.combine(due, datetime.max.time(), tzinfo=TZ)
    assert card(due, last, cal) == "yellow"
    assert card(due, last + timedelta(microseconds=1), cal) == "red"
    # Yellow exactly while at most one working day remains.
    for offset in range(0, 6):
        moment = datetime.combine(due - timedelta(days=offset), datetime.min.time(), tzinfo=TZ)
        left = cal.workdays_between(moment.date(), due)
        assert card(due, moment, cal) == ("yellow" if left <= 1 else "none")
