"""Due dates, suspensions, on-time and cards of contract section 3, at their boundaries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govwatch.cases.deadlines import (
    Event,
    card_at,
    derive,
    refusal,
    remaining_workdays,
    status_after,
    yellow_threshold,
)
from govwatch.workcal.tests.test_calendar_properties import SHIPPED

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def facts(promised, *events):
    return derive([Event(k, t) for k, t in events], promised, SHIPPED, TZ)


def test_due_date_is_acceptance_date_plus_promised_working_days():
    f = facts(9, ("accept", at(2026, 3, 2)))
    assert f.due_date == date(2026, 3, 13)
    assert f.status == "open" and f.completed_on_time is None and not f.provisional


def test_instant_item_is_due_on_its_acceptance_date_even_at_night_on_a_holiday():
    f = facts(0, ("accept", at(2026, 2, 17, 23, 30)))
    assert f.due_date == date(2026, 2, 17)


def test_acceptance_date_is_local_even_when_the_timestamp_is_utc():
    # 2026-03-01 17:00 UTC is 2026-03-02 01:00 in Shanghai: accepted on Monday the 2nd.
    f = facts(1, ("accept", datetime(2026, 3, 1, 17, 0, tzinfo=ZoneInfo("UTC"))))
    assert f.accepted_on == date(2026, 3, 2) and f.due_date == date(2026, 3, 3)


def test_suspension_moves_the_due_date_by_the_working_days_it_covered():
    # Suspended Tuesday 3 March, resumed Monday 9 March: 4, 5, 6, 9 March are 4 working days.
    f = facts(9, ("accept", at(2026, 3, 2)), ("suspend", at(2026, 3, 3)), ("resume", at(2026, 3, 9)))
    assert f.suspended_days == 4
    assert f.due_date == SHIPPED.add_workdays(date(2026, 3, 13), 4).date == date(2026, 3, 19)
    assert f.suspensions[0].workdays == 4


def test_suspension_over_the_spring_festival_counts_only_working_days():
    f = facts(2, ("accept", at(2026, 2, 12)), ("suspend", at(2026, 2, 13)), ("resume", at(2026, 2, 24)))
    # (13 Feb, 24 Feb]: 14 Feb (make-up Saturday) and 24 Feb.
    assert f.suspended_days == 2


def test_completed_on_the_due_date_is_on_time_and_the_next_day_is_late():
    on_time = facts(2, ("accept", at(2026, 3, 2)), ("complete", at(2026, 3, 4, 23, 59)))
    late = facts(2, ("accept", at(2026, 3, 2)), ("complete", at(2026, 3, 5, 0, 0)))
    assert on_time.completed_on_time is True and late.completed_on_time is False


def test_completed_while_suspended_closes_the_suspension():
    f = facts(2, ("accept", at(2026, 3, 2)), ("suspend", at(2026, 3, 3)), ("complete", at(2026, 3, 6)))
    assert f.status == "completed" and f.suspensions[0].ended_at == at(2026, 3, 6)
    assert f.suspended_days == 3 and f.completed_on_time is True


def test_rejected_and_withdrawn_cases_are_closed_but_not_completed():
    assert facts(2, ("accept", at(2026, 3, 2)), ("reject", at(2026, 3, 3))).completed_on_time is None
    assert facts(2, ("accept", at(2026, 3, 2)), ("withdraw", at(2026, 3, 3))).status == "withdrawn"


def test_a_due_date_in_an_unscheduled_year_is_provisional():
    assert facts(5, ("accept", at(2026, 12, 29))).provisional is True
    assert facts(5, ("accept", at(2026, 12, 1))).provisional is False


@pytest.mark.parametrize(
    "status,kind,expected",
    [
        (None, "accept", "open"),
        (None, "complete", None),
        ("open", "resume", None),
        ("open", "suspend", "suspended"),
        ("suspended", "suspend", None),
        ("suspended", "resume", "open"),
        ("suspended", "complete", "completed"),
        ("completed", "resume", None),
        ("rejected", "complete", None),
        ("open", "accept", None),
    ],
)
def test_order_rules(status, kind, expected):
    assert status_after(status, kind) == expected
    if expected is None:
        assert refusal(status, kind)


def test_default_yellow_threshold():
    assert [yellow_threshold(p) for p in (0, 1, 2, 3, 6, 8, 9, 20)] == [0, 0, 0, 1, 2, 2, 3, 3]
    assert yellow_threshold(9, own=5) == 5


class TestCards:
    """A 9-day case accepted Monday 2 March 2026 is due Friday 13 March; threshold 3."""

    due = date(2026, 3, 13)

    def card(self, moment, status="open", promised=9):
        return card_at(status, self.due, promised, yellow_threshold(promised), moment, SHIPPED, TZ)

    def test_none_before_the_yellow_threshold(self):
        assert self.card(at(2026, 3, 9, 23, 59)) == "none"  # 10, 11, 12, 13 remain: 4

    def test_yellow_three_working_days_before(self):
        assert self.card(at(2026, 3, 10, 0, 0)) == "yellow"

    def test_yellow_until_the_last_moment_of_the_due_date(self):
        assert self.card(at(2026, 3, 13, 23, 59)) == "yellow"
        assert remaining_workdays(self.due, at(2026, 3, 13, 12), SHIPPED, TZ) == 0

    def test_red_card_the_day_after_due_date(self):
        assert self.card(at(2026, 3, 14, 0, 0)) == "red"
        assert remaining_workdays(self.due, at(2026, 3, 14), SHIPPED, TZ) is None

    def test_suspended_and_closed_cases_have_no_card(self):
        assert self.card(at(2026, 3, 20), status="suspended") == "none"
        assert self.card(at(2026, 3, 20), status="completed") == "none"

    def test_instant_item_never_yellow_and_red_the_next_day(self):
        due = date(2026, 3, 2)
        assert card_at("open", due, 0, 0, at(2026, 3, 2, 17), SHIPPED, TZ) == "none"
        assert card_at("open", due, 0, 0, at(2026, 3, 3, 0, 0), SHIPPED, TZ) == "red"

    def test_weekend_before_a_monday_due_date_counts_no_working_days(self):
        due = date(2026, 3, 16)  # Monday; promised 2 -> threshold 0: yellow on the due date only
        assert card_at("open", due, 2, 0, at(2026, 3, 14, 10), SHIPPED, TZ) == "none"
        assert card_at("open", due, 2, 0, at(2026, 3, 15, 23, 59), SHIPPED, TZ) == "none"
        assert card_at("open", due, 2, 0, at(2026, 3, 16, 0, 0), SHIPPED, TZ) == "yellow"

    def test_yellow_over_a_make_up_sunday(self):
        # Due Tuesday 6 Jan 2026 with threshold 2: on Saturday 3 Jan (holiday) the working days left
        # are Sunday 4 (make-up), Monday 5, Tuesday 6: three, so none; on Sunday 4 two remain.
        due = date(2026, 1, 6)
        assert card_at("open", due, 6, 2, at(2026, 1, 3, 12), SHIPPED, TZ) == "none"
        assert card_at("open", due, 6, 2, at(2026, 1, 4, 0, 0), SHIPPED, TZ) == "yellow"
        assert card_at("open", due, 6, 2, at(2026, 1, 4, 0, 0) - timedelta(seconds=1), SHIPPED, TZ) == "none"


def test_the_due_date_rule_is_one_function_the_derivation_uses():
    from govwatch.cases.deadlines import due_date

    # Accepted Friday 13 Feb 2026: Saturday 14 is a make-up working day, then the Spring Festival.
    assert due_date(SHIPPED, date(2026, 2, 13), 3).date == date(2026, 2, 25)
    assert due_date(SHIPPED, date(2026, 2, 13), 3, 2).date == date(2026, 2, 27)
    assert due_date(SHIPPED, date(2026, 12, 29), 5).provisional is True
    f = facts(9, ("accept", at(2026, 3, 2)), ("suspend", at(2026, 3, 3)), ("resume", at(2026, 3, 5)))
    assert (f.due_date, f.provisional) == (
        due_date(SHIPPED, date(2026, 3, 2), 9, f.suspended_days).date,
        due_date(SHIPPED, date(2026, 3, 2), 9, f.suspended_days).provisional,
    )


# -- the array forms of the rules agree with the rules ------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 12, 31)),
            st.integers(0, 60),
            st.integers(0, 20),
            st.integers(-1, 5),
            st.integers(0, 90),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_the_array_rules_give_what_the_rules_give(cases):
    import numpy as np

    from govwatch.cases.deadlines import cards, due_date, due_dates, first_card_dates, yellow_thresholds
    from govwatch.core.localtime import start_of_day

    cal = SHIPPED
    accepted = np.array([c[0].toordinal() for c in cases])
    promised = np.array([c[1] for c in cases])
    suspended = np.array([c[2] for c in cases])
    own = np.array([c[3] for c in cases])
    today = accepted + np.array([c[4] for c in cases])
    due = due_dates(cal, accepted, promised, suspended)
    threshold = yellow_thresholds(promised, own)
    card = cards(cal, today, due, promised, threshold)
    first = first_card_dates(cal, due, promised, threshold)
    names = {0: "none", 1: "yellow", 2: "red"}
    for k, (accepted_on, p, s, o, days) in enumerate(cases):
        expected_due = due_date(cal, accepted_on, p, s).date
        assert date.fromordinal(int(due[k])) == expected_due
        th = yellow_threshold(p, o if o >= 0 else None)
        assert threshold[k] == th
        moment = start_of_day(accepted_on + timedelta(days=days))
        assert names[int(card[k])] == card_at("open", expected_due, p, th, moment, cal)
        # The first card appears on the first-card date and not the day before.
        first_day = date.fromordinal(int(first[k]))
        assert card_at("open", expected_due, p, th, start_of_day(first_day), cal) != "none"
        assert (
            card_at("open", expected_due, p, th, start_of_day(first_day - timedelta(days=1)), cal) == "none"
        )


_KINDS = ["accept", "suspend", "resume", "complete", "reject", "withdraw"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 60),  # promised days
            # Local wall times, DST gaps and folds included (given the zone below).
            st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2027, 12, 31)),  # noqa: DTZ001
            st.lists(st.tuples(st.sampled_from(_KINDS), st.integers(0, 40 * 24 * 60)), max_size=7),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York"]),
)
def test_the_facts_of_many_cases_at_once_are_those_derive_gives(cases, zone):
    # The importer's bulk path (derive_many over shapes) against the rule itself, case by case,
    # kinds in any order (sequences the rules refuse have no shape and go the careful way).
    import numpy as np

    from govwatch.cases.deadlines import derive_many, shape_of, status_after
    from govwatch.cases.events import micros
    from govwatch.core.localtime import local_ordinals

    tz = ZoneInfo(zone)
    flat: list[int] = []
    starts, shapes, shape_ids, promised, expected = [], [], [], [], []
    for days, accepted, later in cases:
        first = accepted.replace(tzinfo=tz)
        events = [Event("accept", first)]
        for kind, minutes in sorted(later, key=lambda e: e[1]):
            events.append(Event(kind, first + timedelta(minutes=minutes)))
        kinds = tuple(e.kind for e in events)
        status = None
        for kind in kinds:
            status = status_after(status, kind) if status is not None or kind == "accept" else None
            if status is None:
                break
        shape = shape_of(kinds)
        assert (shape is None) == (status is None)
        if shape is None:
            continue
        starts.append(len(flat))
        flat += [micros(e.at) for e in events]
        shapes.append(shape)
        shape_ids.append(len(shapes) - 1)
        promised.append(days)
        expected.append(derive(events, days, SHIPPED, tz))
    at_us = np.array(flat, dtype=np.int64)
    local = local_ordinals(at_us, tz)
    assert [date.fromordinal(int(d)) for d in local] == [
        (datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC")) + timedelta(microseconds=us)).astimezone(tz).date()
        for us in flat
    ]
    many = derive_many(
        SHIPPED, local, np.array(starts, dtype=np.int64), shapes, np.array(shape_ids, dtype=np.int64),
        np.array(promised, dtype=np.int64),
    )  # fmt: skip
    for k, f in enumerate(expected):
        assert many.status[k] == f.status
        assert date.fromordinal(int(many.accepted_on[k])) == f.accepted_on
        assert date.fromordinal(int(many.due_date[k])) == f.due_date
        assert bool(many.provisional[k]) == f.provisional
        assert many.completed_on_time[k] == f.completed_on_time
        assert int(many.suspended_days[k]) == f.suspended_days
        closing = int(many.closing[k])
        assert (flat[closing] if closing >= 0 else None) == (micros(f.closed_at) if f.closed_at else None)
        assert (date.fromordinal(int(many.closed_on[k])) if closing >= 0 else None) == f.closed_on
        mine = np.flatnonzero(many.suspension_case == k)
        got = [
            (
                flat[int(many.suspension_start[i])],
                int(many.suspension_end[i]),
                int(many.suspension_workdays[i]),
            )
            for i in mine
        ]
        assert [(s, None if e < 0 else flat[e], w) for s, e, w in got] == [
            (micros(s.started_at), micros(s.ended_at) if s.ended_at else None, s.workdays)
            for s in f.suspensions
        ]
