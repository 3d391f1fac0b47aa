"""`govwatch demo-load DIR`: every demo file present, in dependency order, each imported once."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from govwatch.cli import main
from govwatch.demo import loading
from govwatch.imports.models import ImportRun

UNITS = "code,name,parent_code,kind,phone\nD,测试区,,district,\nSC,区市场监管局,D,department,13800001111\n"
ITEMS = "code,name,unit_code,type,legal_days,promised_days\nI9,食品经营许可,SC,licensing,20,9\n"
CASES = "case_no,event,at,item_code\nC1,accept,2026-03-02T09:00:00,I9\nC1,complete,2026-03-05T09:00:00,I9\n"


@pytest.fixture
def demo_dir(tmp_path, shipped_calendar) -> Path:
    directory = tmp_path / "demo"
    directory.mkdir()
    # Written in the reverse of their order: demo-load must not take them as the directory lists them.
    (directory / "cases.csv").write_text(CASES, encoding="utf-8")
    (directory / "items.csv").write_text(ITEMS, encoding="utf-8")
    (directory / "units.csv").write_text(UNITS, encoding="utf-8")
    return directory


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["demo-load", *args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_imports_the_files_present_in_dependency_order_and_says_what_it_did(demo_dir, capsys):
    status, out, _ = run(capsys, str(demo_dir), "--format", "text")
    assert status == 0
    lines = out.splitlines()
    assert all(line.startswith("无 ") and line.endswith("跳过") for line in lines[5:])  # the areas' files
    assert lines[:5] == [
        "已导入 units.csv（单位）：读取 2，导入 2，重复 0，拒绝 0",
        "已导入 items.csv（事项）：读取 1，导入 1，重复 0，拒绝 0",
        "已导入 cases.csv（办件过程）：读取 2，导入 2，重复 0，拒绝 0",
        "无 evaluations.csv（好差评），跳过",
        "无 complaints.csv（投诉），跳过",
    ]
    assert list(ImportRun.objects.order_by("id").values_list("kind", flat=True)) == [
        "units",
        "items",
        "cases",
    ]


def test_a_second_run_skips_what_was_imported_and_takes_what_is_new(demo_dir, capsys):
    run(capsys, str(demo_dir))
    (demo_dir / "complaints.csv").write_text(
        "complaint_id,at,source,content,unit_code\nT1,2026-03-06T10:00:00,hotline,窗口态度差,SC\n",
        encoding="utf-8",
    )
    status, out, err = run(capsys, str(demo_dir), "--format", "json")
    assert status == 0
    doc = json.loads(out)
    assert {f["status"] for f in doc["files"][5:]} == {"absent"}  # the areas' files
    assert [(f["file"], f["status"]) for f in doc["files"][:5]] == [
        ("units.csv", "skipped"), ("items.csv", "skipped"), ("cases.csv", "skipped"),
        ("evaluations.csv", "absent"), ("complaints.csv", "imported"),
    ]  # fmt: skip
    assert doc["files"][4]["imported"] == 1 and doc["files"][4]["errors"] == []
    assert "已导入 complaints.csv（投诉）" in err  # progress on standard error, one JSON document on stdout
    assert ImportRun.objects.filter(kind="units").count() == 1


def test_rejected_rows_are_listed_and_exit_1_with_the_good_rows_kept(demo_dir, capsys):
    (demo_dir / "items.csv").write_text(ITEMS + "I0,坏事项,NOPE,licensing,1,1\n", encoding="utf-8")
    status, out, err = run(capsys, str(demo_dir), "--format", "json")
    assert status == 1
    items = json.loads(out)["files"][1]
    assert (items["imported"], items["rejected"]) == (1, 1) and items["errors"][0]["line"] == 3
    assert "拒绝 1 行" in err


def test_a_missing_directory_or_an_unusable_file_exits_2_and_stops_there(demo_dir, tmp_path, capsys):
    status, _, err = run(capsys, str(tmp_path / "nowhere"))
    assert status == 2 and "演示数据目录不存在" in err
    (demo_dir / "items.csv").write_text("name\n食品经营许可\n", encoding="utf-8")
    status, _, err = run(capsys, str(demo_dir))
    assert status == 2 and "items.csv" in err and "缺少必填列" in err
    # The cases need the items: they are left for the next run.
    assert list(ImportRun.objects.values_list("kind", flat=True)) == ["units"]


SEEN: list[tuple] = []


def fake_area_load(kind, path, *, operator_label=None):
    """An area's own loader, as DemoFile.load names it: records its run like every import."""
    SEEN.append((kind, Path(path).name, operator_label))
    ImportRun.objects.create(
        kind=kind, filename=path, finished_at="2026-03-01T00:00:00+08:00", read=4, imported=4
    )
    document = {"read": 4, "imported": 4, "duplicates": 0, "rejected": 0, "errors": []}
    return SimpleNamespace(document=lambda: document, warnings=[])


def test_a_new_area_registers_its_file_and_loader(demo_dir, capsys, monkeypatch):
    SEEN.clear()
    area = loading.DemoFile("problems.csv", "rectification", f"{__name__}.fake_area_load")
    monkeypatch.setattr(loading, "DEMO_FILES", [*loading.DEMO_FILES, area])
    (demo_dir / "problems.csv").write_text("list_code,no\n", encoding="utf-8")
    status, out, _ = run(capsys, str(demo_dir), "--format", "text")
    assert status == 0 and SEEN == [("rectification", "problems.csv", "cli:demo-load")]
    assert out.splitlines()[-1] == "已导入 problems.csv（rectification）：读取 4，导入 4，重复 0，拒绝 0"
    status, out, _ = run(capsys, str(demo_dir), "--format", "text")
    assert out.splitlines()[-1] == "problems.csv（rectification）此前已导入，跳过" and len(SEEN) == 1
