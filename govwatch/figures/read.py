"""Reading the pre-computed figures: one unit, a subtree rolled up, a level of the tree at a time.

    figures_for(unit, date_from, date_to, rollup=True) -> dict   # the columns of `report kpi`
    level_rows(parent, date_from, date_to, units_qs) -> LevelRows  # a unit's children, own and 含下级
    unit_counts(period, only) -> {unit_id: counts}               # what govwatch.reports.figures sums

Every function returns the rows of `govwatch report kpi` (govwatch.figures.rows.row: unit_code,
unit_name, then the figures in the contract's order), equal to those counted from the raw rows
(`govwatch.reports.figures.kpi_rows_raw`). The case and evaluation figures are sums of UnitDay rows
over the period's days (the overdue count: of the changes up to its last day); the catalog and the
negative-review loop's figures are read live (items and tasks are few). A roll-up (含下级) is the
sum over the unit's subtree, found by the materialised path: no raw case is read.

Before reading, the stale marks left by writers are folded (govwatch.figures.fold), so a figure
read right after an import or an evaluation already counts it; the worker's job normally leaves
nothing to fold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db.models import QuerySet, Sum

from govwatch.core.bulk import plain_rows
from govwatch.core.tree import subtree
from govwatch.evaluations.rules import negative_levels
from govwatch.orgs.models import Unit

from .fold import fold, pending
from .models import UnitDay, UnitMonth
from .rows import COUNTS, Period, item_table, row, task_table
from .tables import UnitTable

_LEVELS = {5: "level_5", 4: "level_4", 3: "level_3", 2: "level_2", 1: "level_1"}
_UPHELD = {5: "upheld_5", 4: "upheld_4", 3: "upheld_3", 2: "upheld_2", 1: "upheld_1"}
_SUMMED = ("received", "completed", "completed_on_time", *_LEVELS.values(), "evaluated", "actively_evaluated")


def _whole_months(period: Period) -> tuple[date, date] | None:
    """The first days of the first and last calendar months wholly inside the period, if any."""
    first = period.date_from if period.date_from.day == 1 else _next_month(period.date_from)
    after = _next_month(period.date_to)
    last = after if after - timedelta(days=1) == period.date_to else period.date_to.replace(day=1)
    # `last` is the first month not wholly inside: the whole months are [first, last).
    if first >= last:
        return None
    return first, _previous_month(last)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def _parts(period: Period, only: QuerySet | list[int] | None) -> tuple[list[QuerySet], list[QuerySet]]:
    """The rows whose sums are the period's counts (whole months, then the days around them) and
    the rows whose overdue changes add up to the count at the period's end; the marks folded first."""
    if pending():
        fold()
    months = _whole_months(period)
    parts: list[QuerySet] = []
    if months is None:
        parts.append(UnitDay.objects.filter(day__range=(period.date_from, period.date_to)))
    else:
        first, last = months
        parts.append(UnitMonth.objects.filter(month__range=(first, last)))
        if period.date_from < first:
            parts.append(UnitDay.objects.filter(day__range=(period.date_from, first - timedelta(days=1))))
        end = _next_month(last)
        if end <= period.date_to:
            parts.append(UnitDay.objects.filter(day__range=(end, period.date_to)))
    this_month = period.date_to.replace(day=1)
    changes = [
        UnitMonth.objects.filter(month__lt=this_month).exclude(overdue_change=0),
        UnitDay.objects.filter(day__range=(this_month, period.date_to)).exclude(overdue_change=0),
    ]
    if only is not None:
        parts = [rows.filter(unit__in=only) for rows in parts]
        changes = [rows.filter(unit__in=only) for rows in changes]
    return parts, changes


# The counts of the cases and evaluations: the first of the rows' counts (the catalog's and the
# negative loop's follow).
UNIT_COUNTS = COUNTS[: COUNTS.index("actively_evaluated") + 1]
_READ = ("received", "completed", "completed_on_time", *_LEVELS.values(), *_UPHELD.values(), "evaluated",
         "actively_evaluated")  # fmt: skip


def unit_table(period: Period, only: QuerySet | list[int] | None) -> UnitTable:
    """The case and evaluation counts (UNIT_COUNTS) of each unit, its own, not its sub-units', in
    the period, as columns. `only`: the units' ids (a queryset of `pk` values or a list), None for
    every unit. Whole months are read from UnitMonth, the days before and after them from UnitDay."""
    parts, changes = _parts(period, only)
    rows: list[tuple] = []
    for part in parts:
        rows += plain_rows(part.order_by().values_list("unit").annotate(*[Sum(name) for name in _READ]))
    sums = UnitTable.of(_READ, rows)
    # Summed here, not grouped in SQL: SQLite then reads the few rows that carry a change from their
    # own index instead of walking the table in unit order (0.08 s against 3.6 s on a province).
    moved: list[tuple] = []
    for part in changes:
        moved += plain_rows(part.order_by().values_list("unit", "overdue_change"))
    overdue = UnitTable.of(("overdue_open",), moved)
    ids = np.union1d(sums.ids, overdue.ids)
    s = sums.on(ids)
    column = {name: s[:, i] for i, name in enumerate(_READ)}
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
                overdue.on(ids)[:, 0],
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


def scope_totals(date_from: date, date_to: date, units: QuerySet[Unit] | None) -> dict[str, int]:
    """The additive counts of `units` together (a user's scope; None: the whole region) over the
    period: received, completed, completed_on_time, level_5..level_1, evaluated, actively_evaluated,
    upheld_5..upheld_1."""
    only = None if units is None or units.count() == Unit.objects.count() else units.values("pk")
    parts, _ = _parts(Period(date_from, date_to), only)
    summed = (*_SUMMED, *_UPHELD.values())
    totals = dict.fromkeys(summed, 0)
    # One sum per part over all the units: no grouping, no row per unit.
    for rows in parts:
        for name, n in rows.aggregate(**{name: Sum(name) for name in summed}).items():
            totals[name] += n or 0
    return totals


def _all_table(period: Period, only: QuerySet | list[int] | None) -> UnitTable:
    """Every count of the rows (COUNTS) of each unit: its own, not its sub-units'."""
    table = unit_table(period, only).joined(item_table(only), task_table(period, only))
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
    # The units shown (sorted ids) and, for each, the row whose roll-up holds it (-1: none).
    scope_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    row_of: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)

    def roll_up(self, table: UnitTable) -> tuple[np.ndarray, np.ndarray]:
        """Any per-unit counts rolled up like the rows: a matrix with a line per row (its 含下级
        sums) and the total of every unit shown."""
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

    Grouped queries over the subtree, one per kind of figure, whatever the number of units below;
    the roll-up is summed over arrays (UnitTable), not unit by unit.
    """
    period = Period(date_from, date_to)
    if parent is not None:
        scope = units_qs.filter(subtree(parent.path))
    else:
        scope = units_qs
    paths = dict(plain_rows(scope.order_by().values_list("pk", "path")))
    if parent is not None:
        level_qs = scope.filter(parent=parent)
    else:
        # The topmost units the user sees: those whose parent the user does not see.
        level_qs = Unit.objects.filter(pk__in=_tops(paths))
    children = list(level_qs.order_by("path"))
    # The whole region needs no unit filter (every case has a unit); anything less is filtered.
    only = None if len(paths) == Unit.objects.count() else scope.values("pk")
    table = _all_table(period, only)
    child_at = {child.path: i for i, child in enumerate(children)}
    scope_ids = np.array(sorted(paths), dtype=np.int64)
    row_of = np.full(len(scope_ids), -1, np.int64)
    for position, unit_id in enumerate(scope_ids.tolist()):
        # The child whose path begins this one: look its ancestors' paths up, nearest the root first.
        path, end = paths[unit_id], 0
        while (end := path.find("/", end + 1)) != -1:
            child = child_at.get(path[: end + 1])
            if child is not None:
                row_of[position] = child
                break
    level = LevelRows(parent=parent, parent_own=None, total={}, rows=[], scope_ids=scope_ids, row_of=row_of)
    level.rows = [LevelRow(unit=child, own={}, rolled={}, has_children=False) for child in children]
    rolled, total = level.roll_up(table)
    own = table.on(np.array([child.pk for child in children], dtype=np.int64))
    parents_with_children = set(
        scope.filter(parent__in=level_qs.values("pk")).order_by().values_list("parent", flat=True).distinct()
    )
    for i, (entry, child) in enumerate(zip(level.rows, children, strict=True)):
        entry.own = _row_of(child.code, child.name, table, own[i])
        entry.rolled = _row_of(child.code, child.name, table, rolled[i])
        entry.has_children = child.pk in parents_with_children
    if parent is not None:
        level.parent_own = _row_of(parent.code, parent.name, table, table.on(np.array([parent.pk]))[0])
    level.total = (
        _row_of(parent.code, parent.name, table, total)
        if parent is not None
        else _row_of("total", "合计", table, total)
    )
    return level


def _tops(paths: dict[int, str]) -> list[int]:
    """The units none of whose ancestors is among `paths`."""
    shown = set(paths.values())
    tops = []
    for pk, path in paths.items():
        codes = path.strip("/").split("/")
        ancestors = {"/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes))}
        if not ancestors & shown:
            tops.append(pk)
    return tops
