"""Supervision orders: issued, replied, checked or sent back, escalated when overdue, closed."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document

from govwatch.audit.log import Actor
from govwatch.audit.models import AuditEntry
from govwatch.core.documents import SEAL_BOOKMARK
from govwatch.orgs.tests.trees import province_tree
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
    return do_issue_order(
        SUPERVISOR, region["market"], "请说明超时原因并立即办结", reply_days=3, at=at(2026, 3, 16, 10)
    )


def test_issued_order_has_a_running_number_a_reply_due_date_and_tells_the_unit(order, region):
    assert order.number == "督办〔2026〕第0001号"
    assert order.reply_due == date(2026, 3, 19)  # three working days after Monday 16 March
    assert Notification.objects.filter(kind="order", unit=region["market"]).count() == 1
    second = do_issue_order(SUPERVISOR, region["social"], "请核查", at=at(2026, 3, 16, 11))
    assert second.number == "督办〔2026〕第0002号"
    assert AuditEntry.objects.filter(action="order.issue").count() == 2


def test_reply_then_accept_closes_the_order_with_its_whole_timeline(order):
    do_reply(
        UNIT, order, "已补正流程", "已办结", files=[("说明.pdf", b"%PDF-1.4 evidence")], at=at(2026, 3, 17)
    )
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


def notice_text(order: SupervisionOrder) -> tuple[Document, list[str], list[str]]:
    doc = Document(io.BytesIO(order_notice(order)))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return doc, [p.text for p in doc.paragraphs], cells


def test_the_notice_is_an_official_document_of_the_commission_with_a_receipt_slip(order, region):
    assert order.issuer == region["supervisor"]
    doc, lines, cells = notice_text(order)
    assert lines[:4] == ["区纪委监委", order.number, "督办通知单", "区市场监管局："]
    assert lines.count("区纪委监委") == 2 and "2026年3月16日" in lines  # signed, dated
    assert SEAL_BOOKMARK in doc.element.body.xpath(".//w:bookmarkStart/@w:name")
    assert "回　执" in lines and "整改措施" in cells and "办理结果" in cells
    assert doc.core_properties.author == "区纪委监委" and doc.core_properties.title == "督办通知单"


def test_the_notice_writes_every_date_one_way(make_case, region):
    make_case("C1", "I9", ("accept", at(2026, 3, 2, 9, 5)))
    scan(at(2026, 3, 17, 9))
    issue_for_overdue_cases(at(2026, 3, 17, 9))
    _, lines, cells = notice_text(SupervisionOrder.objects.get())
    everything = "\n".join(lines + cells)
    assert "2026年3月2日9时05分" in everything and "2026年3月13日" in everything  # accepted, due
    assert not re.search(r"\d{4}-\d{1,2}-\d{1,2}|年0\d月|月0\d日", everything)


def test_the_workers_orders_are_issued_in_the_commissions_name_and_say_they_were_automatic(make_case, region):
    make_case("C1", "I9", ("accept", at(2026, 3, 2)))
    scan(at(2026, 3, 17, 9))
    issue_for_overdue_cases(at(2026, 3, 17, 9))
    order = SupervisionOrder.objects.get()
    assert order.issued_by == "system:worker" and order.issuer == region["supervisor"]
    assert order.get_origin_display() == "自动督办：办件超时"
    _, lines, cells = notice_text(order)
    assert "自动督办：办件超时" in cells and lines[0] == "区纪委监委"


def test_an_order_to_a_unit_of_another_district_is_signed_by_that_districts_commission(region):
    tree = province_tree()
    order = do_issue_order(Actor("system:worker"), tree["b_market"], "请说明超时原因", at=at(2026, 3, 16, 10))
    assert order.issuer == tree["b_commission"]
    _, lines, _ = notice_text(order)
    assert lines[0] == "乙区纪委监委" and lines.count("乙区纪委监委") == 2
    assert not {"甲区纪委监委", "某某省纪委监委", "区纪委监委"} & set(lines)


# -- who may act: each step checks its actor itself, whoever calls it ----------------------------


def test_each_order_step_checks_its_actor_role_and_scope(people, region):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # unit staff issue no orders
        do_issue_order(people.actor("market_staff"), region["market"], "请说明", at=at(2026, 3, 16, 10))
    order = do_issue_order(people.actor("supervisor"), region["market"], "请说明", at=at(2026, 3, 16, 10))
    with pytest.raises(PermissionDenied):  # another unit's staff may not answer it
        do_reply(people.actor("social_staff"), order, "措施", "结果")
    with pytest.raises(PermissionDenied):  # the leader only reads
        do_reply(people.actor("leader"), order, "措施", "结果")
    replied = do_reply(people.actor("market_staff"), order, "措施", "结果", at=at(2026, 3, 17))
    with pytest.raises(PermissionDenied):  # the unit may not accept its own reply
        do_accept(people.actor("market_staff"), replied)
    assert do_accept(people.actor("office"), replied).status == "closed"
    assert AuditEntry.objects.filter(action="order.issue").count() == 1  # the refused one left nothing


def test_a_reply_with_a_program_attached_is_refused_and_nothing_is_kept(order):
    with pytest.raises(OrderError, match="是可执行程序或脚本，不能上传"):
        do_reply(UNIT, order, "措施", "结果", files=[("整改报告.pdf", b"MZ\x90\x00")])
    order.refresh_from_db()
    assert order.status == "issued" and not order.attachments.exists()


def test_an_order_message_to_a_unit_waits_for_the_end_of_its_quiet_hours(region):
    from datetime import time

    from govwatch.supervision.models import AlertRule

    AlertRule.objects.create(unit=region["market"], quiet_start=time(22, 0), quiet_end=time(7, 0))
    do_issue_order(SUPERVISOR, region["market"], "请说明", at=at(2026, 3, 16, 23, 30))
    do_issue_order(SUPERVISOR, region["social"], "请说明", at=at(2026, 3, 16, 23, 30))
    waits = dict(Notification.objects.values_list("unit__code", "next_attempt_at"))
    assert waits == {"SC": at(2026, 3, 17, 7, 0), "RS": None}
