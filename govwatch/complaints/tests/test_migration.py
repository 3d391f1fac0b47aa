"""Upgrading a database whose complaints had their own cards and orders: each open complaint's
deadline becomes a watched deadline with the card its scan gave it (nobody is told again) and the
order already issued for that deadline (never ordered twice); the scan's figures stay exact."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from govwatch.tests.migrations import latest, migrate

TZ = ZoneInfo("Asia/Shanghai")
BEFORE = [
    ("complaints", "0003_terms_and_sampling"),
    ("supervision", "0006_alter_supervisionorder_origin"),
    ("orgs", "0004_merge_0003_names_single_line_0003_unit_hours"),
]


@pytest.mark.django_db(transaction=True)
def test_open_complaints_become_watches_with_their_cards_and_orders_kept():
    old = migrate(BEFORE)
    Unit, Complaint = old.get_model("orgs", "Unit"), old.get_model("complaints", "Complaint")
    Step, Order = (
        old.get_model("complaints", "ComplaintStep"),
        old.get_model("supervision", "SupervisionOrder"),
    )
    ScanRun = old.get_model("supervision", "ScanRun")
    root = Unit.objects.create(code="D", name="测试区", kind="district", path="/D/")
    center = Unit.objects.create(code="C", name="区政务服务中心", kind="center", parent=root, path="/D/C/")
    market = Unit.objects.create(
        code="SC", name="区市场监管局", kind="department", parent=root, path="/D/SC/"
    )
    at = datetime(2026, 3, 6, 10, tzinfo=TZ)
    scanned = datetime(2026, 3, 12, 9, tzinfo=TZ)

    def complaint(cid, status, unit, due, **fields):
        return Complaint.objects.create(
            complaint_id=cid, at=at, source="hotline", content="拖延", kind="consult", digest="-", status=status,
            unit=unit, clock_from=at.date(), due_date=due, **fields,
        )  # fmt: skip

    # Red and ordered; awaiting triage, never scanned; closed; reopened after an order for its first deadline.
    ordered = complaint(
        "A", "assigned", market, date(2026, 3, 10), card="red", card_at=scanned, next_card_at=None
    )
    Complaint.objects.filter(pk=ordered.pk).update(next_card_at=datetime(2199, 12, 31, tzinfo=TZ))
    untriaged = complaint("B", "received", None, date(2026, 3, 10))
    complaint("C", "closed", market, date(2026, 3, 10), closed_at=at)
    reopened = complaint("D", "assigned", market, date(2026, 3, 17), card="none", reopened_count=1)
    Complaint.objects.filter(pk=reopened.pk).update(next_card_at=datetime(2026, 3, 16, tzinfo=TZ))
    orders = []
    for n, (c, due) in enumerate([(ordered, date(2026, 3, 10)), (reopened, date(2026, 3, 10))], start=1):
        order = Order.objects.create(
            number=f"督办〔2026〕第900{n}号", unit=market, origin="overdue", demand="投诉超期", issued_at=scanned,
            issued_by="system:worker", reply_due=date(2026, 3, 17),
        )  # fmt: skip
        Step.objects.create(
            complaint=c, at=scanned, kind="supervised", actor="system:worker", due=due, order=order
        )
        orders.append(order)
    ScanRun.objects.create(at=scanned, watch_open=0, watch_red=0)

    new = migrate(latest())
    Watch = new.get_model("supervision", "Watch")
    rows = {
        w.object_id: (w.unit_id, w.due_date, w.card, w.scan_state, w.order_id, w.order_at, w.label)
        for w in Watch.objects.all()
    }
    assert rows == {
        ordered.pk: (market.pk, date(2026, 3, 10), "red", "open", orders[0].pk, None, "咨询A"),
        untriaged.pk: (center.pk, date(2026, 3, 10), "none", "", None, datetime(2026, 3, 12, tzinfo=TZ), "咨询B"),
        reopened.pk: (market.pk, date(2026, 3, 17), "none", "open", None, datetime(2026, 3, 19, tzinfo=TZ), "咨询D"),
    }  # fmt: skip
    Order = new.get_model("supervision", "SupervisionOrder")
    assert Order.objects.get(pk=orders[0].pk).watch_id == Watch.objects.get(object_id=ordered.pk).pk
    assert Order.objects.get(pk=orders[1].pk).watch_id is None  # the reopened complaint's first deadline
    run = new.get_model("supervision", "ScanRun").objects.get()
    assert (run.watch_open, run.watch_red) == (2, 1)

    # The next scan tells nobody of the red card again, counts the untriaged one in, and the orders
    # job issues only what was never ordered.
    from govwatch.supervision.models import Notification
    from govwatch.supervision.scan import scan
    from govwatch.supervision.watches import issue_for_overdue_watches

    figures = scan(datetime(2026, 3, 12, 10, tzinfo=TZ)).watches
    assert (figures["open"], figures["red"], figures["new_red"]) == (3, 2, 1)
    assert set(Notification.objects.values_list("unit__code", flat=True)) == {"C"}
    assert issue_for_overdue_watches(datetime(2026, 3, 12, 10, tzinfo=TZ)) == 1
    assert Order.objects.filter(unit_id=center.pk).count() == 1
