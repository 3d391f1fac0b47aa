"""E-supervision of complaints: yellow and red cards through the outbox, once each, and an order
for an overdue complaint."""

from __future__ import annotations

from govwatch.complaints import handling, watch
from govwatch.complaints.models import Complaint
from govwatch.supervision.models import Notification, SupervisionOrder

from .conftest import at


def test_cards_are_told_once_yellow_to_the_unit_red_also_to_the_supervisors(receive, region):
    complaint = receive(at(2026, 3, 6, 10), kind="consult", unit=region["market"])  # due Tuesday 10 March
    Notification.objects.all().delete()  # the unit's "new complaint" message
    assert watch.scan(at(2026, 3, 6, 12))["new_yellow"] == 0
    result = watch.scan(at(2026, 3, 9, 8))
    assert (result["new_yellow"], result["notifications_queued"]) == (1, 1)
    message = Notification.objects.get()
    assert message.unit == region["market"] and message.kind == "complaint_yellow"
    assert complaint.complaint_id in message.text and "2026-03-10" in message.text
    assert watch.scan(at(2026, 3, 9, 9))["notifications_queued"] == 0  # nothing new
    result = watch.scan(at(2026, 3, 11, 8))
    assert result["new_red"] == 1
    red = Notification.objects.filter(kind="complaint_red")
    assert {m.unit for m in red} == {region["market"], region["supervisor"]}
    complaint.refresh_from_db()
    assert complaint.card == "red"
    assert list(complaint.steps.filter(kind__startswith="card").values_list("kind", flat=True)) == [
        "card_yellow", "card_red",
    ]  # fmt: skip


def test_a_complaint_closed_in_time_gets_no_card(receive, region):
    complaint = receive(at(2026, 3, 6, 10), kind="consult", unit=region["market"])
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.CLOSED, next_card_at=None)
    watch.scan(at(2026, 3, 11, 8))
    complaint.refresh_from_db()
    assert complaint.card == "none" and complaint.next_card_at.year == 2199


def test_an_untriaged_complaint_is_the_service_centers_to_answer_for(receive, region):
    receive(at(2026, 3, 6, 10), kind="consult")
    watch.scan(at(2026, 3, 9, 8))
    assert Notification.objects.get(kind="complaint_yellow").unit == region["center"]


def test_an_overdue_complaint_becomes_one_supervision_order(receive, region, people):
    complaint = receive(at(2026, 3, 6, 10), kind="consult", unit=region["market"])  # due Tuesday 10 March
    watch.scan(at(2026, 3, 11, 8))
    # Red since Wednesday: ordered once it has been red for more than one working day.
    assert watch.supervise_overdue(at(2026, 3, 11, 9)) == 0
    assert watch.supervise_overdue(at(2026, 3, 12, 9)) == 1
    assert watch.supervise_overdue(at(2026, 3, 12, 10)) == 0
    order = SupervisionOrder.objects.get()
    assert order.unit == region["market"] and complaint.complaint_id in order.demand
    step = complaint.steps.get(kind="supervised")
    assert step.order == order and step.due.isoformat() == "2026-03-10"


def test_a_reopened_complaint_has_a_new_deadline_and_may_be_ordered_again(receive, region, people):
    complaint = receive(at(2026, 3, 6, 10), kind="consult", unit=region["market"])
    watch.scan(at(2026, 3, 11, 8))
    watch.supervise_overdue(at(2026, 3, 12, 9))
    staff, office = people.actor("market_staff"), people.actor("office")
    complaint = handling.do_find(staff, complaint, finding="", text="已答复", at=at(2026, 3, 12, 10))
    complaint = handling.do_reply(staff, complaint, reply="材料清单如下", at=at(2026, 3, 12, 11))
    complaint = handling.do_callback(
        office, complaint, result="dissatisfied", note="不清楚", at=at(2026, 3, 12, 12)
    )
    complaint = handling.do_reopen(
        office, complaint, "重新答复", at=at(2026, 3, 12, 13)
    )  # due Monday 16 March
    assert watch.scan(at(2026, 3, 12, 14))["complaints"] == 1
    complaint.refresh_from_db()
    assert complaint.card == "none"
    watch.scan(at(2026, 3, 17, 8))
    assert watch.supervise_overdue(at(2026, 3, 18, 9)) == 1
    assert SupervisionOrder.objects.count() == 2
