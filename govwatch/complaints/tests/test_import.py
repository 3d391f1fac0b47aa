"""Importing complaints (contract sections 2 and 7): the new kind and urgency, GovWatch's outcome
extension, state and deadline from the import, repeats linked, idempotent as before."""

from __future__ import annotations

from datetime import date

from govwatch.complaints.models import Complaint
from govwatch.supervision.models import Watch

HEADER = ["complaint_id", "at", "source", "content", "unit_code", "case_no", "category", "contact"]


def test_kind_and_urgency_are_read_in_english_or_chinese(import_complaints):
    result = import_complaints(
        [*HEADER, "kind", "urgency"],
        [
            ["T1", "2026-03-06T10:00:00", "hotline", "请问怎么办", "SC", "", "", "", "consult", ""],
            ["T2", "2026-03-06T10:00:00", "12345热线", "急", "", "", "", "", "投诉", "紧急"],
            ["T3", "2026-03-06T10:00:00", "web", "默认", "", "", "", "", "", ""],
            ["T4", "2026-03-06T10:00:00", "web", "坏值", "", "", "", "", "complain", "very"],
        ],
    )
    assert (result.imported, result.rejected) == (3, 1)
    assert result.errors[0]["line"] == 5 and result.errors[0]["field"] == "kind"
    rows = {c.complaint_id: c for c in Complaint.objects.all()}
    assert (rows["T1"].kind, rows["T1"].due_date, rows["T1"].status) == (
        "consult",
        date(2026, 3, 10),
        "assigned",
    )
    assert (rows["T2"].urgency, rows["T2"].due_date, rows["T2"].status) == (
        "urgent",
        date(2026, 3, 9),
        "received",
    )
    assert (rows["T3"].kind, rows["T3"].urgency, rows["T3"].due_date) == (
        "complaint",
        "normal",
        date(2026, 3, 27),
    )


def test_a_file_of_version_1_is_still_the_same_file(import_complaints):
    rows = [["T1", "2026-03-06T10:00:00", "hotline", "拖延", "SC", "", "delay", "13700000001"]]
    assert import_complaints(HEADER, rows).imported == 1
    again = import_complaints([*HEADER, "kind", "urgency"], [[*rows[0], "complaint", "normal"]])
    assert (again.imported, again.duplicates, again.rejected) == (0, 1, 0)
    changed = import_complaints([*HEADER, "kind"], [[*rows[0], "report"]])
    assert changed.rejected == 1 and "已导入，内容不同" in changed.errors[0]["message"]


def test_complaints_closed_by_their_source_arrive_closed(import_complaints):
    header = [*HEADER, "closed_at", "finding", "reply", "callback"]
    result = import_complaints(
        header,
        [
            ["T1", "2026-03-06T10:00:00", "hotline", "拖延", "SC", "", "delay", "", "2026-03-20T10:00:00",
             "属实", "已督促办结", "satisfied"],
            ["T2", "2026-03-06T10:00:00", "hotline", "拖延", "SC", "", "delay", "", "2026-04-20T10:00:00",
             "unsubstantiated", "", ""],
            ["T3", "2026-03-06T10:00:00", "hotline", "拖延", "SC", "", "", "", "", "substantiated", "", ""],
            ["T4", "2026-03-06T10:00:00", "hotline", "拖延", "SC", "", "", "", "2026-03-01T10:00:00", "", "", ""],
            ["T5", "2026-03-06T10:00:00", "hotline", "拖延", "", "", "", "", "2026-03-09T10:00:00", "", "", ""],
        ],
    )  # fmt: skip
    assert (result.imported, result.rejected) == (2, 3)
    assert [(e["line"], e["field"]) for e in result.errors] == [
        (4, "closed_at"),
        (5, "closed_at"),
        (6, "unit_code"),
    ]
    t1, t2 = Complaint.objects.get(complaint_id="T1"), Complaint.objects.get(complaint_id="T2")
    assert (t1.status, t1.closed_on_time, t1.finding, t1.callback_result) == (
        "closed",
        True,
        "substantiated",
        "satisfied",
    )
    assert (t2.status, t2.closed_on_time) == ("closed", False)
    assert not Watch.objects.exists()  # closed by their source: nothing to watch


def test_imported_repeats_are_linked(import_complaints):
    rows = [
        ["T1", "2026-03-06T10:00:00", "hotline", "拖延", "SC", "", "", "13700000001"],
        ["T2", "2026-03-10T10:00:00", "web", "还是没办", "SC", "", "", "13700000001"],
        ["T3", "2026-03-10T10:00:00", "web", "另一个人", "SC", "", "", "13700000002"],
    ]
    assert import_complaints(HEADER, rows).imported == 3
    t2 = Complaint.objects.get(complaint_id="T2")
    assert t2.repeat_of.complaint_id == "T1"
    assert Complaint.objects.filter(repeat_of__isnull=True).count() == 2
