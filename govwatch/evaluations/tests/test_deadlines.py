"""The loop's deadlines in working days from intake, at their boundaries, and the overdue step
that becomes one supervision order."""

from __future__ import annotations

from datetime import date, timedelta

from govwatch.audit.models import AuditEntry
from govwatch.evaluations import rectification as loop
from govwatch.evaluations.models import RectificationTask
from govwatch.evaluations.rectification import supervise_overdue
from govwatch.supervision.models import Notification, SupervisionOrder

from .conftest import at

Status = RectificationTask.Status


def test_intake_on_friday_gives_verify_tuesday_rectify_friday_callback_tuesday(negative):
    # Received Friday 6 March 2026: 2, 5 and 7 working days, the day itself not counted.
    assert negative.verify_due == date(2026, 3, 10)
    assert negative.rectify_due == date(2026, 3, 13)
    assert negative.callback_due == date(2026, 3, 17)
    assert negative.attention_at == at(2026, 3, 11, 0, 0)  # due by the end of Tuesday


def test_deadlines_skip_the_2026_spring_festival_and_count_its_make_up_saturdays(completed, submit):
    case = completed("CNY", at(2026, 2, 12, 9))
    task = submit(case, 2, at(2026, 2, 13, 16)).task  # Friday before the holiday
    # Saturday 14 February is a make-up working day; 15-23 February are holidays.
    assert task.verify_due == date(2026, 2, 24)
    assert task.rectify_due == date(2026, 2, 27)
    # Saturday 28 February is a make-up working day too, then Monday 2 March.
    assert task.callback_due == date(2026, 3, 2)


def test_deadline_spans_follow_the_settings(completed, submit, settings):
    settings.NEGATIVE_VERIFY_WORKDAYS, settings.NEGATIVE_RECTIFY_WORKDAYS = 1, 3
    task = submit(completed("C1", at(2026, 3, 2, 9)), 1, at(2026, 3, 6)).task
    assert (task.verify_due, task.rectify_due) == (date(2026, 3, 9), date(2026, 3, 11))


def test_an_overdue_step_issues_one_supervision_order_not_two(negative, region):
    last_moment = at(2026, 3, 10, 23, 59, 59, 999999)
    assert supervise_overdue(last_moment) == 0
    assert supervise_overdue(last_moment + timedelta(microseconds=1)) == 1
    assert supervise_overdue(at(2026, 3, 11, 9)) == 0
    assert supervise_overdue(at(2026, 3, 20, 9)) == 0
    order = SupervisionOrder.objects.get()
    assert order.unit == region["market"] and order.case_id == "SC-001"
    assert negative.number in order.demand and "核实已逾期（期限 2026年3月10日）" in order.demand
    assert order.origin == SupervisionOrder.Origin.REVIEW_OVERDUE
    assert order.get_origin_display() == "自动督办：差评整改逾期"
    assert Notification.objects.filter(kind="order", unit=region["market"]).count() == 1
    step = negative.steps.get(kind="supervised")
    assert (step.stage, step.due, step.order) == (Status.OPEN, date(2026, 3, 10), order)
    assert AuditEntry.objects.filter(action="rectification.supervise").count() == 1


def test_each_overdue_step_is_supervised_once(negative, people):
    unit = people.actor("market_staff")
    assert supervise_overdue(at(2026, 3, 11, 9)) == 1  # verification late
    loop.do_verify(unit, negative, substantiated=True, finding="属实", at=at(2026, 3, 11, 10))
    assert supervise_overdue(at(2026, 3, 13, 23)) == 0  # rectification due by the end of Friday 13
    assert supervise_overdue(at(2026, 3, 16, 0)) == 1
    assert supervise_overdue(at(2026, 3, 16, 9)) == 0
    assert SupervisionOrder.objects.count() == 2


def test_a_task_waiting_for_the_supervisors_or_the_office_is_never_overdue(negative, people):
    unit = people.actor("market_staff")
    loop.do_appeal(unit, negative, "恶意评价", at=at(2026, 3, 9))
    assert supervise_overdue(at(2026, 4, 30)) == 0
    assert not SupervisionOrder.objects.exists()
