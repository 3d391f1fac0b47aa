"""Keeping the daily per-unit figures (UnitDay) equal to the facts: the fold and the rebuild.

The month, year, channel and complaint tables (govwatch.figures.models) are rewritten with the
day rows, from the day's month and year on. Both recompute rows from the raw facts with the same
function, `compute`, over a set of units from a day on: the fold for the units the writers marked stale (`cases.StaleDay`, written in the
facts' own transaction), each from its earliest marked day; the rebuild (`govwatch report
rebuild`) for every unit from the beginning. A unit's rows before its recomputed day are kept:
nothing that changed can alter them (cases.stale says which day each change marks).

The overdue figure is a count at the end of a day, not a sum: each case contributes +1 on the first
day it is overdue, open and running at the day's end, and -1 on the first day it no longer is, by
exactly the rule `govwatch.reports.figures._overdue_open` applies to a period's last day (the due
date the case had then; a case suspended at the day's end does not count).

Marks are claimed per unit (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serialises
writers), so any number of workers, pages and commands may fold at once; a mark written while a unit
is being folded stays for the next fold.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncYear

from govwatch.cases.deadlines import due_date
from govwatch.cases.models import Case, StaleDay, Suspension
from govwatch.complaints import figures as complaint_figures
from govwatch.complaints.models import Complaint
from govwatch.core.bulk import insert_rows
from govwatch.core.localtime import local_date, local_tz, start_of_day
from govwatch.evaluations.models import Evaluation
from govwatch.workcal.calendar import WorkCalendar, get_calendar

from . import catalog
from .memo import bump
from .models import (
    UnitChannelMonth,
    UnitChannelYear,
    UnitComplaintMonth,
    UnitComplaintYear,
    UnitDay,
    UnitMonth,
    UnitYear,
)

# The columns of a row after (unit, day), in this order everywhere in this module.
VALUES = (
    "received", "completed", "completed_on_time", "level_5", "level_4", "level_3", "level_2", "level_1",
    "upheld_5", "upheld_4", "upheld_3", "upheld_2", "upheld_1", "evaluated", "actively_evaluated",
    "overdue_change",
)  # fmt: skip
_AT = {name: i for i, name in enumerate(VALUES)}
_LEVEL = {level: _AT[f"level_{level}"] for level in range(1, 6)}
_UPHELD = {level: _AT[f"upheld_{level}"] for level in range(1, 6)}
BEGINNING = date(1900, 1, 1)
# Units folded together: one set of queries for the lot, from the earliest day of the lot.
UNITS_PER_FOLD = 400

Rows = dict[tuple[int, date], list[int]]
# The channel table's rows: (unit, month's first day, channel) -> CHANNEL_VALUES.
CHANNEL_VALUES = (
    "level_5", "level_4", "level_3", "level_2", "level_1", "upheld_5", "upheld_4", "upheld_3", "upheld_2",
    "upheld_1",
)  # fmt: skip
ChannelRows = dict[tuple[int, date, str], list[int]]
# The complaint table's rows: (unit, month's first day) -> COMPLAINT_VALUES.
COMPLAINT_VALUES = complaint_figures.COUNTS
ComplaintRows = dict[tuple[int, date], list[int]]


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _month_day(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    return _day(value)


def overdue_spans(
    accepted_on: date,
    closed_on: date | None,
    stored_due: date,
    promised_days: int,
    suspensions: list[tuple[date, date | None, int]],
    cal: WorkCalendar,
) -> list[tuple[date, date | None]]:
    """The days [start, end) at whose end the case counts as overdue and open (end None: still).

    At the end of day d the case counts when it is open (accepted by d, not closed by d), not
    suspended (a suspension begun on or before d and not ended by d), and its due date then is
    before d: the stored due date, or, while a suspension begun after d is still to come, the due
    date from the suspensions ended by d (`suspensions`: local start and end dates, working days).
    """
    if not suspensions:
        start = max(accepted_on, stored_due + timedelta(days=1))
        if closed_on is not None and start >= closed_on:
            return []
        return [(start, closed_on)]
    points = {accepted_on, stored_due + timedelta(days=1)}
    for started, ended, _ in suspensions:
        points.add(started)
        if ended is not None:
            points.add(ended)
    if closed_on is not None:
        points.add(closed_on)
    last_start = max(started for started, _, _ in suspensions)
    bounds = sorted(p for p in points if p >= accepted_on and (closed_on is None or p <= closed_on))
    spans: list[tuple[date, date | None]] = []

    def counted(d: date, due_then: date) -> bool:
        if any(started <= d and (ended is None or ended > d) for started, ended, _ in suspensions):
            return False
        return stored_due < d or (last_start > d and due_then < d)

    def add(start: date, end: date | None) -> None:
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))

    for i, start in enumerate(bounds):
        if closed_on is not None and start >= closed_on:
            break
        end = bounds[i + 1] if i + 1 < len(bounds) else closed_on
        added = sum(days for _, ended, days in suspensions if ended is not None and ended <= start)
        due_then = due_date(cal, accepted_on, promised_days, added).date
        # Inside a segment only "due then < d" can change: at the day after that due date.
        pieces = [start]
        turn = due_then + timedelta(days=1)
        if start < turn and (end is None or turn < end):
            pieces.append(turn)
        for j, piece in enumerate(pieces):
            piece_end = pieces[j + 1] if j + 1 < len(pieces) else end
            if counted(piece, due_then):
                add(piece, piece_end)
    return spans


def compute(
    units: list[int] | None,
    since: date,
    channels: ChannelRows | None = None,
    complaints: ComplaintRows | None = None,
) -> Rows:
    """The rows of `units` (None: every unit) for the days from `since` on, from the raw facts.

    With `channels`, also fills it with the channel table's rows of the same units for the months
    from `since`'s month on (the whole of that month: a month's row is replaced whole), read in the
    same pass over the evaluations; with `complaints`, the complaint table's rows of those months."""
    rows: Rows = defaultdict(lambda: [0] * len(VALUES))
    cases = Case.objects.all() if units is None else Case.objects.filter(unit__in=units)
    if complaints is not None:
        complaints.update(complaint_months(units, since.replace(day=1)))

    for unit_id, day, n in (
        cases.filter(accepted_on__gte=since)
        .order_by()
        .values_list("unit", "accepted_on")
        .annotate(n=Count("pk"))
    ):
        rows[unit_id, _day(day)][_AT["received"]] += n
    for unit_id, day, done, on_time in (
        cases.filter(closed_on__gte=since, completed_on_time__isnull=False)
        .order_by()
        .values_list("unit", "closed_on")
        .annotate(done=Count("pk"), on_time=Count("pk", filter=Q(completed_on_time=True)))
    ):
        row = rows[unit_id, _day(day)]
        row[_AT["completed"]] += done
        row[_AT["completed_on_time"]] += on_time

    tz = local_tz()
    first = since if channels is None else since.replace(day=1)
    evaluations = Evaluation.objects.filter(at__gte=start_of_day(first, tz))
    if units is not None:
        evaluations = evaluations.filter(unit__in=units)
    by_channel: ChannelRows = defaultdict(lambda: [0] * len(CHANNEL_VALUES))
    for unit_id, at, level, upheld, channel, n in (
        evaluations.order_by()
        .values_list("unit", "at", "level", "appeal_upheld", "channel")
        .annotate(n=Count("pk"))
    ):
        day = local_date(at, tz)
        if channels is not None:
            counts = by_channel[unit_id, day.replace(day=1), channel]
            counts[5 - level] += n
            if upheld:
                counts[10 - level] += n
        if day < since:
            continue
        row = rows[unit_id, day]
        row[_LEVEL[level]] += n
        if upheld:
            row[_UPHELD[level]] += n
    if channels is not None:
        channels.update(by_channel)

    evaluated = Evaluation.objects.filter(case__closed_on__gte=since, case__completed_on_time__isnull=False)
    if units is not None:
        evaluated = evaluated.filter(case__unit__in=units)
    for unit_id, day, n, active in (
        evaluated.order_by()
        .values_list("case__unit", "case__closed_on")
        .annotate(n=Count("pk"), active=Count("pk", filter=Q(auto=False)))
    ):
        row = rows[unit_id, _day(day)]
        row[_AT["evaluated"]] += n
        row[_AT["actively_evaluated"]] += active

    _overdue_changes(cases, since, rows)
    return {key: values for key, values in rows.items() if any(values)}


def complaint_months(
    units: list[int] | None, first: date, complaints: QuerySet | None = None
) -> ComplaintRows:
    """The complaint table's rows of `units` (None: every unit) for the months from `first` (a
    month's first day) on, counted from the complaints (`complaints`: the model's rows to read)."""
    complaints = Complaint.objects.all() if complaints is None else complaints
    if units is not None:
        complaints = complaints.filter(unit__in=units)
    tz = local_tz()
    found = complaint_figures.counts_by_month(
        complaints, start_of_day(first, tz), lambda at: local_date(at, tz).replace(day=1)
    )
    return {key: values for key, values in found.items() if any(values)}


def _overdue_changes(cases, since: date, rows: Rows) -> None:
    """Add each case's +1/-1 overdue changes on the days from `since` on."""
    # Only a case open on some day from `since` on can change a count then; of those, only one still
    # open, closed after its due date, or ever suspended can be overdue at all.
    candidates = cases.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=since)).filter(
        Q(closed_on__isnull=True)
        | Q(closed_on__gt=F("due_date"))
        | Exists(Suspension.objects.filter(case=OuterRef("case_no")))
    )
    found = list(
        candidates.order_by().values_list(
            "case_no", "unit", "accepted_on", "closed_on", "due_date", "item__promised_days", "suspended_days"
        )
    )
    if not found:
        return
    tz = local_tz()
    suspended: dict[str, list[tuple[date, date | None, int]]] = defaultdict(list)
    for case_no, started_at, ended_at, workdays in (
        Suspension.objects.filter(case__in=candidates.values("case_no"))
        .order_by("started_at")
        .values_list("case", "started_at", "ended_at", "workdays")
    ):
        suspended[case_no].append(
            (local_date(started_at, tz), local_date(ended_at, tz) if ended_at else None, workdays)
        )
    cal = get_calendar()
    change = _AT["overdue_change"]
    for case_no, unit_id, accepted_on, closed_on, due, promised, _ in found:
        spans = overdue_spans(
            _day(accepted_on), _day(closed_on) if closed_on else None, _day(due), promised,
            suspended.get(case_no, []), cal,
        )  # fmt: skip
        for start, end in spans:
            if start >= since:
                rows[unit_id, start][change] += 1
            if end is not None and end >= since:
                rows[unit_id, end][change] -= 1


def _write(
    units: list[int] | None, since: date, rows: Rows, channels: ChannelRows, complaints: ComplaintRows
) -> None:
    """Replace the rows of `units` from `since` on, then their months from `since`'s month on, their
    channel and complaint rows of those months (`channels`, `complaints`, from `compute`), and
    their years from `since`'s year on. The rewrite is counted under `since` (govwatch.figures.memo:
    what was remembered of a period that ends on or after it is computed again)."""
    bump(since)
    adapt = connection.ops.adapt_datefield_value
    _replace(
        UnitDay, "day", units, since, ("unit_id", "day", *VALUES),
        [(unit_id, adapt(day), *values) for (unit_id, day), values in sorted(rows.items())],
    )  # fmt: skip
    first = since.replace(day=1)
    _write_months(units, first)
    _replace(
        UnitChannelMonth, "month", units, first, ("unit_id", "month", "channel", *CHANNEL_VALUES),
        [(unit_id, adapt(month), channel, *values) for (unit_id, month, channel), values in sorted(channels.items())],
    )  # fmt: skip
    _replace(
        UnitComplaintMonth, "month", units, first, ("unit_id", "month", *COMPLAINT_VALUES),
        [(unit_id, adapt(month), *values) for (unit_id, month), values in sorted(complaints.items())],
    )  # fmt: skip
    write_years(units, since.replace(month=1, day=1))


def _replace(
    model, column: str, units: list[int] | None, first: date, columns: tuple[str, ...], rows: list[tuple]
) -> None:
    """Replace the rows of `model` of `units` (None: every unit) whose date `column` is `first` or
    later with `rows` (values of `columns`)."""
    replaced = model.objects.filter(**{f"{column}__gte": first})
    if units is not None:
        replaced = replaced.filter(unit__in=units)
    replaced.delete()
    with connection.cursor() as cursor:
        insert_rows(cursor, model, columns, rows)


def _sum_into(
    fine,
    coarse,
    field: str,
    trunc,
    keys: tuple[str, ...],
    values: tuple[str, ...],
    units: list[int] | None,
    first: date,
) -> None:
    """Replace `coarse`'s rows from `first` on (its date column `field`) by the sums of `fine`'s rows,
    whose date column is named by `fine`'s own period (day or month) and cut by `trunc`."""
    fine_field = "day" if fine is UnitDay else "month"
    replaced = coarse._default_manager.filter(**{f"{field}__gte": first})
    source = fine._default_manager.filter(**{f"{fine_field}__gte": first})
    if units is not None:
        replaced, source = replaced.filter(unit__in=units), source.filter(unit__in=units)
    replaced.delete()
    summed = (
        source.annotate(period=trunc(fine_field))
        .order_by()
        .values_list("unit", "period", *keys)
        .annotate(*[Sum(name) for name in values])
    )
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        insert_rows(
            cursor,
            coarse,
            ("unit_id", field, *keys, *values),
            [(unit_id, adapt(_month_day(period)), *rest) for unit_id, period, *rest in summed],
        )


def _write_months(units: list[int] | None, first: date) -> None:
    """The months from `first` on, summed from the day rows (the earlier days of `first`'s month too)."""
    _sum_into(UnitDay, UnitMonth, "month", TruncMonth, (), VALUES, units, first)


# Each month table and the year table summed from it: (month model, year model, key columns, values).
YEAR_TABLES = (
    (UnitMonth, UnitYear, (), VALUES),
    (UnitChannelMonth, UnitChannelYear, ("channel",), CHANNEL_VALUES),
    (UnitComplaintMonth, UnitComplaintYear, (), COMPLAINT_VALUES),
)


def write_years(units: list[int] | None, first: date, tables=YEAR_TABLES) -> None:
    """The years from `first` (a year's first day) on of each year table, summed from its month rows."""
    for month_model, year_model, keys, values in tables:
        _sum_into(month_model, year_model, "year", TruncYear, keys, values, units, first)


def refresh(units: list[int], since: date) -> int:
    """Recompute and store the rows of `units` from `since` on; returns the rows written."""
    channels: ChannelRows = {}
    complaints: ComplaintRows = {}
    rows = compute(units, since, channels, complaints)
    with transaction.atomic():
        _write(units, since, rows, channels, complaints)
    return len(rows)


def fold(limit_units: int | None = None) -> dict[str, int]:
    """Fold the stale marks: recompute each marked unit from its earliest marked day.

    Returns {"units": folded, "rows": written}. `limit_units` bounds one call (the worker's turn).
    """
    done = {"units": 0, "rows": 0}
    while limit_units is None or done["units"] < limit_units:
        batch = UNITS_PER_FOLD if limit_units is None else min(UNITS_PER_FOLD, limit_units - done["units"])
        with transaction.atomic():
            marks = StaleDay.objects.order_by("unit_id", "day")
            if connection.features.has_select_for_update_skip_locked:
                marks = marks.select_for_update(skip_locked=True)
            # The lot: the marks of the first `batch` units; each unit from its earliest day.
            claimed = list(marks.values_list("pk", "unit_id", "day")[: batch * 4])
            if not claimed:
                return done
            earliest: dict[int, date] = {}
            for _, unit_id, day in claimed:
                if unit_id not in earliest and len(earliest) >= batch:
                    continue
                earliest[unit_id] = min(day, earliest.get(unit_id, day))
            pks = [pk for pk, unit_id, _ in claimed if unit_id in earliest]
            units = sorted(earliest)
            # Marks of these units beyond the ones read are folded by this turn too.
            pks += StaleDay.objects.filter(unit__in=units).exclude(pk__in=pks).values_list("pk", flat=True)
            since = min(earliest.values())
            channels: ChannelRows = {}
            complaints: ComplaintRows = {}
            rows = compute(units, since, channels, complaints)
            _write(units, since, rows, channels, complaints)
            StaleDay.objects.filter(pk__in=pks).delete()
        done["units"] += len(units)
        done["rows"] += len(rows)
    return done


def rebuild() -> dict[str, float | int]:
    """Every row recomputed from the raw facts (`govwatch report rebuild`); the marks cleared."""
    began = time.perf_counter()
    with transaction.atomic():
        StaleDay.objects.all().delete()
        channels: ChannelRows = {}
        complaints: ComplaintRows = {}
        rows = compute(None, BEGINNING, channels, complaints)
        for model in (
            UnitDay,
            UnitMonth,
            UnitChannelMonth,
            UnitComplaintMonth,
            *(year for _, year, _, _ in YEAR_TABLES),
        ):
            model.objects.all().delete()
        _write(None, BEGINNING, rows, channels, complaints)
        catalog.rebuild()
    return {"rows": len(rows), "seconds": round(time.perf_counter() - began, 2)}


def pending() -> bool:
    return StaleDay.objects.exists()


def stale_units() -> Iterable[int]:
    return StaleDay.objects.values_list("unit_id", flat=True).distinct()


def freshness() -> str:
    """A token of the state of the figures: it changes whenever a writer marks a day (the newest
    mark's id) and whenever a fold writes (the fold replaces the units' month rows, which take new
    ids, never reused). What was computed from the figures under one token is stale under another."""
    newest_mark = StaleDay.objects.order_by("-pk").values_list("pk", flat=True).first()
    newest_month = UnitMonth.objects.order_by("-pk").values_list("pk", flat=True).first()
    return f"{newest_month or 0}:{newest_mark or 0}"
