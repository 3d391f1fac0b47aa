"""The organ that issues and signs a unit's orders and letters: the commission of its own region."""

from __future__ import annotations

import pytest

from govwatch.orgs.models import Unit
from govwatch.orgs.organs import (
    FALLBACK_ORGAN,
    ancestor_paths,
    nearest_supervisor_ids,
    organ_name,
    supervisor_of,
)

from .trees import province_tree

pytestmark = pytest.mark.django_db


def test_a_districts_units_are_signed_for_by_that_districts_commission():
    tree = province_tree()
    assert supervisor_of(tree["b_market"]) == tree["b_commission"]
    assert supervisor_of(tree["b_community"]) == tree["b_commission"]  # deeper down the same district
    assert supervisor_of(tree["a_market"]) == tree["a_commission"]
    assert supervisor_of(tree["b"]) == tree["b_commission"]


def test_the_provinces_own_units_are_signed_for_by_the_provinces_commission():
    tree = province_tree()
    bureau = Unit.objects.create(code="P-SJ", name="省市场监管局", kind="department", parent=tree["province"])
    assert supervisor_of(bureau) == tree["province_commission"]
    assert supervisor_of(tree["province"]) == tree["province_commission"]


def test_a_district_without_a_commission_falls_to_the_nearest_one_above():
    tree = province_tree()
    tree["b_commission"].delete()
    assert supervisor_of(tree["b_market"]) == tree["province_commission"]
    tree["province_commission"].delete()
    assert supervisor_of(tree["b_market"]) is None
    assert organ_name(None) == FALLBACK_ORGAN


def test_a_commission_without_a_parent_watches_the_whole_tree():
    tree = province_tree()
    tree["province_commission"].delete()
    tree["a_commission"].delete()
    top = Unit.objects.create(code="JW-ALL", name="总纪委", kind="supervisor", parent=None)
    assert supervisor_of(tree["a_market"]) == top
    assert supervisor_of(tree["b_market"]) == tree["b_commission"]


def test_ancestor_paths_run_from_the_root_down():
    assert ancestor_paths("/P/P-B/P-B-SC/") == ["/P/", "/P/P-B/", "/P/P-B/P-B-SC/"]
    assert ancestor_paths("/") == []


def test_the_whole_trees_answer_at_once_is_the_same_as_unit_by_unit():
    province_tree()
    Unit.objects.create(code="JW-ALL", name="总纪委", kind="supervisor", parent=None)
    nearest = nearest_supervisor_ids()
    for unit in Unit.objects.all():
        expected = supervisor_of(unit)
        assert nearest.get(unit.pk) == (expected.pk if expected else None), unit.name
