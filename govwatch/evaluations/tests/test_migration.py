"""Upgrading a database that has negative-review tasks and letters in flight: each step owed
becomes a watched deadline, and a step already supervised keeps its order (never ordered twice)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from govwatch.tests.migrations import latest, migrate

TZ = ZoneInfo("Asia/Shanghai")
BEFORE = [("evaluations", "0003_letter_issuer"), ("supervision", "0002_order_issuer_and_automatic_origins")]


@pytest.mark.django_db(transaction=True)
def test_steps_owed_and_letters_awaiting_a_reply_become_watches_with_their_orders_kept():
    # The foundation apps at their newest: catalog was pinned at 0002, its newest when this test was
    # written, and every later catalog and case migration was undone and applied again for nothing
    # (5 of 32 migrations each way).
    old = migrate(BEFORE + latest("orgs", "catalog"))
    Unit, Item = old.get_model("orgs", "Unit"), old.get_model("catalog", "Item")
    Case, Evaluation = old.get_model("cases", "Case"), old.get_model("evaluations", "Evaluation")
    Task, Step = old.get_model("evaluations", "RectificationTask"), old.get_model("evaluations", "TaskStep")
    Order, Letter = old.get_model("supervision", "SupervisionOrder"), old.get_model("evaluations", "Letter")
    at = datetime(2026, 3, 6, 10, tzinfo=TZ)
    unit = Unit.objects.create(code="SC", name="区市场监管局", kind="department", path="/SC/")
    item = Item.objects.create(
        code="I9", name="食品经营许可", unit=unit, type="licensing", legal_days=20, promised_days=9
    )
    tasks = []
    for n, status in enumerate(["open", "verified", "called_back"], start=1):
        case = Case.objects.create(
            case_no=f"C{n}", item=item, unit=unit, status="completed", accepted_at=at, accepted_on=at.date(),
            due_date=date(2026, 3, 19), closed_at=at, closed_on=at.date(),
        )  # fmt: skip
        evaluation = Evaluation.objects.create(
            eval_id=f"E{n}", level=1, at=at, case=case, unit=unit, digest="-"
        )
        tasks.append(
            Task.objects.create(
                evaluation=evaluation, unit=unit, status=status, opened_at=at, verify_due=date(2026, 3, 10),
                rectify_due=date(2026, 3, 13), callback_due=date(2026, 3, 17),
            )
        )  # fmt: skip
    order = Order.objects.create(
        number="督办〔2026〕第0001号", unit=unit, origin="supervisor", demand="核实已逾期", issued_at=at,
        issued_by="system:worker", reply_due=date(2026, 3, 16),
    )  # fmt: skip
    Step.objects.create(task=tasks[0], at=at, kind="supervised", actor="system:worker", stage="open",
                        due=date(2026, 3, 10), order=order)  # fmt: skip
    Letter.objects.create(
        kind="reminder", unit=unit, status="issued", number="提醒函〔2026〕第0001号", subject="提醒函", body="正文",
        date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), created_at=at, created_by="user:jw", issued_at=at,
        reply_due=date(2026, 3, 27),
    )  # fmt: skip

    new = migrate(latest())
    Watch = new.get_model("supervision", "Watch")
    rows = {
        (w.kind, w.object_id): (w.stage, w.due_date, w.order_id, w.order_at, w.label)
        for w in Watch.objects.all()
    }
    first, second, _ = (t.pk for t in tasks)
    letter = new.get_model("evaluations", "Letter").objects.get()
    assert rows == {
        ("negative_review", first): ("open", date(2026, 3, 10), order.pk, None, f"差评整改第{first}号（核实）"),
        ("negative_review", second): (
            "verified", date(2026, 3, 13), None, datetime(2026, 3, 14, tzinfo=TZ), f"差评整改第{second}号（整改反馈）",
        ),
        ("letter_reply", letter.pk): ("", date(2026, 3, 27), None, None, "提醒函〔2026〕第0001号"),
    }  # fmt: skip
