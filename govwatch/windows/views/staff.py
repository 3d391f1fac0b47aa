"""The window pages: the overview of a period with its figures per unit and its reminders, the
windows, one window, one staff member's days, attendance per person, absences from post.

Rows come from the viewer's scope (a unit's staff see their subtree; outside it a window or a person
does not exist). The figures are those of govwatch.windows.attendance and .queues, for the period
and unit of the filter (this month by default).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govwatch.accounts.access import member_required
from govwatch.accounts.permissions import MANAGE_CATALOG, RECORD_ABSENCE, access, may, scope
from govwatch.audit.log import Actor
from govwatch.core.localtime import end_of_day, start_of_day
from govwatch.core.sheets import csv_writer
from govwatch.orgs.models import Unit
from govwatch.workcal.calendar import get_calendar

from .. import assists
from ..attendance import MICROS, attendance_bounds, count_attendance, totals_by
from ..forms import AbsenceForm, AssignStaffForm
from ..models import AbsenceReport, AssistedService, AttendanceRecord, QueueTicket, Staff, Window
from ..queues import empty_at_opening, long_queue_hours, queue_figures, tickets_in, waits_by_window_and_hour
from ..staffing import StaffingError, do_assign_staff, do_record_absence
from .common import (
    PAGE,
    base_unit,
    children_of,
    context,
    minutes,
    period_of,
    visible_staff,
    visible_windows,
    within,
)


def _tickets(request: HttpRequest, period) -> object:
    rows = QueueTicket.objects.visible_to(scope(request.user))
    return tickets_in(within(rows, period, "window__unit") if period.unit else rows, period.start, period.end)


@member_required
def overview(request: HttpRequest) -> HttpResponse:
    """The period's figures, per unit, and what needs attention (提醒)."""
    period = period_of(request)
    cal = get_calendar()
    staff = visible_staff(request, period)
    windows = visible_windows(request, period)
    rows = count_attendance(staff, period.start, period.end, cal)
    tickets = _tickets(request, period)
    queues = queue_figures(tickets.filter(window__isnull=False), "window__unit_id", 15 * 60)
    hall = queue_figures(tickets, "unit_id", 15 * 60)
    long_hours = long_queue_hours(tickets, cal)
    today = timezone.localdate()
    empty_today = empty_at_opening(windows, today, today, cal) if period.start <= today <= period.end else []
    empty = empty_at_opening(windows, period.start, period.end, cal)
    services = within(AssistedService.objects.visible_to(scope(request.user)), period)
    waiting = services.filter(status__in=AssistedService.OPEN).count()
    window_counts = dict(
        windows.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n").order_by()
    )
    base = base_unit(request, period)
    branches, holder = children_of(base, {r.unit_id for r in rows} | set(queues) | set(window_counts))
    by_branch = totals_by(rows, lambda r: holder[r.unit_id].pk)
    table = []
    for branch in branches:
        members = [pk for pk, b in holder.items() if b == branch]
        branch_queue = [queues[pk] for pk in members if pk in queues]
        called = sum(q.called for q in branch_queue)
        waited = sum((q.avg_wait or 0) * q.called for q in branch_queue)
        table.append({
            "unit": branch, "drill": branch != base and any(pk != branch.pk for pk in members),
            "windows": sum(window_counts.get(pk, 0) for pk in members), "att": by_branch.get(branch.pk),
            "called": called, "avg_wait": minutes(waited / called) if called else None,
        })  # fmt: skip
    total = totals_by(rows, lambda r: "all").get("all")
    called = sum(q.called for q in hall.values())
    waited = sum((q.avg_wait or 0) * q.called for q in hall.values())
    reminders = []
    if empty_today:
        reminders.append(("red", f"今日 {len(empty_today)} 个窗口开门时空岗", "windows:queues"))
    if long_hours:
        reminders.append(
            ("yellow", f"本期 {len(long_hours)} 个时段排队过长（平均等候超过阈值）", "windows:queues")
        )
    if waiting:
        reminders.append(("yellow", f"{waiting} 件帮办代办待服务或服务中", "windows:assists"))
    if total and total.off_post:
        reminders.append(("red", f"本期登记脱岗 {total.off_post} 人次", "windows:absences"))
    figures = {
        "windows": windows.filter(active=True).count(),
        "staff": len(rows),
        "third_party": sum(r.third_party for r in rows),
        "total": total,
        "tickets": sum(q.tickets for q in hall.values()),
        "abandoned": sum(q.abandoned for q in hall.values()),
        "avg_wait": minutes(waited / called) if called else None,
        "long_hours": len(long_hours),
        "empty": len(empty),
        "assists": assists.figures(services.filter(requested_at__gte=start_of_day(period.start), requested_at__lt=end_of_day(period.end))),
    }  # fmt: skip
    return render(
        request,
        "windows/overview.html",
        context(request, "overview", period=period, figures=figures, table=table, reminders=reminders),
    )


@member_required
def window_list(request: HttpRequest) -> HttpResponse:
    period = period_of(request)
    cal = get_calendar()
    windows = visible_windows(request, period).order_by("region__path", "code")
    staff = Staff.objects.filter(window__in=windows)
    att = totals_by(count_attendance(staff, period.start, period.end, cal), lambda r: r.window_id)
    queues = queue_figures(
        tickets_in(QueueTicket.objects.filter(window__in=windows), period.start, period.end),
        "window_id",
        15 * 60,
    )
    empty = {}
    for e in empty_at_opening(windows, period.start, period.end, cal):
        empty[e.window.pk] = empty.get(e.window.pk, 0) + 1
    names = {}
    for s in staff.order_by("staff_code"):
        names.setdefault(s.window_id, []).append(s)
    rows = [
        {"window": w, "staff": names.get(w.pk, []), "att": att.get(w.pk), "queue": queues.get(w.pk), "empty": empty.get(w.pk, 0)}
        for w in windows
    ]  # fmt: skip
    return render(request, "windows/window_list.html", context(request, "windows", period=period, rows=rows))


@member_required
def window_detail(request: HttpRequest, pk: int) -> HttpResponse:
    window = access(request.user, Window.objects.select_related("unit", "region"), pk=pk)
    period = period_of(request, dates_only=True)
    cal = get_calendar()
    staff = Staff.objects.filter(window=window).select_related("unit")
    rows = count_attendance(staff, period.start, period.end, cal)
    tickets = tickets_in(QueueTicket.objects.filter(window=window), period.start, period.end)
    hours = waits_by_window_and_hour(tickets).get(window.pk, {})
    context_ = context(
        request, "windows", window=window, period=period, rows=rows,
        queue=queue_figures(tickets, "window_id", 15 * 60).get(window.pk),
        hours=[(h, hours[h].tickets, minutes(hours[h].avg_wait), minutes(hours[h].max_wait)) for h in sorted(hours)],
        empty=empty_at_opening(Window.objects.filter(pk=window.pk), period.start, period.end, cal),
        gold=window.gold.select_related("round").order_by("-round__year", "-round__quarter")[:8],
        absences=AbsenceReport.objects.filter(staff__window=window).select_related("staff")[:20],
    )  # fmt: skip
    return render(request, "windows/window_detail.html", context_)


def _days(staff: Staff, period) -> list[dict]:
    """The staff member's working days of the period, each with its first in, last out and marks."""
    cal = get_calendar()
    start, end = attendance_bounds(staff.unit.hours)
    records: dict = {}
    for day, kind, micros in AttendanceRecord.objects.filter(
        staff=staff, day__gte=period.start, day__lte=period.end
    ).values_list("day", "kind", "micros"):
        first_in, last_out, n = records.get(day, (None, None, 0))
        if kind == AttendanceRecord.Kind.IN:
            first_in = micros if first_in is None else min(first_in, micros)
        else:
            last_out = micros if last_out is None else max(last_out, micros)
        records[day] = (first_in, last_out, n + 1)
    out = []
    day = period.start
    while day <= period.end:
        workday = cal.is_workday(day)
        first_in, last_out, n = records.get(day, (None, None, 0))
        if workday or n:
            out.append({
                "day": day, "workday": workday, "first_in": _clock(first_in), "last_out": _clock(last_out),
                "absent": workday and not n,
                "late": workday and n and (first_in is None or first_in > start * MICROS),
                "early": workday and n and (last_out is None or last_out < end * MICROS),
            })  # fmt: skip
        day += timedelta(days=1)
    return out


def _clock(micros: int | None) -> str:
    if micros is None:
        return ""
    seconds = micros // MICROS
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _staff_page(request: HttpRequest, staff: Staff, **forms) -> HttpResponse:
    period = period_of(request, dates_only=True)
    [row] = count_attendance(Staff.objects.filter(pk=staff.pk), period.start, period.end)
    user = request.user
    helped = staff.assists.select_related("unit").order_by("-requested_at")[:20]
    return render(
        request,
        "windows/staff_detail.html",
        context(
            request, "attendance", staff=staff, period=period, row=row, days=_days(staff, period),
            hours=staff.unit.hours or "08:30-12:00,14:00-17:30（默认）", absences=staff.absences.all()[:50],
            helped=helped,
            absence_form=forms.get("absence_form", AbsenceForm()) if may(user, RECORD_ABSENCE) else None,
            assign_form=forms.get("assign_form", AssignStaffForm(staff=staff)) if may(user, MANAGE_CATALOG) else None,
        ),
    )  # fmt: skip


def _staff(request: HttpRequest, pk: int, action: str | None = None) -> Staff:
    return access(request.user, Staff.objects.select_related("unit", "window"), action, pk=pk)


@member_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_page(request, _staff(request, pk))


@member_required
@require_POST
def record_absence(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _staff(request, pk, RECORD_ABSENCE)
    form = AbsenceForm(request.POST)
    if form.is_valid():
        try:
            d = form.cleaned_data
            do_record_absence(
                Actor.of_request(request), staff, at=form.moment(), source=d["source"], reference=d["reference"],
                note=d["note"],
            )  # fmt: skip
        except StaffingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已登记 {staff.name} 的脱岗情况")
            return redirect("windows:staff-detail", pk=staff.pk)
    return _staff_page(request, staff, absence_form=form)


@member_required
@require_POST
def assign_staff(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _staff(request, pk, MANAGE_CATALOG)
    form = AssignStaffForm(request.POST, staff=staff)
    if form.is_valid():
        try:
            do_assign_staff(
                Actor.of_request(request),
                staff,
                window=form.cleaned_data["window"],
                active=form.cleaned_data["active"],
            )
        except StaffingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已调整 {staff.name} 的窗口和在岗状态")
            return redirect("windows:staff-detail", pk=staff.pk)
    return _staff_page(request, staff, assign_form=form)


@member_required
def attendance(request: HttpRequest) -> HttpResponse:
    """Contract section 12's counts per person for the period, and per unit; CSV with ?format=csv."""
    period = period_of(request)
    staff = visible_staff(request, period)
    rows = count_attendance(staff, period.start, period.end)
    if request.GET.get("format") == "csv":
        return _attendance_csv(rows, period)
    people = {s.pk: s for s in staff}
    by_unit = totals_by(rows, lambda r: r.unit_id)
    units = {u.pk: u for u in Unit.objects.filter(pk__in=by_unit)}
    flagged = sorted(rows, key=lambda r: (-(r.absent + r.late + r.early + r.off_post), r.staff_code))
    only = request.GET.get("only") == "exceptions"
    shown = [r for r in flagged if not only or r.absent + r.late + r.early + r.off_post]
    return render(
        request,
        "windows/attendance.html",
        context(
            request, "attendance", period=period, rows=[(r, people[r.staff_id]) for r in shown[:PAGE]],
            more=max(len(shown) - PAGE, 0), only=only, workdays=rows[0].workdays if rows else None,
            units=sorted(((units[k], t) for k, t in by_unit.items()), key=lambda x: x[0].path),
            total=totals_by(rows, lambda r: "all").get("all"),
        ),
    )  # fmt: skip


def _attendance_csv(rows, period) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attendance-{period.start}-{period.end}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    writer = csv_writer(response)
    writer.writerow(["人员编号", "姓名", "第三方人员", "工作日数", "迟到", "早退", "缺勤", "脱岗"])
    for r in rows:
        writer.writerow(
            [
                r.staff_code,
                r.name,
                "是" if r.third_party else "否",
                r.workdays,
                r.late,
                r.early,
                r.absent,
                r.off_post,
            ]
        )
    return response


@member_required
def absences(request: HttpRequest) -> HttpResponse:
    period = period_of(request)
    rows = AbsenceReport.objects.visible_to(scope(request.user)).select_related(
        "staff__unit", "staff__window"
    )
    if period.unit:
        rows = within(rows, period, "staff__unit")
    rows = rows.filter(at__gte=start_of_day(period.start), at__lt=end_of_day(period.end))
    return render(
        request,
        "windows/absences.html",
        context(request, "absences", period=period, reports=rows[:200], count=rows.count()),
    )
