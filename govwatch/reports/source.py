"""Where the leaders' pages read their figures: the big screen, the charts, the ranking and the
bulletin all call `unit_figures`, never the figures' queries directly.

Today it computes the figures of contract section 4 from the raw rows (govwatch.reports.figures).
When the daily per-unit aggregates kept by the worker are in place, this one function switches to
them (one line below) and every leader's page, the ranking and the bulletin follow; the tests that
hold them equal to `govwatch report kpi` keep holding.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from govwatch.orgs.models import Unit

from .figures import kpi_rows


def unit_figures(
    date_from: date, date_to: date, unit_code: str | None = None, *, units_qs: QuerySet[Unit] | None = None
) -> list[dict[str, Any]]:
    """`kpi_rows`: one row per unit of the selection in tree order, then the `total` row."""
    return kpi_rows(date_from, date_to, unit_code, units_qs=units_qs)
