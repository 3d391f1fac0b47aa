"""统计报表 page and its exports: the user's scope bounds the rows, the total and the files."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from govwatch.figures.read import channel_counts_raw

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def _units(response) -> list[str]:
    """The units of the level shown: the children of the unit the report is opened at."""
    return [row.unit.code for row in response.context["level"].rows]


def test_a_leader_reads_every_unit_and_the_region_total(march, people, client):
    client.force_login(people["leader"])
    response = client.get(reverse("reports:kpi"), MARCH)
    assert response.status_code == 200
    # The region's root is opened: its own figures, then each unit below it with its sub-units.
    assert response.context["level"].parent.code == "D"
    assert _units(response) == ["C", "JW", "RS", "SC", "ST"]
    assert response.context["level"].total["received"] == 16
    html = response.content.decode()
    assert "统计报表" in html and "逾期未办结" in html
    # Rates as percentages; a null rate as "—". 4/7 completed on time:
    assert "57.1%" in html and "—" in html


def test_unit_staff_see_their_subtree_and_its_total_only(march, people, client):
    client.force_login(people["street"])
    response = client.get(reverse("reports:kpi"), MARCH)
    assert response.context["level"].parent.code == "ST"
    assert _units(response) == ["ST1"]
    assert response.context["level"].total["received"] == 2
    html = response.content.decode()
    assert "区市场监管局" not in html and "区人社局" not in html
    # The unit selector offers their subtree only.
    assert [u.code for u in response.context["form"].fields["unit"].queryset] == ["ST", "ST1"]


def test_a_unit_outside_the_scope_is_refused_not_shown(march, people, client):
    client.force_login(people["street"])
    response = client.get(reverse("reports:kpi"), {**MARCH, "unit": "SC"})
    assert response.status_code == 400
    assert "没有这个单位" in response.content.decode()
    assert "level" not in response.context


def test_a_unit_narrows_the_table_to_its_subtree(march, people, client):
    client.force_login(people["leader"])
    response = client.get(reverse("reports:kpi"), {**MARCH, "unit": "ST"})
    assert response.context["level"].parent.code == "ST"
    assert _units(response) == ["ST1"]
    html = response.content.decode()
    # The way back up, and the street's own figures beside its total with the community.
    assert "测试区" in html and "城关街道（本级）" in html and "城关街道 合计（含下级）" in html


def test_the_default_period_is_this_month_to_today(march, people, client):
    client.force_login(people["leader"])
    response = client.get(reverse("reports:kpi"))
    today = timezone.localdate()
    assert (response.context["date_from"], response.context["date_to"]) == (today.replace(day=1), today)


def test_from_after_to_is_an_error_on_the_page(march, people, client):
    client.force_login(people["leader"])
    response = client.get(reverse("reports:kpi"), {"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert response.status_code == 400
    assert "开始日期不能晚于结束日期" in response.content.decode()


def test_csv_export_is_scoped_like_the_page(march, people, client):
    client.force_login(people["market"])
    response = client.get(reverse("reports:export-csv"), MARCH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # For people: the Chinese column names, as in the XLSX.
    assert [r[0] for r in rows] == ["单位编码", "SC", "total"]
    assert rows[0][:4] == ["单位编码", "单位名称", "受理量", "办结量"]
    assert rows[2][2] == "11"


def test_xlsx_export_is_scoped_like_the_page(march, people, client, tmp_path):
    client.force_login(people["street"])
    response = client.get(reverse("reports:export-xlsx"), MARCH)
    assert response.status_code == 200
    path = tmp_path / "kpi.xlsx"
    path.write_bytes(response.content)
    sheet = load_workbook(path).active
    assert [row[0].value for row in sheet.iter_rows()] == [
        "政务服务效能统计报表（城关街道）", "统计期间：2026年3月1日至2026年3月31日", "单位编码", "ST", "ST1", "total",
    ]  # fmt: skip


def test_an_export_of_a_unit_outside_the_scope_is_refused(march, people, client):
    client.force_login(people["street"])
    response = client.get(reverse("reports:export-csv"), {**MARCH, "unit": "SC"})
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["reports:kpi", "reports:export-csv"])
def test_only_members_with_pages(march, people, client, name):
    response = client.get(reverse(name), MARCH)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(people["integration"])
    assert client.get(reverse(name), MARCH).status_code == 403


def test_the_page_links_its_exports_with_the_same_selection(march, people, client):
    client.force_login(people["leader"])
    html = client.get(reverse("reports:kpi"), {**MARCH, "unit": "ST"}).content.decode()
    assert f"{reverse('reports:export-xlsx')}?date_from=2026-03-01&amp;date_to=2026-03-31&amp;unit=ST" in html


def test_evaluations_by_channel_on_the_page(march, people, client):
    client.force_login(people["leader"])
    response = client.get(reverse("reports:kpi"), MARCH)
    channels = {c["channel"]: c["evaluations"] for c in response.context["channels"]}
    assert channels["device"] == 2 and sum(channels.values()) == 6


def test_a_period_longer_than_a_quarter_has_its_channel_table_too(march, people, client):
    client.force_login(people["leader"])
    response = client.get(reverse("reports:kpi"), {"date_from": "2026-01-01", "date_to": "2026-06-30"})
    assert response.status_code == 200
    channels = {c["channel"]: c["evaluations"] for c in response.context["channels"]}
    raw = channel_counts_raw(date(2026, 1, 1), date(2026, 6, 30), None)
    assert channels == {channel: sum(raw.get(channel, [0] * 5)[:5]) for channel in channels}
    assert sum(channels.values()) > 6
    assert response.context["level"].total["received"] >= 16
