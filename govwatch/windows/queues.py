"""Queues at the windows (排队叫号): waiting time per window and hour, the long-queue hours of each
hall, and the windows empty at opening time (开门空岗).

- Waiting time: from taking a ticket to its call; a ticket never called was given up (弃号) and
  has no wait. Hours are the local hour the ticket was taken.
- A long-queue hour (排队过长): an hour of a hall's working day whose called tickets waited longer
  than GOVWATCH_QUEUE_LONG_WAIT_MINUTES on average.
- A window empty at opening: on a working day, at its unit's opening time S (contract section 12's
  S), none of the window's staff had clocked in; or the window's first call came more than
  GOVWATCH_OPENING_GRACE_MINUTES after S while someone waiting for its unit's windows in its hall,
  there since before then, was still waiting then.

Every figure is one GROUP BY over the period's tickets (indexed by day), whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Avg, Count, F, IntegerField, Max, Min, Q, QuerySet
from django.db.models.functions import Cast

from govwatch.workcal.calendar import WorkCalendar

from .attendance import MICROS, attendance_bounds, daily_extremes, working_days
from .models import QueueTicket, Staff, Window

HOUR = Cast(F("taken_second") / 3600, IntegerField())


def tickets_in(tickets: QuerySet[QueueTicket], start: date, end: date) -> QuerySet[QueueTicket]:
    return tickets.filter(day__gte=start, day__lte=end)


@dataclass
class QueueFigures:
    """A hall's or a window's queue figures over a period."""

    tickets: int = 0
    called: int = 0
    abandoned: int = 0
    avg_wait: float | None = None  # seconds
    max_wait: int | None = None
    avg_service: float | None = None
    within_target: int = 0  # called within the gold-medal rules' wait target (or the default)

    @property
    def abandon_rate(self) -> float | None:
        return self.abandoned / self.tickets if self.tickets else None


def queue_figures(tickets: QuerySet[QueueTicket], by: str, target_seconds: int) -> dict[object, QueueFigures]:
    """Figures per value of `by` ("window_id", "unit_id")."""
    rows = (
        tickets.values(by)
        .annotate(
            n=Count("id"),
            called=Count("id", filter=Q(called_at__isnull=False)),
            avg_wait=Avg("wait_seconds"),
            max_wait=Max("wait_seconds"),
            avg_service=Avg("service_seconds"),
            within=Count("id", filter=Q(wait_seconds__lte=target_seconds)),
        )
        .order_by()
    )
    return {
        r[by]: QueueFigures(
            r["n"],
            r["called"],
            r["n"] - r["called"],
            r["avg_wait"],
            r["max_wait"],
            r["avg_service"],
            r["within"],
        )
        for r in rows
    }


@dataclass
class HourCell:
    tickets: int
    avg_wait: float | None
    max_wait: int | None


def waits_by_window_and_hour(tickets: QuerySet[QueueTicket]) -> dict[int, dict[int, HourCell]]:
    """{window id: {hour: cell}} over the tickets called at each window."""
    rows = (
        tickets.filter(window__isnull=False)
        .annotate(hour=HOUR)
        .values("window_id", "hour")
        .annotate(n=Count("id"), avg=Avg("wait_seconds"), mx=Max("wait_seconds"))
        .order_by()
    )
    out: dict[int, dict[int, HourCell]] = defaultdict(dict)
    for r in rows:
        out[r["window_id"]][r["hour"]] = HourCell(r["n"], r["avg"], r["mx"])
    return dict(out)


@dataclass(frozen=True)
class LongQueueHour:
    unit_id: int
    day: date
    hour: int
    tickets: int
    avg_wait: float


def long_queue_hours(
    tickets: QuerySet[QueueTicket], cal: WorkCalendar, minutes: int | None = None
) -> list[LongQueueHour]:
    """The hours of the halls' working days whose called tickets waited too long on average."""
    limit = 60 * (settings.QUEUE_LONG_WAIT_MINUTES if minutes is None else minutes)
    rows = (
        tickets.filter(called_at__isnull=False)
        .annotate(hour=HOUR)
        .values("unit_id", "day", "hour")
        .annotate(n=Count("id"), avg=Avg("wait_seconds"))
        .filter(avg__gt=limit)
        .order_by("day", "hour", "unit_id")
    )
    return [
        LongQueueHour(r["unit_id"], r["day"], r["hour"], r["n"], r["avg"])
        for r in rows
        if cal.is_workday(r["day"])
    ]


NOBODY_IN = "开门时无人签到"
LATE_FIRST_CALL = "开门后迟迟未叫号"


@dataclass
class EmptyAtOpening:
    window: Window
    day: date
    nobody_in: bool = False
    first_call_after: int | None = None  # minutes after opening, when people were waiting

    @property
    def reasons(self) -> list[str]:
        out = [NOBODY_IN] if self.nobody_in else []
        if self.first_call_after is not None:
            out.append(f"开门后{self.first_call_after}分钟才首次叫号，已有群众在等候")
        return out

    @property
    def kinds(self) -> list[str]:
        return [
            k
            for k, on in ((NOBODY_IN, self.nobody_in), (LATE_FIRST_CALL, self.first_call_after is not None))
            if on
        ]


def empty_at_opening(
    windows: QuerySet[Window], start: date, end: date, cal: WorkCalendar, grace_minutes: int | None = None
) -> list[EmptyAtOpening]:
    """The windows of `windows` empty at opening time on the working days from `start` to `end`."""
    grace = 60 * (settings.OPENING_GRACE_MINUTES if grace_minutes is None else grace_minutes)
    days = working_days(start, end, cal)
    if not days:
        return []
    windows = list(windows.filter(active=True).select_related("unit"))
    opening = {w.pk: attendance_bounds(w.unit.hours)[0] for w in windows}
    found: dict[tuple[int, date], EmptyAtOpening] = {}

    def flagged(window: Window, day: date) -> EmptyAtOpening:
        return found.setdefault((window.pk, day), EmptyAtOpening(window, day))

    # Nobody of the window's staff clocked in by S.
    staff = Staff.objects.filter(window__in=[w.pk for w in windows], active=True)
    staff_window = dict(staff.values_list("id", "window_id"))
    first_in: dict[tuple[int, date], int] = {}
    for row in daily_extremes(staff, days).values_list("staff_id", "day", "first_in"):
        staff_id, day, first = row
        if first is not None:
            key = (staff_window[staff_id], day)
            first_in[key] = min(first, first_in.get(key, first))
    staffed = set(staff_window.values())
    by_id = {w.pk: w for w in windows}
    for w in windows:
        if w.pk not in staffed:
            continue
        for day in days:
            first = first_in.get((w.pk, day))
            if first is None or first > opening[w.pk] * MICROS:
                flagged(w, day).nobody_in = True

    # The first call came late while people waiting for its unit's windows (in its hall, since
    # before then) still waited: for each hall and day, the tickets of the first part of the day
    # (taken by the latest moment any window is due to call), with when and by which unit's window
    # each was called.
    in_period = QueueTicket.objects.filter(day__in=days)
    latest_due = max(opening.values(), default=0) + grace
    early_tickets: dict[tuple[int, date], list[tuple[int, int, int]]] = defaultdict(list)
    for hall_id, day, taken, wait, unit_id in in_period.filter(
        taken_second__lte=latest_due, wait_seconds__isnull=False
    ).values_list("unit_id", "day", "taken_second", "wait_seconds", "window__unit_id"):
        early_tickets[(hall_id, day)].append((taken, taken + wait, unit_id))
    calls = (
        in_period.filter(window_id__in=by_id, called_at__isnull=False)
        .values("window_id", "day", "unit_id")
        .annotate(first=Min(F("taken_second") + F("wait_seconds")))
        .order_by()
    )
    for r in calls:
        w = by_id[r["window_id"]]
        due = opening[w.pk] + grace
        waiting = any(
            taken <= due < called and unit_id == w.unit_id
            for taken, called, unit_id in early_tickets[(r["unit_id"], r["day"])]
        )
        if r["first"] > due and waiting:
            flagged(w, r["day"]).first_call_after = (r["first"] - opening[w.pk]) // 60
    return sorted(found.values(), key=lambda e: (e.day, e.window.code))
