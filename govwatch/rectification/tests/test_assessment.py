"""The quarterly assessment (季考核) on a hand-computed example, and the bulletin's section."""

from __future__ import annotations

import json
from datetime import date

import pytest

from govwatch.cli import main
from govwatch.rectification import actions
from govwatch.rectification.figures import bulletin_section, quarterly_scores
from govwatch.rectification.models import Problem

from .conftest import PDF, at


@pytest.fixture
def quarter(region, import_list, people):
    rows = [
        ["Q1", "一季度整改清单", "巡察", "2026-01-10", "1", "", "按时整改后反弹", "", "SC", "2026-03-05", ""],
        ["Q1", "一季度整改清单", "巡察", "2026-01-10", "2", "", "逾期整改", "", "SC", "2026-02-27", ""],
        ["Q1", "一季度整改清单", "巡察", "2026-01-10", "3", "", "逾期未整改", "", "SC", "2026-03-20", ""],
        ["Q1", "一季度整改清单", "巡察", "2026-01-10", "4", "", "下季度到期", "", "SC", "2026-04-30", ""],
        ["Q1", "一季度整改清单", "巡察", "2026-01-10", "5", "", "按时整改", "", "RS", "2026-03-31", ""],
    ]  # fmt: skip
    assert import_list(rows).rejected == 0
    p = {x.no: x for x in Problem.objects.all()}
    unit, social, sup = people.actor("market_staff"), people.actor("social_staff"), people.actor("supervisor")
    actions.do_sign_off(
        sup, actions.do_submit(unit, p["1"], "完成", (PDF,), at=at(2026, 3, 4)), at=at(2026, 3, 5)
    )
    actions.do_look_back(sup, Problem.objects.get(no="1"), held=False, note="反弹", new_deadline=date(2026, 4, 15),
                         at=at(2026, 3, 25))  # fmt: skip
    actions.do_sign_off(
        sup, actions.do_submit(unit, p["2"], "完成", (PDF,), at=at(2026, 3, 10)), at=at(2026, 3, 11)
    )
    actions.do_sign_off(
        sup, actions.do_submit(social, p["5"], "完成", (PDF,), at=at(2026, 3, 30)), at=at(2026, 3, 31)
    )
    return p


def test_the_quarterly_score_as_computed_by_hand(quarter):
    scores = {s.unit_code: s for s in quarterly_scores(2026, 1, at=at(2026, 4, 1))}

    market = scores["SC"]
    # Assessed: 1 (signed off in the quarter), 2 (signed off in the quarter), 3 (due and open at
    # the quarter's end); 4 is due next quarter. On time: 1 only (asked 4 March, due 5 March).
    assert (market.assessed, market.on_time, market.relapses) == (3, 1, 1)
    # Overdue while owed: problem 2 from 28 February to 9 March (10 days; asked on the 10th),
    # problem 3 from 21 to 31 March (11 days).
    assert market.overdue_days == 21
    # 100 × 1/3 − 10 × 1 − 0.5 × 21 = 12.83
    assert market.score == 12.8
    assert scores["RS"].score == 100.0
    assert list(scores) == ["RS", "SC"]


def test_the_assess_command_prints_the_formula_beside_the_scores(quarter, capsys):
    assert (
        main(["rectification", "assess", "--year", "2026", "--quarter", "1", "--at", "2026-04-01T00:00:00"])
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert "按时销号率" in doc["formula"]
    assert [u["unit_code"] for u in doc["units"]] == ["RS", "SC"]


def test_the_bulletin_section_of_march(quarter):
    section = bulletin_section(date(2026, 3, 1))

    assert section["figures"] == {
        "problems": 5, "signed_off": 2, "signed_off_in_month": 3, "overdue": 1, "relapses_in_month": 1,
        "lists": 1, "signed_off_rate": 0.4,
    }  # fmt: skip
    assert [(r["no"], r["days_overdue"]) for r in section["overdue"]] == [("3", 11)]
