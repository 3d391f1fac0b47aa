"""Kiosk fault tickets: repair deadlines in working days, cards when late, who may report and
repair; and the imports of kiosks, their status and their tickets."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from govwatch.audit.models import AuditEntry
from govwatch.kiosks.faults import (
    FaultError,
    do_reopen_fault,
    do_repair_fault,
    do_report_fault,
    late,
    repaired_late,
)
from govwatch.kiosks.models import Kiosk, KioskFault, KioskSignal
from govwatch.kiosks.watching import FAULT
from govwatch.supervision.models import Notification, SupervisionOrder
from govwatch.supervision.scan import scan
from govwatch.supervision.watches import issue_for_overdue_watches, watch_of

TZ = ZoneInfo("Asia/Shanghai")


def card_of(fault: KioskFault, at: datetime) -> str:
    scan(at)
    w = watch_of(fault, FAULT)
    return w.card if w is not None and w.status == w.Status.OPEN else "none"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def kiosk(region):
    return Kiosk.objects.create(code="K1", name="24小时自助区1号机", unit=region["market"])


def test_a_fault_reported_on_friday_is_due_monday_yellow_then_and_red_on_tuesday(kiosk, people):
    fault = do_report_fault(
        people.actor("market_staff"),
        kiosk,
        category="printer",
        description="打印机卡纸",
        at=local("2026-03-06T15:00"),
    )
    assert (fault.number, fault.due_date) == ("GZ2026-0001", date(2026, 3, 9))
    assert card_of(fault, local("2026-03-08T20:00")) == "none"
    assert card_of(fault, local("2026-03-09T23:59")) == "yellow"
    assert card_of(fault, local("2026-03-10T00:00")) == "red"
    assert KioskFault.objects.filter(late(local("2026-03-10T00:00"))).count() == 1
    repaired = do_repair_fault(
        people.actor("market_staff"), fault, note="更换硒鼓", at=local("2026-03-10T09:00")
    )
    assert repaired.status == "repaired" and repaired_late(repaired)
    assert card_of(repaired, local("2026-03-11T09:00")) == "none"
    assert KioskFault.objects.filter(late(local("2026-03-11T09:00"))).count() == 1  # repaired late stays late
    assert [s.kind for s in repaired.steps.all()] == ["reported", "repaired"]
    assert AuditEntry.objects.filter(action__startswith="kiosks.fault").count() == 2
    # The red card reached the kiosk's unit by SMS.
    assert Notification.objects.filter(unit=kiosk.unit, text__contains="GZ2026-0001").exists()


def test_a_fault_unrepaired_a_working_day_past_its_deadline_is_ordered_once(kiosk, people):
    fault = do_report_fault(
        people.actor("market_staff"),
        kiosk,
        category="printer",
        description="打印机卡纸",
        at=local("2026-03-06T15:00"),
    )  # due Monday 9 March
    assert issue_for_overdue_watches(local("2026-03-10T09:00")) == 0  # a working day of grace
    assert issue_for_overdue_watches(local("2026-03-11T00:00")) == 1
    assert issue_for_overdue_watches(local("2026-03-12T09:00")) == 0
    order = SupervisionOrder.objects.get()
    assert order.unit == kiosk.unit and "GZ2026-0001" in order.demand
    assert [s.kind for s in fault.steps.all()] == ["reported", "supervised"]


def test_a_fault_that_comes_back_gets_a_new_deadline(kiosk, people):
    actor = people.actor("office")
    fault = do_report_fault(actor, kiosk, category="network", description="", at=local("2026-03-02T10:00"))
    do_repair_fault(actor, fault, note="重启交换机", at=local("2026-03-02T11:00"))
    assert not repaired_late(KioskFault.objects.get(pk=fault.pk))
    again = do_reopen_fault(actor, fault, note="再次断网", at=local("2026-03-04T10:00"))
    assert (again.status, again.due_date, again.repaired_at) == ("open", date(2026, 3, 5), None)
    with pytest.raises(FaultError):
        do_reopen_fault(actor, again, note="x")


def test_who_may_report_and_repair(kiosk, people):
    with pytest.raises(PermissionDenied):  # another department's kiosk
        do_report_fault(people.actor("social_staff"), kiosk, category="other", description="")
    with pytest.raises(PermissionDenied):
        do_report_fault(people.actor("supervisor"), kiosk, category="other", description="")
    fault = do_report_fault(people.actor("market_staff"), kiosk, category="other", description="")
    with pytest.raises(FaultError, match="修复情况"):
        do_repair_fault(people.actor("market_staff"), fault, note=" ")


KIOSK_HEADER = [
    "kiosk_code",
    "name",
    "unit_code",
    "location",
    "hours",
    "every_day",
    "heartbeat_seconds",
    "item_codes",
]


def test_kiosks_import_with_their_items_and_bad_rows_reported(region, load):
    result = load(
        "kiosks",
        KIOSK_HEADER,
        [
            ["K1", "1号机", "ST", "城关街道便民服务中心", "", "是", "300", "I0、I2"],
            ["K2", "2号机", "NOPE", "", "", "", "", ""],
            ["K3", "3号机", "ST", "", "8点-18点", "", "", ""],
            ["K4", "4号机", "ST", "", "", "", "", "I0,XX"],
            ["K5", "5号机", "ST", "", "", "", "-1", ""],
        ],
    )
    assert (result.imported, result.rejected) == (1, 4)
    assert [(e["line"], e["field"]) for e in result.document()["errors"]] == [
        (3, "unit_code"), (4, "hours"), (5, "item_codes"), (6, "heartbeat_seconds"),
    ]  # fmt: skip
    k1 = Kiosk.objects.get(code="K1")
    assert sorted(k1.items.values_list("code", flat=True)) == ["I0", "I2"] and k1.heartbeat_seconds == 300
    again = load(
        "kiosks", KIOSK_HEADER, [["K1", "1号机", "ST", "城关街道便民服务中心", "", "是", "300", "I2,I0"]]
    )
    assert (again.imported, again.duplicates) == (0, 1)
    moved = load("kiosks", KIOSK_HEADER, [["K1", "1号机", "ST", "新址", "", "是", "300", "I0"]])
    assert moved.imported == 1 and list(
        Kiosk.objects.get(code="K1").items.values_list("code", flat=True)
    ) == ["I0"]


def test_status_rows_are_facts(kiosk, load):
    header = ["kiosk_code", "at", "status"]
    first = load(
        "kiosk_status", header, [["K1", "2026-03-02T08:00:00", "up"], ["K1", "2026-03-02T08:05:00", "在线"]]
    )
    assert first.imported == 2
    again = load(
        "kiosk_status",
        header,
        [
            ["K1", "2026-03-02T00:00:00Z", "up"],  # 08:00 local: the same signal
            ["K1", "2026-03-02T08:05:00", "down"],  # the same moment, another status
            ["K9", "2026-03-02T08:05:00", "down"],
            ["K1", "2026-03-02T08:10:00", "offline"],
        ],
    )
    assert (again.imported, again.duplicates, again.rejected) == (0, 1, 3)
    assert [(e["line"], e["field"]) for e in again.document()["errors"]] == [
        (3, "at"),
        (4, "kiosk_code"),
        (5, "status"),
    ]
    assert KioskSignal.objects.count() == 2


def test_fault_tickets_import_and_a_later_export_adds_the_repair(kiosk, load):
    header = [
        "fault_id",
        "kiosk_code",
        "reported_at",
        "category",
        "description",
        "repaired_at",
        "repair_note",
    ]
    first = load("kiosk_faults", header, [["F1", "K1", "2026-03-06T15:00:00", "打印故障", "卡纸", "", ""]])
    assert first.imported == 1
    fault = KioskFault.objects.get(number="F1")
    assert (fault.status, fault.due_date) == ("open", date(2026, 3, 9))
    later = load(
        "kiosk_faults",
        header,
        [
            ["F1", "K1", "2026-03-06T15:00:00", "打印故障", "卡纸", "2026-03-09T10:00:00", "已修复"],
            ["F1", "K1", "2026-03-06T15:00:00", "网络中断", "卡纸", "2026-03-09T10:00:00", "已修复"],
        ],
    )
    assert (later.imported, later.rejected) == (1, 1)
    fault.refresh_from_db()
    assert (fault.status, fault.repaired_on, repaired_late(fault)) == ("repaired", date(2026, 3, 9), False)
    assert [s.kind for s in fault.steps.all()] == ["reported", "repaired"]
    changed = load(
        "kiosk_faults",
        header,
        [["F1", "K1", "2026-03-06T15:00:00", "打印故障", "卡纸", "2026-03-10T10:00:00", "x"]],
    )
    assert changed.rejected == 1 and changed.document()["errors"][0]["field"] == "repaired_at"


def test_faults_open_before_the_watch_engine_are_watched_by_the_migration(kiosk, people):
    import importlib

    from django.apps import apps

    from govwatch.supervision.models import Watch

    fault = do_report_fault(
        people.actor("market_staff"),
        kiosk,
        category="printer",
        description="卡纸",
        at=local("2026-03-06T15:00"),
    )
    Watch.objects.all().delete()
    importlib.import_module("govwatch.kiosks.migrations.0002_open_faults_watched").watch_open_faults(
        apps, None
    )
    assert watch_of(fault, FAULT).due_date == date(2026, 3, 9)
