"""Rules of the interchange contract (/work/shared/spec/interchange.md, version 1.1) that no other
test checked end to end, found by the audit in docs/interchange-conformance.md: each test runs the
real `govwatch` command on the real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from govwatch.cli import main
from govwatch.imports.tests.helpers import events_csv, write_csv


def _run(capsys, *argv: object) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- section 1: files, booleans, time zone -------------------------------------------------------


def test_an_xlsx_file_is_read_from_its_first_sheet_even_when_another_sheet_is_active(
    region, tmp_path, capsys
):
    book = Workbook()
    first = book.active
    first.title = "单位"
    first.append(["单位编码", "单位名称", "上级单位编码", "类型"])
    first.append(["X1", "区档案馆", "D", "部门"])
    notes = book.create_sheet("说明")
    notes.append(["单位编码", "单位名称", "上级单位编码", "类型"])
    notes.append(["X2", "不应导入", "D", "部门"])
    book.active = 1  # the sheet a user last looked at is not the data
    book.save(tmp_path / "units.xlsx")

    code, out, _ = _run(capsys, "import", "units", tmp_path / "units.xlsx", "--format", "json")

    from govwatch.orgs.models import Unit

    assert code == 0 and json.loads(out)["imported"] == 1
    assert Unit.objects.filter(code="X1").exists() and not Unit.objects.filter(code="X2").exists()


@pytest.mark.parametrize(
    ("spelling", "value"),
    [("1", True), ("0", False), ("true", True), ("false", False), ("yes", True), ("no", False),
     ("是", True), ("否", False), ("TRUE", True), ("No", False)],
)  # fmt: skip
def test_every_boolean_spelling_of_the_contract_is_read(region, tmp_path, capsys, spelling, value):
    from govwatch.evaluations.models import Evaluation

    path = write_csv(
        tmp_path / "e.csv",
        ["eval_id", "level", "at", "unit_code", "auto"],
        [["E1", "5", "2026-03-02T10:00:00", "SC", spelling]],
    )
    code, out, _ = _run(capsys, "import", "evaluations", path, "--format", "json")
    assert code == 0, out
    assert Evaluation.objects.get(eval_id="E1").auto is value


def test_a_timestamp_without_an_offset_is_local_time_of_the_configured_zone(
    region, tmp_path, capsys, settings
):
    events_csv(tmp_path / "e.csv", [["A", "accept", "2026-03-02T09:00:00", "I9"]])
    events_csv(tmp_path / "f.csv", [["B", "accept", "2026-03-02T09:00:00", "I9"]])
    assert _run(capsys, "import", "cases", tmp_path / "e.csv", "--format", "json")[0] == 0
    settings.TIME_ZONE = "UTC"  # GOVWATCH_TIME_ZONE
    assert _run(capsys, "import", "cases", tmp_path / "f.csv", "--format", "json")[0] == 0

    shown = {}
    for case_no in ("A", "B"):
        code, out, _ = _run(capsys, "case", "show", case_no, "--format", "json")
        assert code == 0
        shown[case_no] = json.loads(out)["accepted_at"]
    # The same wall-clock text is 09:00 in Shanghai (01:00 UTC) for A, 09:00 UTC for B.
    assert shown == {"A": "2026-03-02T01:00:00+00:00", "B": "2026-03-02T09:00:00+00:00"}


# -- section 5: exit status 2 for an unusable configuration ---------------------------------------


def _govwatch(tmp_path: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    base.update({"GOVWATCH_VAR_DIR": str(tmp_path / "var"), **env})
    return subprocess.run(
        [sys.executable, "-m", "govwatch.cli", *argv],
        env=base, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "postgres://govwatch:x@127.0.0.1:1/govwatch"}, "无法连接数据库"),
        ({"GOVWATCH_TIME_ZONE": "Nowhere/Zone"}, "配置错误"),
        ({}, "请先运行 govwatch init"),  # a data directory `govwatch init` never set up
    ],
    ids=["unreachable-database", "unknown-time-zone", "database-not-initialised"],
)
def test_a_configuration_govwatch_cannot_use_exits_2_with_a_clear_message(tmp_path, env, message):
    done = _govwatch(tmp_path, env, "scan", "--at", "2026-03-04T10:00:00", "--format", "json")
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert message in done.stderr and "Traceback" not in done.stderr


# -- section 5: scan and the outbox -------------------------------------------------------------


def test_scan_counts_as_queued_only_the_messages_it_queued(region, tmp_path, capsys):
    # The instant item's unit (a community) has no alert number: its red message goes in the
    # outbox as failed, the supervisors' is queued.
    events_csv(tmp_path / "e.csv", [["K", "accept", "2026-03-02T10:00:00", "I0"]])
    assert _run(capsys, "import", "cases", tmp_path / "e.csv", "--format", "json")[0] == 0

    code, out, _ = _run(capsys, "scan", "--at", "2026-03-03T10:00:00", "--format", "json")
    assert code == 0
    scanned = json.loads(out)
    code, out, _ = _run(capsys, "notifications", "list", "--status", "queued", "--format", "json")
    queued = json.loads(out)

    assert (scanned["red"], scanned["new_red"]) == (1, 1)
    assert scanned["notifications_queued"] == len(queued) == 1


def test_notifications_list_shows_only_the_status_asked_with_the_contracts_fields(region, tmp_path, capsys):
    events_csv(tmp_path / "e.csv", [["K", "accept", "2026-03-02T10:00:00", "I0"]])
    _run(capsys, "import", "cases", tmp_path / "e.csv", "--format", "json")
    _run(capsys, "scan", "--at", "2026-03-03T10:00:00", "--format", "json")

    listed = {}
    for status in ("queued", "failed", "sent"):
        code, out, _ = _run(capsys, "notifications", "list", "--status", status, "--format", "json")
        assert code == 0 and out.count("\n") == 1
        listed[status] = json.loads(out)
    code, out, _ = _run(capsys, "notifications", "list", "--format", "json")
    everything = json.loads(out)

    assert [n["status"] for n in listed["queued"]] == ["queued"]
    assert [n["status"] for n in listed["failed"]] == ["failed"]
    assert listed["sent"] == []
    assert sorted(n["id"] for n in everything) == sorted(n["id"] for n in listed["queued"] + listed["failed"])
    fields = {"id", "channel", "recipient", "kind", "case_no", "text", "status", "attempts"}
    for n in everything:
        assert fields <= n.keys() and (n["kind"], n["case_no"]) == ("red", "K")
    supervisor = listed["queued"][0]
    assert supervisor["recipient"] != "13900009999" and "*" in supervisor["recipient"]  # masked


@pytest.mark.parametrize(
    "argv",
    [
        ["notifications", "list", "--status", "lost", "--format", "json"],
        ["scan", "--at", "not-a-moment", "--format", "json"],
    ],
)
def test_unusable_scan_and_outbox_arguments_exit_2_with_nothing_on_stdout(db, capsys, argv):
    code, out, err = _run(capsys, *argv) if argv[0] == "scan" else _argparse_exit(capsys, argv)
    assert code == 2 and out == "" and "govwatch:" in err


def _argparse_exit(capsys, argv: list[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    return int(exited.value.code), out, err
