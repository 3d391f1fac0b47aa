"""Changes to the working-day calendar: the shipped schedules and imported ones."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from . import calendar
from .models import CalendarDay, DayKind, ScheduledYear
from .signals import schedule_changed

SHIPPED_SOURCE = "chinese-calendar"


def shipped_schedule() -> tuple[dict[date, str], set[int]]:
    """Holidays and make-up working days of the chinese-calendar package, and the years it covers."""
    from chinese_calendar import constants

    days: dict[date, str] = {}
    for d in constants.holidays:
        days[d] = DayKind.HOLIDAY
    for d in constants.workdays:
        days[d] = DayKind.WORKDAY
    years = {d.year for d in days}
    return days, years


@transaction.atomic
def set_schedule(
    days: dict[date, str], years: Iterable[int], source: str
) -> list[tuple[object, dict[str, int]]]:
    """Replace the schedule of the given years by `days` and mark those years scheduled.

    Returns the receivers' answers to `schedule_changed`: each {what: how many deadlines it
    recomputed} (cases, complaints).
    """
    years = set(years)
    outside = {d for d in days if d.year not in years}
    if outside:
        raise ValueError(f"日期 {min(outside)} 不在导入的年份内")
    for year in years:
        CalendarDay.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, kind=k) for d, k in sorted(days.items())], batch_size=500
    )
    for year in years:
        ScheduledYear.objects.update_or_create(year=year, defaults={"source": source})
    transaction.on_commit(calendar.invalidate)
    calendar.invalidate()
    return schedule_changed.send(sender=ScheduledYear, years=years)


def load_shipped(only_missing: bool = True) -> set[int]:
    """Seed the years the chinese-calendar package knows; an imported year is left as it is."""
    days, years = shipped_schedule()
    if only_missing:
        years -= set(ScheduledYear.objects.values_list("year", flat=True))
    if years:
        set_schedule({d: k for d, k in days.items() if d.year in years}, years, SHIPPED_SOURCE)
    return years
