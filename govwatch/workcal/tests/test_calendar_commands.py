"""`govwatch calendar add-days` and `govwatch calendar import` (contract section 5)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from govwatch.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_days_prints_exactly_the_contract_document(shipped_calendar, capsys):
    code, out, _ = run(capsys, "calendar", "add-days", "2026-02-13", "2", "--format", "json")
    assert code == 0 and json.loads(out) == {"date": "2026-02-24", "provisional": False}


def test_add_days_into_an_unscheduled_year_is_provisional(shipped_calendar, capsys):
    code, out, _ = run(capsys, "calendar", "add-days", "2026-12-30", "3", "--format", "json")
    assert json.loads(out) == {"date": "2027-01-04", "provisional": True}


@pytest.mark.parametrize(
    "argv", [("2026-02-30", "1"), ("2026-02-13", "-1"), ("2026-02-13", "two"), ("1900-01-01", "1")]
)
def test_add_days_with_unusable_arguments_exits_2_with_a_message(shipped_calendar, capsys, argv):
    code, out, err = run(capsys, "calendar", "add-days", *argv, "--format", "json")
    assert code == 2 and out == "" and "govwatch:" in err


SCHEDULE_2027 = """date,kind
2027-01-01,holiday
2027-02-05,holiday
2027-02-06,holiday
2027-02-07,workday
"""


def test_import_makes_the_year_scheduled_and_recomputes_provisional_deadlines(region, tmp_path, capsys):
    from govwatch.cases.models import Case
    from govwatch.imports.runs import run_import

    events = tmp_path / "cases.csv"
    events.write_text("case_no,event,at,item_code\nP1,accept,2026-12-29T10:00:00,I2\n", encoding="utf-8")
    assert run_import("cases", events).rejected == 0
    case = Case.objects.get(case_no="P1")
    # 29 Dec + 2 working days is 31 Dec: every date of (29 Dec, 31 Dec] is in scheduled 2026.
    assert (case.due_date, case.provisional) == (date(2026, 12, 31), False)
    Case.objects.filter(case_no="P1").update(provisional=True)  # as if accepted before 2026 was known

    late = tmp_path / "late.csv"
    late.write_text("case_no,event,at,item_code\nP2,accept,2026-12-31T10:00:00,I2\n", encoding="utf-8")
    run_import("cases", late)
    p2 = Case.objects.get(case_no="P2")
    assert (p2.due_date, p2.provisional) == (date(2027, 1, 4), True)  # weekday rule: Fri 1 Jan counted

    schedule = tmp_path / "2027.csv"
    schedule.write_text(SCHEDULE_2027, encoding="utf-8")
    code, out, _ = run(capsys, "calendar", "import", str(schedule), "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["years"] == [2027] and doc["imported"] == 4 and doc["recomputed_cases"] == 2
    p2.refresh_from_db()
    assert (p2.due_date, p2.provisional) == (date(2027, 1, 5), False)  # 1 Jan is now a holiday
    code, out, _ = run(capsys, "calendar", "add-days", "2027-02-04", "1", "--format", "json")
    assert json.loads(out) == {"date": "2027-02-07", "provisional": False}  # the make-up Sunday


def test_import_with_chinese_headers_and_words(shipped_calendar, tmp_path, capsys):
    f = tmp_path / "2030.csv"
    f.write_text("日期,类型\n2030-10-01,休\n2030-09-29,班\n", encoding="utf-8")
    code, out, _ = run(capsys, "calendar", "import", str(f), "--format", "json")
    assert code == 0 and json.loads(out)["years"] == [2030]
    code, out, _ = run(capsys, "calendar", "add-days", "2030-09-27", "1", "--format", "json")
    assert json.loads(out)["date"] == "2030-09-29"


def test_import_reports_bad_rows_keeps_good_ones_and_is_audited(shipped_calendar, tmp_path, capsys):
    from govwatch.audit.models import AuditEntry

    f = tmp_path / "2031.csv"
    f.write_text("date,kind\n2031-01-01,holiday\n2031-02-30,holiday\n2031-01-02,maybe\n", encoding="utf-8")
    code, out, _ = run(capsys, "calendar", "import", str(f), "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["imported"] == 1 and doc["rejected"] == 2
    assert [(e["line"], e["field"]) for e in doc["errors"]] == [(3, "date"), (4, "kind")]
    assert AuditEntry.objects.filter(action="calendar.import").count() == 1


def test_import_of_an_unusable_file_exits_2(shipped_calendar, tmp_path, capsys):
    f = tmp_path / "2031.txt"
    f.write_text("date,kind\n", encoding="utf-8")
    code, out, err = run(capsys, "calendar", "import", str(f), "--format", "json")
    assert code == 2 and out == "" and "不支持" in err


def test_importing_the_same_schedule_twice_changes_nothing_and_counts_duplicates(region, tmp_path, capsys):
    from govwatch.workcal.models import CalendarDay, ScheduledYear

    schedule = tmp_path / "2027.csv"
    schedule.write_text(SCHEDULE_2027, encoding="utf-8")
    code, out, _ = run(capsys, "calendar", "import", str(schedule), "--format", "json")
    first = json.loads(out)
    assert code == 0 and (first["imported"], first["duplicates"]) == (4, 0)
    stamp = ScheduledYear.objects.get(year=2027).updated_at
    days = sorted(CalendarDay.objects.filter(date__year=2027).values_list("date", "kind"))

    code, out, _ = run(capsys, "calendar", "import", str(schedule), "--format", "json")
    again = json.loads(out)
    assert code == 0
    assert (again["read"], again["imported"], again["duplicates"], again["rejected"]) == (4, 0, 4, 0)
    assert again["recomputed_cases"] == 0
    assert ScheduledYear.objects.get(year=2027).updated_at == stamp
    assert sorted(CalendarDay.objects.filter(date__year=2027).values_list("date", "kind")) == days


def test_an_unknown_column_of_a_schedule_is_ignored_with_one_warning_on_stderr(
    shipped_calendar, tmp_path, capsys
):
    f = tmp_path / "2032.csv"
    f.write_text("date,kind,备注\n2032-10-01,holiday,国庆节\n2032-10-04,holiday,\n", encoding="utf-8")
    code, out, err = run(capsys, "calendar", "import", str(f), "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["imported"] == 2 and "warnings" not in doc
    assert err.count("已忽略未知列：备注") == 1
