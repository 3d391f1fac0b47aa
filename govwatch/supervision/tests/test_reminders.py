"""Reminders: a kind's deadlines due within N working days or overdue, reminded to their units
once a day whatever the number of runs and workers, in quiet hours delayed, never dropped."""

from __future__ import annotations

from datetime import date, time

import pytest

from govwatch.supervision import kinds
from govwatch.supervision.kinds import WatchKind, register_kind
from govwatch.supervision.models import AlertRule, Notification, Reminder
from govwatch.supervision.reminders import period_key, remind, remind_due
from govwatch.supervision.watches import close_watch, watch

from .conftest import at

KIND = "problem"


@pytest.fixture(autouse=True)
def problem_kind(monkeypatch):
    monkeypatch.setattr(kinds, "_KINDS", dict(kinds._KINDS))
    return register_kind(WatchKind(KIND, "整改问题", order_after_workdays=None))


@pytest.fixture
def subjects(make_case):
    """Saved rows to watch: completed cases, so that no case card gets in the way."""
    counter = iter(range(1, 100))

    def make():
        return make_case(f"P-{next(counter)}", "I9", ("accept", at(2026, 1, 5)), ("complete", at(2026, 1, 6)))

    return make


def problem(subjects, region, due: date, unit="market"):
    subject = subjects()
    watch(
        subject, kind=KIND, unit=region[unit], due_date=due, label=f"问题{subject.case_no}", at=at(2026, 1, 5)
    )
    return subject


def reminded_labels() -> list[str]:
    return sorted(m.params["label"] for m in Notification.objects.filter(kind="reminder"))


def test_due_within_three_working_days_or_overdue_at_the_boundaries(subjects, region):
    # Monday 9 March 2026: Thursday 12 is three working days away, Friday 13 four.
    two = problem(subjects, region, date(2026, 3, 11))
    three = problem(subjects, region, date(2026, 3, 12))
    problem(subjects, region, date(2026, 3, 13))
    late = problem(subjects, region, date(2026, 3, 6))
    done = problem(subjects, region, date(2026, 3, 10))
    close_watch(done, at(2026, 3, 8))
    assert remind_due(KIND, at=at(2026, 3, 9, 9), within_workdays=3) == 3
    assert reminded_labels() == sorted(f"问题{s.case_no}" for s in (two, three, late))


def test_a_holiday_in_between_is_not_counted(subjects, region):
    # Friday 13 February 2026: working days after it are Saturday 14 (make-up), then 24, 25, 26.
    within = problem(subjects, region, date(2026, 2, 25))
    problem(subjects, region, date(2026, 2, 26))
    assert remind_due(KIND, at=at(2026, 2, 13, 9)) == 1
    assert reminded_labels() == [f"问题{within.case_no}"]


def test_one_reminder_per_subject_per_day_however_often_it_runs(subjects, region):
    problem(subjects, region, date(2026, 3, 11))
    assert remind_due(KIND, at=at(2026, 3, 9, 9)) == 1
    assert remind_due(KIND, at=at(2026, 3, 9, 16)) == 0
    assert remind_due(KIND, at=at(2026, 3, 10, 9)) == 1
    assert Notification.objects.filter(kind="reminder").count() == 2
    assert Reminder.objects.count() == 2


def test_the_reminder_text_says_how_many_working_days_are_left_and_masks_the_number(subjects, region):
    p = problem(subjects, region, date(2026, 3, 11))
    remind_due(KIND, at=at(2026, 3, 9, 9))
    message = Notification.objects.get(kind="reminder")
    assert message.text == f"整改问题提醒：问题{p.case_no}，办理期限：2026-03-11，剩余2个工作日，请按期办结。"
    assert message.unit == region["market"] and message.recipient_masked == "138****1111"
    remind_due(KIND, at=at(2026, 3, 12, 9))
    assert "已逾期1个工作日" in Notification.objects.filter(kind="reminder").last().text


def test_quiet_hours_delay_a_reminder_and_drop_nothing(subjects, region):
    AlertRule.objects.create(unit=region["market"], quiet_start=time(22), quiet_end=time(8))
    problem(subjects, region, date(2026, 3, 11))
    assert remind_due(KIND, at=at(2026, 3, 9, 7, 30)) == 1
    assert Notification.objects.get(kind="reminder").next_attempt_at == at(2026, 3, 9, 8, 0)


def test_nothing_is_reminded_on_a_day_off_unless_asked(subjects, region):
    problem(subjects, region, date(2026, 3, 16))
    assert remind_due(KIND, at=at(2026, 3, 14, 9)) == 0  # a Saturday
    assert remind_due(KIND, at=at(2026, 3, 14, 9), workdays_only=False) == 1


def test_a_unit_without_an_alert_number_gets_its_reminder_marked_failed_with_the_reason(subjects, region):
    problem(subjects, region, date(2026, 3, 11), unit="street")
    remind_due(KIND, at=at(2026, 3, 9, 9))
    message = Notification.objects.get(kind="reminder")
    assert message.status == "failed" and "未设置" in message.last_error


def test_a_weekly_digest_goes_once_a_week(subjects, region):
    subject = subjects()
    args = {
        "topic": "weekly",
        "unit": region["market"],
        "text": "本周整改进展：已销号2个，逾期1个。",
        "period": "week",
    }
    assert remind(subject, at=at(2026, 3, 9, 9), **args) is True  # Monday
    assert remind(subject, at=at(2026, 3, 11, 9), **args) is False  # Wednesday, the same ISO week
    assert remind(subject, at=at(2026, 3, 16, 9), **args) is True
    assert (
        remind(subject, topic="daily", unit=region["market"], text="今日提醒", at=at(2026, 3, 16, 9)) is True
    )
    assert Notification.objects.filter(kind="reminder").count() == 3
    assert period_key(at(2026, 3, 11), "week") == "2026-W11"
    with pytest.raises(ValueError):
        remind(subject, topic="x", unit=region["market"], text="  ", at=at(2026, 3, 9))
    with pytest.raises(ValueError):
        period_key(at(2026, 3, 9), "month")
