"""日提醒 and 周调度 through supervision's reminders: at their working-day boundaries, quiet hours,
once a day; the weekly digest once a week. Overdue problems are watched deadlines: the scan cards
them, the orders job gives one supervision order per deadline."""

from __future__ import annotations

from datetime import time

import pytest

from govwatch.rectification import actions
from govwatch.rectification.models import Problem, RectificationList
from govwatch.rectification.rhythm import daily_reminders, reminders_of, weekly_digests
from govwatch.rectification.watching import PROBLEM
from govwatch.supervision.models import AlertRule, Notification, SupervisionOrder
from govwatch.supervision.scan import scan
from govwatch.supervision.watches import issue_for_overdue_watches, watch_of

from .conftest import PDF, at


def orders(moment) -> int:
    return issue_for_overdue_watches(moment, kinds=[PROBLEM])


@pytest.fixture
def due(region, import_list):
    """Problems of the market bureau due on the given dates, numbered from 1."""

    def make(*deadlines: str, code: str = "R1"):
        rows = [[code, "整改清单", "巡察", "2026-01-10", str(i), "", f"问题{i}", "", "SC", d, ""]
                for i, d in enumerate(deadlines, start=1)]  # fmt: skip
        assert import_list(rows).rejected == 0
        return {p.no: p for p in Problem.objects.filter(rlist__code=code)}

    return make


def reminded_numbers() -> set[str]:
    texts = Notification.objects.filter(kind="reminder").values_list("text", flat=True)
    return {p.no for p in Problem.objects.all() if any(f"第{p.no}项（" in t for t in texts)}


def test_two_and_three_working_days_left_are_reminded_four_are_not(due):
    # Monday 2 March 2026: Wednesday 4th has 2 working days left, Thursday 5th 3, Friday 6th 4.
    problems = due("2026-03-04", "2026-03-05", "2026-03-06")

    assert daily_reminders(at(2026, 3, 2, 9)) == 2

    assert reminded_numbers() == {"1", "2"}
    message = Notification.objects.filter(kind="reminder").order_by("id").first()
    assert message.unit.code == "SC" and message.status == "queued"
    assert "整改问题提醒" in message.text and "剩余2个工作日" in message.text
    assert [n.pk for n in reminders_of(problems["1"])] == [message.pk]


def test_a_holiday_in_between_is_not_counted(due):
    # Wednesday 29 April 2026; 1-5 May are the Labour Day holidays: the working days after are
    # 30 April, 6, 7 and 8 May. Due 7 May has 3 left, due 8 May has 4.
    due("2026-05-07", "2026-05-08")

    daily_reminders(at(2026, 4, 29, 9))

    assert reminded_numbers() == {"1"}


def test_overdue_problems_are_reminded_and_signed_off_ones_are_not(due, people):
    problems = due("2026-02-20", "2026-02-25")
    problem = actions.do_submit(
        people.actor("market_staff"), problems["2"], "完成", (PDF,), at=at(2026, 2, 24)
    )
    actions.do_sign_off(people.actor("supervisor"), problem, at=at(2026, 2, 25))

    daily_reminders(at(2026, 3, 2, 9))

    assert reminded_numbers() == {"1"}
    assert "已逾期" in Notification.objects.get(kind="reminder").text


def test_one_reminder_per_problem_and_day_and_none_on_a_rest_day(due):
    due("2026-03-04")
    assert daily_reminders(at(2026, 3, 2, 9)) == 1
    assert daily_reminders(at(2026, 3, 2, 15)) == 0
    assert daily_reminders(at(2026, 3, 1, 9)) == 0  # Sunday
    assert daily_reminders(at(2026, 3, 3, 9)) == 1
    assert Notification.objects.filter(kind="reminder").count() == 2


def test_quiet_hours_hold_the_reminder_back(due):
    AlertRule.objects.create(quiet_start=time(22), quiet_end=time(8))
    due("2026-03-04")

    daily_reminders(at(2026, 3, 2, 7, 30))

    assert Notification.objects.get(kind="reminder").next_attempt_at == at(2026, 3, 2, 8)


def test_a_unit_without_an_alert_number_gets_a_failed_message_someone_sees(region, import_list):
    import_list([["R2", "清单", "", "2026-01-10", "1", "", "问题", "", "ST1", "2026-03-04", ""]])

    daily_reminders(at(2026, 3, 2, 9))

    message = Notification.objects.get(kind="reminder")
    assert message.status == "failed" and "未设置" in message.last_error


def test_the_weekly_digest_goes_to_the_lists_supervisors_once_a_week(due, people):
    problems = due("2026-02-20", "2026-03-20")
    actions.do_report_progress(people.actor("market_staff"), problems["2"], "进展", at=at(2026, 2, 26))

    assert weekly_digests(at(2026, 3, 2, 9)) == 1
    assert weekly_digests(at(2026, 3, 4, 9)) == 0
    assert weekly_digests(at(2026, 3, 9, 9)) == 1

    first = Notification.objects.filter(kind="reminder").order_by("id").first()
    assert first.unit.code == "JW"  # the region's supervisors sign this list off
    assert "共2项" in first.text and "上周报告进展1次" in first.text and "逾期1项" in first.text


def test_an_overdue_problem_is_carded_red_and_gets_one_order_per_deadline(due, people):
    problems = due("2026-03-05")
    scan(at(2026, 3, 5, 20))
    assert watch_of(problems["1"], PROBLEM).card == "yellow"  # due today
    assert orders(at(2026, 3, 5, 23, 59)) == 0

    scan(at(2026, 3, 6, 0, 0, 1))
    assert watch_of(problems["1"], PROBLEM).card == "red"
    assert orders(at(2026, 3, 6, 0, 0, 1)) == 1
    assert orders(at(2026, 3, 7)) == 0

    order = SupervisionOrder.objects.get()
    assert order.unit.code == "SC" and "整改时限" in order.demand and order.origin == "rectify_overdue"
    assert problems["1"].steps.get(kind="supervised").order == order


def test_a_relapse_brings_a_new_deadline_and_its_own_order(due, people):
    problem = due("2026-03-05")["1"]
    problem = actions.do_submit(people.actor("market_staff"), problem, "完成", (PDF,), at=at(2026, 3, 4))
    assert watch_of(problem, PROBLEM).status == "suspended"
    problem = actions.do_sign_off(people.actor("supervisor"), problem, at=at(2026, 3, 5))
    assert watch_of(problem, PROBLEM).status == "closed"
    assert orders(at(2026, 3, 9)) == 0

    actions.do_look_back(people.actor("supervisor"), problem, held=False, note="反弹",
                         new_deadline=at(2026, 6, 5).date(), at=at(2026, 6, 1))  # fmt: skip

    assert watch_of(problem, PROBLEM).due_date == at(2026, 6, 5).date()
    assert orders(at(2026, 6, 8)) == 1


def test_an_unpublished_list_gets_neither_reminders_nor_orders_until_published(due):
    due("2026-03-04")
    RectificationList.objects.update(published=False)
    problem = Problem.objects.select_related("rlist").get()
    actions.watch_problem(problem, at(2026, 3, 1))

    assert daily_reminders(at(2026, 3, 2, 9)) == 0
    assert orders(at(2026, 3, 10)) == 0
