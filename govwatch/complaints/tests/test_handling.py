"""Handling a complaint: each step by the one role allowed, in the order of the state machine,
audited and on the timeline."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from govwatch.audit.models import AuditEntry
from govwatch.complaints import handling
from govwatch.complaints.handling import ComplaintError
from govwatch.complaints.models import Complaint, DispatchRecord
from govwatch.supervision.models import Notification

from .conftest import PHONE, at

Status = Complaint.Status


def test_a_public_complaint_is_numbered_scheduled_and_awaits_triage(receive):
    complaint = receive(at(2026, 3, 6, 10), contact=PHONE)
    assert complaint.complaint_id == "TS2026030600001"
    assert complaint.status == Status.RECEIVED and complaint.unit is None
    assert complaint.due_date == date(2026, 3, 27)  # a complaint: 15 working days
    assert complaint.contact_hash and PHONE not in complaint.contact_enc
    assert list(complaint.steps.values_list("kind", flat=True)) == ["received"]
    entry = AuditEntry.objects.get(action="complaint.receive")
    assert PHONE not in str(entry.after) and "137****5678" in str(entry.after)
    assert receive(at(2026, 3, 6, 11)).complaint_id == "TS2026030600002"


def test_the_whole_loop_by_the_roles_allowed(receive, people, region):
    complaint = receive(at(2026, 3, 6, 10), contact=PHONE)
    office, staff = people.actor("office"), people.actor("market_staff")
    complaint = handling.do_triage(office, complaint, unit=region["market"], kind="complaint", category="attitude",
                                   at=at(2026, 3, 6, 11))  # fmt: skip
    assert complaint.status == Status.ASSIGNED and complaint.unit == region["market"]
    # The unit is told through the outbox.
    assert Notification.objects.filter(unit=region["market"], kind="complaint").count() == 1
    complaint = handling.do_find(staff, complaint, finding="partly", text="调取监控，窗口人员答复不耐烦属实",
                                 files=[("监控截图.png", b"\x89PNG\r\n\x1a\n...")], at=at(2026, 3, 9, 10))  # fmt: skip
    assert complaint.status == Status.FOUND and complaint.attachments.count() == 1
    complaint = handling.do_reply(
        staff, complaint, reply="已对窗口人员批评教育，并向您致歉。", at=at(2026, 3, 10, 10)
    )
    assert complaint.status == Status.REPLIED
    complaint = handling.do_callback(office, complaint, result="satisfied", note="电话回访，群众表示满意",
                                     at=at(2026, 3, 11, 10))  # fmt: skip
    complaint = handling.do_close(office, complaint, at=at(2026, 3, 11, 11))
    assert complaint.status == Status.CLOSED and complaint.closed_on_time is True
    kinds = list(complaint.steps.values_list("kind", flat=True))
    assert kinds == ["received", "triaged", "found", "replied", "called_back", "closed"]
    actions = set(AuditEntry.objects.filter(target_id=str(complaint.pk)).values_list("action", flat=True))
    assert actions >= {
        "complaint.triage",
        "complaint.find",
        "complaint.reply",
        "complaint.callback",
        "complaint.close",
    }


@pytest.mark.parametrize("who", ["supervisor", "leader", "market_staff"])
def test_triage_is_refused_to_everyone_but_the_office(receive, people, region, who):
    complaint = receive(at(2026, 3, 6, 10))
    with pytest.raises(PermissionDenied):
        handling.do_triage(people.actor(who), complaint, unit=region["market"])
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RECEIVED


@pytest.mark.parametrize("who", ["supervisor", "leader", "office", "social_staff"])
def test_the_finding_and_reply_are_refused_to_all_but_the_units_staff(receive, people, region, who):
    complaint = receive(at(2026, 3, 6, 10), unit=region["market"])
    with pytest.raises(PermissionDenied):
        handling.do_find(people.actor(who), complaint, finding="substantiated", text="属实")
    with pytest.raises(PermissionDenied):
        handling.do_send_back(people.actor(who), complaint, "不是本单位")
    found = handling.do_find(people.actor("market_staff"), complaint, finding="substantiated", text="属实")
    with pytest.raises(PermissionDenied):
        handling.do_reply(people.actor(who), found, reply="已处理")


@pytest.mark.parametrize("who", ["supervisor", "leader", "market_staff"])
def test_callback_close_and_reopen_are_refused_to_all_but_the_office(receive, people, region, who):
    complaint = receive(at(2026, 3, 6, 10), unit=region["market"])
    staff = people.actor("market_staff")
    complaint = handling.do_reply(staff, handling.do_find(staff, complaint, finding="unsubstantiated", text="查无此事"),
                                  reply="经核查……")  # fmt: skip
    with pytest.raises(PermissionDenied):
        handling.do_callback(people.actor(who), complaint, result="satisfied", note="满意")
    complaint = handling.do_callback(people.actor("office"), complaint, result="dissatisfied", note="不满意")
    for step in (
        lambda a: handling.do_close(a, complaint),
        lambda a: handling.do_reopen(a, complaint, "再查"),
    ):
        with pytest.raises(PermissionDenied):
            step(people.actor(who))


def test_steps_out_of_order_are_refused_with_a_message(receive, people, region):
    complaint = receive(at(2026, 3, 6, 10), unit=region["market"])
    with pytest.raises(ComplaintError, match="待核查，不能登记答复"):
        handling.do_reply(people.actor("market_staff"), complaint, reply="已处理")
    with pytest.raises(ComplaintError, match="不能办结"):
        handling.do_close(people.actor("office"), complaint)
    with pytest.raises(ComplaintError, match="请选择核查结论"):
        handling.do_find(people.actor("market_staff"), complaint, finding="", text="……")
    with pytest.raises(ComplaintError, match="请填写核查"):
        handling.do_find(people.actor("market_staff"), complaint, finding="substantiated", text="  ")


def test_a_consultation_needs_no_verdict(receive, people, region):
    complaint = receive(
        at(2026, 3, 6, 10), "请问办理食品经营许可需要什么材料", kind="consult", unit=region["market"]
    )
    complaint = handling.do_find(people.actor("market_staff"), complaint, finding="", text="已告知材料清单")
    assert complaint.status == Status.FOUND and complaint.finding == ""


def test_a_reopened_complaint_goes_back_to_the_unit_with_a_new_deadline(receive, people, region):
    complaint = receive(at(2026, 3, 6, 10), unit=region["market"])
    staff, office = people.actor("market_staff"), people.actor("office")
    complaint = handling.do_find(staff, complaint, finding="unsubstantiated", text="查无此事")
    complaint = handling.do_reply(staff, complaint, reply="经核查不属实")
    complaint = handling.do_callback(office, complaint, result="dissatisfied", note="群众不认可")
    complaint = handling.do_reopen(office, complaint, "群众不满意，请重新核查", at=at(2026, 3, 16, 9))
    assert complaint.status == Status.ASSIGNED and complaint.reopened_count == 1
    assert complaint.clock_from == date(2026, 3, 16) and complaint.due_date == date(2026, 4, 7)
    assert complaint.finding == "" and complaint.reply == ""
    assert complaint.steps.get(kind="reopened").text == "群众不满意，请重新核查（新的办理期限 2026-04-07）"


def test_the_unit_sends_back_what_is_not_its_own_and_the_office_triages_again(receive, people, region):
    complaint = receive(at(2026, 3, 6, 10), unit=region["market"])
    complaint = handling.do_send_back(
        people.actor("market_staff"), complaint, "属于人社局职责", at=at(2026, 3, 6, 15)
    )
    assert complaint.status == Status.RECEIVED and complaint.unit is None
    assert complaint.due_date == date(2026, 3, 27)  # the clock keeps running
    complaint = handling.do_triage(people.actor("office"), complaint, unit=region["social"])
    assert complaint.unit == region["social"]


def test_changing_the_kind_at_triage_moves_the_deadline_from_the_complaints_date(receive, people, region):
    complaint = receive(at(2026, 3, 6, 10))
    complaint = handling.do_triage(people.actor("office"), complaint, unit=region["market"], kind="consult",
                                   at=at(2026, 3, 9, 9))  # fmt: skip
    assert complaint.due_date == date(2026, 3, 10)
    complaint2 = receive(at(2026, 3, 6, 10))
    complaint2 = handling.do_triage(
        people.actor("office"), complaint2, unit=region["market"], urgency="urgent"
    )
    assert complaint2.due_date == date(2026, 3, 9)


def test_the_office_dismisses_what_is_nothing_to_handle(receive, people):
    complaint = receive(at(2026, 3, 6, 10), "asdfasdf")
    with pytest.raises(ComplaintError, match="理由"):
        handling.do_dismiss(people.actor("office"), complaint, "")
    complaint = handling.do_dismiss(people.actor("office"), complaint, "无实质内容")
    assert complaint.status == Status.DISMISSED and not complaint.is_open


def test_triage_records_whether_the_suggestion_was_followed(receive, people, region):
    suggestion = {
        "units": [{"unit_code": "SC", "score": 0.8}, {"unit_code": "RS", "score": 0.1}],
        "category": "delay",
    }
    first = handling.do_triage(people.actor("office"), receive(at(2026, 3, 6, 10)), unit=region["market"],
                               suggestion=suggestion)  # fmt: skip
    second = handling.do_triage(people.actor("office"), receive(at(2026, 3, 6, 10)), unit=region["social"],
                                suggestion=suggestion)  # fmt: skip
    third = handling.do_triage(people.actor("office"), receive(at(2026, 3, 6, 10)), unit=region["street"],
                               suggestion=suggestion)  # fmt: skip
    records = {r.complaint_id: r for r in DispatchRecord.objects.all()}
    assert (records[first.pk].accepted, records[first.pk].rank) == (True, 1)
    assert (records[second.pk].accepted, records[second.pk].rank) == (False, 2)
    assert (records[third.pk].accepted, records[third.pk].rank) == (False, None)
    assert "采纳智能派单建议" in first.steps.last().text


def test_a_streets_office_may_not_triage_to_a_unit_outside_its_street(receive, region, django_user_model):
    from govwatch.accounts.models import Membership, Role
    from govwatch.audit.log import Actor

    street_office = django_user_model.objects.create_user("jdb")
    Membership.objects.create(user=street_office, role=Role.OFFICE, unit=region["street"])
    complaint = receive(at(2026, 3, 6, 10), unit=region["community"])
    complaint = handling.do_send_back(Actor("system:test"), complaint, "不属于本社区")
    # Sent back, it names no unit: only the region's office sees it now.
    with pytest.raises(PermissionDenied):
        handling.do_triage(Actor("user:jdb", street_office), complaint, unit=region["community"])
    complaint.unit = region["community"]
    complaint.status = Complaint.Status.RECEIVED
    complaint.save()
    with pytest.raises(PermissionDenied):
        handling.do_triage(Actor("user:jdb", street_office), complaint, unit=region["market"])


def test_evidence_that_is_no_document_or_picture_is_refused_and_nothing_kept(receive, people, region):
    complaint = receive(at(2026, 3, 6, 10), unit=region["market"])
    with pytest.raises(ComplaintError, match="程序"):
        handling.do_find(people.actor("market_staff"), complaint, finding="substantiated", text="属实",
                         files=[("证据.exe", b"MZ\x90\x00")])  # fmt: skip
    complaint.refresh_from_db()
    assert complaint.status == Status.ASSIGNED and not complaint.attachments.exists()
