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


# -- section 2: every enumeration's Chinese label is accepted, and the defaults ---------------------


def _import(capsys, kind: str, path: Path) -> dict:
    code, out, err = _run(capsys, "import", kind, path, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["rejected"] == 0, (doc, err)
    return doc


def test_every_chinese_label_of_units_and_items_is_read_as_its_code_and_defaults_apply(
    region, tmp_path, capsys
):
    from govwatch.catalog.models import Item
    from govwatch.orgs.models import Unit

    kinds = {"区": "district", "部门": "department", "街道": "street", "社区": "community", "科室": "section",
             "政务服务中心": "center", "纪检监察": "supervisor"}  # fmt: skip
    rows = [[f"K{n}", f"单位{n}", "D", label] for n, label in enumerate(kinds)]
    _import(
        capsys, "units", write_csv(tmp_path / "u.csv", ["单位编码", "单位名称", "上级单位编码", "类型"], rows)
    )
    assert {Unit.objects.get(code=f"K{n}").kind for n in range(len(kinds))} == set(kinds.values())
    assert [Unit.objects.get(code=f"K{n}").kind for n in range(len(kinds))] == list(kinds.values())

    types = {"行政许可": "licensing", "行政确认": "confirmation", "行政给付": "payment", "行政征收": "levy",
             "行政裁决": "adjudication", "行政奖励": "reward", "其他行政权力": "other_power",
             "公共服务": "public_service"}  # fmt: skip
    levels = {"区级": "district", "镇级": "town", "村级": "village"}
    onlines = {"不可网办": "none", "部分网办": "partial", "全程网办": "full"}
    rows = [
        [f"T{n}", f"事项{n}", "SC", label, list(levels)[n % 3], 5, 1, list(onlines)[n % 3]]
        for n, label in enumerate(types)
    ]
    rows.append(["TD", "默认事项", "SC", "", "", 5, 1, ""])
    header = ["事项编码", "事项名称", "实施单位编码", "事项类型", "层级", "法定时限", "承诺时限", "网办程度"]
    _import(capsys, "items", write_csv(tmp_path / "i.csv", header, rows))
    got = [(i.type, i.level, i.online) for i in (Item.objects.get(code=f"T{n}") for n in range(len(types)))]
    assert got == [
        (code, list(levels.values())[n % 3], list(onlines.values())[n % 3])
        for n, code in enumerate(types.values())
    ]
    default = Item.objects.get(code="TD")
    assert (default.type, default.level, default.online) == ("public_service", "district", "none")


def test_every_chinese_label_of_case_events_is_read_as_its_code_and_defaults_apply(region, tmp_path, capsys):
    from govwatch.cases.models import Case

    header = ["业务编号", "环节", "时间", "事项编码", "渠道", "申请人类型"]
    rows = [
        ["W", "受理", "2026-03-02T09:00:00", "I9", "窗口", "个人"],
        ["N", "受理", "2026-03-02T09:00:00", "I9", "网上", "企业"],
        ["M", "受理", "2026-03-02T09:00:00", "I9", "掌上", "", ""],
        ["K", "受理", "2026-03-02T09:00:00", "I9", "自助终端", ""],
        ["D", "受理", "2026-03-02T09:00:00", "I9", "", ""],
        ["N", "挂起", "2026-03-03T09:00:00", "", "", ""],
        ["N", "恢复", "2026-03-04T09:00:00", "", "", ""],
        ["N", "办结", "2026-03-05T09:00:00", "", "", ""],
        ["M", "退件", "2026-03-05T09:00:00", "", "", ""],
        ["K", "撤回", "2026-03-05T09:00:00", "", "", ""],
        ["W", "挂起", "2026-03-05T09:00:00", "", "", ""],
    ]
    _import(capsys, "cases", write_csv(tmp_path / "e.csv", header, [r[:6] for r in rows]))
    cases = {c.case_no: (c.channel, c.applicant_type, c.status) for c in Case.objects.all()}
    assert cases == {
        "W": ("window", "person", "suspended"),
        "N": ("online", "enterprise", "completed"),
        "M": ("mobile", "person", "rejected"),
        "K": ("kiosk", "person", "withdrawn"),
        "D": ("window", "person", "open"),
    }


def test_every_chinese_label_of_evaluations_and_complaints_is_read_as_its_code_and_defaults_apply(
    region, tmp_path, capsys
):
    from govwatch.complaints.models import Complaint
    from govwatch.evaluations.models import Evaluation

    levels = {"非常满意": 5, "满意": 4, "基本满意": 3, "不满意": 2, "非常不满意": 1}
    channels = {
        "评价器": "device",
        "扫码": "qr",
        "短信": "sms",
        "网站": "web",
        "移动端": "app",
        "12345热线": "hotline",
    }
    rows = [[f"E{n}", word, "2026-03-02T10:00:00", "SC", list(channels)[n]] for n, word in enumerate(levels)]
    rows.append(["E5", "4", "2026-03-02T10:00:00", "SC", "12345热线"])
    rows.append(["ED", "5", "2026-03-02T10:00:00", "SC", ""])
    _import(
        capsys,
        "evaluations",
        write_csv(tmp_path / "e.csv", ["评价编号", "评价等级", "评价时间", "单位编码", "评价渠道"], rows),
    )
    got = {e.eval_id: (e.level, e.channel, e.auto) for e in Evaluation.objects.all()}
    assert got == {
        **{f"E{n}": (level, list(channels.values())[n], False) for n, level in enumerate(levels.values())},
        "E5": (4, "hotline", False),
        "ED": (5, "device", False),
    }

    sources = {"12345热线": "hotline", "市长专线": "mayor_line", "不满意请找我窗口": "window", "网站": "web",
               "来信": "letter", "监督检查": "inspection"}  # fmt: skip
    categories = {"服务态度": "attitude", "拖延": "delay", "推诿": "shirking", "脱岗/迟到早退": "absence",
                  "政策执行": "rules", "吃拿卡要": "integrity", "其他": "other"}  # fmt: skip
    kinds = {"咨询": "consult", "求助": "help", "建议": "suggest", "投诉": "complaint", "举报": "report"}
    urgencies = {"一般": "normal", "紧急": "urgent"}
    header = ["投诉编号", "投诉时间", "来源", "内容", "被投诉单位编码", "类别", "诉求类型", "紧急程度"]
    rows = [
        [f"C{n}", f"2026-03-0{2 + n % 5}T10:00:00", list(sources)[n % 6], f"内容{n}", "SC", category,
         list(kinds)[n % 5], list(urgencies)[n % 2]]
        for n, category in enumerate(categories)
    ]  # fmt: skip
    rows.append(["CD", "2026-03-02T10:00:00", "来信", "默认", "SC", "", "", ""])
    _import(capsys, "complaints", write_csv(tmp_path / "c.csv", header, rows))
    got = {c.complaint_id: (c.source, c.category, c.kind, c.urgency) for c in Complaint.objects.all()}
    assert got == {
        **{
            f"C{n}": (
                list(sources.values())[n % 6],
                code,
                list(kinds.values())[n % 5],
                list(urgencies.values())[n % 2],
            )
            for n, code in enumerate(categories.values())
        },
        "CD": ("letter", "", "complaint", "normal"),
    }


# -- section 1: timestamps later than the moment of import ----------------------------------------


def test_facts_dated_after_the_moment_of_import_are_accepted_and_scanned_at_their_own_time(
    region, tmp_path, capsys
):
    # Years ahead of any clock this test runs on: a replay or a migration feeds data of any period.
    events_csv(
        tmp_path / "e.csv",
        [["F", "accept", "2031-03-03T09:00:00", "I2"], ["F", "complete", "2031-03-04T09:00:00"],
         ["G", "accept", "2031-03-03T09:00:00", "I2"]],
    )  # fmt: skip
    assert _import(capsys, "cases", tmp_path / "e.csv")["imported"] == 3
    _import(capsys, "evaluations", write_csv(
        tmp_path / "v.csv", ["eval_id", "level", "at", "case_no"], [["V", "5", "2031-03-04T10:00:00", "F"]]
    ))  # fmt: skip
    _import(capsys, "complaints", write_csv(
        tmp_path / "c.csv", ["complaint_id", "at", "source", "content", "unit_code"],
        [["K", "2031-03-04T10:00:00", "hotline", "办理慢", "RS"]],
    ))  # fmt: skip

    code, out, _ = _run(capsys, "case", "show", "G", "--format", "json")
    shown = json.loads(out)
    assert (shown["due_date"], shown["provisional"]) == ("2031-03-05", True)  # 2031: no schedule yet
    code, out, _ = _run(capsys, "scan", "--at", "2031-03-06T09:00:00", "--format", "json")
    scanned = json.loads(out)
    assert code == 0 and (scanned["open"], scanned["red"]) == (1, 1)


# -- section 6: the yellow text, word for word, to the handling unit only --------------------------


def test_the_yellow_text_is_the_contracts_words_and_goes_to_the_handling_unit_only(region, tmp_path, capsys):
    events_csv(tmp_path / "e.csv", [["Y", "accept", "2026-03-02T09:00:00", "I9"]])  # due Friday 13 March
    _import(capsys, "cases", tmp_path / "e.csv")
    code, out, _ = _run(capsys, "scan", "--at", "2026-03-10T09:00:00", "--format", "json")
    assert code == 0 and json.loads(out)["new_yellow"] == 1
    code, out, _ = _run(capsys, "notifications", "list", "--format", "json")
    assert [(n["kind"], n["recipient"], n["text"]) for n in json.loads(out)] == [
        ("yellow", "138****1111",
         "政务服务网食品经营许可的业务即将超时，业务编号：Y，办理期限：2026-03-13，请及时办理。"),
    ]  # fmt: skip


# -- section 2: units' hours; section 1: one file contradicting itself -----------------------------


def test_a_units_hours_are_kept_and_unreadable_hours_reject_the_row_naming_the_field(
    region, tmp_path, capsys
):
    from govwatch.orgs.models import Unit

    path = write_csv(
        tmp_path / "u.csv",
        ["单位编码", "单位名称", "上级单位编码", "类型", "服务时间"],
        [["H1", "甲大厅", "D", "center", "08:30-12:00,14:00-17:30"], ["H2", "乙大厅", "D", "center", "25:00-26:00"],
         ["H3", "丙大厅", "D", "center", "全天"], ["H4", "丁科室", "D", "section", ""]],
    )  # fmt: skip
    code, out, _ = _run(capsys, "import", "units", path, "--format", "json")
    doc = json.loads(out)
    assert code == 1 and (doc["imported"], doc["rejected"]) == (2, 2)
    assert [(e["line"], e["field"]) for e in doc["errors"]] == [(3, "hours"), (4, "hours")]
    assert all("服务时间" in e["message"] for e in doc["errors"])
    assert dict(Unit.objects.filter(code__in=["H1", "H4"]).values_list("code", "hours")) == {
        "H1": "08:30-12:00,14:00-17:30",
        "H4": "",
    }


def test_two_rows_of_one_file_with_one_key_and_different_content_keep_the_first_and_say_why(
    region, tmp_path, capsys
):
    from govwatch.orgs.models import Unit

    path = write_csv(
        tmp_path / "u.csv",
        ["code", "name", "parent_code", "kind"],
        [["W1", "甲", "D", "department"], ["W1", "乙", "D", "department"], ["W1", "甲", "D", "department"]],
    )
    code, out, _ = _run(capsys, "import", "units", path, "--format", "json")
    doc = json.loads(out)
    assert code == 1 and (doc["imported"], doc["duplicates"], doc["rejected"]) == (1, 1, 1)
    assert doc["errors"] == [{"line": 3, "field": "code", "message": "单位编码 W1 已在第 2 行出现，内容不同"}]
    assert Unit.objects.get(code="W1").name == "甲"
    code, out, _ = _run(capsys, "import", "units", path, "--format", "json")
    assert json.loads(out)["imported"] == 0  # the file's own re-import changes nothing


# -- section 5: case show ----------------------------------------------------------------------------


def test_case_show_prints_the_contracts_keys_with_the_status_and_the_last_scans_card(
    region, tmp_path, capsys
):
    events_csv(
        tmp_path / "e.csv",
        [["A", "accept", "2026-03-02T09:00:00", "I9"], ["A", "complete", "2026-03-16T09:00:00"],
         ["B", "accept", "2026-03-02T09:00:00", "I2"], ["S", "accept", "2026-03-02T09:00:00", "I9"],
         ["S", "suspend", "2026-03-03T09:00:00"], ["R", "accept", "2026-03-02T09:00:00", "I9"],
         ["R", "reject", "2026-03-03T09:00:00"], ["W", "accept", "2026-03-02T09:00:00", "I9"],
         ["W", "withdraw", "2026-03-03T09:00:00"]],
    )  # fmt: skip
    _import(capsys, "cases", tmp_path / "e.csv")
    _run(capsys, "scan", "--at", "2026-03-04T10:00:00", "--format", "json")  # B is yellow on its due date

    shown = {}
    for case_no in ("A", "B", "S", "R", "W"):
        code, out, _ = _run(capsys, "case", "show", case_no, "--format", "json")
        assert code == 0 and out.count("\n") == 1
        shown[case_no] = json.loads(out)
    keys = {"case_no", "item_code", "unit_code", "status", "accepted_at", "due_date", "completed_at",
            "completed_on_time", "provisional", "card"}  # fmt: skip
    assert all(keys <= doc.keys() for doc in shown.values())
    got = {
        n: (d["status"], d["due_date"], d["completed_at"], d["completed_on_time"], d["card"])
        for n, d in shown.items()
    }
    assert got == {
        "A": ("completed", "2026-03-13", "2026-03-16T09:00:00+08:00", False, "none"),  # late: never seen red
        "B": ("open", "2026-03-04", None, None, "yellow"),
        "S": ("suspended", "2026-03-13", None, None, "none"),
        "R": ("rejected", "2026-03-13", None, None, "none"),
        "W": ("withdrawn", "2026-03-13", None, None, "none"),
    }
    assert (shown["B"]["item_code"], shown["B"]["unit_code"], shown["B"]["provisional"]) == (
        "I2",
        "RS",
        False,
    )
    code, out, err = _run(capsys, "case", "show", "NOPE", "--format", "json")
    assert code == 2 and out == "" and "NOPE" in err


# -- sections 3 and 7: a complaint's provisional deadline is recomputed when its year arrives --------


def test_a_complaints_provisional_deadline_is_recomputed_when_its_years_schedule_is_imported(
    region, tmp_path, capsys
):
    from govwatch.complaints.models import Complaint
    from govwatch.supervision.models import Watch

    # Thursday 30 September 2032, a consultation (2 working days); 2032 has no schedule yet.
    _import(capsys, "complaints", write_csv(
        tmp_path / "c.csv", ["complaint_id", "at", "source", "content", "unit_code", "kind"],
        [["Z", "2032-09-30T10:00:00", "hotline", "咨询社保转移", "RS", "consult"]],
    ))  # fmt: skip
    complaint = Complaint.objects.get(complaint_id="Z")
    assert (str(complaint.due_date), complaint.provisional) == ("2032-10-04", True)  # weekday rule

    schedule = write_csv(
        tmp_path / "2032.csv", ["date", "kind"],
        [[f"2032-10-0{d}", "holiday"] for d in (1, 4, 5, 6, 7)] + [["2032-10-09", "workday"]],
    )  # fmt: skip
    code, out, _ = _run(capsys, "calendar", "import", schedule, "--format", "json")
    assert code == 0 and json.loads(out)["recomputed_complaints"] == 1

    complaint.refresh_from_db()
    # Friday 8 October is the first working day, the make-up Saturday 9 October the second.
    assert (str(complaint.due_date), complaint.provisional) == ("2032-10-09", False)
    assert [str(w.due_date) for w in Watch.objects.filter(kind="complaint")] == ["2032-10-09"]
