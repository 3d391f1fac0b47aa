"""Reading files: formats, encodings, headers, and the files that cannot be imported at all."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from govwatch.core.tables import FileProblem, open_table
from govwatch.imports.kinds import UNIT_FIELDS
from govwatch.imports.runs import run_import

from .helpers import write_csv, write_jsonl, write_xlsx


def _rows(path):
    return list(open_table(path, UNIT_FIELDS).rows)


def test_reads_chinese_headers_and_utf8_bom(tmp_path):
    path = tmp_path / "u.csv"
    path.write_bytes("\ufeff单位编码,单位名称,类型\nD,测试区,区\n".encode())
    assert _rows(path) == [(2, {"code": "D", "name": "测试区", "kind": "区"})]


def test_reads_gb18030_when_not_utf8(tmp_path):
    path = write_csv(
        tmp_path / "u.csv", ["单位编码", "单位名称", "类型"], [["D", "测试区", "区"]], encoding="gb18030"
    )
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")
    assert _rows(path) == [(2, {"code": "D", "name": "测试区", "kind": "区"})]


def test_gb18030_file_imports_with_chinese_labels(region, tmp_path):
    path = write_csv(
        tmp_path / "u.csv",
        ["单位编码", "单位名称", "上级单位编码", "类型"],
        [["GB", "国标街道", "D", "街道"]],
        encoding="gb18030",
    )
    result = run_import("units", path, operator_label="test")
    assert (result.imported, result.rejected) == (1, 0)


def test_unknown_columns_are_ignored_with_one_warning(tmp_path):
    path = write_csv(
        tmp_path / "u.csv",
        ["code", "name", "kind", "备注"],
        [["D", "测试区", "district", "x"], ["E", "e", "district", "y"]],
    )
    table = open_table(path, UNIT_FIELDS)
    assert [v for _, v in table.rows][0] == {"code": "D", "name": "测试区", "kind": "district"}
    assert table.warnings == ["已忽略未知列：备注"]


def test_empty_file_is_unusable(tmp_path):
    for name in ("u.csv", "u.xlsx", "u.jsonl"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(FileProblem, match="文件为空"):
            open_table(tmp_path / name, UNIT_FIELDS)
    (tmp_path / "blank.csv").write_text("\n\n")
    with pytest.raises(FileProblem, match="文件为空"):
        open_table(tmp_path / "blank.csv", UNIT_FIELDS)


def test_header_only_file_reads_nothing(tmp_path):
    assert _rows(write_csv(tmp_path / "u.csv", ["code", "name", "kind"], [])) == []
    assert _rows(write_xlsx(tmp_path / "u.xlsx", ["code", "name", "kind"], [])) == []


def test_unsupported_extension_and_missing_file(tmp_path):
    (tmp_path / "u.xls").write_bytes(b"x")
    with pytest.raises(FileProblem, match="不支持的文件类型"):
        open_table(tmp_path / "u.xls", UNIT_FIELDS)
    with pytest.raises(FileProblem, match="文件不存在"):
        open_table(tmp_path / "none.csv", UNIT_FIELDS)


def test_missing_required_column_is_unusable(tmp_path):
    path = write_csv(tmp_path / "u.csv", ["code", "name"], [["D", "x"]])
    with pytest.raises(FileProblem, match=r"表头缺少必填列：kind\(类型\)"):
        open_table(path, UNIT_FIELDS)


def test_xlsx_reads_first_sheet_with_typed_cells(tmp_path):
    path = write_xlsx(
        tmp_path / "u.xlsx",
        ["单位编码", "单位名称", "类型", "联系电话"],
        [[101, "测试区", "区", 13800001111.0]],
    )
    assert _rows(path) == [(2, {"code": "101", "name": "测试区", "kind": "区", "phone": "13800001111"})]


def test_xlsx_with_merged_header_cells_is_rejected_clearly(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["单位编码", "单位名称", None, "类型"])
    sheet.merge_cells("B1:C1")
    sheet.append(["D", "测试区", "别名", "区"])
    book.save(tmp_path / "merged.xlsx")
    with pytest.raises(FileProblem, match=r"表头第 3 列（C 列）为空：表头可能含合并单元格"):
        open_table(tmp_path / "merged.xlsx", UNIT_FIELDS)


def test_xlsx_two_row_header_is_rejected_clearly(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["单位", None, "类型"])
    sheet.append(["单位编码", "单位名称", None])
    sheet.merge_cells("A1:B1")
    sheet.merge_cells("C1:C2")
    book.save(tmp_path / "two.xlsx")
    with pytest.raises(FileProblem, match="表头第 2 列（B 列）为空"):
        open_table(tmp_path / "two.xlsx", UNIT_FIELDS)


def test_jsonl_lines_are_record_numbers_and_bad_lines_are_row_errors(tmp_path):
    path = write_jsonl(
        tmp_path / "u.jsonl", [{"code": "D", "name": "测试区", "kind": "district", "extra": 1}]
    )
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n{not json}\n[1, 2]\n")
    table = open_table(path, UNIT_FIELDS)
    rows = list(table.rows)
    assert rows[0] == (1, {"code": "D", "name": "测试区", "kind": "district"})
    assert [(line, err.message) for line, err in rows[1:]] == [
        (3, "该行不是有效的 JSON：JSON 格式错误（第 1 行第 2 列）"),
        (4, "该行应为一个 JSON 对象"),
    ]
    assert table.warnings == ["已忽略未知字段：extra"]


def test_a_csv_read_a_block_at_a_time_gives_the_records_read_one_at_a_time(tmp_path):
    # Blocks parse whole batches of lines at once; every oddity (a blank line, a quoted line break,
    # an unterminated quote, a control character, a short row and extra cells, a column the file
    # lacks) must come out as the row-by-row reader gives it, line numbers and warnings included.
    good = [f"U{i},单位{i},部门" for i in range(300)]
    odd = [
        "",
        'Q1,"两行\n的名称",部门',
        "C1,控制\x07字符,部门",
        "S1,短行",
        "E1,多列,部门,多余",
        'B1,"未闭合,部门',
    ]
    lines = ["code,name,kind", *good[:100], *odd, *good[100:], ""]
    path = tmp_path / "u.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    names = ("code", "name", "kind", "parent_code")
    one = open_table(path, UNIT_FIELDS)
    expected = list(one.texts(names))
    blocks = open_table(path, UNIT_FIELDS)
    got = [record for block in blocks.text_blocks(names, 64) for record in block]
    assert [(line, str(v)) for line, v in got] == [(line, str(v)) for line, v in expected]
    assert blocks.warnings == one.warnings
    assert len(expected) > 300 and any(not isinstance(v, tuple) for _, v in expected)
