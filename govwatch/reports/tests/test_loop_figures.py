"""The closed-loop figures (差评整改与回访) and the ranking of negative reasons, hand-computed.

Cases come from a real import file, evaluations from the real intake (do_submit_evaluation, which
opens the task of a negative one) or the importer (its task opened by open_tasks_for_imported), and
every step of a task goes through govwatch.evaluations.rectification. A system actor acts, so no role is
checked. Deadlines (verify 2, rectify 5, callback 7 working days from intake) are pinned; March 2026
has no holiday: its working days are Mon-Fri (03-02, 03-09, 03-16, 03-23 and 03-30 are Mondays).

Tasks opened in March 2026, by unit ("real-name" = the evaluator left a phone number):
- SC T1, real-name, opened Mon 03-02 10:00, rectify_due 03-09; rectified 03-09 23:00 (the due date,
  late evening), called back 03-10, closed: rectified on time, called back.
- SC T2, real-name, opened 03-02 11:00, rectify_due 03-09; rectified 03-10 07:00 local (still 03-09
  in UTC): late. Not called back.
- SC T3, anonymous, opened 03-03, rectify_due 03-10; found unsubstantiated 03-04 and called back
  straight away 03-05 (no measures owed): rectified on time. Its callback is not owed, so it is in
  no callback figure.
- SC T4, real-name, opened 03-04; rectified 03-06 and called back 03-09, then sent back 03-10
  (rectify_due now 03-13) and not rectified again: not rectified (the old rectification does not
  stand), but called back.
- SC T5, real-name, opened 03-31 20:00, rectified 04-01 (before its April deadline): on time, in
  March's figures, since a task's steps count whenever they happen. Not called back yet.
- RS T7, anonymous, imported: evaluated 02-27, its task opened 03-02 08:00: counts in March. Idle.
- RS T8, real-name, opened 03-16; appeal upheld 03-18: neither rectified nor called back.
- RS T9, real-name, opened 03-16 11:00, rectify_due 03-23; an appeal from 03-17 rejected on 03-19
  moved it by 2 working days to 03-25; rectified 03-25, called back 03-26: on time, called back.
- ST1 T10, real-name, opened 03-20, idle.
Outside March: SC T0 (02-27) and SC T6 (04-01 00:00). ST1 S1 is a level-3 evaluation with a
reason: no task, not in the ranking.

SC: 5 tasks, 3 on time (T1, T3, T5); 4 owed (T1, T2, T4, T5), 2 called back (T1, T4).
RS: 3 tasks, 1 on time (T9); 2 owed (T8, T9), 1 called back (T9).
ST1: 1 task, 0 on time; 1 owed, 0 called back.
Total: 9 tasks, 4 on time; 7 owed, 3 called back.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from govwatch.audit.log import Actor
from govwatch.cli import main
from govwatch.evaluations import rectification as loop
from govwatch.evaluations.intake import do_submit_evaluation
from govwatch.evaluations.models import Evaluation, RectificationTask
from govwatch.imports.runs import run_import
from govwatch.reports.figures import (
    COLUMNS,
    COMPLAINT_FIGURES,
    CONTRACT_FIGURES,
    LABELS,
    LOOP_FIGURES,
    PAGE_COLUMNS,
    kpi_rows,
    kpi_rows_raw,
    selected_units,
    top_negative_tags,
)

from .conftest import MARCH

TZ = ZoneInfo("Asia/Shanghai")
SYSTEM = Actor("system:test")
PHONE = "13912345678"


def at(m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(2026, m, d, hh, mm, tzinfo=TZ)


# key, item (its unit), evaluated at, level, reasons, real-name
SUBMITTED = [
    ("T0", "I9", at(2, 27), 1, ["rules"], True),
    ("T1", "I9", at(3, 2), 1, ["slow", "runaround"], True),
    ("T2", "I9", at(3, 2, 11), 2, ["slow"], True),
    ("T3", "I9", at(3, 3), 1, ["attitude", "slow"], False),
    ("T4", "I9", at(3, 4), 1, ["runaround"], True),
    ("T5", "I9", at(3, 31, 20), 2, ["system"], True),
    ("T6", "I9", at(4, 1, 0), 1, ["absent"], True),
    ("T8", "I2", at(3, 16), 1, ["slow", "unclear"], True),
    ("T9", "I2", at(3, 16, 11), 2, ["attitude"], True),
    ("T10", "I0", at(3, 20), 1, ["other"], True),
    ("S1", "I0", at(3, 20, 11), 3, ["slow"], True),
]

NOTHING = {
    "rectification_tasks": 0, "rectified_on_time": 0, "rectified_on_time_rate": None,
    "callbacks_owed": 0, "called_back": 0, "callback_rate": None,
}  # fmt: skip
SC = {
    "rectification_tasks": 5, "rectified_on_time": 3, "rectified_on_time_rate": 3 / 5,
    "callbacks_owed": 4, "called_back": 2, "callback_rate": 2 / 4,
}  # fmt: skip
RS = {
    "rectification_tasks": 3, "rectified_on_time": 1, "rectified_on_time_rate": 1 / 3,
    "callbacks_owed": 2, "called_back": 1, "callback_rate": 1 / 2,
}  # fmt: skip
ST1 = {
    # Nothing done yet: 0 / 1 is 0, not null.
    "rectification_tasks": 1, "rectified_on_time": 0, "rectified_on_time_rate": 0.0,
    "callbacks_owed": 1, "called_back": 0, "callback_rate": 0.0,
}  # fmt: skip
TOTAL = {
    "rectification_tasks": 5 + 3 + 1, "rectified_on_time": 3 + 1 + 0, "rectified_on_time_rate": 4 / 9,
    "callbacks_owed": 4 + 2 + 1, "called_back": 2 + 1 + 0, "callback_rate": 3 / 7,
}  # fmt: skip
# Reasons of the negative evaluations given in March: T1, T2, T3, T4, T5, T8, T9, T10 (T0 and T6
# were given outside it, S1 is level 3, T7 was imported without reasons).
MARCH_TAGS = [
    ("slow", "办理时间长", 4),  # T1, T2, T3, T8
    ("runaround", "多次跑动", 2),  # T1, T4
    ("attitude", "态度不好", 2),  # T3, T9; after runaround in the order of NEGATIVE_TAGS
    ("unclear", "指引不清", 1),  # T8
    ("system", "系统不好用", 1),  # T5
    ("other", "其他", 1),  # T10
]


def _csv(path: Path, header: list[str], rows: list[tuple]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _imported(kind: str, path: Path) -> None:
    result = run_import(kind, path)
    assert result.rejected == 0, result.document()["errors"]


@pytest.fixture
def loops(region, tmp_path, settings) -> dict[str, RectificationTask]:
    """The tasks of the module's docstring, by key, each brought to its state through the loop."""
    settings.NEGATIVE_LEVELS = (1, 2)
    settings.NEGATIVE_VERIFY_WORKDAYS = 2
    settings.NEGATIVE_RECTIFY_WORKDAYS = 5
    settings.NEGATIVE_CALLBACK_WORKDAYS = 7
    settings.EVALUATION_WINDOW_DAYS = 7
    # Each case accepted the day before its evaluation and completed an hour before it.
    events = []
    for key, item, when, *_ in SUBMITTED:
        events.append((f"L{key}", "accept", (when - timedelta(days=1)).isoformat(), item))
        events.append((f"L{key}", "complete", (when - timedelta(hours=1)).isoformat(), ""))
    _imported("cases", _csv(tmp_path / "cases.csv", ["case_no", "event", "at", "item_code"], events))
    from govwatch.cases.models import Case

    tasks = {}
    for key, _, when, level, tags, real_name in SUBMITTED:
        evaluation = do_submit_evaluation(
            case=Case.objects.get(case_no=f"L{key}"), level=level, channel="qr", at=when, tags=tags,
            evaluator=PHONE if real_name else "", comment="窗口长时间无人" if "other" in tags else "",
        )  # fmt: skip
        if level <= 2:
            tasks[key] = evaluation.task
    assert not RectificationTask.objects.filter(evaluation__eval_id="GW-LS1").exists()

    _imported(
        "evaluations",
        _csv(
            tmp_path / "evaluations.csv",
            ["eval_id", "level", "at", "case_no", "unit_code", "channel", "auto"],
            [("R7", 2, "2026-02-27T15:00:00", "", "RS", "hotline", "false")],
        ),
    )
    assert loop.open_tasks_for_imported([Evaluation.objects.get(eval_id="R7").pk], at=at(3, 2, 8)) == 1
    tasks["T7"] = RectificationTask.objects.get(evaluation__eval_id="R7")

    t = tasks
    loop.do_verify(SYSTEM, t["T1"], substantiated=True, finding="属实", at=at(3, 3))
    loop.do_rectify(SYSTEM, t["T1"], measures="增派窗口人员", at=at(3, 9, 23))
    loop.do_callback(SYSTEM, t["T1"], result="satisfied", note="电话回访，满意", at=at(3, 10))
    loop.do_accept(SYSTEM, t["T1"], at=at(3, 11))

    loop.do_verify(SYSTEM, t["T2"], substantiated=True, finding="属实", at=at(3, 3, 11))
    loop.do_rectify(SYSTEM, t["T2"], measures="优化流程", at=at(3, 10, 7))

    loop.do_verify(SYSTEM, t["T3"], substantiated=False, finding="经查不属实", at=at(3, 4))
    loop.do_callback(SYSTEM, t["T3"], result="satisfied", note="当面说明情况", at=at(3, 5))
    loop.do_accept(SYSTEM, t["T3"], at=at(3, 6))

    loop.do_verify(SYSTEM, t["T4"], substantiated=True, finding="属实", at=at(3, 5))
    loop.do_rectify(SYSTEM, t["T4"], measures="公示办事指南", at=at(3, 6))
    loop.do_callback(SYSTEM, t["T4"], result="dissatisfied", note="群众仍不满意", at=at(3, 9))
    loop.do_send_back(SYSTEM, t["T4"], "整改不到位", at=at(3, 10))

    loop.do_verify(SYSTEM, t["T5"], substantiated=True, finding="属实", at=at(4, 1, 9))
    loop.do_rectify(SYSTEM, t["T5"], measures="修复系统", at=at(4, 1))

    loop.do_appeal(SYSTEM, t["T8"], "评价对象错误，非本单位办件", at=at(3, 17))
    loop.do_decide_appeal(SYSTEM, t["T8"], upheld=True, comment="申诉成立", at=at(3, 18))

    loop.do_appeal(SYSTEM, t["T9"], "恶意差评", at=at(3, 17))
    loop.do_decide_appeal(SYSTEM, t["T9"], upheld=False, comment="证据不足", at=at(3, 19))
    loop.do_verify(SYSTEM, t["T9"], substantiated=True, finding="属实", at=at(3, 20))
    loop.do_rectify(SYSTEM, t["T9"], measures="批评教育", at=at(3, 25, 16))
    loop.do_callback(SYSTEM, t["T9"], result="satisfied", note="满意", at=at(3, 26))

    tasks = {key: RectificationTask.objects.get(pk=task.pk) for key, task in tasks.items()}
    # The deadlines the figures are measured against, as the docstring computes them.
    assert {k: tasks[k].rectify_due for k in ("T1", "T2", "T3", "T4", "T7", "T9")} == {
        "T1": date(2026, 3, 9), "T2": date(2026, 3, 9), "T3": date(2026, 3, 10), "T4": date(2026, 3, 13),
        "T7": date(2026, 3, 9), "T9": date(2026, 3, 25),
    }  # fmt: skip
    S = RectificationTask.Status
    assert {k: tasks[k].status for k in ("T1", "T2", "T3", "T4", "T5", "T8", "T9")} == {
        "T1": S.CLOSED, "T2": S.RECTIFIED, "T3": S.CLOSED, "T4": S.RETURNED, "T5": S.RECTIFIED,
        "T8": S.APPEAL_UPHELD, "T9": S.CALLED_BACK,
    }  # fmt: skip
    return tasks


def _loop(rows: list[dict]) -> dict[str, dict]:
    return {row["unit_code"]: {key: row[key] for key in LOOP_FIGURES} for row in rows}


def _approx(figures: dict) -> dict:
    return {k: pytest.approx(v) if isinstance(v, float) else v for k, v in figures.items()}


def test_the_loop_figures_come_after_the_contract_ones_which_are_unchanged():
    assert CONTRACT_FIGURES == (
        "received", "completed", "completed_on_time", "on_time_rate", "overdue_open", "evaluations",
        "evaluation_rate", "active_evaluation_rate", "satisfaction_rate", "negative", "time_limit_reduction",
        "online_rate", "full_online_rate",
    )  # fmt: skip
    assert COLUMNS == ("unit_code", "unit_name", *CONTRACT_FIGURES, *LOOP_FIGURES, *COMPLAINT_FIGURES)
    # The pages' rows and files add what the contract does not have, after all of those.
    assert PAGE_COLUMNS == (*COLUMNS, "negative_excluded")
    assert [LABELS[key] for key in LOOP_FIGURES] == [
        "整改任务数", "按时整改数", "按时整改率", "应回访数", "已回访数", "回访率",
    ]  # fmt: skip


def test_the_loop_figures_of_every_unit_and_the_total(loops):
    rows = kpi_rows(*MARCH)
    assert all(list(r) == list(PAGE_COLUMNS) for r in rows)
    assert _loop(rows) == {
        "D": NOTHING, "C": NOTHING, "JW": NOTHING, "ST": NOTHING,
        "RS": _approx(RS), "SC": _approx(SC), "ST1": _approx(ST1), "total": _approx(TOTAL),
    }  # fmt: skip


def test_a_subtree_and_a_scope_have_their_own_totals(loops):
    assert _loop(kpi_rows(*MARCH, "ST"))["total"] == ST1
    from govwatch.orgs.models import Unit

    rows = _loop(kpi_rows(*MARCH, units_qs=Unit.objects.filter(code__in=["SC", "RS"])))
    assert rows["total"]["rectification_tasks"] == 5 + 3 and rows["total"]["called_back"] == 2 + 1


def test_tasks_count_by_their_intake_in_local_dates(loops):
    # 2 March: T1 and T2 (SC), and T7 (RS), opened at 08:00 though evaluated in February. T7 is
    # anonymous: no callback owed, a null rate, not 0.
    rows = _loop(kpi_rows(date(2026, 3, 2), date(2026, 3, 2)))
    assert rows["SC"] == {
        "rectification_tasks": 2, "rectified_on_time": 1, "rectified_on_time_rate": 0.5,
        "callbacks_owed": 2, "called_back": 1, "callback_rate": 0.5,
    }  # fmt: skip
    assert rows["RS"] == {**NOTHING, "rectification_tasks": 1, "rectified_on_time_rate": 0.0}
    # April: T6, opened at its first moment; T5's rectification on 04-01 counts for March, not here.
    april = _loop(kpi_rows(date(2026, 4, 1), date(2026, 4, 30)))["SC"]
    assert april == {
        **NOTHING, "rectification_tasks": 1, "rectified_on_time_rate": 0.0, "callbacks_owed": 1, "callback_rate": 0.0,
    }  # fmt: skip


def test_a_rectification_counts_once_it_stands_again(loops):
    # T4 rectified again by its new deadline (03-13 after the send-back): on time.
    loop.do_rectify(SYSTEM, loops["T4"], measures="再次整改", at=at(3, 13, 17))
    assert _loop(kpi_rows(*MARCH))["SC"]["rectified_on_time"] == 3 + 1


def test_one_grouped_query_for_the_loop_figures(loops, django_assert_max_num_queries):
    from govwatch.orgs.models import Unit

    for n in range(5):
        Unit.objects.create(code=f"X{n}", name=f"新单位{n}", kind="department", parent=loops["T1"].unit)
    kpi_rows(*MARCH)  # folds the marks the scene's writes left (the worker's job)
    with django_assert_max_num_queries(9):  # one more: the complaints' figures
        kpi_rows(*MARCH)


def test_top_negative_tags(loops):
    assert top_negative_tags(*MARCH) == MARCH_TAGS
    assert top_negative_tags(*MARCH, selected_units("SC")) == [
        ("slow", "办理时间长", 3), ("runaround", "多次跑动", 2), ("attitude", "态度不好", 1),
        ("system", "系统不好用", 1),
    ]  # fmt: skip
    # The street's subtree: the community's T10 only (S1, level 3, is not negative).
    assert top_negative_tags(*MARCH, selected_units("ST")) == [("other", "其他", 1)]
    # February: T0; R7 was imported without reasons.
    assert top_negative_tags(date(2026, 2, 1), date(2026, 2, 28)) == [("rules", "政策执行不一", 1)]
    assert top_negative_tags(date(2025, 1, 1), date(2025, 1, 31)) == []


def _run(capsysbinary, *argv: str) -> bytes:
    capsysbinary.readouterr()
    assert main(["report", "kpi", "--from", "2026-03-01", "--to", "2026-03-31", *argv]) == 0
    return capsysbinary.readouterr()[0]


def test_json_has_the_loop_figures_and_the_ranking(loops, capsysbinary):
    doc = json.loads(_run(capsysbinary, "--format", "json"))
    assert list(doc) == ["from", "to", "unit", "rows", "top_negative_tags"]
    total = doc["rows"][-1]
    assert list(total)[LOOP] == list(LOOP_FIGURES)
    assert {k: total[k] for k in LOOP_FIGURES} == {
        "rectification_tasks": 9, "rectified_on_time": 4, "rectified_on_time_rate": 0.4444,
        "callbacks_owed": 7, "called_back": 3, "callback_rate": 0.4286,
    }  # fmt: skip
    assert doc["top_negative_tags"] == [{"tag": t, "label": label, "count": n} for t, label, n in MARCH_TAGS]
    street = json.loads(_run(capsysbinary, "--unit", "ST"))
    assert street["top_negative_tags"] == [{"tag": "other", "label": "其他", "count": 1}]


# Where the loop's columns are in a row: after the contract's, before the complaints'.
LOOP = slice(2 + len(CONTRACT_FIGURES), 2 + len(CONTRACT_FIGURES) + len(LOOP_FIGURES))


def test_csv_and_xlsx_append_the_loop_columns_only(loops, capsysbinary, tmp_path):
    rows = list(csv.reader(io.StringIO(_run(capsysbinary, "--format", "csv").decode("utf-8-sig"))))
    assert rows[0][LOOP] == list(LOOP_FIGURES)
    assert rows[-1][LOOP] == ["9", "4", "0.4444", "7", "3", "0.4286"]
    assert rows[1][LOOP] == ["0", "0", "", "0", "0", ""]
    path = tmp_path / "kpi.xlsx"
    _run(capsysbinary, "--unit", "RS", "--format", "xlsx", "--out", str(path))
    sheet = load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]  # below the title lines
    assert values[0][LOOP] == ["整改任务数", "按时整改数", "按时整改率", "应回访数", "已回访数", "回访率"]
    assert values[1][LOOP] == [3, 1, 0.3333, 2, 1, 0.5]
    last = LOOP.stop  # the 1-based column of the loop's last figure
    assert sheet.cell(row=4, column=last - 3).number_format == "0.00%"
    assert sheet.cell(row=4, column=last).number_format == "0.00%"
    assert sheet.cell(row=4, column=last - 1).number_format == "General"


def test_the_page_shows_the_loop_figures_and_the_ranking(loops, people, client):
    client.force_login(people["leader"])
    response = client.get(reverse("reports:kpi"), {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert response.status_code == 200
    assert response.context["level"].total["callback_rate"] == pytest.approx(3 / 7)
    assert response.context["top_tags"] == MARCH_TAGS
    html = response.content.decode()
    assert "按时整改率" in html and "回访率" in html and "差评原因排行" in html
    # 4/9 rectified on time, 3/7 called back; the ranking's first reason.
    assert "44.4%" in html and "42.9%" in html and "办理时间长" in html


def test_the_ranking_on_the_page_is_scoped(loops, people, client):
    client.force_login(people["street"])
    response = client.get(reverse("reports:kpi"), {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert response.context["top_tags"] == [("other", "其他", 1)]
    assert response.context["level"].total["rectification_tasks"] == 1
    assert "办理时间长" not in response.content.decode()


def test_an_upheld_appeal_leaves_the_negative_count_and_the_report_says_how_many(loops):
    from govwatch.evaluations.models import Evaluation

    rows = {r["unit_code"]: r for r in kpi_rows(*MARCH)}
    upheld = loops["T8"].evaluation
    assert Evaluation.objects.get(pk=upheld.pk).appeal_upheld
    rs_negative = Evaluation.objects.negative().filter(unit__code="RS", at__month=3).count()
    assert rows["RS"]["negative"] == rs_negative - 1
    assert rows["RS"]["negative_excluded"] == 1 and rows["total"]["negative_excluded"] == 1
    assert LABELS["negative_excluded"] == "申诉成立不计差评数"
    # Neither negative nor satisfied: the satisfaction rate's numerator leaves it out too.
    rs = Evaluation.objects.filter(unit__code="RS", at__month=3)
    satisfied = rs.exclude(level__in=(1, 2)).count()
    assert rows["RS"]["satisfaction_rate"] == pytest.approx(satisfied / rs.count())
    # From the daily figures as from the raw rows.
    assert kpi_rows(*MARCH) == kpi_rows_raw(*MARCH)


def test_the_command_keeps_the_contracts_columns_and_the_pages_show_the_upheld_appeals(
    loops, capsysbinary, people, client
):
    doc = json.loads(_run(capsysbinary, "--format", "json"))
    assert all("negative_excluded" not in r for r in doc["rows"])
    # Contract section 4: the command's `negative` is every evaluation of level <= 2, upheld or not.
    by_code = {r["unit_code"]: r for r in doc["rows"]}
    assert (
        by_code["RS"]["negative"]
        == Evaluation.objects.negative().filter(unit__code="RS", at__month=3).count()
    )
    national = {r["unit_code"]: r for r in kpi_rows(*MARCH)}
    assert by_code["RS"]["negative"] == national["RS"]["negative"] + 1  # the upheld appeal
    header = next(csv.reader(io.StringIO(_run(capsysbinary, "--format", "csv").decode("utf-8-sig"))))
    assert header == list(COLUMNS)
    client.force_login(people["leader"])
    query = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    page = client.get(reverse("reports:kpi"), query)
    assert "申诉成立不计差评数" in page.content.decode()
    assert page.context["level"].total["negative_excluded"] == 1
    exported = client.get(reverse("reports:export-csv"), query).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0][-1] == "申诉成立不计差评数" and rows[-1][-1] == "1"
