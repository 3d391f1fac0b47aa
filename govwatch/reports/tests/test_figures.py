"""The figures of contract section 4 on the hand-computed data set of conftest.py (March 2026)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govwatch.catalog.figures import catalog_figures
from govwatch.catalog.models import Item
from govwatch.evaluations.models import Evaluation
from govwatch.orgs.models import Unit
from govwatch.reports.figures import (
    COMPLAINT_FIGURES,
    PAGE_COLUMNS,
    UnknownUnit,
    evaluations_by_channel,
    kpi_rows,
)

from .conftest import MARCH

# Imports open no rectification task (the worker's job does): no closed-loop figures in this data
# set; test_loop_figures.py has its own.
NO_TASKS = {
    "rectification_tasks": 0, "rectified_on_time": 0, "rectified_on_time_rate": None, "callbacks_owed": 0,
    "called_back": 0, "callback_rate": None,
    # No complaint either (govwatch/complaints/tests/test_figures.py has its own).
    **{k: None if k.endswith("_rate") else 0 for k in COMPLAINT_FIGURES},
    "negative_excluded": 0,
}  # fmt: skip
EMPTY = {
    "received": 0, "completed": 0, "completed_on_time": 0, "on_time_rate": None, "overdue_open": 0,
    "evaluations": 0, "evaluation_rate": None, "active_evaluation_rate": None, "satisfaction_rate": None,
    "negative": 0, "time_limit_reduction": None, "online_rate": None, "full_online_rate": None, **NO_TASKS,
}  # fmt: skip

SC = {
    # A1..A10 and A12; A11 was accepted at 04-01 00:00.
    "received": 11,
    # A1 (on the due date) and A2 (the day after); A10 was rejected, A4 completed in April.
    "completed": 2,
    "completed_on_time": 1,
    "on_time_rate": 1 / 2,
    # A3, A4 (completed after the period), A7 (due moved by a suspension within the period) and
    # A8 (due 03-27 then, moved to 03-31 since); not A5, A6 (suspended at the end), A9 (due 03-31).
    "overdue_open": 4,
    # E1 (5) and E5 (1, no case); E2 and E4 were given in April.
    "evaluations": 2,
    # E1 and E2 of A1 and A2, the completed cases: 2 / 2, whenever given.
    "evaluation_rate": 1.0,
    "active_evaluation_rate": 1.0,
    "satisfaction_rate": 1 / 2,
    "negative": 1,
    # I9 20/9 full, I9B 10/5 none: 1 - 14/30.
    "time_limit_reduction": 1 - 14 / 30,
    "online_rate": 1 / 2,
    "full_online_rate": 1 / 2,
    **NO_TASKS,
}
RS = {
    # B2, B3, B5; B1 and B6 were accepted in January, B0 in February.
    "received": 3,
    # B1 (late), B2 and B3 (on time); B5 completed at 04-01 00:00.
    "completed": 3,
    "completed_on_time": 2,
    "on_time_rate": 2 / 3,
    # B5 (due 03-24, completed after the period) and B6 (due 01-14, open).
    "overdue_open": 2,
    # E3 (2), E9 (3, at the last second), E11 (1, at the first moment, of B0 completed in February).
    "evaluations": 3,
    # E3, E9 and E10 (auto, given in April) of B1, B3 and B2: 3 / 3; actively E3 and E9: 2 / 3.
    "evaluation_rate": 1.0,
    "active_evaluation_rate": 2 / 3,
    # Level 3 is satisfied: E9 only.
    "satisfaction_rate": 1 / 3,
    "negative": 2,
    # I2 10/2 partial.
    "time_limit_reduction": 1 - 2 / 10,
    "online_rate": 1.0,
    "full_online_rate": 0.0,
    **NO_TASKS,
}
ST1 = {
    "received": 2,
    # C1 on time; C2 accepted on a Saturday, due that day, completed on Monday: late.
    "completed": 2,
    "completed_on_time": 1,
    "on_time_rate": 1 / 2,
    "overdue_open": 0,
    # E7, a default rating of C1.
    "evaluations": 1,
    # 1 / 2 completed; no active evaluation: 0 / 2 is 0, not null.
    "evaluation_rate": 1 / 2,
    "active_evaluation_rate": 0.0,
    "satisfaction_rate": 1.0,
    "negative": 0,
    # I0 1/0 none, I00 0/0 full: I00 is left out of the reduction, 1 - 0/1.
    "time_limit_reduction": 1.0,
    "online_rate": 1 / 2,
    "full_online_rate": 1 / 2,
    **NO_TASKS,
}
TOTAL = {
    "received": 11 + 3 + 2,
    "completed": 2 + 3 + 2,
    "completed_on_time": 1 + 2 + 1,
    "on_time_rate": 4 / 7,
    "overdue_open": 4 + 2,
    "evaluations": 2 + 3 + 1,
    "evaluation_rate": (2 + 3 + 1) / 7,
    "active_evaluation_rate": (2 + 2 + 0) / 7,
    "satisfaction_rate": (1 + 1 + 1) / 6,
    "negative": 1 + 2 + 0,
    # Items with legal days: I9 20/9, I9B 10/5, I2 10/2, I0 1/0.
    "time_limit_reduction": 1 - 16 / 41,
    # Online: I9 full, I2 partial, I00 full, of five items.
    "online_rate": 3 / 5,
    "full_online_rate": 2 / 5,
    **NO_TASKS,
}


def _by_code(rows: list[dict]) -> dict[str, dict]:
    return {
        row["unit_code"]: {k: v for k, v in row.items() if k not in ("unit_code", "unit_name")}
        for row in rows
    }


def _approx(figures: dict) -> dict:
    return {k: pytest.approx(v) if isinstance(v, float) else v for k, v in figures.items()}


def test_every_figure_of_every_unit_and_the_total(march):
    rows = kpi_rows(*MARCH)
    # Tree order (by path), the total last; units with no case and no item have null rates.
    assert [r["unit_code"] for r in rows] == ["D", "C", "JW", "RS", "SC", "ST", "ST1", "total"]
    assert all(list(r) == list(PAGE_COLUMNS) for r in rows)
    assert rows[-1]["unit_name"] == "合计"
    assert _by_code(rows) == {
        "D": EMPTY, "C": EMPTY, "JW": EMPTY, "ST": EMPTY,
        "RS": _approx(RS), "SC": _approx(SC), "ST1": _approx(ST1), "total": _approx(TOTAL),
    }  # fmt: skip


def test_a_subtree_has_its_rows_and_its_own_total(march):
    rows = kpi_rows(*MARCH, "ST")
    assert [r["unit_code"] for r in rows] == ["ST", "ST1", "total"]
    # The street itself has nothing; the subtree's total is the community's figures.
    assert _by_code(rows)["total"] == _approx(ST1)


def test_the_units_a_user_may_see_bound_the_rows_and_the_total(march):
    rows = kpi_rows(*MARCH, units_qs=Unit.objects.filter(code__in=["SC", "RS"]))
    assert [r["unit_code"] for r in rows] == ["RS", "SC", "total"]
    assert rows[-1]["received"] == 11 + 3 and rows[-1]["overdue_open"] == 4 + 2
    with pytest.raises(UnknownUnit):
        kpi_rows(*MARCH, "ST", units_qs=Unit.objects.filter(code__in=["SC", "RS"]))
    with pytest.raises(UnknownUnit):
        kpi_rows(*MARCH, "NOPE")


def test_the_catalog_figures_of_the_total_are_those_of_the_catalog(march):
    total = kpi_rows(*MARCH)[-1]
    figures = catalog_figures(Item.objects.all())
    for key in ("time_limit_reduction", "online_rate", "full_online_rate"):
        assert total[key] == pytest.approx(figures[key])


def test_openness_comes_from_the_dates_not_from_the_final_status(march):
    # At the end of 03-16 (a Monday): A3 (due 03-16) is not yet overdue; A7 (due 03-17) neither;
    # A1, A2 (due 03-13) were completed by then; A5 suspended; B6 (due 01-14) overdue. C2 (due
    # 03-14) was completed on 03-16 itself: closed on the last date, not open at the end.
    rows = _by_code(kpi_rows(date(2026, 3, 16), date(2026, 3, 16)))
    assert rows["SC"]["overdue_open"] == 0
    assert rows["RS"]["overdue_open"] == 1
    assert rows["ST1"]["overdue_open"] == 0
    # At the end of 03-18, A3 (due 03-16) and A7 (due 03-17) are overdue; so is A4 (due 03-17),
    # completed only in April.
    assert _by_code(kpi_rows(date(2026, 3, 18), date(2026, 3, 18)))["SC"]["overdue_open"] == 3


def test_both_orders_of_the_evaluation_join_agree(march):
    # 7 cases completed in March, 10 evaluations: the completed cases drive the join.
    before = _by_code(kpi_rows(*MARCH))
    # Without three evaluations that are in no rate, 7 evaluations: they drive it.
    Evaluation.objects.filter(eval_id__in=["E4", "E11", "E12"]).delete()
    after = _by_code(kpi_rows(*MARCH))
    for code in ("SC", "RS", "ST1", "total"):
        for key in ("evaluation_rate", "active_evaluation_rate"):
            assert after[code][key] == before[code][key]


def test_a_period_with_nothing_has_null_rates_and_no_error(march):
    total = kpi_rows(date(2025, 1, 1), date(2025, 1, 31))[-1]
    assert total["received"] == total["completed"] == total["evaluations"] == 0
    assert total["on_time_rate"] is None and total["satisfaction_rate"] is None
    assert total["evaluation_rate"] is None and total["active_evaluation_rate"] is None


def test_from_after_to_is_refused(march):
    with pytest.raises(ValueError):
        kpi_rows(date(2026, 3, 31), date(2026, 3, 1))


def test_a_handful_of_grouped_queries_whatever_the_number_of_units(march):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            kpi_rows(*MARCH)
        return len(captured)

    kpi_rows(*MARCH)  # folds the marks the scene's writes left (the worker's job)
    before = queries()
    for n in range(10):
        unit = Unit.objects.create(code=f"X{n}", name=f"新单位{n}", kind="department", parent=march["root"])
        Item.objects.create(code=f"IX{n}", name="事项", unit=unit, legal_days=5, promised_days=1)
    # Units, any stale mark, the sums of whole months and of the days around them, the overdue
    # changes (months, then days), items, rectification tasks: no raw case or evaluation is read.
    assert queries() == before <= 9


def test_evaluations_by_channel_and_level(march):
    rows = {r["channel"]: r for r in evaluations_by_channel(*MARCH)}
    assert list(rows) == ["device", "qr", "sms", "web", "app", "hotline"]
    # device: E1 (5) and E7 (5); E10, E12 and E4 were given in April.
    assert rows["device"]["levels"] == {5: 2, 4: 0, 3: 0, 2: 0, 1: 0}
    assert (rows["device"]["evaluations"], rows["device"]["satisfaction_rate"]) == (2, 1.0)
    assert (rows["sms"]["negative"], rows["app"]["levels"][3], rows["hotline"]["levels"][1]) == (1, 1, 1)
    assert (rows["web"]["negative"], rows["web"]["satisfaction_rate"]) == (1, 0.0)
    assert (rows["qr"]["evaluations"], rows["qr"]["satisfaction_rate"]) == (0, None)
    street = {r["channel"]: r["evaluations"] for r in evaluations_by_channel(*MARCH, "ST")}
    assert street == {"device": 1, "qr": 0, "sms": 0, "web": 0, "app": 0, "hotline": 0}
