"""The DuckDB comparison of `govwatch bench --only pages` counts what `report kpi` counts."""

from __future__ import annotations

from datetime import date

import pytest

from govwatch.bench.duck import compare
from govwatch.figures.tests.test_fold import march_like  # noqa: F401  (the fixture)

pytest.importorskip("duckdb")


@pytest.mark.parametrize(
    "period", [(date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 3, 10), date(2026, 4, 20))]
)
def test_duckdb_counts_the_same_figures_as_report_kpi(region, march_like, period):  # noqa: F811
    result = compare(*period, repeat=1)
    assert result["cases"] == 4 and result["evaluations"] == 2
    assert result["figures_compared"] > 0 and result["figures_differing"] == 0, result
