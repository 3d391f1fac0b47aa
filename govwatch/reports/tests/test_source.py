"""The leaders' figures come from the daily aggregates and equal the raw rows' count."""

from __future__ import annotations

from datetime import date

import pytest

from govwatch.figures.models import UnitDay
from govwatch.orgs.models import Unit
from govwatch.reports.figures import kpi_rows_raw
from govwatch.reports.source import SCOPE_FIGURES, scope_figures, unit_figures

from .leaders_fixtures import *  # noqa: F403  (the fixture ranked)

PERIODS = [
    (date(2026, 3, 1), date(2026, 3, 31)),  # a whole month
    (date(2026, 3, 2), date(2026, 3, 2)),  # one day
    (date(2026, 1, 29), date(2026, 3, 3)),  # a month and the days around it
    (date(2026, 1, 1), date(2026, 12, 31)),  # the year
]


@pytest.mark.parametrize(("date_from", "date_to"), PERIODS)
def test_leaders_figures_equal_the_raw_count(march, date_from, date_to):
    figures = unit_figures(date_from, date_to)
    assert UnitDay.objects.exists()  # read from the aggregates, folded on reading
    assert figures == kpi_rows_raw(date_from, date_to)


@pytest.mark.parametrize(("date_from", "date_to"), PERIODS)
def test_scope_figures_equal_the_total_row(ranked, date_from, date_to):
    for code in (None, "SC", "ST"):
        total = kpi_rows_raw(date_from, date_to, code)[-1]
        assert scope_figures(date_from, date_to, code) == {key: total[key] for key in SCOPE_FIGURES}


def test_scope_figures_of_what_a_user_sees(ranked):
    seen = Unit.objects.filter(code__in=["SC", "RS"])
    total = kpi_rows_raw(date(2026, 3, 1), date(2026, 3, 31), units_qs=seen)[-1]
    figures = scope_figures(date(2026, 3, 1), date(2026, 3, 31), units_qs=seen)
    assert figures == {key: total[key] for key in SCOPE_FIGURES}
    assert figures["received"] == 4 and figures["evaluations"] == 2
