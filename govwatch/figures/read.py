"""Reading the pre-computed figures: one unit, a subtree rolled up, a level of the tree at a time.

    figures_for(unit, date_from, date_to, rollup=True) -> dict   # the columns of `report kpi`
    level_rows(parent, date_from, date_to, units_qs) -> LevelRows  # a unit's children, own and 含下级
    unit_counts(period, only) -> {unit_id: counts}               # what govwatch.reports.figures sums
    channel_counts(period, only) -> {channel: counts}            # evaluations by channel and level
    complaint_table(period, only) -> UnitTable                   # complaint counts per unit

Every function returns the rows of `govwatch report kpi` (govwatch.figures.rows.row: unit_code,
unit_name, then the figures in the contract's order), equal to those counted from the raw rows
(`govwatch.reports.figures.kpi_rows_raw`). The case and evaluation figures are signed sums of
UnitYear, UnitMonth and UnitDay rows (`pieces`: a year or a month the period covers or nearly
covers is one row per unit; the overdue count: of the changes up to its last day); the catalog's
from the counts kept per unit (govwatch.figures.catalog), the negative-review loop's read live
(tasks are few). A roll-up (含下级) is
the sum over the unit's subtree, found by the materialised path: no raw case is read. The
evaluations by channel (`channel_counts`) and the complaint counts (`complaint_table`) are read
from their year and month tables the same way, the days a period cuts off a month from the raw
rows.

Before reading, the stale marks left by writers are folded (govwatch.figures.fold), so a figure
read right after an import or an evaluation already counts it; the worker's job normally leaves
nothing to fold.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

import numpy as np
from django.db.models import Count, QuerySet, Sum

from govwatch.complaints import figures as complaint_figures
from govwatch.core.bulk import plain_rows
from govwatch.core.localtime import end_of_day, start_of_day
from govwatch.core.tree import subtree
from govwatch.evaluations.models import Evaluation
from govwatch.evaluations.rules import negative_levels
from govwatch.orgs.models import Unit

from .catalog import catalog_table
from .fold import CHANNEL_VALUES, COMPLAINT_VALUES, fold, pending
from .memo import remembered_many
from .models import (
    UnitChannelMonth,
    UnitChannelYear,
    UnitComplaintMonth,
    UnitComplaintYear,
    UnitDay,
    UnitMonth,
    UnitYear,
)
from .rows import COUNTS, Period, row, task_table
from .tables import UnitTable
from .under import Under

_LEVELS = {5: "level_5", 4: "level_4", 3: "level_3", 2: "level_2", 1: "level_1"}
_UPHELD = {5: "upheld_5", 4: "upheld_4", 3: "upheld_3", 2: "upheld_2", 1: "upheld_1"}
_SUMMED = ("received", "completed", "completed_on_time", *_LEVELS.values(), "evaluated", "actively_evaluated")


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


DAY, MONTH, YEAR = "day", "month", "year"
# What a piece costs to read, about: rows per unit of a province (a unit has a row on a day or in
# a month only when something happened then: a month's rows are about half its units, a day's a
# fifth, a year's nearly all of them).
_COST = {DAY: 0.2, MONTH: 0.5, YEAR: 1.0}


@dataclass(frozen=True)
class Piece:
    """A part of a period read from the aggregates: the rows of `level` (DAY, MONTH or YEAR) from
    `first` to `last` (for months and years, their first days); `sign` -1 when subtracted."""

    sign: int
    level: str
    first: date
    last: date

    @property
    def cost(self) -> float:
        if self.level == YEAR:
            return _COST[YEAR]
        if self.level == MONTH:
            return _COST[MONTH] * (
                (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
            )
        return _COST[DAY] * ((self.last - self.first).days + 1)


def pieces(period: Period) -> list[Piece]:
    """The period as year, month and day rows whose signed sums are its counts.

    Each calendar year the period touches is read whichever way costs fewer rows: its months and
    days inside the period (`_month_pieces`), or its year row minus the months and days outside
    the period. So the year so far, read late in the year, is its year row (no month after today
    has a row), and a whole year one row per unit.
    """
    out: list[Piece] = []
    for year in range(period.date_from.year, period.date_to.year + 1):
        start, end = date(year, 1, 1), date(year, 12, 31)
        first, last = max(start, period.date_from), min(end, period.date_to)
        inside = _month_pieces(first, last, 1)
        outside = [Piece(1, YEAR, start, start)]
        if first > start:
            outside += _month_pieces(start, first - timedelta(days=1), -1)
        if last < end:
            outside += _month_pieces(last + timedelta(days=1), end, -1)
        out += min(inside, outside, key=lambda parts: sum(p.cost for p in parts))
    return out


def _month_pieces(date_from: date, date_to: date, sign: int) -> list[Piece]:
    """[date_from, date_to], inside one year, as month rows and day rows whose sums times `sign` are
    its counts.

    A month wholly inside is its month row. A month the period cuts is its month row minus the day
    rows of the days outside the period when those are fewer than the days inside (the month so
    far, read on its last days, is its month row and nothing else: no day after today has a row),
    else the day rows of the days inside. So a month costs one row per unit, however it is cut.
    """
    out: list[Piece] = []

    def whole(month: date) -> None:
        # Next to the month before: one range of month rows.
        if out and out[0].level == MONTH and _next_month(out[0].last) == month:
            out[0] = Piece(sign, MONTH, out[0].first, month)
        else:
            out.insert(0, Piece(sign, MONTH, month, month))

    month = date_from.replace(day=1)
    while month <= date_to:
        end = _next_month(month) - timedelta(days=1)
        first, last = max(month, date_from), min(end, date_to)
        inside = (last - first).days + 1
        if inside == (end - month).days + 1:
            whole(month)
        elif (end - month).days + 1 - inside < inside:
            whole(month)
            if first > month:
                out.append(Piece(-sign, DAY, month, first - timedelta(days=1)))
            if last < end:
                out.append(Piece(-sign, DAY, last + timedelta(days=1), end))
        else:
            out.append(Piece(sign, DAY, first, last))
        month = _next_month(month)
    return out


# The rows of each level of the case and evaluation counts (UnitDay, UnitMonth, UnitYear), of the
# channel table and of the complaint table: model and its date column.
_TABLES = {
    "counts": {DAY: (UnitDay, "day"), MONTH: (UnitMonth, "month"), YEAR: (UnitYear, "year")},
    "channels": {MONTH: (UnitChannelMonth, "month"), YEAR: (UnitChannelYear, "year")},
    "complaints": {MONTH: (UnitComplaintMonth, "month"), YEAR: (UnitComplaintYear, "year")},
}


def _rows(table: str, piece: Piece) -> QuerySet:
    """The rows of `table` that `piece` reads."""
    model, column = _TABLES[table][piece.level]
    if piece.first == piece.last:
        # One year, month or day as an equality: SQLite then reads a GROUP BY on the next column of
        # the period's index (the channel) in index order, without sorting (a province's year of
        # channel rows: 26-30 ms against 45-69 ms for the same range written BETWEEN).
        return model.objects.filter(**{column: piece.first})
    return model.objects.filter(**{f"{column}__range": (piece.first, piece.last)})


def _parts(
    period: Period, only: QuerySet | list[int] | None
) -> tuple[list[tuple[Piece, QuerySet]], list[tuple[int, QuerySet]]]:
    """The rows whose signed sums are the period's counts (`pieces`: (piece, rows)) and those whose
    signed overdue changes add up to the count at the period's end ((sign, rows)); the marks folded
    first."""
    if pending():
        fold()
    parts = [(piece, _rows("counts", piece)) for piece in pieces(period)]
    last = period.date_to
    this_month = last.replace(day=1)
    this_year = this_month.replace(month=1)
    month_end = _next_month(this_month) - timedelta(days=1)
    # Every change up to the last day: the years before, then the months of its year, then its
    # month's days; or, when the period ends on or near the end of its month, that month's row less
    # the days after the last (none after today: the month so far is its row alone).
    changes = [(1, UnitYear.objects.filter(year__lt=this_year))]
    if (month_end - last).days < last.day:
        changes.append((1, UnitMonth.objects.filter(month__range=(this_year, this_month))))
        if last < month_end:
            changes.append((-1, UnitDay.objects.filter(day__range=(last + timedelta(days=1), month_end))))
    else:
        before = this_month - timedelta(days=1)
        changes.append((1, UnitMonth.objects.filter(month__range=(this_year, before))))
        changes.append((1, UnitDay.objects.filter(day__range=(this_month, last))))
    changes = [(sign, rows.exclude(overdue_change=0)) for sign, rows in changes]
    if only is not None:
        parts = [(piece, rows.filter(unit__in=only)) for piece, rows in parts]
        changes = [(sign, rows.filter(unit__in=only)) for sign, rows in changes]
    return parts, changes


# The counts of the cases and evaluations: the first of the rows' counts (the catalog's and the
# negative loop's follow).
UNIT_COUNTS = COUNTS[: COUNTS.index("actively_evaluated") + 1]
_READ = ("received", "completed", "completed_on_time", *_LEVELS.values(), *_UPHELD.values(), "evaluated",
         "actively_evaluated")  # fmt: skip


def _read_table(period: Period, only: QuerySet | list[int] | None, under: Under | None = None) -> UnitTable:
    """The summed columns (_READ) of each unit in the period and its overdue count at the period's
    end (overdue_open), read from the aggregates as `pieces` says. With `under`, those of its
    parent's subtree summed by the unit shown (`only` not read)."""
    parts, changes = _parts(period, None if under is not None else only)
    rows: list[tuple] = []
    for piece, part in parts:
        if under is not None:
            found = _lines(under.table(part, ranged=piece.first != piece.last, **{n: Sum(n) for n in _READ}))
        else:
            found = _unit_rows(part, piece, _READ)
        rows += found if piece.sign == 1 else [(unit, *[-n for n in values]) for unit, *values in found]
    sums = UnitTable.of(_READ, rows)
    # Summed here, not grouped in SQL: SQLite then reads the few rows that carry a change from their
    # own index instead of walking the table in unit order (0.08 s against 3.6 s on a province).
    moved: list[tuple] = []
    for sign, part in changes:
        if under is not None:
            found = _lines(under.table(part, ranged=True, overdue_open=Sum("overdue_change")))
        else:
            found = plain_rows(part.order_by().values_list("unit", "overdue_change"))
        moved += found if sign == 1 else [(unit, -n) for unit, n in found]
    return sums.joined(UnitTable.of(("overdue_open",), moved))


def _lines(table: UnitTable) -> list[tuple]:
    """The (unit, *counts) lines of a table, to be added up with others by UnitTable.of."""
    return [(unit, *values) for unit, values in zip(table.ids.tolist(), table.values.tolist(), strict=True)]


def _ids(only: QuerySet | list[int] | None) -> np.ndarray | None:
    """The unit ids of a readers' `only` (a queryset of `pk` values or a list; None: every unit)."""
    if only is None:
        return None
    if isinstance(only, QuerySet):
        return np.array([pk for (pk,) in plain_rows(only.order_by().values_list("pk"))], dtype=np.int64)
    return np.array(list(only), dtype=np.int64)


def _remembered(kind: str, periods: list[Period], only, compute) -> list[UnitTable]:
    """The table of `kind` of the units `only` for each period as govwatch.figures.memo keeps it
    (`compute(period, only)` when the period's days were folded since). Kept per set of units (a
    user's scope: the region, a subtree), named by a digest of their ids, so a scope whose units
    changed is computed afresh."""
    if pending():
        fold()
    ids = _ids(only)
    scope = "all" if ids is None else hashlib.sha256(np.sort(ids).tobytes()).hexdigest()[:24]
    wanted = [
        (
            f"{kind}:{scope}:{p.date_from.isoformat()}:{p.date_to.isoformat()}",
            p.date_to,
            partial(compute, p, only),
        )
        for p in periods
    ]
    return remembered_many(wanted)


def _summed(period: Period, only: QuerySet | list[int] | None) -> UnitTable:
    """The columns of `_read_table` summed over the units `only`: one line (unit 0)."""
    table = _read_table(period, only)
    return UnitTable(table.names, np.zeros(1, np.int64), table.values.sum(axis=0).reshape(1, -1))


def unit_table(period: Period, only: QuerySet | list[int] | None, *, remember: bool = False) -> UnitTable:
    """The case and evaluation counts (UNIT_COUNTS) of each unit, its own, not its sub-units', in
    the period, as columns. `only`: the units' ids (a queryset of `pk` values or a list), None for
    every unit. Read from UnitMonth and UnitDay as `pieces` says (a unit whose rows cancel out
    has a line of zeros). With `remember`, the counts of these units in the period are kept
    between calls (govwatch.figures.memo: for a past period, read again and again by the screens)."""
    if remember:
        (read,) = _remembered("units", [period], only, _read_table)
    else:
        read = _read_table(period, only)
    return _derived(read)


def _derived(read: UnitTable) -> UnitTable:
    """UNIT_COUNTS from the columns `_read_table` reads (sums of them: a roll-up's are its units')."""
    ids = read.ids
    column = {name: read.values[:, i] for i, name in enumerate(read.names)}
    negative_levels_ = [level for level in negative_levels() if level in _LEVELS]
    evaluations = sum(column[name] for name in _LEVELS.values())
    # The national rule: a negative review whose appeal was upheld is not counted as negative;
    # the report says how many were left out. Neither is it counted as satisfied.
    excluded = sum((column[_UPHELD[level]] for level in negative_levels_), np.zeros(len(ids), np.int64))
    negative = sum((column[_LEVELS[level]] for level in negative_levels_), np.zeros(len(ids), np.int64))
    negative = negative - excluded
    values = (
        np.column_stack(
            [
                column["received"],
                column["completed"],
                column["completed_on_time"],
                column["overdue_open"],
                evaluations,
                evaluations - negative - excluded,
                negative,
                excluded,
                column["evaluated"],
                column["actively_evaluated"],
            ]
        )
        .astype(np.int64)
        .reshape(len(ids), len(UNIT_COUNTS))
    )
    return UnitTable(UNIT_COUNTS, ids, values)


def unit_counts(period: Period, only: QuerySet | list[int] | None) -> dict[int, dict[str, int]]:
    """`unit_table` as {unit id: {count: n}}."""
    return unit_table(period, only).as_dicts()


def unit_filter(units: QuerySet[Unit] | None) -> QuerySet | None:
    """The `only` of the readers for `units`: None (no unit filter at all) when they are every unit,
    as a region's office sees them, else their ids."""
    if units is None or units.count() == Unit.objects.count():
        return None
    return units.values("pk")


def channel_counts_raw(
    date_from: date, date_to: date, only: QuerySet | list[int] | None
) -> dict[str, list[int]]:
    """The evaluations whose `at` is in [date_from, date_to] of the units `only` (None: every unit),
    counted from the raw rows: {channel: CHANNEL_VALUES}."""
    evaluations = Evaluation.objects.filter(at__gte=start_of_day(date_from), at__lt=end_of_day(date_to))
    if only is not None:
        evaluations = evaluations.filter(unit__in=only)
    out: dict[str, list[int]] = {}
    for channel, level, upheld, n in (
        evaluations.order_by().values_list("channel", "level", "appeal_upheld").annotate(n=Count("pk"))
    ):
        counts = out.setdefault(channel, [0] * len(CHANNEL_VALUES))
        counts[5 - level] += n
        if upheld:
            counts[10 - level] += n
    return out


def channel_counts(period: Period, only: QuerySet | list[int] | None) -> dict[str, list[int]]:
    """`channel_counts_raw` of the period, from the channel table's year and month rows
    (UnitChannelYear, UnitChannelMonth) as `pieces` cuts the period: the days of a month it cuts
    are counted from the raw evaluations (a few days of them)."""
    if pending():
        fold()
    out: dict[str, list[int]] = {}

    def add(found: dict[str, list[int]], sign: int) -> None:
        for channel, values in found.items():
            counts = out.setdefault(channel, [0] * len(CHANNEL_VALUES))
            for i, n in enumerate(values):
                counts[i] += sign * n

    for piece in pieces(period):
        if piece.level != DAY:
            rows = _rows("channels", piece)
            if only is not None:
                rows = rows.filter(unit__in=only)
            summed = rows.order_by().values_list("channel").annotate(*[Sum(name) for name in CHANNEL_VALUES])
            add({channel: [n or 0 for n in values] for channel, *values in plain_rows(summed)}, piece.sign)
        else:
            add(channel_counts_raw(piece.first, piece.last, only), piece.sign)
    # A channel whose month rows and days outside cancel out had no evaluation in the period.
    return {channel: values for channel, values in out.items() if any(values)}


def complaint_table(
    period: Period, only: QuerySet | list[int] | None, *, remember: bool = False, under: Under | None = None
) -> UnitTable:
    """The complaint counts (COMPLAINT_VALUES: govwatch.complaints.figures.COUNTS) of each unit in the
    period, equal to `complaints.figures.counts`: from the complaint table's year and month rows
    (UnitComplaintYear, UnitComplaintMonth) as `pieces` cuts the period, the days of a month it
    cuts counted from the complaints themselves. `remember`: as `unit_table`'s. With `under`, those
    of its parent's subtree summed by the unit shown (`only` not read)."""
    if remember:
        return _remembered("complaints", [period], only, complaint_table)[0]
    if pending():
        fold()
    if under is not None:
        only = None if under.whole else under.rows(Unit.objects.all(), "").values("pk")
    rows: list[tuple] = []
    for piece in pieces(period):
        if piece.level == DAY:
            days = Period(piece.first, piece.last)
            found = [
                (unit_id, *[c.get(name, 0) for name in COMPLAINT_VALUES])
                for unit_id, c in complaint_figures.counts(days.start, days.end, only).items()
            ]
            if under is not None:
                found = _lines(under.rolled(UnitTable.of(COMPLAINT_VALUES, found)))
        elif under is not None:
            ranged = piece.first != piece.last
            part = _rows("complaints", piece)
            found = _lines(under.table(part, ranged=ranged, **{n: Sum(n) for n in COMPLAINT_VALUES}))
        else:
            part = _rows("complaints", piece)
            if only is not None:
                part = part.filter(unit__in=only)
            found = _unit_rows(part, piece, COMPLAINT_VALUES)
        rows += found if piece.sign == 1 else [(unit, *[-n for n in values]) for unit, *values in found]
    return UnitTable.of(COMPLAINT_VALUES, rows)


def _unit_rows(part: QuerySet, piece: Piece, names: tuple[str, ...]) -> list[tuple]:
    """(unit, *names) of the rows `part` of `piece`, one per unit: a single month or year (or day)
    is one row per unit already, read without grouping (half the time)."""
    if piece.first == piece.last:
        return plain_rows(part.order_by().values_list("unit", *names))
    summed = plain_rows(part.order_by().values_list("unit").annotate(*[Sum(name) for name in names]))
    return [(unit, *[n or 0 for n in values]) for unit, *values in summed]


def scope_totals(date_from: date, date_to: date, units: QuerySet[Unit] | None) -> dict[str, int]:
    """The additive counts of `units` together (a user's scope; None: the whole region) over the
    period: received, completed, completed_on_time, level_5..level_1, evaluated, actively_evaluated,
    upheld_5..upheld_1 (`remembered_totals`: the same kept between calls)."""
    only = None if units is None or units.count() == Unit.objects.count() else units.values("pk")
    summed = (*_SUMMED, *_UPHELD.values())
    parts, _ = _parts(Period(date_from, date_to), only)
    totals = dict.fromkeys(summed, 0)
    # One sum per part over all the units: no grouping, no row per unit.
    for piece, rows in parts:
        for name, n in rows.aggregate(**{name: Sum(name) for name in summed}).items():
            totals[name] += piece.sign * (n or 0)
    return totals


def remembered_totals(periods: list[Period], units: QuerySet[Unit] | None) -> list[dict[str, int]]:
    """`scope_totals` of each period, the sums of its units' counts kept between calls
    (govwatch.figures.memo): the trend of a screen, whose months are over."""
    only = None if units is None or units.count() == Unit.objects.count() else units.values("pk")
    summed = (*_SUMMED, *_UPHELD.values())
    return [
        {name: int(table.column(name).sum()) for name in summed}
        for table in _remembered("totals", periods, only, _summed)
    ]


def _all_table(period: Period, only: QuerySet | list[int] | None, under: Under | None = None) -> UnitTable:
    """Every count of the rows (COUNTS) of each unit: its own, not its sub-units'; with `under`, of
    its parent (its own) and of each child (含下级)."""
    if under is not None:
        read = _derived(_read_table(period, None, under))
        table = read.joined(catalog_table(None, under), task_table(period, None, under))
    else:
        table = unit_table(period, only).joined(catalog_table(only), task_table(period, only))
    return UnitTable(COUNTS, table.ids, np.column_stack([table.column(name) for name in COUNTS]))


def _row_of(code: str, name: str, table: UnitTable, values: np.ndarray) -> dict[str, Any]:
    return row(code, name, dict(zip(table.names, values.tolist(), strict=True)))


def figures_for(unit: Unit, date_from: date, date_to: date, rollup: bool = True) -> dict[str, Any]:
    """The `report kpi` row of `unit` for [date_from, date_to]: its own figures, or with rollup its
    subtree's (the unit and every unit below it, as `report kpi --unit CODE` totals them)."""
    period = Period(date_from, date_to)
    only = Unit.objects.filter(subtree(unit.path)).values("pk") if rollup else [unit.pk]
    table = _all_table(period, only)
    return _row_of(unit.code, unit.name, table, table.values.sum(axis=0))


@dataclass
class LevelRow:
    unit: Unit
    own: dict[str, Any]  # the unit's own figures
    rolled: dict[str, Any]  # 含下级: the unit and its whole subtree
    has_children: bool


@dataclass
class LevelRows:
    parent: Unit | None  # None: the top of what the user sees
    parent_own: dict[str, Any] | None
    total: dict[str, Any]  # every unit shown, rolled up: the parent's 含下级 figures
    rows: list[LevelRow]
    # Under a parent, the figures are summed in SQL by the unit shown (`under`, the rows' unit ids);
    # at the top of several trees, every unit's are read and rolled up here: the units shown (sorted
    # ids) and, for each, the row whose roll-up holds it (-1: none), and the readers' `only`.
    under: Under | None = field(default=None, repr=False)
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    only: QuerySet | None = field(default=None, repr=False)
    scope_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    row_of: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)

    def read(self, reader: Callable[..., UnitTable]) -> tuple[np.ndarray, np.ndarray]:
        """Other counts rolled up like the rows: a matrix with a line per row (its 含下级 sums) and
        the total of every unit shown. `reader(only, under=...)` reads them as this module's
        readers do (e.g. `partial(complaint_table, period)`)."""
        if self.under is not None:
            table = reader(None, under=self.under)
            return table.on(self.ids), table.values.sum(axis=0)
        return self.roll_up(reader(self.only))

    def roll_up(self, table: UnitTable) -> tuple[np.ndarray, np.ndarray]:
        """Any per-unit counts rolled up like the rows (at the top of several trees)."""
        at = np.minimum(np.searchsorted(self.scope_ids, table.ids), max(len(self.scope_ids) - 1, 0))
        shown = (self.scope_ids[at] == table.ids) if len(self.scope_ids) else np.zeros(len(table), bool)
        target = np.where(shown, self.row_of[at] if len(self.row_of) else -1, -1)
        rolled = np.zeros((len(self.rows), len(table.names)), np.int64)
        placed = target >= 0
        np.add.at(rolled, target[placed], table.values[placed])
        return rolled, table.values[shown].sum(axis=0)


def level_rows(parent: Unit | None, date_from: date, date_to: date, units_qs: QuerySet[Unit]) -> LevelRows:
    """One level of the tree: the children of `parent` that `units_qs` holds (with no parent, the
    topmost units of `units_qs`), each with its own figures and its roll-up (含下级), and the total.

    Under a parent (whose whole subtree `units_qs` holds: a user's scope is a subtree), each kind of
    figure is two grouped queries, whatever the number of units below: the roll-ups summed in SQL
    by the child each unit lies under (govwatch.figures.under), and the own figures of the units
    shown. Only the rows shown are read, so a province's root costs what a street's does.
    """
    period = Period(date_from, date_to)
    if parent is None:
        return _top_rows(period, units_qs)
    children = list(units_qs.filter(parent=parent).order_by("path"))
    ids = np.array([child.pk for child in children], dtype=np.int64)
    under = Under.of(parent, children)
    rolled_table = _all_table(period, None, under)
    own_table = _all_table(period, [parent.pk, *ids.tolist()])
    rolled, own = rolled_table.on(ids), own_table.on(ids)
    with_children = set(
        units_qs.filter(parent__in=ids.tolist()).order_by().values_list("parent", flat=True).distinct()
    )
    rows = [
        LevelRow(
            unit=child,
            own=_row_of(child.code, child.name, own_table, own[i]),
            rolled=_row_of(child.code, child.name, rolled_table, rolled[i]),
            has_children=child.pk in with_children,
        )
        for i, child in enumerate(children)
    ]
    return LevelRows(
        parent=parent,
        parent_own=_row_of(parent.code, parent.name, own_table, own_table.on(np.array([parent.pk]))[0]),
        total=_row_of(parent.code, parent.name, rolled_table, rolled_table.values.sum(axis=0)),
        rows=rows,
        under=under,
        ids=ids,
    )


def _top_rows(period: Period, units_qs: QuerySet[Unit]) -> LevelRows:
    """`level_rows` without a parent: the topmost units of `units_qs` (several trees), from every
    unit's figures rolled up here."""
    found = plain_rows(units_qs.order_by().values_list("pk", "path", "parent"))
    paths = {pk: path for pk, path, _parent in found}
    level_qs = Unit.objects.filter(pk__in=_tops(paths, {pk: parent for pk, _path, parent in found}))
    children = list(level_qs.order_by("path"))
    # The whole region needs no unit filter (every case has a unit); anything less is filtered.
    only = None if len(paths) == Unit.objects.count() else units_qs.values("pk")
    table = _all_table(period, only)
    scope_ids, row_of = _runs_of(paths, [child.path for child in children])
    level = LevelRows(
        parent=None, parent_own=None, total={}, rows=[], only=only, scope_ids=scope_ids, row_of=row_of
    )
    level.rows = [LevelRow(unit=child, own={}, rolled={}, has_children=False) for child in children]
    rolled, total = level.roll_up(table)
    own = table.on(np.array([child.pk for child in children], dtype=np.int64))
    parents_with_children = set(
        units_qs.filter(parent__in=level_qs.values("pk"))
        .order_by()
        .values_list("parent", flat=True)
        .distinct()
    )
    for i, (entry, child) in enumerate(zip(level.rows, children, strict=True)):
        entry.own = _row_of(child.code, child.name, table, own[i])
        entry.rolled = _row_of(child.code, child.name, table, rolled[i])
        entry.has_children = child.pk in parents_with_children
    level.total = _row_of("total", "合计", table, total)
    return level


def _runs_of(paths: dict[int, str], tops: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The ids of `paths` ({unit id: path}) sorted, and for each the index in `tops` of the path
    its own begins with (-1: none). Paths that begin alike are one run in path order, so each of the
    few tops is two binary searches, not a look-up per unit (16,335 on a province)."""
    order = sorted(paths, key=paths.__getitem__)
    ordered = [paths[pk] for pk in order]
    top_of = np.full(len(order), -1, np.int64)
    for i, top in enumerate(tops):
        # Every path that begins with `top` sorts from it to just before its last character plus one.
        first = bisect_left(ordered, top)
        top_of[first : bisect_left(ordered, top[:-1] + chr(ord(top[-1]) + 1), first)] = i
    ids = np.array(order, dtype=np.int64)
    by_id = np.argsort(ids, kind="stable")
    return ids[by_id], top_of[by_id]


def _tops(paths: dict[int, str], parents: dict[int, int | None]) -> list[int]:
    """The units none of whose ancestors is among `paths`. A unit whose parent is shown is not one:
    only the others (a few, at the top) have their ancestors looked up."""
    shown = set(paths.values())
    tops = []
    for pk, path in paths.items():
        if parents[pk] in paths:
            continue
        codes = path.strip("/").split("/")
        ancestors = {"/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes))}
        if not ancestors & shown:
            tops.append(pk)
    return tops
