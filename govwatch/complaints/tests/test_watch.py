"""A complaint's deadline is a watched deadline of e-supervision: carded by the same scan as cases,
told through the same routing and outbox, and ordered once when overdue, as an overdue case is."""

from __future__ import annotations

from datetime import date

from govwatch.complaints import handling, watching
from govwatch.complaints.models import Complaint
from govwatch.supervision.models import Notification, SupervisionOrder, Watch
from govwatch.supervision.scan import scan
from govwatch.supervision.watches import issue_for_overdue_watches, watch_of

from .conftest import at, handled

HEADER = ["complaint_id", "at", "source", "content", "unit_code", "category", "contact", "kind", "closed_at"]


def watched(complaint: Complaint) -> Watch | None:
    return watch_of(complaint, watching.COMPLAINT)


def test_cards_are_told_once_yellow_to_the_unit_red_also_to_the_supervisors(receive, region):
    complaint = receive(at(2026, 3, 6, 10), kind="consult", unit=region["market"])  # due Tuesday 10 March
    Notification.objects.all().delete()  # the unit's "new complaint" message
    assert scan(at(2026, 3, 6, 12)).watches["new_yellow"] == 0
    result = scan(at(2026, 3, 9, 8)).watches
    assert (result["new_yellow"], result["notifications_queued"]) == (1, 1)
    message = Notification.objects.get()
    assert message.unit == region["market"] and message.kind == "watch_yellow"
    assert (
        message.text
        == f"咨询{complaint.complaint_id}即将到期，办理期限：2026-03-10，剩余1个工作日，请及时办理。"
    )
    assert scan(at(2026, 3, 9, 9)).watches["notifications_queued"] == 0  # nothing new
    assert scan(at(2026, 3, 11, 8)).watches["new_red"] == 1
    red = Notification.objects.filter(kind="watch_red")
    assert {m.unit for m in red} == {region["market"], region["supervisor"]}
    assert watched(complaint).card == "red"
    assert list(watched(complaint).flips.values_list("card", flat=True)) == ["yellow", "red"]


def test_an_urgent_complaint_is_yellow_at_the_first_scan_and_red_the_next_working_day(receive, region):
    complaint = receive(at(2026, 3, 6, 10), urgency="urgent", unit=region["market"])  # Friday: due Monday
    assert complaint.due_date == date(2026, 3, 9)
    assert scan(at(2026, 3, 6, 11)).watches["new_yellow"] == 1
    assert scan(at(2026, 3, 9, 23, 59)).watches["new_red"] == 0
    assert scan(at(2026, 3, 10, 0, 0)).watches["new_red"] == 1


def test_a_dismissed_complaint_gets_no_card(receive, region, people):
    complaint = receive(at(2026, 3, 6, 10), kind="consult")
    handling.do_dismiss(people.actor("office"), complaint, "重复来电", at=at(2026, 3, 6, 11))
    assert watched(complaint).status == "closed"
    assert scan(at(2026, 3, 11, 8)).watches["new_red"] == 0
    assert watched(complaint).card == "none"
    assert issue_for_overdue_watches(at(2026, 3, 13, 9)) == 0


def test_an_untriaged_complaint_is_the_service_centers_to_answer_for(receive, region, people):
    complaint = receive(at(2026, 3, 6, 10), kind="consult")
    assert watched(complaint).unit == region["center"]
    scan(at(2026, 3, 9, 8))
    assert Notification.objects.get(kind="watch_yellow").unit == region["center"]
    handling.do_triage(people.actor("office"), complaint, unit=region["market"], at=at(2026, 3, 9, 9))
    assert (watched(complaint).unit, watched(complaint).due_date) == (region["market"], date(2026, 3, 10))


def test_an_overdue_complaint_becomes_one_supervision_order(receive, region):
    complaint = receive(at(2026, 3, 6, 10), kind="consult", unit=region["market"])  # due Tuesday 10 March
    scan(at(2026, 3, 11, 8))
    # Red since Wednesday: ordered once it has been overdue for more than one working day, as a case.
    assert issue_for_overdue_watches(at(2026, 3, 11, 23, 59)) == 0
    assert issue_for_overdue_watches(at(2026, 3, 12, 0, 0)) == 1
    assert issue_for_overdue_watches(at(2026, 3, 12, 10)) == 0
    order = SupervisionOrder.objects.get()
    assert (order.unit, order.origin, order.watch) == (
        region["market"], SupervisionOrder.Origin.COMPLAINT_OVERDUE, watched(complaint),
    )  # fmt: skip
    assert order.demand.startswith(f"咨询{complaint.complaint_id}（网站，")
    assert "2026年3月10日" in order.demand and "请立即办理" in order.demand
    step = complaint.steps.get(kind="supervised")
    assert step.order == order and step.due == date(2026, 3, 10)


def test_a_complaint_sent_back_after_its_order_is_not_ordered_again(receive, region, people):
    complaint = receive(at(2026, 3, 6, 10), kind="consult", unit=region["market"])
    issue_for_overdue_watches(at(2026, 3, 12, 9))
    handling.do_send_back(people.actor("market_staff"), complaint, "应由人社局办理", at=at(2026, 3, 12, 10))
    assert watched(complaint).unit == region["center"]
    assert issue_for_overdue_watches(at(2026, 3, 13, 9)) == 0
    handling.do_triage(people.actor("office"), complaint, unit=region["social"], at=at(2026, 3, 13, 10))
    assert issue_for_overdue_watches(at(2026, 3, 16, 9)) == 0
    assert SupervisionOrder.objects.count() == 1


def test_an_untriaged_overdue_complaint_orders_the_center_to_triage(receive, region):
    complaint = receive(at(2026, 3, 6, 10), kind="consult")
    assert issue_for_overdue_watches(at(2026, 3, 12, 9)) == 1
    order = SupervisionOrder.objects.get()
    assert order.unit == region["center"] and "请立即分办" in order.demand
    assert complaint.steps.get(kind="supervised").order == order


def test_a_reopened_complaint_has_a_new_deadline_and_may_be_ordered_again(receive, region, people):
    complaint = receive(at(2026, 3, 6, 10), kind="consult", unit=region["market"])
    scan(at(2026, 3, 11, 8))
    issue_for_overdue_watches(at(2026, 3, 12, 9))
    complaint = handled(people, complaint, at(2026, 3, 12, 10), callback="dissatisfied", until="called_back")
    complaint = handling.do_reopen(people.actor("office"), complaint, "重新答复", at=at(2026, 3, 12, 13))
    # due Monday 16 March
    assert (watched(complaint).due_date, watched(complaint).order) == (date(2026, 3, 16), None)
    scan(at(2026, 3, 12, 14))
    assert watched(complaint).card == "none"
    scan(at(2026, 3, 17, 8))
    assert issue_for_overdue_watches(at(2026, 3, 18, 9)) == 1
    assert SupervisionOrder.objects.count() == 2


def test_a_closed_complaint_leaves_the_board_at_the_next_scan(receive, region, people):
    complaint = receive(at(2026, 3, 6, 10), kind="consult", unit=region["market"])
    scan(at(2026, 3, 11, 8))
    handled(people, complaint, at(2026, 3, 11, 9))
    result = scan(at(2026, 3, 11, 13)).watches
    assert (result["red"], result["open"]) == (0, 0)
    assert issue_for_overdue_watches(at(2026, 3, 13, 9)) == 0


def test_imported_complaints_still_open_are_watched_from_their_own_time(import_complaints, region):
    rows = [
        ["T1", "2026-03-06T10:00:00", "hotline", "拖延", "SC", "", "", "consult", ""],
        ["T2", "2026-03-06T11:00:00", "hotline", "拖延", "", "", "", "consult", ""],
        ["T3", "2026-03-06T12:00:00", "hotline", "拖延", "SC", "", "", "consult", "2026-03-09T10:00:00"],
    ]
    assert import_complaints(HEADER, rows).imported == 3
    units = {w.label: (w.unit.code, w.due_date, w.opened_at) for w in Watch.objects.select_related("unit")}
    assert units == {
        "咨询T1": ("SC", date(2026, 3, 10), at(2026, 3, 6, 10)),
        "咨询T2": ("C", date(2026, 3, 10), at(2026, 3, 6, 11)),
    }
    assert scan(at(2026, 3, 11, 8)).watches["new_red"] == 2
    assert issue_for_overdue_watches(at(2026, 3, 12, 9)) == 2


def test_a_complaints_red_card_reaches_the_people_the_unit_added(receive, region):
    from govwatch.supervision.models import AlertContact

    AlertContact.objects.create(
        unit=region["market"], name="王局长", title="分管副局长", address="13711112222"
    )
    receive(at(2026, 3, 6, 10), kind="consult", unit=region["market"])  # due Tuesday 10 March
    Notification.objects.all().delete()
    scan(at(2026, 3, 11, 8))
    red = Notification.objects.filter(kind="watch_red")
    assert "王局长 137****2222" in set(red.values_list("recipient_masked", flat=True))
    assert {m.unit for m in red} == {region["market"], region["supervisor"]}
