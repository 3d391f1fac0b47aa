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

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet, Sum

from govwatch.core.tree import subtree
from govwatch.evaluations.rules import negative_levels
from govwatch.orgs.models import Unit

from .fold import fold, pending
from .models import UnitDay
from .rows import COUNTS, Period, item_counts, row, task_counts

_LEVELS = {5: "level_5", 4: "level_4", 3: "level_3", 2: "level_2", 1: "level_1"}


def unit_counts(period: Period, only: QuerySet | list[int] | None) -> dict[int, dict[str, int]]:
    """The case and evaluation counts of each unit (its own, not its sub-units') in the period.

    `only`: the units' ids (a queryset of `pk` values or a list), None for every unit.
    """
    if pending():
        fold()
    days = UnitDay.objects.filter(day__range=(period.date_from, period.date_to))
    changes = UnitDay.objects.filter(day__lte=period.date_to).exclude(overdue_change=0)
    if only is not None:
        days, changes = days.filter(unit__in=only), changes.filter(unit__in=only)
    names = (
        "received",
        "completed",
        "completed_on_time",
        *_LEVELS.values(),
        "evaluated",
        "actively_evaluated",
    )
    negative = {_LEVELS[level] for level in negative_levels() if level in _LEVELS}
    result: dict[int, dict[str, int]] = {}
    for values in days.order_by().values("unit").annotate(**{name: Sum(name) for name in names}):
        levels = {name: values.pop(name) for name in _LEVELS.values()}
        unit_id = values.pop("unit")
        values["evaluations"] = sum(levels.values())
        values["negative"] = sum(n for name, n in levels.items() if name in negative)
        values["satisfied"] = values["evaluations"] - values["negative"]
        result[unit_id] = values
    for unit_id, n in changes.order_by().values_list("unit").annotate(n=Sum("overdue_change")):
        result.setdefault(unit_id, {})["overdue_open"] = n
    return result


def _all_counts(period: Period, only: QuerySet | None) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for by_unit in (unit_counts(period, only), item_counts(only), task_counts(period, only)):
        for unit_id, values in by_unit.items():
            counts[unit_id].update(values)
    return counts


def _summed(counts: dict[int, dict[str, int]], unit_ids) -> dict[str, int]:
    total = dict.fromkeys(COUNTS, 0)
    for unit_id in unit_ids:
        for key, n in counts.get(unit_id, {}).items():
            if key in total:
                total[key] += n
    return total


def figures_for(unit: Unit, date_from: date, date_to: date, rollup: bool = True) -> dict[str, Any]:
    """The `report kpi` row of `unit` for [date_from, date_to]: its own figures, or with rollup its
    subtree's (the unit and every unit below it, as `report kpi --unit CODE` totals them)."""
    period = Period(date_from, date_to)
    only = Unit.objects.filter(subtree(unit.path)).values("pk") if rollup else [unit.pk]
    counts = _all_counts(period, only)
    return row(unit.code, unit.name, _summed(counts, counts.keys()))


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


def level_rows(parent: Unit | None, date_from: date, date_to: date, units_qs: QuerySet[Unit]) -> LevelRows:
    """One level of the tree: the children of `parent` that `units_qs` holds (with no parent, the
    topmost units of `units_qs`), each with its own figures and its roll-up (含下级), and the total.

    Grouped queries over the subtree, one per kind of figure, whatever the number of units below.
    """
    period = Period(date_from, date_to)
    if parent is not None:
        scope = units_qs.filter(subtree(parent.path))
    else:
        scope = units_qs
    paths = dict(scope.values_list("pk", "path"))
    if parent is not None:
        children = list(scope.filter(parent=parent).order_by("path"))
    else:
        # The topmost units the user sees: those whose parent the user does not see.
        tops = _tops(paths)
        children = list(Unit.objects.filter(pk__in=tops).order_by("path"))
    # The whole region needs no unit filter (every case has a unit); anything less is filtered.
    only = None if len(paths) == Unit.objects.count() else scope.values("pk")
    counts = _all_counts(period, only)
    by_child: dict[int, list[int]] = {child.pk: [] for child in children}
    child_at = {child.path: child.pk for child in children}
    for unit_id, path in paths.items():
        # The child whose path begins this one: look its ancestors' paths up, nearest the root first.
        end = 0
        while (end := path.find("/", end + 1)) != -1:
            child_id = child_at.get(path[: end + 1])
            if child_id is not None:
                by_child[child_id].append(unit_id)
                break
    parents_with_children = set(scope.exclude(parent=None).values_list("parent", flat=True).distinct())
    rows = [
        LevelRow(
            unit=child,
            own=row(child.code, child.name, _summed(counts, [child.pk])),
            rolled=row(child.code, child.name, _summed(counts, by_child[child.pk])),
            has_children=child.pk in parents_with_children,
        )
        for child in children
    ]
    total_name = parent.name if parent is not None else "合计"
    total_code = parent.code if parent is not None else "total"
    return LevelRows(
        parent=parent,
        parent_own=row(parent.code, parent.name, _summed(counts, [parent.pk]))
        if parent is not None
        else None,
        total=row(total_code, total_name, _summed(counts, paths.keys())),
        rows=rows,
    )


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
