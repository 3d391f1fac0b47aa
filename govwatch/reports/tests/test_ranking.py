"""The ranking (contract section 10) on a hand-computed example with a tie, its command and XLSX."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from govwatch.audit.log import Actor
from govwatch.cli import main
from govwatch.reports.bulletins import do_set_weights
from govwatch.reports.figures import selected_units
from govwatch.reports.ranking import previous_period, ranking, ranks, score_of, scoreboard

from .leaders_fixtures import *  # noqa: F403  (the fixtures ranked and roles)

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def test_competition_ranks_share_a_place_and_skip_the_next():
    assert ranks({"a": 90.0, "b": 95.5, "c": 90.0, "d": 80.0, "e": None}) == {
        "a": 2, "b": 1, "c": 2, "d": 4, "e": None,
    }  # fmt: skip


def test_a_figure_without_data_leaves_its_weight_to_the_others():
    weights = {"on_time": 30, "overdue": 15, "satisfaction": 25, "complaints": 10}
    # 100 × (30×1 + 15×1 + 25×1 + 10×0.5) / (30+15+25+10) = 93.75
    assert (
        score_of({"on_time": 1.0, "overdue": 1.0, "satisfaction": 1.0, "complaints": 0.5}, weights) == 93.75
    )
    assert (
        score_of({"on_time": 1.0, "overdue": 1.0, "satisfaction": None, "complaints": 0.5}, weights) == 90.91
    )
    assert score_of({"on_time": None}, weights) is None


def test_previous_period_has_the_same_length_and_ends_the_day_before():
    assert previous_period(*MARCH) == (date(2026, 1, 29), date(2026, 2, 28))
    assert previous_period(date(2026, 10, 1), date(2026, 10, 1)) == (date(2026, 9, 30), date(2026, 9, 30))


def test_hand_computed_ranking_with_a_tie(ranked):
    doc = ranking(*MARCH)
    rows = {r["unit_code"]: r for r in doc["rows"]}
    assert [r["unit_code"] for r in doc["rows"]] == ["RS", "SC", "ST1"]
    # RS: everything 1.0, no complaint: 100. SC: on time, not overdue, satisfied, 1 complaint in
    # 2 cases (0.5), no suspect evaluation (data checks 1.0), no negative review (no loop figure):
    # 100 × (30+15+25+10×0.5+5)/(30+15+25+10+5) = 94.12. ST1 the same through its case.
    assert rows["RS"]["score"] == 100.0 and rows["RS"]["rank"] == 1
    assert rows["SC"]["score"] == rows["ST1"]["score"] == 94.12
    assert rows["SC"]["rank"] == rows["ST1"]["rank"] == 2
    assert rows["SC"]["complaints"] == rows["ST1"]["complaints"] == 1
    assert rows["SC"]["components"]["complaints"] == {
        "label": "投诉控制率",
        "figure": 0.5,
        "weight": 10,
        "points": 5.0,
    }
    assert rows["SC"]["components"]["negative_loop"]["figure"] is None
    # February: SC on time (100), RS late (on time 0, not overdue 1: 100 × 15/45 = 33.33).
    assert (rows["RS"]["previous_rank"], rows["RS"]["change"]) == (2, 1)
    assert (rows["SC"]["previous_rank"], rows["SC"]["change"]) == (1, -1)
    assert (rows["ST1"]["previous_rank"], rows["ST1"]["change"]) == (None, None)
    assert doc["weights"] == {
        "on_time": 30, "overdue": 15, "satisfaction": 25, "negative_loop": 10, "complaints": 10,
        "data_checks": 5, "rectification": 5,
    }  # fmt: skip


def test_the_regions_weights_change_the_scores(ranked):
    do_set_weights(Actor.command("test"), {"complaints": 0})
    rows = {r["unit_code"]: r for r in ranking(*MARCH)["rows"]}
    assert rows["SC"]["score"] == rows["RS"]["score"] == 100.0
    assert rows["SC"]["rank"] == rows["RS"]["rank"] == rows["ST1"]["rank"] == 1


def test_unit_ranks_within_its_subtree(ranked):
    doc = ranking(*MARCH, "ST")
    assert [(r["unit_code"], r["rank"]) for r in doc["rows"]] == [("ST1", 1)]


@pytest.mark.parametrize("weights", [None, {"complaints": 0}, {"on_time": 0, "satisfaction": 7}])
def test_the_scoreboard_scores_and_ranks_as_the_ranking(ranked, weights):
    from govwatch.orgs.models import Unit
    from govwatch.reports.models import RankingWeights

    if weights:
        do_set_weights(Actor.command("test"), weights)
    current = RankingWeights.current().as_dict()
    codes = dict(Unit.objects.values_list("pk", "code"))
    for period in (MARCH, previous_period(*MARCH), (date(2026, 3, 10), date(2026, 3, 31))):
        for unit_code in (None, "ST"):
            doc = ranking(*period, unit_code)
            board = scoreboard(*period, selected_units(unit_code) if unit_code else None, current)
            found = {
                codes[u]: (s, r)
                for u, s, r in zip(board.ids.tolist(), board.scores, board.ranks, strict=True)
            }
            assert found == {r["unit_code"]: (r["score"], r["rank"]) for r in doc["rows"]}


def test_the_rows_built_as_read_equal_the_full_document(ranked):
    from govwatch.orgs.models import Unit

    for period in (MARCH, (date(2026, 3, 10), date(2026, 3, 31))):
        for unit_code, units_qs in ((None, None), (None, Unit.objects.all()), ("ST", None)):
            full = ranking(*period, unit_code, units_qs=units_qs)
            lazy = ranking(*period, unit_code, units_qs=units_qs, lazy=True)
            assert len(lazy["rows"]) == len(full["rows"])
            assert lazy["rows"][:] == full["rows"]
            assert lazy["rows"][1:2] == full["rows"][1:2]
            assert {k: v for k, v in lazy.items() if k != "rows"} == {
                k: v for k, v in full.items() if k != "rows"
            }


def _run(capsysbinary, *argv: str) -> tuple[int, bytes, str]:
    capsysbinary.readouterr()
    code = main(["report", "ranking", *argv])
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


def test_command_prints_one_json_document_with_weights(ranked, capsysbinary):
    code, out, _ = _run(capsysbinary, "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json")
    assert code == 0 and out.count(b"\n") == 1
    doc = json.loads(out)
    assert [(r["unit_code"], r["rank"], r["score"], r["change"]) for r in doc["rows"]] == [
        ("RS", 1, 100.0, 1), ("SC", 2, 94.12, -1), ("ST1", 2, 94.12, None),
    ]  # fmt: skip
    assert doc["weights"]["on_time"] == 30
    assert set(doc["rows"][0]["components"]["on_time"]) >= {"figure", "weight"}


def test_command_writes_xlsx_with_the_weights_sheet(ranked, capsysbinary, tmp_path):
    out = tmp_path / "ranking.xlsx"
    code, _, _ = _run(
        capsysbinary, "--from", "2026-03-01", "--to", "2026-03-31", "--format", "xlsx", "--out", str(out)
    )
    assert code == 0
    book = load_workbook(out)
    rows = list(book["综合排名"].values)
    assert rows[0][:4] == ("名次", "单位编码", "单位名称", "综合得分")
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [(1, "RS", 100), (2, "SC", 94.12), (2, "ST1", 94.12)]
    assert ("按时办结率", 30) in list(book["权重"].values)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--from", "2026-03-31", "--to", "2026-03-01"], "晚于"),
        (["--from", "2026-03-01", "--to", "2026-03-31", "--unit", "NOPE"], "NOPE"),
        (["--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv"], "csv"),
        (["--from", "2026-03-01", "--to", "2026-13-01"], "2026-13-01"),
    ],
)
def test_unusable_arguments_exit_2_with_nothing_on_stdout(ranked, capsysbinary, argv, message):
    code, out, err = _run(capsysbinary, *argv)
    assert code == 2 and out == b"" and message in err


def test_ranking_page_shows_the_weights_and_exports(ranked, client, roles):
    client.force_login(roles.leader)
    page = client.get("/reports/ranking/", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "权重" in text and "按时办结率" in text and "94.12" in text and "修改权重" not in text
    xlsx = client.get("/reports/ranking.xlsx", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    rows = list(load_workbook(io.BytesIO(xlsx.content))["综合排名"].values)
    assert [r[1] for r in rows[1:]] == ["RS", "SC", "ST1"]


def test_ranking_page_shows_its_rows_a_page_at_a_time(ranked, client, roles, monkeypatch):
    from govwatch.reports import leaders_views

    monkeypatch.setattr(leaders_views, "RANKING_PAGE_ROWS", 2)
    client.force_login(roles.leader)
    period = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    first = client.get("/reports/ranking/", period).content.decode()
    assert "/units/RS/" in first and "/units/SC/" in first and "/units/ST1/" not in first
    assert "第 1 / 2 页" in first and "page=2" in first
    second = client.get("/reports/ranking/", {**period, "page": 2}).content.decode()
    assert "/units/ST1/" in second and "/units/RS/" not in second


def test_the_ranking_bulletin_and_screen_are_tabs_of_the_reports_entry(ranked, client, roles):
    client.force_login(roles.leader)
    for url, tab in (
        ("/reports/", "办件统计"),
        ("/reports/ranking/", "综合排名"),
        ("/reports/bulletins/", "月通报"),
    ):
        text = client.get(url).content.decode()
        assert f'aria-current="page">{tab}</a>' in text, url
        assert "大屏 ↗" in text
        # The navigation keeps one entry for all of them, marked current.
        assert text.count('aria-current="page">统计报表') == 1, url


def test_only_the_office_sets_the_weights(ranked, client, roles):
    client.force_login(roles.leader)
    form = {"on_time": 50, "overdue": 10, "satisfaction": 20, "negative_loop": 10, "complaints": 0,
            "data_checks": 5, "rectification": 5}  # fmt: skip
    assert client.post("/reports/ranking/weights/", form).status_code == 403
    client.force_login(roles.office)
    client.post("/reports/ranking/weights/", form)
    from govwatch.audit.models import AuditEntry
    from govwatch.reports.models import RankingWeights

    assert RankingWeights.current().on_time == 50
    assert AuditEntry.objects.filter(action="ranking.weights").count() == 1
    form["on_time"] = -1
    client.post("/reports/ranking/weights/", form)
    assert RankingWeights.current().on_time == 50


def test_the_ranking_page_writes_no_weights_until_the_office_sets_them(ranked, client, roles):
    from govwatch.reports.models import RankingWeights

    RankingWeights.objects.all().delete()
    client.force_login(roles.leader)
    page = client.get("/reports/ranking/", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    # The defaults are shown, and nothing is written by a GET (a region may be opened read-only).
    assert page.status_code == 200 and not RankingWeights.objects.exists()
    assert RankingWeights.current().as_dict() == RankingWeights().as_dict()


def test_unit_staff_rank_only_their_subtree(ranked, client, roles):
    client.force_login(roles.market_staff)
    page = client.get("/reports/ranking/", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    text = page.content.decode()
    assert "区市场监管局" in text and "区人社局" not in text


def test_rectification_component_on_a_hand_example(ranked, roles, django_user_model, tmp_path):
    import csv
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from govwatch.accounts.models import Membership, Role
    from govwatch.imports.rectification import HEADER
    from govwatch.imports.runs import run_import
    from govwatch.rectification import actions
    from govwatch.rectification.models import Problem

    def at(m: int, d: int) -> datetime:
        return datetime(2026, m, d, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

    path = tmp_path / "list.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER] + [
            ["X1", "巡察整改清单", "巡察", "2026-02-10", no, "", problem, "", unit, deadline, ""]
            for no, problem, unit, deadline in (
                ("1", "按时销号", "SC", "2026-03-05"),
                ("2", "逾期后销号", "SC", "2026-03-10"),
                ("3", "四月到期", "SC", "2026-04-30"),
                ("4", "逾期未销号", "RS", "2026-03-20"),
            )
        ])  # fmt: skip
    assert run_import("rectification", path).rejected == 0
    supervisor = django_user_model.objects.create_user("jiwei", password="correct-horse-battery")
    Membership.objects.create(user=supervisor, role=Role.SUPERVISOR, unit=ranked["root"])
    unit, approver = Actor("user:shichang", roles.market_staff), Actor("user:jiwei", supervisor)
    evidence = (("整改报告.pdf", b"%PDF-1.4 evidence"),)
    p = {x.no: x for x in Problem.objects.all()}
    actions.do_sign_off(approver, actions.do_submit(unit, p["1"], "完成", evidence, at=at(3, 4)), at=at(3, 5))
    actions.do_sign_off(
        approver, actions.do_submit(unit, p["2"], "完成", evidence, at=at(3, 12)), at=at(3, 13)
    )

    rows = {r["unit_code"]: r for r in ranking(*MARCH)["rows"]}
    # SC: problems 1 and 2 due in March (3 is due in April), 1 signed off on time: 0.5.
    assert rows["SC"]["components"]["rectification"] == {
        "label": "整改按期完成率", "figure": 0.5, "weight": 5, "points": 2.5,
    }  # fmt: skip
    # RS: problem 4 due on 20 March and not signed off at the month's end: 0.
    assert rows["RS"]["components"]["rectification"]["figure"] == 0.0
    # ST1: no problem due: no figure, its weight left to the others.
    assert rows["ST1"]["components"]["rectification"]["figure"] is None
    # SC: 100 × (30+15+25+10×0.5+5+5×0.5)/(30+15+25+10+5+5) = 91.67 (no negative-loop figure);
    # RS: 100 × (30+15+25+10+5+0)/90 = 94.44; ST1 unchanged, 94.12.
    assert (rows["SC"]["score"], rows["RS"]["score"], rows["ST1"]["score"]) == (91.67, 94.44, 94.12)
    assert [r["unit_code"] for r in sorted(rows.values(), key=lambda r: r["rank"])] == ["RS", "ST1", "SC"]


@pytest.mark.parametrize("descending", [False, True])
def test_units_first_by_code_are_read_in_the_rankings_code_order(region, monkeypatch, descending):
    """Of many units (read a chunk at a time in code order), those whose codes come first, in the
    order Python compares the codes (the ranking sorts them so): capitals before small letters,
    digits before both."""
    import numpy as np

    from govwatch.core.choices import UnitKind
    from govwatch.orgs.models import Unit
    from govwatch.reports import ranking as ranking_module

    root = Unit.objects.get(parent=None)
    for code in ("b7", "B7", "a10", "A2", "9z", "Z1", "_x"):
        Unit.objects.create(code=code, name=code, parent=root, kind=UnitKind.DEPARTMENT)
    monkeypatch.setattr(ranking_module, "_CODES_PER_READ", 2)
    ids = np.array(sorted(Unit.objects.values_list("pk", flat=True)), dtype=np.int64)
    codes = dict(Unit.objects.values_list("pk", "code"))
    expected = sorted(codes.values(), reverse=descending)
    for count in (1, 4, len(ids)):
        found = ranking_module.first_by_code(ids, count, descending=descending)
        assert [codes[u] for u in found.tolist()] == expected[:count]
