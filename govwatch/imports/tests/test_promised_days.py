"""An item re-imported with other promised days moves its open cases' due dates and cards."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from govwatch.audit.models import AuditEntry
from govwatch.cases.models import Case, StaleDay
from govwatch.imports.runs import run_import
from govwatch.reports.figures import kpi_rows, kpi_rows_raw
from govwatch.supervision.models import CardChange
from govwatch.supervision.scan import scan
from govwatch.tests.fixtures import build_case

from .helpers import write_csv

TZ = ZoneInfo("Asia/Shanghai")
ITEM_HEADER = ["事项编码", "事项名称", "实施单位编码", "事项类型", "层级", "法定时限", "承诺时限", "网办程度"]


def at(y, m, d, hh=9):
    return datetime(y, m, d, hh, tzinfo=TZ)


def _reimport(tmp_path, promised_days: int, name: str = "items.csv"):
    rows = [["I9", "食品经营许可", "SC", "licensing", "district", 20, promised_days, "full"]]
    return run_import("items", write_csv(tmp_path / name, ITEM_HEADER, rows), operator_label="test")


def test_a_reimport_with_more_promised_days_moves_open_due_dates_and_takes_back_the_red_card(
    region, tmp_path
):
    item = region["items"]["I9"]  # 9 promised working days
    build_case("OPEN", item, [("accept", at(2026, 3, 2))])
    build_case("DONE", item, [("accept", at(2026, 3, 2)), ("complete", at(2026, 3, 12))])
    assert Case.objects.get(case_no="OPEN").due_date == date(2026, 3, 13)
    scan(at(2026, 3, 16))
    assert Case.objects.get(case_no="OPEN").card == "red"

    result = _reimport(tmp_path, 15)

    assert (result.imported, result.rejected) == (1, 0)
    assert Case.objects.get(case_no="OPEN").due_date == date(2026, 3, 23)
    # A closed case keeps the deadline it was handled against.
    done = Case.objects.get(case_no="DONE")
    assert (done.due_date, done.completed_on_time) == (date(2026, 3, 13), True)
    scan(at(2026, 3, 16, 10))
    assert Case.objects.get(case_no="OPEN").card == "none"
    scan(at(2026, 3, 18, 10))  # three working days left of fifteen: yellow
    assert Case.objects.get(case_no="OPEN").card == "yellow"
    assert list(CardChange.objects.filter(case_id="OPEN").values_list("card", flat=True)) == [
        "red",
        "none",
        "yellow",
    ]
    entry = AuditEntry.objects.get(action="catalog.promised_days")
    assert entry.before == {"promised_days": 9}
    assert entry.after == {"promised_days": 15, "open_cases_recomputed": 1}
    assert "由 9 个工作日改为 15 个工作日" in entry.summary


def test_fewer_promised_days_make_an_open_case_red_at_the_next_scan(region, tmp_path):
    build_case("OPEN", region["items"]["I9"], [("accept", at(2026, 3, 2))])
    scan(at(2026, 3, 9))
    assert Case.objects.get(case_no="OPEN").card == "none"
    _reimport(tmp_path, 3)
    assert Case.objects.get(case_no="OPEN").due_date == date(2026, 3, 5)
    scan(at(2026, 3, 9, 10))
    assert Case.objects.get(case_no="OPEN").card == "red"


def test_the_same_promised_days_again_move_nothing_and_audit_no_change(region, tmp_path):
    build_case("OPEN", region["items"]["I9"], [("accept", at(2026, 3, 2))])
    result = _reimport(tmp_path, 9)
    assert result.duplicates == 1
    assert not AuditEntry.objects.filter(action="catalog.promised_days").exists()


def test_an_item_changed_in_the_admin_moves_its_open_cases_too(region, people, client):
    item = region["items"]["I9"]
    build_case("OPEN", item, [("accept", at(2026, 3, 2))])
    client.force_login(people.office)
    form = {
        "code": "I9", "name": item.name, "unit": item.unit_id, "type": "licensing", "level": "district",
        "legal_days": 20, "promised_days": 15, "online": "full", "cross_region": item.cross_region,
        **{name: "on" for name in ("in_hall", "e_licence", "claimed") if getattr(item, name)},
    }  # fmt: skip
    response = client.post(f"/admin/catalog/item/{item.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Case.objects.get(case_no="OPEN").due_date == date(2026, 3, 23)


def test_moved_due_dates_mark_the_daily_figures_stale_and_the_report_follows(region, tmp_path):
    build_case("OPEN", region["items"]["I9"], [("accept", at(2026, 3, 2))])
    march = (date(2026, 3, 1), date(2026, 3, 20))
    # Due 03-13 with 9 promised days: overdue at the end of the period; the figures folded.
    assert kpi_rows(*march)[-1]["overdue_open"] == 1
    assert not StaleDay.objects.exists()
    _reimport(tmp_path, 15)  # due 03-23 now
    unit = Case.objects.get(case_no="OPEN").unit
    assert StaleDay.objects.filter(unit=unit, day__lte=date(2026, 3, 2)).exists()
    assert kpi_rows(*march)[-1]["overdue_open"] == 0
    assert kpi_rows(*march) == kpi_rows_raw(*march)
