"""`govwatch report kpi` end to end on the data set of conftest.py."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from govwatch.cli import main
from govwatch.reports.figures import COLUMNS, COMPLAINT_FIGURES

CHINESE_HEADER = [
    "单位编码", "单位名称", "受理量", "办结量", "按时办结量", "按时办结率", "逾期未办结", "评价数", "评价率",
    "主动评价率", "满意率", "差评数", "承诺时限压缩比", "网办率", "全程网办率",
    # GovWatch's extension, after the contract's figures.
    "整改任务数", "按时整改数", "按时整改率", "应回访数", "已回访数", "回访率",
    "投诉受理量", "投诉事项数", "重复投诉数", "投诉办结量", "投诉按期办结量", "投诉按期办结率", "投诉属实数",
    "投诉属实率", "投诉回访数", "回访满意数", "投诉回访满意率",
]  # fmt: skip
MARCH_ARGS = ["--from", "2026-03-01", "--to", "2026-03-31"]


def _run(capsysbinary, *argv: str) -> tuple[int, bytes, str]:
    capsysbinary.readouterr()
    code = main(["report", "kpi", *argv])
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


def test_json_is_one_document_of_rows_and_a_total(march, capsysbinary):
    code, out, _ = _run(capsysbinary, *MARCH_ARGS, "--format", "json")
    assert code == 0
    assert out.count(b"\n") == 1
    doc = json.loads(out)
    assert list(doc) == ["from", "to", "unit", "rows", "top_negative_tags"]
    assert (doc["from"], doc["to"], doc["unit"]) == ("2026-03-01", "2026-03-31", None)
    assert [r["unit_code"] for r in doc["rows"]] == ["D", "C", "JW", "RS", "SC", "ST", "ST1", "total"]
    assert all(list(r) == list(COLUMNS) for r in doc["rows"])
    # Rates rounded to 4 decimals; null stays null.
    assert doc["rows"][-1] == {
        "unit_code": "total", "unit_name": "合计", "received": 16, "completed": 7, "completed_on_time": 4,
        "on_time_rate": 0.5714, "overdue_open": 6, "evaluations": 6, "evaluation_rate": 0.8571,
        "active_evaluation_rate": 0.5714, "satisfaction_rate": 0.5, "negative": 3,
        "time_limit_reduction": 0.6098, "online_rate": 0.6, "full_online_rate": 0.4,
        # Imports open no rectification task and carry no negative reasons.
        "rectification_tasks": 0, "rectified_on_time": 0, "rectified_on_time_rate": None, "callbacks_owed": 0,
        "called_back": 0, "callback_rate": None,
        # No complaint in the fixture: counts 0, rates null.
        **{k: None if k.endswith("_rate") else 0 for k in COMPLAINT_FIGURES},
    }  # fmt: skip
    assert doc["rows"][0]["on_time_rate"] is None
    assert doc["top_negative_tags"] == []


def test_json_is_the_default_format(march, capsysbinary):
    code, out, _ = _run(capsysbinary, *MARCH_ARGS)
    assert code == 0 and json.loads(out)["rows"][-1]["received"] == 16


def test_unit_gives_the_subtree_and_its_total(march, capsysbinary):
    code, out, _ = _run(capsysbinary, *MARCH_ARGS, "--unit", "ST", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["unit"] == "ST"
    assert [(r["unit_code"], r["received"], r["completed"]) for r in doc["rows"]] == [
        ("ST", 0, 0),
        ("ST1", 2, 2),
        ("total", 2, 2),
    ]


def test_csv_has_a_bom_and_an_english_header(march, capsysbinary):
    code, out, _ = _run(capsysbinary, *MARCH_ARGS, "--format", "csv")
    assert code == 0
    assert out.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS)
    assert rows[-1][:7] == ["total", "合计", "16", "7", "4", "0.5714", "6"]
    # A null rate is an empty cell.
    assert rows[1][:6] == ["D", "测试区", "0", "0", "0", ""]
    assert len(rows) == 1 + 7 + 1


def test_csv_to_a_file(march, capsysbinary, tmp_path):
    path = tmp_path / "kpi.csv"
    code, out, err = _run(capsysbinary, *MARCH_ARGS, "--format", "csv", "--out", str(path))
    assert (code, out) == (0, b"")
    assert "已写入" in err
    assert path.read_bytes().startswith(b"\xef\xbb\xbfunit_code,unit_name,received")


def test_json_to_a_file_is_printed_too(march, capsysbinary, tmp_path):
    path = tmp_path / "kpi.json"
    code, out, _ = _run(capsysbinary, *MARCH_ARGS, "--out", str(path))
    assert code == 0
    assert json.loads(path.read_bytes()) == json.loads(out)


def test_xlsx_has_a_chinese_header_and_percentages(march, capsysbinary, tmp_path):
    path = tmp_path / "kpi.xlsx"
    code, out, _ = _run(capsysbinary, *MARCH_ARGS, "--unit", "RS", "--format", "xlsx", "--out", str(path))
    assert (code, out) == (0, b"")
    sheet = load_workbook(path).active
    assert sheet.title == "2026-03-01至2026-03-31"
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    # A title line naming the unit, the period line, then the header.
    assert rows[0][0] == "政务服务效能统计报表（区人社局）"
    assert rows[1][0] == "统计期间：2026年3月1日至2026年3月31日"
    rows = rows[2:]
    assert rows[0] == CHINESE_HEADER
    assert rows[1] == [
        "RS", "区人社局", 3, 3, 2, 0.6667, 2, 3, 1.0, 0.6667, 0.3333, 2, 0.8, 1.0, 0.0, 0, 0, None, 0, 0, None,
        0, 0, 0, 0, 0, None, 0, None, 0, 0, None,
    ]  # fmt: skip
    assert rows[2][0] == "total" and rows[2][2:5] == [3, 3, 2]
    assert sheet["F4"].number_format == "0.00%" and sheet.freeze_panes == "C4"


def test_xlsx_goes_to_standard_output_when_it_is_not_a_terminal(march, capsysbinary, tmp_path):
    code, out, _ = _run(capsysbinary, *MARCH_ARGS, "--format", "xlsx")
    assert code == 0 and out.startswith(b"PK")
    path = tmp_path / "out.xlsx"
    path.write_bytes(out)
    assert [c.value for c in load_workbook(path).active[3]] == CHINESE_HEADER


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "2026-02-30", "--to", "2026-03-31"], "日期格式错误"),
        (["--from", "2026-03-31", "--to", "2026-03-01"], "开始日期 2026-03-31 晚于结束日期 2026-03-01"),
        ([*MARCH_ARGS, "--unit", "NOPE"], "单位编码 NOPE 不存在"),
        ([*MARCH_ARGS, "--format", "pdf"], "不支持的输出格式“pdf”"),
        ([*MARCH_ARGS, "--out", "/nonexistent/dir/kpi.csv"], "输出目录不存在"),
        (["--to", "2026-03-31"], "参数错误"),
    ],
)
def test_unusable_arguments_exit_2_with_nothing_on_standard_output(march, capsysbinary, argv, message):
    try:
        code = main(["report", "kpi", *argv])
    except SystemExit as exc:  # argparse's own errors (a missing option) exit from the parser
        code = exc.code
    out, err = capsysbinary.readouterr()
    assert (code, out) == (2, b"")
    assert message in err.decode("utf-8")
