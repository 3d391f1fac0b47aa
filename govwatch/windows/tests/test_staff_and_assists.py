"""Staff and windows imported, absences from post tied to staff, assisted services (帮办代办,
上门办理) through their states, and who may do what."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from govwatch.audit.models import AuditEntry
from govwatch.windows import assists
from govwatch.windows.attendance import count_attendance
from govwatch.windows.models import AssistedService, Staff, Window
from govwatch.windows.staffing import StaffingError, do_assign_staff, do_record_absence

TZ = ZoneInfo("Asia/Shanghai")
STAFF_HEADER = ["staff_code", "name", "unit_code", "window_code", "phone", "third_party"]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


# -- staff and windows ---------------------------------------------------------------------------


def test_a_staff_row_naming_an_unknown_window_creates_it_in_the_units_region(hall, load):
    result = load("staff", STAFF_HEADER, [["S4", "赵磊", "ST", "J01", "", "1"]])
    assert result.imported == 1 and result.warnings == ["窗口 J01 尚未登记，已按人员所属单位新建 1 个窗口"]
    window = Window.objects.get(code="J01")
    assert (window.unit.code, window.region.code) == ("ST", "D")
    assert Staff.objects.get(staff_code="S4").third_party


def test_staff_phones_are_stored_encrypted_and_reimport_changes_nothing(hall, load):
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM windows_staff WHERE staff_code = 'S1'")
        stored = cursor.fetchone()[0]
    assert "13800001234" not in stored and Staff.objects.get(staff_code="S1").phone == "13800001234"
    again = load(
        "staff",
        STAFF_HEADER,
        [["S1", "张敏", "SC", "W01", "13800001234", "否"], ["S2", "李强", "SC", "W02", "", "0"]],
    )
    assert (again.imported, again.duplicates) == (0, 2)
    moved = load("staff", STAFF_HEADER, [["S2", "李强", "RS", "W03", "", "0"]])
    assert moved.imported == 1
    s2 = Staff.objects.select_related("unit", "window").get(staff_code="S2")
    assert (s2.unit.code, s2.window.code) == ("RS", "W03")


def test_bad_staff_and_window_rows_are_reported(hall, load):
    result = load(
        "staff",
        STAFF_HEADER,
        [["S5", "", "SC", "", "", ""], ["S6", "周", "XX", "", "", ""], ["S7", "吴", "SC", "", "", "maybe"],
         ["S8", "郑", "SC", "", "", ""], ["S8", "郑", "RS", "", "", ""]],
    )  # fmt: skip
    assert [(e["line"], e["field"]) for e in result.document()["errors"]] == [
        (2, "name"), (3, "unit_code"), (4, "third_party"), (6, "staff_code"),
    ]  # fmt: skip
    assert "第 5 行" in result.document()["errors"][-1]["message"] and result.imported == 1
    windows = load("windows", ["window_code", "unit_code", "kind"], [["W09", "SC", "窗口"], ["", "SC", ""]])
    assert [(e["line"], e["field"]) for e in windows.document()["errors"]] == [
        (2, "kind"),
        (3, "window_code"),
    ]


def test_the_office_moves_a_person_to_another_window_of_the_region(hall, people):
    s1, w2 = hall["staff"]["S1"], hall["windows"]["W02"]
    do_assign_staff(people.actor("office"), s1, window=w2, active=True)
    assert Staff.objects.get(pk=s1.pk).window == w2
    with pytest.raises(PermissionDenied):
        do_assign_staff(people.actor("market_staff"), s1, window=None, active=False)
    other = Window.objects.create(code="W01", unit=hall["root"], region=hall["street"])
    with pytest.raises(StaffingError, match="本区域"):
        do_assign_staff(people.actor("office"), s1, window=other, active=True)


# -- absence from post ---------------------------------------------------------------------------


def test_an_absence_found_during_hours_is_tied_to_the_person_and_spoils_the_day(hall, people, load):
    s3 = hall["staff"]["S3"]
    load(
        "attendance",
        ["staff_code", "at", "kind"],
        [["S3", "2026-03-02T08:20:00", "in"], ["S3", "2026-03-02T17:40:00", "out"]],
    )
    report = do_record_absence(
        people.actor("supervisor"), s3, at=local("2026-03-02T10:15"), source="complaint", reference="TS-0001",
        note="群众反映10点窗口无人",
    )  # fmt: skip
    assert report.staff == s3
    [row] = count_attendance(Staff.objects.filter(pk=s3.pk), date(2026, 3, 2), date(2026, 3, 2))
    assert (row.row["late"], row.row["early"], row.row["absent"], row.off_post, row.clean_days) == (
        0,
        0,
        0,
        1,
        0,
    )
    assert AuditEntry.objects.filter(action="windows.absence.record").count() == 1
    with pytest.raises(StaffingError, match="已登记"):
        do_record_absence(
            people.actor("office"),
            s3,
            at=local("2026-03-02T10:15"),
            source="complaint",
            reference="TS-0001",
            note="x",
        )


@pytest.mark.parametrize(
    "moment",
    ["2026-03-02T08:29:59", "2026-03-02T17:30:00", "2026-03-07T10:00:00", "2026-04-06T10:00:00"],
    ids=["before-opening", "at-closing", "saturday", "qingming-holiday"],
)
def test_an_absence_outside_opening_hours_is_refused(hall, people, moment):
    with pytest.raises(StaffingError, match="不在"):
        do_record_absence(
            people.actor("office"),
            hall["staff"]["S3"],
            at=local(moment),
            source="patrol",
            note="巡查未见人员",
        )


def test_only_supervisors_and_the_office_record_absences(hall, people):
    with pytest.raises(PermissionDenied):
        do_record_absence(
            people.actor("social_staff"),
            hall["staff"]["S3"],
            at=local("2026-03-02T10:00"),
            source="patrol",
            note="x",
        )
    with pytest.raises(StaffingError, match="编号"):
        do_record_absence(
            people.actor("office"),
            hall["staff"]["S3"],
            at=local("2026-03-02T10:00"),
            source="inspection",
            note="x",
        )


# -- assisted services ---------------------------------------------------------------------------


def test_a_home_service_requested_helped_and_done(hall, people):
    actor = people.actor("market_staff")
    service = assists.do_request(
        actor, unit=hall["market"], kind="home", group="elderly", matter="个体工商户营业执照变更",
        contact="13700001111", address="城关街道幸福里3栋", at=local("2026-03-02T09:00"),
    )  # fmt: skip
    assert service.number == "BB2026-0001" and service.status == "requested"
    assists.do_assign(actor, service, helpers=[hall["staff"]["S1"]], at=local("2026-03-03T09:00"))
    done = assists.do_finish(
        actor, service, done=True, outcome="上门核验材料并当场办结", at=local("2026-03-04T16:00")
    )
    assert done.status == "done" and [s.kind for s in done.steps.all()] == ["requested", "assigned", "done"]
    with pytest.raises(assists.AssistError, match="不能改为"):
        assists.do_cancel(actor, done, reason="x")
    # Personal data never reaches the audit log.
    assert not AuditEntry.objects.filter(summary__contains="13700001111").exists()
    assert not AuditEntry.objects.filter(summary__contains="幸福里").exists()


def test_service_rules(hall, people):
    actor = people.actor("office")
    with pytest.raises(assists.AssistError, match="上门地址"):
        assists.do_request(actor, unit=hall["market"], kind="home", group="elderly", matter="x")
    service = assists.do_request(
        actor, unit=hall["market"], kind="assist", group="enterprise", matter="开办企业"
    )
    with pytest.raises(assists.AssistError, match="不属于"):
        assists.do_assign(actor, service, helpers=[hall["staff"]["S3"]])
    with pytest.raises(assists.AssistError, match="服务人员"):
        assists.do_finish(actor, service, done=True, outcome="办结")
    with pytest.raises(PermissionDenied):
        assists.do_request(
            people.actor("social_staff"), unit=hall["market"], kind="assist", group="other", matter="x"
        )
    with pytest.raises(PermissionDenied):
        assists.do_request(
            people.actor("leader"), unit=hall["market"], kind="assist", group="other", matter="x"
        )


def test_figures_of_assisted_services(hall, people):
    actor = people.actor("office")
    s1 = hall["staff"]["S1"]

    def service(kind, group, outcome, requested, finished):
        s = assists.do_request(
            actor, unit=hall["market"], kind=kind, group=group, matter="m", address="a", at=requested
        )
        if outcome != "open":
            assists.do_assign(actor, s, helpers=[s1], at=requested)
            assists.do_finish(actor, s, done=outcome == "done", outcome="r", at=finished)

    service(
        "assist", "elderly", "done", local("2026-03-02T09:00"), local("2026-03-02T11:00")
    )  # 0 working days
    service(
        "proxy", "enterprise", "done", local("2026-03-06T09:00"), local("2026-03-10T11:00")
    )  # Fri → Tue: 2
    service("home", "disabled", "unresolved", local("2026-03-03T09:00"), local("2026-03-05T11:00"))
    service("assist", "elderly", "open", local("2026-03-04T09:00"), None)
    fig = assists.figures(AssistedService.objects.all())
    assert (fig.requests, fig.done, fig.unresolved, fig.open) == (4, 2, 1, 1)
    assert fig.by_kind == {"assist": 2, "proxy": 1, "home": 1} and fig.by_group["elderly"] == 2
    assert fig.done_rate == 2 / 3 and fig.avg_workdays == 1.0
    assert assists.by_helper(AssistedService.objects.all()) == [(s1.pk, 3, 2)]


def test_assisted_services_import_along_their_state_machine(hall, load):
    header = [
        "service_id",
        "unit_code",
        "kind",
        "requested_at",
        "group",
        "staff_codes",
        "status",
        "finished_at",
        "outcome",
    ]
    first = load(
        "assists",
        header,
        [
            ["BB1", "SC", "代办", "2026-03-02T09:00:00", "企业和项目", "S1、S2", "服务中", "", ""],
            ["BB2", "SC", "帮办", "2026-03-02T09:00:00", "老年人", "S9", "", "", ""],
            ["BB3", "SC", "帮办", "2026-03-02T09:00:00", "老年人", "", "done", "", ""],
        ],
    )
    assert first.imported == 1
    assert [(e["line"], e["field"]) for e in first.document()["errors"]] == [
        (3, "staff_codes"),
        (4, "finished_at"),
    ]
    assert sorted(AssistedService.objects.get(number="BB1").helpers.values_list("staff_code", flat=True)) == [
        "S1",
        "S2",
    ]
    done = load(
        "assists",
        header,
        [
            [
                "BB1",
                "SC",
                "代办",
                "2026-03-02T09:00:00",
                "企业和项目",
                "S1",
                "已办成",
                "2026-03-04T10:00:00",
                "已办结",
            ]
        ],
    )
    assert done.imported == 1 and AssistedService.objects.get(number="BB1").status == "done"
    back = load(
        "assists",
        header,
        [["BB1", "SC", "代办", "2026-03-02T09:00:00", "企业和项目", "S1", "服务中", "", ""]],
    )
    assert back.rejected == 1 and "不能改为" in back.document()["errors"][0]["message"]
    assert AssistedService.objects.get(number="BB1").status == "done"


def test_absences_import_from_the_inspection_system_under_the_same_rule(hall, load):
    header = ["staff_code", "at", "source", "reference", "note"]
    rows = [
        ["S3", "2026-03-02T10:15:00", "监督检查", "JC-1", "窗口无人"],
        ["S3", "2026-03-07T10:15:00", "patrol", "", "周六"],  # a Saturday: not during hours
        ["S9", "2026-03-02T10:15:00", "patrol", "", "x"],
        ["S3", "2026-03-02T10:15:00", "absent", "", "x"],
    ]
    result = load("absences", header, rows)
    assert (result.imported, result.rejected) == (1, 3)
    assert [(e["line"], e["field"]) for e in result.document()["errors"]] == [
        (3, "at"),
        (4, "staff_code"),
        (5, "source"),
    ]
    again = load("absences", header, rows[:1])
    assert (again.imported, again.duplicates) == (0, 1)
