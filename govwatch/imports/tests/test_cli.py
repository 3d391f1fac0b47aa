"""`govwatch import` end to end: one JSON document on stdout, exit status 0, 1 or 2."""

from __future__ import annotations

import json

import pytest

from govwatch.cli import main
from govwatch.imports.models import ImportRun

from .helpers import events_csv, write_csv


def _run(capsys, *argv):
    capsys.readouterr()
    code = main(["import", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_0_with_one_json_document(region, tmp_path, capsys):
    path = events_csv(tmp_path / "e.csv", [["A", "accept", "2026-03-02T10:00:00", "I9"]])
    code, out, _ = _run(capsys, "cases", path, "--format", "json")
    assert code == 0
    assert json.loads(out) == {"read": 1, "imported": 1, "duplicates": 0, "rejected": 0, "errors": []}
    assert out.count("\n") == 1
    run = ImportRun.objects.get()
    assert (run.kind, run.read, run.imported, run.operator_label[:4]) == ("cases", 1, 1, "cli:")


def test_exit_1_when_rows_are_rejected(region, tmp_path, capsys):
    path = events_csv(
        tmp_path / "e.csv",
        [["A", "accept", "2026-03-02T10:00:00", "I9"], ["B", "resume", "2026-03-02T10:00:00"]],
    )
    code, out, _ = _run(capsys, "cases", path, "--format", "json", "--operator", "张三")
    assert code == 1
    assert json.loads(out)["errors"] == [
        {"line": 3, "field": "event", "message": "办件尚未受理，受理之前不能有其他环节"}
    ]
    run = ImportRun.objects.get()
    assert (run.operator_label, run.rejected, run.errors[0]["line"]) == ("张三", 1, 3)


def test_warnings_go_to_stderr(region, tmp_path, capsys):
    path = write_csv(
        tmp_path / "u.csv",
        ["code", "name", "parent_code", "kind", "备注"],
        [["Z", "z", "D", "department", ""]],
    )
    code, out, err = _run(capsys, "units", path, "--format", "json")
    assert code == 0 and json.loads(out)["imported"] == 1
    assert "已忽略未知列：备注" in err
    assert ImportRun.objects.get().warnings == ["已忽略未知列：备注"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["boats", "{dir}/u.csv"], "未知的导入类型“boats”"),
        (["units", "{dir}/u.xls"], "不支持的文件类型"),
        (["units", "{dir}/none.csv"], "文件不存在"),
        (["units", "{dir}/empty.csv"], "文件为空"),
    ],
)
def test_exit_2_for_unusable_arguments_and_files(db, tmp_path, capsys, argv, message):
    (tmp_path / "u.xls").write_bytes(b"x")
    (tmp_path / "empty.csv").write_bytes(b"")
    code, out, err = _run(capsys, *[a.format(dir=tmp_path) for a in argv], "--format", "json")
    assert code == 2 and out == "" and message in err
    assert not ImportRun.objects.exists()


def test_header_only_file_exits_0(db, tmp_path, capsys):
    path = write_csv(tmp_path / "u.csv", ["单位编码", "单位名称", "类型"], [])
    code, out, _ = _run(capsys, "units", path, "--format", "json")
    assert code == 0 and json.loads(out) == {
        "read": 0,
        "imported": 0,
        "duplicates": 0,
        "rejected": 0,
        "errors": [],
    }
