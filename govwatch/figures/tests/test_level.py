"""A level of the tree (govwatch.figures.read.level_rows) summed in SQL by the unit shown equals the
figures of each unit read the old way: every unit's own figures, summed over its subtree."""

from __future__ import annotations

from datetime import date
from functools import partial

import numpy as np
import pytest

from govwatch.catalog.models import Item
from govwatch.core.tree import subtree
from govwatch.evaluations.models import Evaluation
from govwatch.evaluations.rectification import open_tasks_for_imported
from govwatch.figures.read import complaint_table, figures_for, level_rows
from govwatch.figures.rows import Period
from govwatch.orgs.models import Unit

from .test_fold import _import

PERIODS = [
    (date(2026, 3, 1), date(2026, 3, 31)),  # a month: its month rows
    (date(2026, 3, 10), date(2026, 4, 20)),  # months cut: day rows, complaints counted raw
    (date(2026, 1, 1), date(2026, 12, 1)),  # the year: its year row less December's days
]


@pytest.fixture
def busy_region(region):
    """Cases, evaluations (a negative one with its task), and complaints at every level of the tree;
    a community added to the street after the supervisor: the street's units are not one range of ids."""
    late = Unit.objects.create(
        code="ST2", name="西门社区", kind="community", parent=Unit.objects.get(code="ST")
    )
    Item.objects.create(code="I5", name="居住证明", unit=late, legal_days=5, promised_days=1, online="full")
    _import(
        "cases",
        [
            {"case_no": "A1", "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I2"},
            {"case_no": "A1", "event": "complete", "at": "2026-03-09T10:00:00"},
            {"case_no": "A2", "event": "accept", "at": "2026-03-03T09:00:00", "item_code": "I9"},
            {"case_no": "A3", "event": "accept", "at": "2026-03-12T09:00:00", "item_code": "I0"},
            {"case_no": "A3", "event": "complete", "at": "2026-04-02T11:00:00"},
            {"case_no": "A4", "event": "accept", "at": "2026-04-14T09:00:00", "item_code": "I0"},
        ],
    )
    _import(
        "evaluations",
        [
            {"eval_id": "E1", "case_no": "A1", "level": 2, "at": "2026-03-10T08:00:00"},
            {"eval_id": "E3", "case_no": "A3", "level": 1, "at": "2026-04-03T08:00:00"},
            {"eval_id": "E4", "case_no": "A4", "level": 5, "at": "2026-04-15T08:00:00"},
        ],
    )
    negative = list(Evaluation.objects.negative().values_list("pk", flat=True))
    open_tasks_for_imported(negative, at=Evaluation.objects.get(eval_id="E3").at)
    _import(
        "complaints",
        [
            {"complaint_id": "T1", "at": "2026-03-11T10:00:00", "source": "hotline", "content": "排队太久",
             "unit_code": "ST1", "closed_at": "2026-03-20T10:00:00", "finding": "substantiated",
             "callback": "satisfied"},
            {"complaint_id": "T2", "at": "2026-04-16T10:00:00", "source": "hotline", "content": "态度不好",
             "unit_code": "RS"},
            {"complaint_id": "T3", "at": "2026-03-05T10:00:00", "source": "hotline", "content": "材料反复",
             "unit_code": "ST"},
            {"complaint_id": "T4", "at": "2026-04-01T10:00:00", "source": "hotline", "content": "证明难开",
             "unit_code": "ST2"},
        ],
    )  # fmt: skip


def _subtree_ids(unit: Unit) -> list[int]:
    return list(Unit.objects.filter(subtree(unit.path)).values_list("pk", flat=True))


@pytest.mark.parametrize("parent_code", ["D", "ST"])
def test_a_levels_roll_ups_equal_every_units_figures_summed_over_its_subtree(busy_region, parent_code):
    parent = Unit.objects.get(code=parent_code)
    for date_from, date_to in PERIODS:
        level = level_rows(parent, date_from, date_to, Unit.objects.all())
        assert [r.unit.code for r in level.rows] == list(
            Unit.objects.filter(parent=parent).order_by("path").values_list("code", flat=True)
        )
        for r in level.rows:
            assert r.rolled == figures_for(r.unit, date_from, date_to)
            assert r.own == figures_for(r.unit, date_from, date_to, rollup=False)
            assert r.has_children == Unit.objects.filter(parent=r.unit).exists()
        assert level.parent_own == figures_for(parent, date_from, date_to, rollup=False)
        assert level.total == figures_for(parent, date_from, date_to)
        # The complaints' table, rolled up the same way, against the subtrees' tables read unit by unit.
        period = Period(date_from, date_to)
        rolled, total = level.read(partial(complaint_table, period))
        for i, r in enumerate(level.rows):
            assert (
                rolled[i].tolist()
                == complaint_table(period, _subtree_ids(r.unit)).values.sum(axis=0).tolist()
            )
        expected = complaint_table(period, _subtree_ids(parent)).values.sum(axis=0)
        assert total.tolist() == np.asarray(expected).tolist()


def test_the_figures_compared_are_not_all_zero(busy_region):
    # The comparison above means something only if the region's figures are there to compare.
    root = Unit.objects.get(code="D")
    level = level_rows(root, date(2026, 3, 10), date(2026, 4, 20), Unit.objects.all())
    assert level.total["received"] == 2 and level.total["evaluations"] == 3
    assert level.total["rectification_tasks"] == 2 and level.total["online_rate"] == 3 / 4
    rolled, total = level.read(partial(complaint_table, Period(date(2026, 3, 10), date(2026, 4, 20))))
    assert total[0] == 3  # T1 (ST1, under ST), T2 (RS) and T4 (ST2, under ST) received in the period
    street = [i for i, r in enumerate(level.rows) if r.unit.code == "ST"][0]
    assert rolled[street][0] == 2
    # The street's units are two ranges of ids (ST2 was added last): both are summed.
    assert len([run for run in level.under.runs if run[2] == Unit.objects.get(code="ST").pk]) == 2


def test_without_a_parent_the_tops_of_several_trees_are_rolled_up_the_old_way(busy_region):
    other = Unit.objects.create(code="X", name="邻区", kind="district")
    Unit.objects.create(code="X1", name="邻区街道", kind="street", parent=other)
    date_from, date_to = PERIODS[1]
    level = level_rows(None, date_from, date_to, Unit.objects.all())
    assert [r.unit.code for r in level.rows] == ["D", "X"]
    root = Unit.objects.get(code="D")
    assert level.rows[0].rolled == figures_for(root, date_from, date_to)
    assert level.rows[1].has_children and level.rows[1].rolled["received"] == 0
    rolled, total = level.read(partial(complaint_table, Period(date_from, date_to)))
    assert rolled[0].tolist() == total.tolist() and total[0] == 3
