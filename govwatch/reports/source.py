"""Where the leaders' pages read their figures: the big screen, the charts, the ranking and the
bulletin all call these, never the figures' queries directly.

`unit_figures` is `kpi_rows` (the rows of `govwatch report kpi`), whose case and evaluation figures
are sums of the daily per-unit aggregates (govwatch.figures: UnitDay and UnitMonth, the stale marks
folded first), not counts of the raw cases; `kpi_rows_raw` counts the raw rows and the tests hold
the two equal. `scope_figures` is the total row's case and evaluation figures alone, one sum over
the aggregates of the units with no row per unit: what a tile or a trend point needs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from govwatch.catalog.figures import rate
from govwatch.evaluations.rules import negative_levels
from govwatch.figures.read import remembered_totals, scope_totals
from govwatch.figures.rows import Period
from govwatch.orgs.models import Unit

from .figures import kpi_rows, selected_units


def unit_figures(
    date_from: date, date_to: date, unit_code: str | None = None, *, units_qs: QuerySet[Unit] | None = None
) -> list[dict[str, Any]]:
    """`kpi_rows`: one row per unit of the selection in tree order, then the `total` row."""
    return kpi_rows(date_from, date_to, unit_code, units_qs=units_qs)


SCOPE_FIGURES = ("received", "completed", "completed_on_time", "on_time_rate", "evaluations", "negative",
                 "satisfaction_rate")  # fmt: skip


def scope_figures(
    date_from: date,
    date_to: date,
    unit_code: str | None = None,
    *,
    units_qs: QuerySet[Unit] | None = None,
) -> dict[str, Any]:
    """SCOPE_FIGURES of the total row of `unit_figures` for the same selection, equal to them."""
    whole = unit_code is None and units_qs is None
    units = None if whole else selected_units(unit_code, units_qs)
    return _scope_figures_of(scope_totals(date_from, date_to, units))


def remembered_scope_figures(
    periods: list[tuple[date, date]], unit_code: str | None = None, *, units_qs: QuerySet[Unit] | None = None
) -> list[dict[str, Any]]:
    """`scope_figures` of each period, from the selection's counts of the periods kept between calls
    (govwatch.figures.memo): for periods that are over, read again by every refresh of a screen."""
    whole = unit_code is None and units_qs is None
    units = None if whole else selected_units(unit_code, units_qs)
    return [_scope_figures_of(c) for c in remembered_totals([Period(*p) for p in periods], units)]


def _scope_figures_of(c: dict[str, int]) -> dict[str, Any]:
    evaluations = sum(c[f"level_{level}"] for level in range(1, 6))
    negative_levels_ = [level for level in negative_levels() if 1 <= level <= 5]
    # The national rule, as the rows count it: a negative review whose appeal was upheld is counted
    # neither as negative nor as satisfied.
    excluded = sum(c[f"upheld_{level}"] for level in negative_levels_)
    negative = sum(c[f"level_{level}"] for level in negative_levels_) - excluded
    return {
        "received": c["received"],
        "completed": c["completed"],
        "completed_on_time": c["completed_on_time"],
        "on_time_rate": rate(c["completed_on_time"], c["completed"]),
        "evaluations": evaluations,
        "negative": negative,
        "satisfaction_rate": rate(evaluations - negative - excluded, evaluations),
    }
