"""Case events: order rules, deadlines around the 2026 Spring Festival, merging with earlier files,
idempotency, and the on-disk sort giving the same result as the in-memory one.

2026: 02-15..02-23 are holidays, Saturdays 02-14 and 02-28 are make-up working days.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection

from govwatch.cases.deadlines import refusal
from govwatch.cases.events import _adapters, micros
from govwatch.cases.models import Case, CaseEvent, Suspension
from govwatch.imports import cases as case_import
from govwatch.imports.runs import run_import

from .helpers import events_csv, write_jsonl, write_xlsx

TZ = ZoneInfo("Asia/Shanghai")


def _import(tmp_path, rows, name="e.csv"):
    return run_import("cases", events_csv(tmp_path / name, rows), operator_label="test")


def _errors(result):
    return [(e["line"], e["field"], e["message"]) for e in result.document()["errors"]]


def _case(case_no):
    return Case.objects.get(case_no=case_no)


def _snapshot():
    return (
        list(
            Case.objects.order_by("case_no").values(
                *[f.attname for f in Case._meta.fields if f.attname != "id"]
            )
        ),
        list(
            CaseEvent.objects.order_by("event_id").values(
                "event_id", "case_id", "kind", "at", "reason", "digest", "unit_code"
            )
        ),
        list(
            Suspension.objects.order_by("case_id", "started_at").values(
                "case_id", "started_at", "ended_at", "workdays", "reason"
            )
        ),
    )


def test_due_dates_around_the_spring_festival(region, tmp_path):
    result = _import(
        tmp_path,
        [
            ["LATE", "accept", "2026-02-12T10:00:00", "I2"],  # 2 days: Fri 02-13, make-up Sat 02-14
            ["LATE", "complete", "2026-02-24T09:00:00"],
            ["NINE", "accept", "2026-02-12T10:00:00", "I9"],  # 02-13,14,24,25,26,27,28,03-02,03-03
            ["NINE", "complete", "2026-03-03T23:00:00"],
            ["NOW", "accept", "2026-02-15T10:00:00", "I0"],  # instant, on a holiday: due that day
            ["NOW", "complete", "2026-02-16T10:00:00"],
            ["NEXT", "accept", "2026-12-28T10:00:00", "I9"],  # runs into 2027, not scheduled yet
        ],
    )
    assert (result.read, result.imported, result.rejected) == (7, 7, 0)
    late, nine, now, nxt = (_case(c) for c in ("LATE", "NINE", "NOW", "NEXT"))
    assert (late.due_date, late.status, late.completed_on_time) == (date(2026, 2, 14), "completed", False)
    assert late.closed_on == date(2026, 2, 24) and not late.provisional
    assert (nine.due_date, nine.completed_on_time) == (date(2026, 3, 3), True)
    assert (now.due_date, now.completed_on_time, now.unit.code) == (date(2026, 2, 15), False, "ST1")
    assert (nxt.due_date, nxt.provisional, nxt.status, nxt.completed_on_time) == (
        date(2027, 1, 8),
        True,
        "open",
        None,
    )
    assert nine.accepted_at == datetime(2026, 2, 12, 10, tzinfo=TZ) and nine.accepted_on == date(2026, 2, 12)
    assert (nine.unit.code, nine.item.code, nine.channel, nine.applicant_type) == (
        "SC",
        "I9",
        "window",
        "person",
    )


def test_suspension_moves_the_due_date(region, tmp_path):
    _import(
        tmp_path,
        [
            ["S", "accept", "2026-02-12T10:00:00", "I2"],
            ["S", "suspend", "2026-02-13T10:00:00", "", "", "补正材料"],
            ["S", "resume", "2026-02-27T09:00:00"],  # working days in (02-13, 02-27]: 14, 24, 25, 26, 27
        ],
    )
    case = _case("S")
    assert (case.due_date, case.suspended_days, case.status) == (date(2026, 2, 28), 5, "open")
    [s] = Suspension.objects.filter(case=case)
    assert (s.workdays, s.reason, s.ended_at) == (5, "补正材料", datetime(2026, 2, 27, 9, tzinfo=TZ))


def test_out_of_order_events_are_sorted_per_case(region, tmp_path):
    result = _import(
        tmp_path,
        [
            ["O", "complete", "2026-03-02T10:00:00"],
            ["O", "resume", "2026-02-27T09:00:00"],
            ["P", "accept", "2026-03-02T08:00:00", "I0"],
            ["O", "suspend", "2026-02-13T10:00:00"],
            ["O", "受理", "2026-02-12T10:00:00", "I2"],
        ],
    )
    assert (result.imported, result.rejected) == (5, 0)
    case = _case("O")
    assert (case.status, case.due_date, case.completed_on_time) == ("completed", date(2026, 2, 28), False)


def test_rejects_events_that_break_the_order_rules(region, tmp_path):
    result = _import(
        tmp_path,
        [
            ["A", "suspend", "2026-03-01T10:00:00"],  # before its accept
            ["A", "accept", "2026-03-02T10:00:00", "I9"],
            ["A", "resume", "2026-03-03T10:00:00"],  # not suspended
            ["A", "suspend", "2026-03-04T10:00:00"],
            ["A", "suspend", "2026-03-05T10:00:00"],  # already suspended
            ["A", "complete", "2026-03-06T10:00:00"],
            ["A", "withdraw", "2026-03-07T10:00:00"],  # after completion
            ["A", "accept", "2026-03-08T10:00:00", "I9"],
            ["N", "complete", "2026-03-08T10:00:00"],  # never accepted
        ],
    )
    assert _errors(result) == [
        (2, "event", "该环节的时间早于办件的受理时间（2026-03-02 10:00:00）：办件的环节不能早于受理"),
        (4, "event", "办件未挂起，不能恢复"),
        (6, "event", "办件已挂起，不能再次挂起"),
        (8, "event", refusal("completed", "withdraw")),
        (9, "event", "办件已受理，不能重复受理"),
        (10, "event", "办件尚未受理，受理之前不能有其他环节"),
    ]
    assert result.imported == 3 and _case("A").status == "completed"
    assert not Case.objects.filter(case_no="N").exists()


def test_rejects_bad_fields_and_commits_the_good_rows(region, tmp_path):
    result = _import(
        tmp_path,
        [
            ["", "accept", "2026-03-02T10:00:00", "I9"],
            ["B", "approve", "2026-03-02T10:00:00", "I9"],
            ["C", "accept", "2026-02-30T10:00:00", "I9"],
            ["D", "accept", "yesterday", "I9"],
            ["E", "accept", "2026-03-02T10:00:00"],
            ["F", "accept", "2026-03-02T10:00:00", "NOPE"],
            ["G", "accept", "2026-03-02T10:00:00", "I9", "NOPE"],
            ["OK", "accept", "2026-03-02T10:00:00", "I9"],
        ],
    )
    errors = _errors(result)
    assert errors[0] == (2, "case_no", "缺少必填字段 case_no(业务编号)")
    assert errors[1][:2] == (3, "event") and "approve" in errors[1][2] and "accept(受理)" in errors[1][2]
    assert errors[2] == (
        4,
        "at",
        "at(时间) 的值“2026-02-30T10:00:00”不是有效的时间（ISO 8601，如 2026-03-02T09:30:00）",
    )
    assert errors[3][:2] == (5, "at")
    assert errors[4] == (6, "item_code", "受理环节必须填写事项编码 item_code(事项编码)")
    assert errors[5] == (7, "item_code", "事项编码 NOPE 不存在（请先导入事项）")
    assert errors[6] == (8, "unit_code", "办理单位编码 NOPE 不存在（请先导入单位）")
    assert (result.read, result.imported, result.rejected) == (8, 1, 7)
    assert list(Case.objects.values_list("case_no", flat=True)) == ["OK"]


def test_reimport_changes_nothing(region, tmp_path):
    rows = [
        ["R", "accept", "2026-02-12T10:00:00", "I2"],
        ["R", "suspend", "2026-02-13T10:00:00", "", "", "专家评审"],
        ["R", "resume", "2026-02-27T09:00:00"],
        ["R", "complete", "2026-02-27T16:00:00"],
        ["Q", "accept", "2026-02-12T10:00:00", "I9", "C"],
    ]
    first = _import(tmp_path, rows)
    before = _snapshot()
    again = _import(tmp_path, rows)
    assert (first.imported, first.duplicates) == (5, 0)
    assert (again.read, again.imported, again.duplicates, again.rejected) == (5, 0, 5, 0)
    assert _snapshot() == before
    assert CaseEvent.objects.get(kind="accept", case="R").event_id == "R:accept:2026-02-12T02:00:00Z"
    assert _case("Q").unit.code == "C"


def test_rejects_a_known_event_key_with_other_content(region, tmp_path):
    _import(tmp_path, [["K", "accept", "2026-03-02T10:00:00", "I9", "", "", "E1"]])
    result = _import(
        tmp_path,
        [
            ["K", "accept", "2026-03-02T11:00:00", "I9", "", "", "E1"],
            ["K", "complete", "2026-03-03T10:00:00", "", "", "", "E2"],
            ["K", "withdraw", "2026-03-03T10:00:00", "", "", "", "E2"],
        ],
        name="again.csv",
    )
    assert _errors(result) == [
        (2, "event_id", "事件编号 E1 已导入，内容不同（已导入的办件过程不能修改）"),
        (4, "event_id", "事件编号 E2 已在第 3 行出现，内容不同"),
    ]
    assert CaseEvent.objects.get(event_id="E1").at == datetime(2026, 3, 2, 10, tzinfo=TZ)


def test_events_extend_a_case_imported_by_an_earlier_file(region, tmp_path):
    _import(tmp_path, [["X", "accept", "2026-02-12T10:00:00", "I2"], ["X", "suspend", "2026-02-13T10:00:00"]])
    assert (_case("X").status, _case("X").due_date) == ("suspended", date(2026, 2, 14))
    result = _import(
        tmp_path,
        [
            ["X", "complete", "2026-03-02T10:00:00"],
            ["X", "resume", "2026-02-27T09:00:00"],
            ["X", "accept", "2026-02-20T10:00:00", "I2"],
        ],
        name="later.csv",
    )
    assert result.imported == 2 and _errors(result) == [(4, "event", "办件已受理，不能重复受理")]
    case = _case("X")
    assert (case.status, case.due_date, case.suspended_days, case.completed_on_time) == (
        "completed",
        date(2026, 2, 28),
        5,
        False,
    )
    assert case.closed_at == datetime(2026, 3, 2, 10, tzinfo=TZ)
    assert Suspension.objects.filter(case=case).count() == 1


def test_a_completion_before_the_stored_acceptance_says_so(region, tmp_path):
    """The probe's finding: it was reported as "not yet accepted" although the case was."""
    _import(tmp_path, [["Z", "accept", "2026-03-02T10:00:00", "I9"]])
    result = _import(tmp_path, [["Z", "complete", "2026-03-01T09:00:00"]], name="early.csv")
    assert _errors(result) == [
        (2, "event", "该环节的时间早于办件的受理时间（2026-03-02 10:00:00）：办件的环节不能早于受理")
    ]


def test_refuses_new_events_that_would_invalidate_stored_ones(region, tmp_path):
    _import(
        tmp_path, [["Y", "accept", "2026-03-02T10:00:00", "I9"], ["Y", "complete", "2026-03-10T10:00:00"]]
    )
    result = _import(
        tmp_path,
        [
            ["Y", "withdraw", "2026-03-05T10:00:00"],
            ["Y", "suspend", "2026-03-01T10:00:00"],
            ["Y", "suspend", "2026-03-04T10:00:00"],
        ],
        name="later.csv",
    )
    assert _errors(result) == [
        (2, "event", "与已导入的办件过程冲突：加入该环节后，2026-03-10 10:00:00 的“办结”环节不再成立"),
        (3, "event", "该环节的时间早于办件的受理时间（2026-03-02 10:00:00）：办件的环节不能早于受理"),
    ]
    case = _case("Y")
    # Suspended 03-04 until the completion on 03-10: 03-05, 06, 09, 10 are not counted.
    assert (case.status, case.suspended_days, case.completed_on_time) == ("completed", 4, True)


def test_on_disk_sort_gives_the_in_memory_result(region, tmp_path, settings, monkeypatch):
    rows = [
        ["M1", "complete", "2026-03-02T10:00:00"],
        ["M2", "accept", "2026-02-12T10:00:00", "I2"],
        ["M1", "accept", "2026-02-12T10:00:00", "I9"],
        ["M2", "resume", "2026-02-27T09:00:00"],
        ["M3", "resume", "2026-02-27T09:00:00"],
        ["M2", "suspend", "2026-02-13T10:00:00"],
        ["M3", "accept", "2026-02-27T08:00:00", "I0"],
        ["M1", "accept", "2026-02-12T10:00:00", "I9", "", "", "dup-key"],
    ]
    monkeypatch.setattr(case_import, "CHUNK_CASES", 2)
    settings.IMPORT_MEMORY_ROWS = 3
    on_disk = _import(tmp_path, rows)
    disk_state = _snapshot()
    Case.objects.all().delete()
    settings.IMPORT_MEMORY_ROWS = 1000
    in_memory = _import(tmp_path, rows)
    assert on_disk.document() == in_memory.document()
    assert _snapshot() == disk_state
    assert in_memory.document()["errors"] == [
        {"line": 6, "field": "event", "message": "办件未挂起，不能恢复"},
        {"line": 9, "field": "event", "message": "办件已受理，不能重复受理"},
    ]


def test_xlsx_and_jsonl_events(region, tmp_path):
    write_xlsx(
        tmp_path / "e.xlsx",
        ["业务编号", "环节", "时间", "事项编码", "渠道"],
        [["XL", "受理", datetime(2026, 3, 2, 9, 30, tzinfo=TZ).replace(tzinfo=None), "I9", "网上"]],
    )
    assert run_import("cases", tmp_path / "e.xlsx").imported == 1
    write_jsonl(tmp_path / "e.jsonl", [{"case_no": "XL", "event": "complete", "at": "2026-03-03T01:00:00Z"}])
    assert run_import("cases", tmp_path / "e.jsonl").imported == 1
    case = _case("XL")
    assert (case.channel, case.status, case.closed_on, case.accepted_at) == (
        "online",
        "completed",
        date(2026, 3, 3),
        datetime(2026, 3, 2, 9, 30, tzinfo=TZ),
    )


def test_fast_adapters_match_the_backend(db):
    at, day = _adapters()
    moment = datetime(2026, 2, 12, 10, 0, 0, 123456, tzinfo=TZ)
    assert at(micros(moment)) == connection.ops.adapt_datetimefield_value(moment)
    whole = datetime(2026, 2, 12, 10, tzinfo=TZ)
    assert at(micros(whole)) == connection.ops.adapt_datetimefield_value(whole)
    assert day(date(2026, 2, 28)) == connection.ops.adapt_datefield_value(date(2026, 2, 28))
