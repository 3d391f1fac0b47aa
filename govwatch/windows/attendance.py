"""Attendance (考勤) counted exactly as contract section 12 says.

On each working day of the period (the one calendar, govwatch.workcal), for each staff member,
against the opening hours of the staff member's unit — S the first span's start, E the last span's
end, 08:30-12:00,14:00-17:30 for a unit without hours:
- absent: no record that day (and then neither late nor early);
- late: the first `in` after S (S itself is on time), or no `in` that day;
- early: the last `out` before E (E itself is on time), or no `out` that day.
Records on other days are kept and counted nowhere.

The records of a period are reduced in SQL to one row per staff member and day (first in, last
out), then counted with numpy: a province's month (tens of thousands of staff) is one GROUP BY.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, Count, Max, Min, QuerySet, When

from govwatch.core.localtime import end_of_day, start_of_day
from govwatch.orgs.hours import parse_hours
from govwatch.workcal.calendar import WorkCalendar, get_calendar

from .models import AbsenceReport, AttendanceRecord, Staff

# Contract section 12: the hours of a unit that has none of its own.
DEFAULT_HOURS = "08:30-12:00,14:00-17:30"
MICROS = 1_000_000


def attendance_bounds(hours: str) -> tuple[int, int]:
    """S and E in seconds of the day: the first span's start and the last span's end of a unit's
    opening hours (its own `hours`, else the contract's default)."""
    spans = parse_hours(hours or DEFAULT_HOURS)
    return spans[0][0], spans[-1][1]


def working_days(start: date, end: date, cal: WorkCalendar | None = None) -> list[date]:
    cal = cal or get_calendar()
    return [
        start + timedelta(days=i)
        for i in range((end - start).days + 1)
        if cal.is_workday(start + timedelta(days=i))
    ]


@dataclass
class StaffAttendance:
    """One staff member's counts over a period (the row of `govwatch report attendance`)."""

    staff_id: int
    staff_code: str
    name: str
    unit_id: int
    window_id: int | None
    third_party: bool
    workdays: int
    late: int = 0
    early: int = 0
    absent: int = 0
    # Absences from post during hours reported by inspections and complaints in the period.
    off_post: int = 0
    # Days late or early or both (a day both late and early spoils one day, not two).
    late_or_early: int = 0

    @property
    def row(self) -> dict:
        return {
            "staff_code": self.staff_code,
            "workdays": self.workdays,
            "late": self.late,
            "early": self.early,
            "absent": self.absent,
        }

    @property
    def clean_days(self) -> int:
        """Working days present, neither late nor early (an absence from post spoils one more)."""
        return max(self.workdays - self.absent - self.late_or_early - self.off_post, 0)


def daily_extremes(staff: QuerySet[Staff], days: Iterable[date]) -> QuerySet:
    """Per staff member and day among `days`: the first `in` and the last `out` (microseconds
    since local midnight, None when there is none) and the number of records."""
    return (
        AttendanceRecord.objects.filter(staff__in=staff, day__in=list(days))
        .values("staff_id", "day")
        .annotate(
            first_in=Min(Case(When(kind=AttendanceRecord.Kind.IN, then="micros"))),
            last_out=Max(Case(When(kind=AttendanceRecord.Kind.OUT, then="micros"))),
            n=Count("id"),
        )
        .order_by()
    )


def count_attendance(
    staff: QuerySet[Staff], start: date, end: date, cal: WorkCalendar | None = None
) -> list[StaffAttendance]:
    """The counts of contract section 12 for every staff member of `staff`, in staff code order."""
    # numpy is imported here, not at import: `govwatch import` loads this module (through the
    # window files' importers) for every kind it imports, and only this function makes arrays
    # (numpy costs about 0.15 s of CPU at a command's start).
    import numpy as np

    days = working_days(start, end, cal)
    people = list(
        staff.order_by("staff_code").values_list(
            "id", "staff_code", "name", "unit_id", "window_id", "third_party", "unit__hours"
        )
    )
    rows = [StaffAttendance(p[0], p[1], p[2], p[3], p[4], p[5], len(days)) for p in people]
    if not people or not days:
        return rows
    index = {p[0]: i for i, p in enumerate(people)}
    bounds = {hours: attendance_bounds(hours) for hours in {p[6] for p in people}}
    opens = np.array([bounds[p[6]][0] for p in people], dtype=np.int64) * MICROS
    closes = np.array([bounds[p[6]][1] for p in people], dtype=np.int64) * MICROS

    extremes = list(daily_extremes(staff, days).values_list("staff_id", "first_in", "last_out"))
    if extremes:
        who = np.array([index[s] for s, _, _ in extremes], dtype=np.int64)
        # -1: no `in` (or no `out`) that day; the rule counts it late (or early).
        first_in = np.array([-1 if f is None else f for _, f, _ in extremes], dtype=np.int64)
        last_out = np.array([-1 if o is None else o for _, _, o in extremes], dtype=np.int64)
        late = (first_in < 0) | (first_in > opens[who])
        early = (last_out < 0) | (last_out < closes[who])
        n = len(people)
        present = np.bincount(who, minlength=n)
        late_n = np.bincount(who, weights=late, minlength=n).astype(np.int64)
        early_n = np.bincount(who, weights=early, minlength=n).astype(np.int64)
        either_n = np.bincount(who, weights=late | early, minlength=n).astype(np.int64)
        for i, row in enumerate(rows):
            row.absent = len(days) - int(present[i])
            row.late, row.early, row.late_or_early = int(late_n[i]), int(early_n[i]), int(either_n[i])
    else:
        for row in rows:
            row.absent = len(days)
    off_post = off_post_counts(staff, start, end)
    for row in rows:
        row.off_post = off_post.get(row.staff_id, 0)
    return rows


def off_post_counts(staff: QuerySet[Staff], start: date, end: date) -> dict[int, int]:
    """Absences from post reported per staff member, by the local date they were found."""
    return dict(
        AbsenceReport.objects.filter(staff__in=staff, at__gte=start_of_day(start), at__lt=end_of_day(end))
        .values("staff_id")
        .annotate(n=Count("id"))
        .values_list("staff_id", "n")
        .order_by()
    )


@dataclass
class Totals:
    """Counts summed over a group of staff (a unit, a window)."""

    key: object
    staff: int = 0
    third_party: int = 0
    staff_days: int = 0
    late: int = 0
    early: int = 0
    absent: int = 0
    off_post: int = 0
    clean: int = 0
    members: list[StaffAttendance] = field(default_factory=list)

    def add(self, row: StaffAttendance) -> None:
        self.staff += 1
        self.third_party += row.third_party
        self.staff_days += row.workdays
        self.late += row.late
        self.early += row.early
        self.absent += row.absent
        self.off_post += row.off_post
        self.clean += row.clean_days
        self.members.append(row)

    @property
    def clean_rate(self) -> float | None:
        """Share of staff working days in order (present, on time, no absence from post)."""
        return self.clean / self.staff_days if self.staff_days else None


def totals_by(rows: Iterable[StaffAttendance], key) -> dict[object, Totals]:
    """Rows summed per `key(row)` (e.g. lambda r: r.unit_id)."""
    groups: dict[object, Totals] = defaultdict(lambda: Totals(None))
    for row in rows:
        k = key(row)
        groups[k].key = k
        groups[k].add(row)
    return dict(groups)
