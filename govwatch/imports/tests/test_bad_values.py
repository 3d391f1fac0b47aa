"""One bad value costs its row, never the file: NUL bytes, control characters, values past the
reader's limit, JSON objects where text belongs, title rows, unterminated quotes (contract section 1)."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

from govwatch.cases.models import Case
from govwatch.core.rowfields import MAX_TEXT
from govwatch.core.tables import open_table
from govwatch.imports.kinds import UNIT_FIELDS
from govwatch.imports.runs import run_import
from govwatch.orgs.models import Unit

from .helpers import write_csv, write_jsonl

UNITS = ["code", "name", "parent_code", "kind"]


def _errors(result) -> list[tuple[int, str]]:
    return [(e["line"], e["field"]) for e in result.document()["errors"]]


# A spreadsheet cannot hold a NUL (nor any control character but tab and line breaks): XML has none.
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_nul_byte_in_any_text_field_is_a_row_error_and_the_good_rows_go_in(region, tmp_path, fmt):
    rows = [
        ["A1", "accept", "2026-03-02T09:00:00", "I9", ""],
        ["A\x002", "accept", "2026-03-02T09:00:00", "I9", ""],
        ["A3", "accept", "2026-03-02T09:00:00", "I9", "补正\x00材料"],
        ["A4", "accept", "2026-03-02T09:00:00", "I9", ""],
    ]
    header = ["case_no", "event", "at", "item_code", "reason"]
    if fmt == "csv":
        path = write_csv(tmp_path / "e.csv", header, rows)
    else:
        path = write_jsonl(tmp_path / "e.jsonl", [dict(zip(header, r, strict=True)) for r in rows])
    result = run_import("cases", path)
    first = 2 if fmt == "csv" else 1
    assert _errors(result) == [(first + 1, "case_no"), (first + 2, "reason")]
    assert "NUL" in result.document()["errors"][0]["message"]
    assert set(Case.objects.values_list("case_no", flat=True)) == {"A1", "A4"}


def test_a_field_past_the_readers_limit_is_a_row_error_not_the_end_of_the_file(region, tmp_path):
    path = write_csv(
        tmp_path / "e.csv",
        ["case_no", "event", "at", "item_code", "reason"],
        [
            ["B1", "accept", "2026-03-02T09:00:00", "I9", ""],
            ["B2", "accept", "2026-03-02T09:00:00", "I9", "长" * (MAX_TEXT + 1)],
            ["B3", "accept", "2026-03-02T09:00:00", "I9", "补正"],
        ],
    )
    result = run_import("cases", path)
    assert _errors(result) == [(3, "reason")]
    assert (
        result.document()["errors"][0]["message"]
        == f"reason(原因) 过长（{MAX_TEXT + 1} 个字符，最多 {MAX_TEXT} 个）"
    )
    assert set(Case.objects.values_list("case_no", flat=True)) == {"B1", "B3"}


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("区\x07市场局", "U+0007"),
        ("区市场局\n（新）", "U+000A"),
        ("\u202e局场市区", "U+202E"),
        ("区\u2028局", "U+2028"),
    ],
)
def test_control_characters_in_names_and_codes_are_refused(region, tmp_path, name, shown):
    path = write_csv(
        tmp_path / "u.csv", UNITS, [["N1", name, "D", "department"], ["N2", "好名字", "D", "department"]]
    )
    result = run_import("units", path)
    assert _errors(result) == [(2, "name")]
    assert shown in result.document()["errors"][0]["message"]
    assert set(Unit.objects.filter(code__startswith="N").values_list("code", flat=True)) == {"N2"}


def test_free_text_keeps_its_line_breaks_and_tabs(region, tmp_path):
    path = write_csv(
        tmp_path / "e.csv",
        ["case_no", "event", "at", "item_code", "reason"],
        [["T1", "accept", "2026-03-02T09:00:00", "I9", "第一行\n第二行\t附注"]],
    )
    assert run_import("cases", path).rejected == 0


def test_a_json_object_or_array_is_no_case_number(region, tmp_path):
    path = write_jsonl(tmp_path / "e.jsonl", [
        {"case_no": {"$gt": ""}, "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"},
        {"case_no": ["J2"], "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"},
        {"case_no": 12345, "event": "accept", "at": "2026-03-02T09:00:00", "item_code": "I9"},
    ])  # fmt: skip
    result = run_import("cases", path)
    assert _errors(result) == [(1, "case_no"), (2, "case_no")]
    assert "不能是 JSON 对象或数组" in result.document()["errors"][0]["message"]
    assert list(Case.objects.values_list("case_no", flat=True)) == ["12345"]


def test_a_merged_title_row_above_the_header_is_skipped_with_a_warning(region, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["2026 年第一季度新增单位", None, None, None])
    sheet.merge_cells("A1:D1")
    sheet.append(UNITS)
    sheet.append(["N1", "区数据局", "D", "department"])
    book.save(tmp_path / "u.xlsx")
    table = open_table(tmp_path / "u.xlsx", UNIT_FIELDS)
    assert list(table.rows) == [
        (3, {"code": "N1", "name": "区数据局", "parent_code": "D", "kind": "department"})
    ]
    assert table.warnings == ["已跳过表头上方的 1 行标题，表头在第 2 行"]


def test_a_csv_title_line_is_skipped_too(region, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text(
        "区政务服务中心 单位表,,,\ncode,name,parent_code,kind\nN1,区数据局,D,department\n", encoding="utf-8"
    )
    result = run_import("units", path)
    assert (result.imported, result.warnings) == (1, ["已跳过表头上方的 1 行标题，表头在第 2 行"])


def test_an_unterminated_quote_costs_its_row_only(region, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text(
        'code,name,parent_code,kind\nN1,"区数据局,D,department\nN2,区档案馆,D,department\nN3,区医保局,D,department\n',
        encoding="utf-8",
    )
    result = run_import("units", path)
    assert _errors(result) == [(2, "")]
    assert "引号" in result.document()["errors"][0]["message"]
    assert set(Unit.objects.filter(code__startswith="N").values_list("code", flat=True)) == {"N2", "N3"}


def test_a_quote_that_closes_rows_later_in_a_name_gives_the_rows_back(region, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text(
        'code,name,parent_code,kind\nN1,"区数据局,D,department\nN2,区档案馆,D,department\nN3,"区医保局",D,department\n',
        encoding="utf-8",
    )
    result = run_import("units", path)
    assert result.rejected >= 1 and _errors(result)[0][0] == 2
    assert Unit.objects.filter(code="N2").exists()


def test_free_text_may_span_lines_in_quotes(region, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(
        'case_no,event,at,item_code,reason\nQ1,accept,2026-03-02T09:00:00,I9,"第一行\n第二行"\nQ2,accept,2026-03-02T09:00:00,I9,\n',
        encoding="utf-8",
    )
    result = run_import("cases", path)
    assert (result.imported, result.rejected) == (2, 0)
    assert Case.objects.get(case_no="Q1").events.get().reason == "第一行\n第二行"


def test_stray_text_after_a_closing_quote_is_a_row_error(region, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text(
        'code,name,parent_code,kind\nN1,"区数据局"x,D,department\nN2,区档案馆,D,department\n',
        encoding="utf-8",
    )
    result = run_import("units", path)
    assert _errors(result) == [(2, "")]
    assert Unit.objects.filter(code="N2").exists()


def test_a_number_longer_than_python_reads_is_a_row_error_in_chinese(region, tmp_path):
    path = tmp_path / "i.jsonl"
    path.write_text(
        json.dumps({"code": "I5", "name": "x", "unit_code": "SC", "promised_days": 1})[:-1]
        + ', "legal_days": '
        + "9" * 5000
        + "}\n",
        encoding="utf-8",
    )
    result = run_import("items", path)
    [error] = result.document()["errors"]
    assert error["field"] == "legal_days" and "不是有效的整数" in error["message"]
    assert "digits" not in error["message"]


def test_a_day_count_past_the_integer_columns_is_a_row_error(region, tmp_path):
    path = write_csv(
        tmp_path / "i.csv",
        ["code", "name", "unit_code", "legal_days", "promised_days"],
        [["I5", "x", "SC", str(2**40), "1"]],
    )
    [error] = run_import("items", path).document()["errors"]
    assert error["field"] == "legal_days" and "不能大于" in error["message"]


def test_a_deeply_nested_json_line_is_a_row_error(region, tmp_path):
    path = tmp_path / "u.jsonl"
    path.write_text(
        "[" * 100_000
        + "]" * 100_000
        + "\n"
        + json.dumps({"code": "N1", "name": "n", "parent_code": "D", "kind": "department"})
        + "\n",
        encoding="utf-8",
    )
    result = run_import("units", path)
    assert _errors(result) == [(1, "")] and result.imported == 1


def test_a_timestamp_out_of_the_calendars_range_is_a_row_error(region, tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [
        {"complaint_id": "K1", "at": "0001-01-01T00:00:00", "source": "hotline", "content": "x", "unit_code": "SC"},
        {"complaint_id": "K2", "at": "9999-12-31T23:59:59-12:00", "source": "hotline", "content": "x", "unit_code": "SC"},
    ])  # fmt: skip
    assert _errors(run_import("complaints", path)) == [(1, "at"), (2, "at")]
