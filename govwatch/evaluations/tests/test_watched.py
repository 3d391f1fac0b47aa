"""The loop's steps and the letters' replies are watched deadlines of e-supervision: carded by the
same scan as cases, ordered once, and followed as the task or the letter moves."""

from __future__ import annotations

from datetime import date

from govwatch.evaluations import rectification
from govwatch.evaluations.letters import do_create_letter, do_issue_letter, do_reply_letter
from govwatch.evaluations.watching import LETTER_REPLY, NEGATIVE_REVIEW
from govwatch.supervision.models import Notification, SupervisionOrder, WatchFlip
from govwatch.supervision.scan import scan
from govwatch.supervision.watches import issue_for_overdue_watches, watch_of

from .conftest import at


def test_the_step_a_unit_owes_is_carded_by_the_scan_like_a_case(negative, region):
    # Verification due Tuesday 10 March: yellow from Monday (one working day left), red Wednesday.
    assert scan(at(2026, 3, 6, 12)).watches["yellow"] == 0
    assert scan(at(2026, 3, 9, 0, 0)).watches["new_yellow"] == 1
    red = scan(at(2026, 3, 11, 0, 0)).watches
    assert (red["new_red"], red["notifications_queued"]) == (1, 2)
    texts = list(Notification.objects.filter(kind="watch_red").values_list("text", flat=True))
    assert texts[0] == (
        f"差评整改已经超时：{negative.number}（核实），责任单位：区市场监管局，办理期限：2026-03-10，请及时登录系统跟踪督办。"
    )
    watched = watch_of(negative, NEGATIVE_REVIEW)
    assert (watched.stage, watched.case_id, watched.subject_url()) == (
        "open",
        "SC-001",
        f"/evaluations/tasks/{negative.pk}/",
    )


def test_the_next_step_is_a_new_deadline_and_the_appeal_stops_the_clock(negative, people):
    unit = people.actor("market_staff")
    rectification.do_verify(unit, negative, substantiated=True, finding="属实", at=at(2026, 3, 9, 10))
    watched = watch_of(negative, NEGATIVE_REVIEW)
    assert (watched.stage, watched.due_date) == ("verified", date(2026, 3, 13))
    rectification.do_appeal(unit, negative, "恶意评价", at=at(2026, 3, 10))
    assert watch_of(negative, NEGATIVE_REVIEW).status == "suspended"
    scan(at(2026, 3, 20))
    assert watch_of(negative, NEGATIVE_REVIEW).card == "none"
    assert issue_for_overdue_watches(at(2026, 3, 20)) == 0


def test_the_engines_orders_job_supervises_the_loop_too(negative, region):
    assert issue_for_overdue_watches(at(2026, 3, 11, 9)) == 1
    order = SupervisionOrder.objects.get()
    assert order.origin == SupervisionOrder.Origin.REVIEW_OVERDUE and order.watch.object_id == negative.pk
    assert negative.steps.get(kind="supervised").order == order
    assert rectification.supervise_overdue(at(2026, 3, 12, 9)) == 0


def test_a_closed_task_leaves_the_board(negative, people):
    unit = people.actor("market_staff")
    scan(at(2026, 3, 11, 9))
    rectification.do_verify(unit, negative, substantiated=False, finding="不属实", at=at(2026, 3, 11, 10))
    rectification.do_callback(unit, negative, result="satisfied", note="电话回访", at=at(2026, 3, 11, 11))
    scan(at(2026, 3, 11, 12))
    assert watch_of(negative, NEGATIVE_REVIEW).status == "closed"
    assert list(WatchFlip.objects.values_list("card", flat=True)) == ["red", "none"]


def test_a_letters_reply_is_watched_until_the_unit_replies(people, region):
    supervisor, unit = people.actor("supervisor"), people.actor("market_staff")
    letter = do_create_letter(supervisor, "reminder", region["market"], date(2026, 3, 1), date(2026, 3, 31))
    letter = do_issue_letter(supervisor, letter, at=at(2026, 4, 1))
    watched = watch_of(letter, LETTER_REPLY)
    assert (watched.due_date, watched.label, watched.order_at) == (letter.reply_due, letter.number, None)
    scan(at(2026, 4, 20, 9))  # three working days before 23 April
    assert watch_of(letter, LETTER_REPLY).card == "yellow"
    do_reply_letter(unit, letter, "已整改", "", at=at(2026, 4, 21))
    assert watch_of(letter, LETTER_REPLY).status == "closed"
