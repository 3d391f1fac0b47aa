"""Evaluations and complaints: references, levels, idempotency, and personal data never in clear."""

from __future__ import annotations

import json

from govwatch.complaints.models import Complaint
from govwatch.core.pii import decrypt, keyed_hash
from govwatch.evaluations.models import Evaluation
from govwatch.imports.models import ImportRun
from govwatch.imports.runs import run_import

from .helpers import events_csv, write_csv

PHONE = "13912345678"
EVAL_HEADER = [
    "评价编号",
    "评价等级",
    "评价时间",
    "业务编号",
    "单位编码",
    "评价渠道",
    "评价人",
    "默认评价",
    "评价内容",
]
COMPLAINT_HEADER = ["complaint_id", "at", "source", "content", "unit_code", "case_no", "category", "contact"]


def _with_case(tmp_path):
    run_import("cases", events_csv(tmp_path / "e.csv", [["C1", "accept", "2026-03-02T10:00:00", "I9"]]))


def test_evaluations_levels_units_and_references(region, tmp_path):
    _with_case(tmp_path)
    rows = [
        ["V1", "5", "2026-03-03T10:00:00", "C1", "", "扫码", PHONE, "否", "很好"],
        ["V2", "不满意", "2026-03-03T10:00:00", "", "RS", "", "", "yes", ""],
        ["V3", "9", "2026-03-03T10:00:00", "C1", "", "", PHONE, "", ""],
        ["V4", "4", "2026-03-03T10:00:00", "NOPE", "", "", PHONE, "", ""],
        ["V5", "4", "2026-03-03T10:00:00", "", "", "", PHONE, "", ""],
        ["V6", "4", "2026-03-03T10:00:00", "", "RS", "", PHONE, "maybe", ""],
    ]
    result = run_import("evaluations", write_csv(tmp_path / "v.csv", EVAL_HEADER, rows))
    assert result.imported == 2
    assert [(e["line"], e["field"]) for e in result.document()["errors"]] == [
        (4, "level"),
        (5, "case_no"),
        (6, "case_no"),
        (7, "auto"),
    ]
    v1, v2 = Evaluation.objects.get(eval_id="V1"), Evaluation.objects.get(eval_id="V2")
    assert (v1.level, v1.unit.code, v1.channel, v1.auto, v1.case_id) == (5, "SC", "qr", False, "C1")
    assert (v2.level, v2.unit.code, v2.auto, v2.evaluator_hash) == (2, "RS", True, "")
    assert v1.evaluator_hash == keyed_hash(PHONE) and decrypt(v1.evaluator_enc) == PHONE
    again = run_import("evaluations", write_csv(tmp_path / "v.csv", EVAL_HEADER, rows[:2]))
    assert (again.imported, again.duplicates, again.rejected) == (0, 2, 0)
    changed = run_import(
        "evaluations", write_csv(tmp_path / "v.csv", EVAL_HEADER, [["V1", "1", *rows[0][2:]]])
    )
    assert changed.document()["errors"] == [
        {"line": 2, "field": "eval_id", "message": "评价编号 V1 已导入，内容不同（已导入的记录不能修改）"}
    ]
    assert Evaluation.objects.get(eval_id="V1").level == 5


def test_personal_data_is_never_in_clear(region, tmp_path, capsys):
    from govwatch.cli import main

    _with_case(tmp_path)
    spaced = "139 1234 5678"
    write_csv(
        tmp_path / "v.csv",
        EVAL_HEADER,
        [
            ["V1", "5", "2026-03-03T10:00:00", "C1", "", "", PHONE, "", ""],
            ["V2", "x", "bad", "C1", "", "", spaced, "", ""],
        ],
    )
    write_csv(
        tmp_path / "c.csv",
        COMPLAINT_HEADER,
        [
            ["P1", "2026-03-03T10:00:00", "hotline", "拖延", "SC", "C1", "delay", PHONE],
            ["P2", "", "nope", "", "", "", "", spaced],
        ],
    )
    capsys.readouterr()
    assert main(["import", "evaluations", str(tmp_path / "v.csv"), "--format", "json"]) == 1
    assert main(["import", "complaints", str(tmp_path / "c.csv"), "--format", "json"]) == 1
    out, err = capsys.readouterr()
    for text in (out, err, json.dumps(list(ImportRun.objects.values()), default=str, ensure_ascii=False)):
        assert PHONE not in text and spaced not in text
    for row in list(Evaluation.objects.values()) + list(Complaint.objects.values()):
        assert PHONE not in json.dumps(row, default=str)
    complaint = Complaint.objects.get(complaint_id="P1")
    assert complaint.contact_hash == keyed_hash(PHONE) and decrypt(complaint.contact_enc) == PHONE


def test_complaints_checks_and_defaults(region, tmp_path):
    _with_case(tmp_path)
    rows = [
        ["P1", "2026-03-03T10:00:00", "12345热线", "办事拖延", "", "C1", "拖延", ""],
        ["P2", "2026-03-03T10:00:00", "letter", "来信", "", "", "迟到早退", ""],
        ["P3", "2026-03-03T10:00:00", "fax", "x", "", "", "", ""],
        ["P4", "2026-03-03T10:00:00", "web", "", "", "", "", ""],
        ["P5", "2026-03-03T10:00:00", "web", "x", "NOPE", "", "", ""],
    ]
    result = run_import("complaints", write_csv(tmp_path / "c.csv", COMPLAINT_HEADER, rows))
    assert result.imported == 2
    assert [(e["line"], e["field"]) for e in result.document()["errors"]] == [
        (4, "source"),
        (5, "content"),
        (6, "unit_code"),
    ]
    p1, p2 = Complaint.objects.get(complaint_id="P1"), Complaint.objects.get(complaint_id="P2")
    assert (p1.source, p1.category, p1.unit.code, p1.case_id) == ("hotline", "delay", "SC", "C1")
    assert (p2.category, p2.unit_id, p2.import_run_id) == ("absence", None, result.run_id)
