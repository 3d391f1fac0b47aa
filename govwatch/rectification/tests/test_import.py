"""`govwatch import rectification`: the offices' own form, bad rows, idempotency, the round trip."""

from __future__ import annotations

import json
from datetime import date

import pytest

from govwatch.cli import main
from govwatch.core.tables import FileProblem
from govwatch.imports.runs import run_import
from govwatch.rectification.models import Problem, ProblemStep, RectificationList

from .conftest import HEADER, write_csv, write_xlsx


def test_merged_title_row_aspect_headings_chinese_dates_and_unit_names(region, tmp_path):
    path = write_xlsx(tmp_path / "清单.xlsx", [
        ["区行政审批局优化营商环境专项巡察问题整改清单"],
        HEADER,
        ["（一）关于学习贯彻方面存在的问题"],
        ["XC9", "", "巡察", "2026年2月10日", "1", "", "学习不深入", "林局长", "区市场监管局", "2026年3月5日", "列入中心组学习"],
        ["XC9", "", "巡察", "2026年2月10日", "2", "", "研讨不够", "林局长", "SC", "2026/3/20", ""],
        ["（二）关于作风建设方面存在的问题"],
        ["XC9", "", "巡察", "2026年2月10日", "3", "", "考勤不严", "徐局长", "RS", "2026.4.1", "考勤公示"],
    ], merges=["A1:K1", "A3:K3", "A6:K6"])  # fmt: skip

    result = run_import("rectification", path)

    assert result.document() == {"read": 3, "imported": 3, "duplicates": 0, "rejected": 0, "errors": []}
    rlist = RectificationList.objects.get(code="XC9")
    assert rlist.name == "区行政审批局优化营商环境专项巡察问题整改清单"
    assert rlist.feedback_date == date(2026, 2, 10)
    problems = {p.no: p for p in rlist.problems.all()}
    assert problems["1"].deadline == date(2026, 3, 5)
    assert problems["1"].unit.code == "SC"  # by its full name
    assert problems["2"].deadline == date(2026, 3, 20)
    assert problems["1"].aspect == problems["2"].aspect == "（一）关于学习贯彻方面存在的问题"
    assert problems["3"].aspect == "（二）关于作风建设方面存在的问题"
    assert any("标题行" in w for w in result.warnings)


def test_an_aspect_column_merged_down_gives_every_row_its_aspect(region, tmp_path):
    path = write_xlsx(tmp_path / "aspect.xlsx", [
        HEADER,
        ["XC8", "清单", "", "", "1", "窗口服务方面", "窗口设置不合理", "", "SC", "2026-03-05", ""],
        ["XC8", "清单", "", "", "2", "", "业务不精", "", "SC", "2026-03-06", ""],
    ], merges=["F2:F3"])  # fmt: skip

    assert run_import("rectification", path).rejected == 0
    assert set(Problem.objects.values_list("aspect", flat=True)) == {"窗口服务方面"}


def test_a_header_over_two_rows_is_refused_with_the_cells_to_fix(region, tmp_path):
    path = write_xlsx(tmp_path / "two-rows.xlsx", [
        ["清单编号", "序号", "问题", "责任", "", "整改时限"],
        ["", "", "", "责任领导", "责任单位编码", ""],
        ["XC1", "1", "问题", "张", "SC", "2026-03-05"],
    ], merges=["A1:A2", "D1:E1"])  # fmt: skip

    with pytest.raises(FileProblem, match="A1:A2.*一行表头"):
        run_import("rectification", path)


def test_a_missing_unit_and_a_bad_date_reject_their_rows_and_keep_the_good_ones(region, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [
        HEADER,
        ["XC2", "清单", "", "", "1", "", "问题一", "", "NOPE", "2026-03-05", ""],
        ["XC2", "清单", "", "", "2", "", "问题二", "", "SC", "三月底", ""],
        ["XC2", "清单", "", "", "3", "", "问题三", "", "", "2026-03-05", ""],
        ["XC2", "清单", "", "", "4", "", "问题四", "", "RS", "2026-03-05", ""],
    ])  # fmt: skip

    result = run_import("rectification", path)

    assert (result.read, result.imported, result.rejected) == (4, 1, 3)
    errors = {e["line"]: e for e in result.errors}
    assert errors[2]["field"] == "unit_code" and "NOPE" in errors[2]["message"]
    assert errors[3]["field"] == "deadline" and "2026年3月5日" in errors[3]["message"]
    assert errors[4]["field"] == "unit_code" and "缺少必填字段" in errors[4]["message"]
    assert list(Problem.objects.values_list("no", flat=True)) == ["4"]


def test_importing_twice_changes_nothing_and_a_changed_deadline_is_a_step(region, import_list):
    row = ["XC3", "清单", "审计", "2026-02-01", "1", "", "问题", "", "SC", "2026-03-05", ""]
    import_list([row])
    again = import_list([row])
    assert (again.imported, again.duplicates) == (0, 1)

    changed = import_list([[*row[:9], "2026-03-31", ""]])

    assert changed.imported == 1
    problem = Problem.objects.get()
    assert problem.deadline == date(2026, 3, 31)
    assert problem.rlist.get_source_display() == "审计"
    assert problem.steps.filter(kind=ProblemStep.Kind.UPDATED).exists()


def test_the_command_prints_the_import_document_and_exits_1_on_rejected_rows(region, tmp_path, capsys):
    path = write_csv(
        tmp_path / "cli.csv", [HEADER, ["XC4", "清单", "", "", "1", "", "问题", "", "NOPE", "2026-03-05", ""]]
    )

    status = main(["import", "rectification", str(path), "--format", "json"])

    doc = json.loads(capsys.readouterr().out)
    assert status == 1
    assert doc["rejected"] == 1 and doc["errors"][0]["line"] == 2


def test_a_file_without_a_header_exits_2(region, tmp_path, capsys):
    path = write_csv(tmp_path / "none.csv", [["随便写点什么"], ["没有表头"]])

    assert main(["import", "rectification", str(path)]) == 2
    assert "没有找到表头" in capsys.readouterr().err


def test_export_writes_the_list_with_progress_and_imports_back_unchanged(
    region, problems, people, tmp_path, capsys
):
    from govwatch.rectification.actions import do_report_progress

    from .conftest import at

    do_report_progress(people.actor("market_staff"), problems["1"], "已召开专题学习会", at=at(2026, 3, 2))
    out = tmp_path / "export.xlsx"
    assert main(["rectification", "export", "--list", "XC1", "--out", str(out)]) == 0
    capsys.readouterr()

    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    assert sheet["A1"].value == "区委第一巡察组反馈意见整改清单"
    header = [c.value for c in sheet[2]]
    assert header[:11] == HEADER and "整改进展" in header
    progress = sheet.cell(row=3, column=header.index("整改进展") + 1).value
    assert "2026-03-02 报告进展：已召开专题学习会" in progress

    result = run_import("rectification", out)
    assert (result.read, result.imported, result.duplicates, result.rejected) == (2, 0, 2, 0)
