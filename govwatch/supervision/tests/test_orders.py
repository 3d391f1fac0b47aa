"""Supervision orders: issued, replied, checked or sent back, escalated when overdue, closed."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document

from govwatch.audit.log import Actor
from govwatch.audit.models import AuditEntry
from govwatch.supervision.documents import order_notice
from govwatch.supervision.models import Notification, SupervisionOrder
from govwatch.supervision.orders import (
    OrderError,
    do_accept,
    do_issue_order,
    do_reply,
    do_send_back,
    escalate_overdue,
    issue_for_failed_deliveries,
    issue_for_overdue_cases,
)
from govwatch.supervision.scan import scan

from .conftest import at

SUPERVISOR = Actor("user:jw", None, "127.0.0.1")
UNIT = Actor("user:sc", None, "127.0.0.1")


@pytest.fixture
def order(region):
    return do_issue_order(SUPERVISOR, region["market"], "请说明超时原因并立即办结", reply_days=3, at=at(2026, 3, 16, 10))


def test_issued_order_has_a_running_number_a_reply_due_date_and_tells_the_unit(order, region):
    assert order.number == "督办〔2026〕第0001号"
    assert order.reply_due == date(2026, 3, 19)  # three working days after Monday 16 March
    assert Notification.objects.filter(kind="order", unit=region["market"]).count() == 1
    second = do_issue_order(SUPERVISOR, region["social"], "请核查", at=at(2026, 3, 16, 11))
    assert second.number == "督办〔2026〕第0002号"
    assert AuditEntry.objects.filter(action="order.issue").count() == 2


def test_reply_then_accept_closes_the_order_with_its_whole_timeline(order):
    do_reply(UNIT, order, "已补正流程", "已办结", files=[("说明.pdf", b"%PDF-1.4 evidence")], at=at(2026, 3, 17))
    closed = do_accept(SUPERVISOR, order, "同意办结", at=at(2026, 3, 18))
    assert closed.status == "closed"
    assert list(closed.steps.values_list("kind", flat=True)) == ["issued", "replied", "closed"]
    attachment = closed.attachments.get()
    assert attachment.file.read() == b"%PDF-1.4 evidence" and len(attachment.sha256) == 64


def test_send_back_needs_a_reason_and_asks_for_a_new_reply(order):
    do_reply(UNIT, order, "措施", "结果", at=at(2026, 3, 17))
    with pytest.raises(OrderError):
        do_send_back(SUPERVISOR, order, "  ")
    back = do_send_back(SUPERVISOR, order, "未说明超时原因", at=at(2026, 3, 18))
    assert back.status == "returned" and back.reply_due == date(2026, 3, 23)
    again = do_reply(UNIT, back, "补充原因", "已办结", at=at(2026, 3, 19))
    assert do_accept(SUPERVISOR, again).status == "closed"


def test_closed_order_cannot_be_replied_or_accepted_before_a_reply(order):
    with pytest.raises(OrderError, match="尚未回复"):
        do_accept(SUPERVISOR, order)
    do_reply(UNIT, order, "措施", "结果")
    do_accept(SUPERVISOR, order)
    with pytest.raises(OrderError):
        do_reply(UNIT, order, "措施", "结果")


def test_reply_without_measures_is_refused_and_nothing_changes(order):
    with pytest.raises(OrderError, match="整改措施"):
        do_reply(UNIT, order, "", "结果")
    order.refresh_from_db()
    assert order.status == "issued" and order.steps.count() == 1


def test_overdue_reply_escalates_one_step_and_notifies_the_parent(order, region):
    assert escalate_overdue(at(2026, 3, 19, 23, 59)) == 0  # due by the end of 19 March
    assert escalate_overdue(at(2026, 3, 20, 0, 0)) == 1
    order.refresh_from_db()
    assert order.level == SupervisionOrder.Level.YELLOW_NOTICE and order.reply_due == date(2026, 3, 25)
    assert Notification.objects.filter(kind="order", unit=region["root"]).count() == 1
    assert escalate_overdue(at(2026, 3, 20, 0, 1)) == 0  # not again until the new due date passes


def test_a_case_red_for_more_than_one_working_day_gets_an_order_once(make_case):
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))  # due Friday 13 March
    scan(at(2026, 3, 16, 9))  # red; (13, 16 Mar] holds one working day
    assert issue_for_overdue_cases(at(2026, 3, 16, 9)) == 0
    assert issue_for_overdue_cases(at(2026, 3, 17, 9)) == 1
    assert issue_for_overdue_cases(at(2026, 3, 18, 9)) == 0
    assert SupervisionOrder.objects.get().origin == "overdue"


def test_a_red_alert_that_failed_to_reach_the_commission_becomes_an_order(make_case, region):
    region["supervisor"].phone = ""
    region["supervisor"].save()
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    scan(at(2026, 3, 16, 9))
    assert issue_for_failed_deliveries(at(2026, 3, 16, 9)) == 1
    assert issue_for_failed_deliveries(at(2026, 3, 16, 10)) == 0
    assert SupervisionOrder.objects.get().origin == "delivery_failed"


def test_the_notice_prints_as_a_docx_with_its_number(order):
    text = "\n".join(p.text for p in Document(io.BytesIO(order_notice(order))).paragraphs)
    assert "督办通知单" in text and order.number in text
