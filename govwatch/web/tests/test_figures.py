from __future__ import annotations

import pytest

from govwatch.catalog.figures import catalog_figures, reduction
from govwatch.catalog.models import Item


def test_catalog_figures_of_the_region_by_hand(region):
    # legal 20 + 10 + 1 = 31, promised 9 + 2 + 0 = 11; online: full, partial, none.
    figures = catalog_figures(Item.objects.all())
    assert figures["items"] == 3
    assert figures["legal_days_sum"] == 31 and figures["promised_days_sum"] == 11
    assert figures["time_limit_reduction"] == pytest.approx(1 - 11 / 31)
    assert figures["online_rate"] == pytest.approx(2 / 3)
    assert figures["full_online_rate"] == pytest.approx(1 / 3)


def test_items_without_a_legal_limit_count_for_online_but_not_for_reduction(region):
    Item.objects.create(
        code="Z0", name="无时限事项", unit=region["root"], legal_days=0, promised_days=0, online="full"
    )
    figures = catalog_figures(Item.objects.all())
    assert figures["time_limit_reduction"] == pytest.approx(1 - 11 / 31)
    assert figures["online_rate"] == pytest.approx(3 / 4)
    assert figures["full_online_rate"] == pytest.approx(2 / 4)


def test_a_rate_over_nothing_is_none_not_zero(region):
    empty = catalog_figures(Item.objects.none())
    assert empty["items"] == 0
    assert empty["time_limit_reduction"] is None
    assert empty["online_rate"] is None and empty["full_online_rate"] is None
    Item.objects.create(code="Z0", name="无时限事项", unit=region["root"], legal_days=0, promised_days=0)
    only_untimed = catalog_figures(Item.objects.filter(code="Z0"))
    assert only_untimed["time_limit_reduction"] is None
    assert only_untimed["online_rate"] == 0.0 and only_untimed["full_online_rate"] == 0.0


def test_catalog_figures_of_a_filtered_queryset(region):
    figures = catalog_figures(Item.objects.filter(unit__code="SC"))
    assert figures["time_limit_reduction"] == pytest.approx(1 - 9 / 20)
    assert figures["online_rate"] == 1.0 and figures["full_online_rate"] == 1.0


def test_reduction_of_one_item():
    assert reduction(20, 9) == pytest.approx(0.55)
    assert reduction(5, 5) == 0
    assert reduction(0, 0) is None
