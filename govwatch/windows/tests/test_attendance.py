"""Attendance counted as contract section 12 says, from files imported through `govwatch import`,
reported by `govwatch report attendance`.

The period 2026-01-01 to 2026-01-09: New Year's Day and the 2nd are holidays, Sunday the 4th is a
make-up working day (调休上班), so the working days are the 4th to the 9th: six.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from govwatch.cli import main
from govwatch.windows.attendance import attendance_bounds, count_attendance
from govwatch.windows.models import AttendanceRecord, Staff

HEADER = ["staff_code", "at", "kind"]
START, END = date(2026, 1, 1), date(2026, 1, 9)

# S3 works at the social security bureau, which has no hours: 08:30-12:00,14:00-17:30.
S3_RECORDS = [
    ["S3", "2026-01-01T10:00:00", "in"],  # a holiday: kept, counted nowhere
    ["S3", "2026-01-01T11:00:00", "out"],
    ["S3", "2026-01-03T08:00:00", "in"],  # a Saturday
    ["S3", "2026-01-04T08:29:59", "in"],  # the make-up working day: on time
    ["S3", "2026-01-04T17:30:00", "out"],  # E itself is on time
    ["S3", "2026-01-05T08:30:00", "in"],  # S itself is on time
    ["S3", "2026-01-05T17:29:59", "out"],  # early
    ["S3", "2026-01-06T00:30:01Z", "in"],  # 08:30:01 local: late
    ["S3", "2026-01-06T17:30:00+08:00", "out"],
    # the 7th: no record, absent (neither late nor early)
    ["S3", "2026-01-08T18:00:00", "out"],  # no `in`: late; last out after E: not early
    ["S3", "2026-01-09T09:00:00", "in"],
    ["S3", "2026-01-09T08:00:00", "in"],  # the first `in` is what counts, whatever the file order
    ["S3", "2026-01-09T12:00:00", "out"],
    ["S3", "2026-01-09T17:35:00", "签退"],  # the last `out` is what counts
]
# S1 works at the market bureau, which keeps 09:00-12:00,13:30-17:00.
S1_RECORDS = [
    ["S1", "2026-01-04T09:00:00", "签到"],  # on time; no `out` that day: early
    ["S1", "2026-01-05T08:59:59", "in"],
    ["S1", "2026-01-05T17:00:00", "out"],
    ["S1", "2026-01-06T09:00:01", "in"],  # late
    ["S1", "2026-01-06T16:59:59", "out"],  # and early
]


def _counts(staff_code: str) -> dict:
    rows = count_attendance(Staff.objects.filter(staff_code=staff_code), START, END)
    return rows[0].row


def test_bounds_are_the_first_start_and_the_last_end_of_the_units_hours():
    assert attendance_bounds("") == (8 * 3600 + 30 * 60, 17 * 3600 + 30 * 60)
    assert attendance_bounds("09:00-12:00,13:30-17:00") == (9 * 3600, 17 * 3600)
    assert attendance_bounds("08:00-20:00") == (8 * 3600, 20 * 3600)


def test_late_at_08_30_01_on_time_at_08_30_00_and_08_29_59_early_before_the_close(hall, load):
    result = load("attendance", HEADER, S3_RECORDS)
    assert (result.imported, result.rejected) == (len(S3_RECORDS), 0)
    assert _counts("S3") == {"staff_code": "S3", "workdays": 6, "late": 2, "early": 1, "absent": 1}


def test_a_units_own_hours_move_the_bounds(hall, load):
    load("attendance", HEADER, S1_RECORDS)
    assert _counts("S1") == {"staff_code": "S1", "workdays": 6, "late": 1, "early": 2, "absent": 3}


def test_the_make_up_working_day_counts_and_the_holiday_does_not(hall, load):
    load("attendance", HEADER, [["S2", "2026-01-02T08:00:00", "in"], ["S2", "2026-01-02T18:00:00", "out"]])
    # Only a holiday worked: every working day absent, the make-up Sunday included.
    assert _counts("S2") == {"staff_code": "S2", "workdays": 6, "late": 0, "early": 0, "absent": 6}
    rows = count_attendance(Staff.objects.filter(staff_code="S2"), date(2026, 1, 4), date(2026, 1, 4))
    assert rows[0].row == {"staff_code": "S2", "workdays": 1, "late": 0, "early": 0, "absent": 1}
    # The records of the holiday are kept.
    assert AttendanceRecord.objects.filter(staff__staff_code="S2").count() == 2


def test_a_staff_member_with_no_records_is_absent_every_working_day(hall):
    assert _counts("S2") == {"staff_code": "S2", "workdays": 6, "late": 0, "early": 0, "absent": 6}


def test_importing_the_same_file_twice_changes_nothing(hall, load):
    load("attendance", HEADER, S3_RECORDS)
    again = load("attendance", HEADER, S3_RECORDS)
    assert (again.imported, again.duplicates, again.rejected) == (0, len(S3_RECORDS), 0)
    # The same moment written in another offset is the same record.
    third = load("attendance", HEADER, [["S3", "2026-01-06T08:30:01+08:00", "in"]])
    assert (third.imported, third.duplicates) == (0, 1)
    assert AttendanceRecord.objects.count() == len(S3_RECORDS)


def test_bad_rows_are_reported_with_line_and_field_and_good_rows_kept(hall, load):
    result = load(
        "attendance",
        HEADER,
        [
            ["S3", "2026-01-05T08:30:00", "in"],
            ["S9", "2026-01-05T08:30:00", "in"],
            ["S3", "2026-01-05 8点半", "in"],
            ["S3", "2026-01-05T17:30:00", "leave"],
            ["", "2026-01-05T17:30:00", "out"],
            ["S3", "2026-01-05T17:30:00", "out"],
        ],
    )
    assert (result.read, result.imported, result.rejected) == (6, 2, 4)
    errors = result.document()["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [
        (3, "staff_code"),
        (4, "at"),
        (5, "kind"),
        (6, "staff_code"),
    ]
    assert "S9 不存在" in errors[0]["message"]
    assert "in(签到)" in errors[2]["message"]
    assert _counts("S3")["early"] == 0


def test_report_attendance_prints_one_row_per_staff_member_of_the_selection(hall, load, capsys):
    load("attendance", HEADER, S3_RECORDS + S1_RECORDS)
    capsys.readouterr()
    code = main(["report", "attendance", "--from", "2026-01-01", "--to", "2026-01-09", "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0 and out.count("\n") == 1
    assert json.loads(out) == {
        "rows": [
            {"staff_code": "S1", "workdays": 6, "late": 1, "early": 2, "absent": 3},
            {"staff_code": "S2", "workdays": 6, "late": 0, "early": 0, "absent": 6},
            {"staff_code": "S3", "workdays": 6, "late": 2, "early": 1, "absent": 1},
        ]
    }
    code = main(["report", "attendance", "--from", "2026-01-01", "--to", "2026-01-09", "--unit", "RS"])
    assert json.loads(capsys.readouterr().out) == {
        "rows": [{"staff_code": "S3", "workdays": 6, "late": 2, "early": 1, "absent": 1}]
    }


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--from", "2026-01-09", "--to", "2026-01-01"], "晚于"),
        (["--from", "2026-1-1", "--to", "2026-01-09"], "日期格式错误"),
        (["--from", "2026-01-01", "--to", "2026-01-09", "--unit", "NOPE"], "NOPE 不存在"),
    ],
)
def test_report_attendance_refuses_unusable_arguments_with_exit_2(hall, capsys, argv, message):
    capsys.readouterr()
    assert main(["report", "attendance", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err
