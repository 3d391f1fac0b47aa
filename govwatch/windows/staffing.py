"""Changes to the staff at the windows made in pages: a person moved to another window or off duty,
and an absence from post (脱岗) found by an inspection or a complaint tied to the person.

An absence from post is only one during opening hours: on a working day, between the opening and
the closing of the person's unit (contract section 12's S and E). Each change is one transaction,
checked against the actor's role and scope, and audited.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from govwatch.accounts.permissions import MANAGE_CATALOG, RECORD_ABSENCE, check_actor
from govwatch.audit.log import Actor, record
from govwatch.core.localtime import clock_of
from govwatch.workcal.calendar import get_calendar

from .attendance import MICROS, attendance_bounds
from .models import AbsenceReport, Staff, Window
from .regions import region_of

MAX_NOTE = 2000
OUTSIDE_HOURS = "发现时间不在该人员所在单位工作日的服务时间内，不属于脱岗"


class StaffingError(Exception):
    """A change the rules refuse; the message is for the user."""


def during_hours(hours: str, at: datetime) -> bool:
    """Whether `at` falls on a working day between the opening and closing of a unit with these
    `hours` (contract section 12's S and E; the default hours when empty)."""
    day, micros = clock_of(at)
    start, end = attendance_bounds(hours)
    return get_calendar().is_workday(day) and start * MICROS <= micros < end * MICROS


@transaction.atomic
def do_record_absence(
    actor: Actor, staff: Staff, *, at: datetime, source: str, reference: str = "", note: str
) -> AbsenceReport:
    check_actor(actor, RECORD_ABSENCE, staff.unit)
    if source not in AbsenceReport.Source.values:
        raise StaffingError("请选择发现来源")
    note, reference = (note or "").strip(), (reference or "").strip()
    if not note:
        raise StaffingError("请填写脱岗情况")
    if len(note) > MAX_NOTE or len(reference) > 100:
        raise StaffingError(f"情况说明不能超过 {MAX_NOTE} 字，来源编号不能超过 100 字")
    if source in (AbsenceReport.Source.COMPLAINT, AbsenceReport.Source.INSPECTION) and not reference:
        raise StaffingError("请填写投诉编号或检查记录编号")
    if not during_hours(staff.unit.hours, at):
        raise StaffingError(OUTSIDE_HOURS)
    try:
        with transaction.atomic():
            report = AbsenceReport.objects.create(
                staff=staff, at=at, source=source, reference=reference, note=note, recorded_by=actor.label
            )
    except IntegrityError:
        raise StaffingError("该脱岗情况已登记") from None
    record(
        actor, "windows.absence.record", report,
        summary=f"登记 {staff.name}（{staff.staff_code}）脱岗：{report.get_source_display()} {reference}".rstrip(),
        after={"staff": staff.staff_code, "at": at.isoformat(), "source": source, "reference": reference},
    )  # fmt: skip
    return report


@transaction.atomic
def do_assign_staff(actor: Actor, staff: Staff, *, window: Window | None, active: bool) -> Staff:
    """Move a person to another window of their unit's region (or none), on or off duty."""
    staff = Staff.objects.select_for_update(of=("self",)).select_related("unit", "window").get(pk=staff.pk)
    check_actor(actor, MANAGE_CATALOG, staff.unit)
    if window is not None:
        if window.region_id != region_of(staff.unit).pk:
            raise StaffingError("只能安排到本区域的窗口")
    before = {"window": staff.window.code if staff.window else None, "active": staff.active}
    staff.window, staff.active = window, active
    staff.save(update_fields=["window", "active"])
    after = {"window": window.code if window else None, "active": active}
    record(
        actor, "windows.staff.assign", staff, summary=f"调整 {staff.name}（{staff.staff_code}）的窗口和在岗状态",
        before=before, after=after,
    )  # fmt: skip
    return staff
