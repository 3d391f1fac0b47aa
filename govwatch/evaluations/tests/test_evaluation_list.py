"""好差评台账: the staff's list of evaluations with its filters and exports, and the supervisors'
special-supervision list (seed 004: "一般" and "不满意" by default, the national loop at 1-2)."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from govwatch.evaluations.models import Evaluation, RectificationTask
from govwatch.evaluations.rules import is_negative, is_supervised

from .conftest import at, signed_in

LIST = reverse("evaluations:evaluation-list")


def _three(completed, submit):
    """A 非常满意, a 基本满意 (一般) and a 不满意 in the market bureau, a 不满意 in the social bureau."""
    submit(completed("SC-1", at(2026, 3, 2, 9)), 5, at(2026, 3, 3))
    submit(completed("SC-2", at(2026, 3, 2, 9)), 3, at(2026, 3, 4), comment="等了很久，电话13912345678")
    submit(completed("SC-3", at(2026, 3, 2, 9)), 2, at(2026, 3, 5), tags=["slow"])
    submit(completed("RS-1", at(2026, 3, 2, 9), item="I2"), 2, at(2026, 3, 6), tags=["attitude"])


def test_one_named_rule_each_special_supervision_takes_level_three_the_loop_does_not():
    assert [lv for lv in range(1, 6) if is_supervised(lv)] == [1, 2, 3]
    assert [lv for lv in range(1, 6) if is_negative(lv)] == [1, 2]


def test_the_supervisors_land_on_their_special_supervision_list_with_level_three(completed, submit, people):
    _three(completed, submit)
    page = signed_in(people.supervisor).get(LIST)
    html = page.content.decode()
    assert page.status_code == 200 and "专项督导（一般及不满意）" in html
    assert "SC-2" in html and "SC-3" in html and "RS-1" in html and "SC-1" not in html
    # The 一般 review is supervised but opens no rectification task (the national loop stays at 1-2).
    assert not RectificationTask.objects.filter(evaluation__case_id="SC-2").exists()
    # The units under special supervision, with a draft letter each.
    assert "专项督导单位" in html and "起草建议书" in html
    # A phone number typed into a comment is masked on the page.
    assert "13912345678" not in html and "139****5678" in html


def test_unit_staff_see_every_evaluation_of_their_unit_only(completed, submit, people):
    _three(completed, submit)
    html = signed_in(people.market_staff).get(LIST).content.decode()
    assert all(no in html for no in ("SC-1", "SC-2", "SC-3")) and "RS-1" not in html
    assert "起草建议书" not in html


def test_the_filters_narrow_the_list_and_a_bad_one_is_told(completed, submit, people):
    _three(completed, submit)
    client = signed_in(people.office)
    html = client.get(LIST, {"range": "negative", "unit": "区市场监管局（SC）"}).content.decode()
    assert "SC-3" in html and "SC-2" not in html and "RS-1" not in html
    bad = client.get(LIST, {"date_from": "2026-03-09", "date_to": "2026-03-01", "unit": "没有的单位"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "开始日期不能晚于结束日期" in text or "没有这个单位" in text


def test_the_exports_carry_chinese_headers_the_filter_and_no_clear_phone(completed, submit, people, tmp_path):
    _three(completed, submit)
    client = signed_in(people.supervisor)
    response = client.get(LIST, {"range": "supervised", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["评价时间", "评价编号", "单位", "事项"]
    assert sorted(r[4] for r in rows[1:]) == ["RS-1", "SC-2", "SC-3"]
    assert "13912345678" not in response.content.decode("utf-8-sig")
    response = client.get(LIST, {"range": "supervised", "format": "xlsx", "date_from": "2026-03-01"})
    path = tmp_path / "e.xlsx"
    path.write_bytes(response.content)
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "好差评台账：专项督导（一般及不满意）"
    assert sheet["A2"].value == "评价日期：2026-03-01至不限"
    assert sheet.max_row == 3 + 3


def test_the_unit_type_ahead_offers_each_unit_of_the_scope_by_name_and_code(people, region):
    html = signed_in(people.office).get(LIST).content.decode()
    assert 'list="id_unit-units"' in html and '<option value="区市场监管局（SC）">' in html
    html = signed_in(people.market_staff).get(LIST).content.decode()
    assert "区人社局（RS）" not in html


def test_only_members_see_the_list(client, completed, submit):
    _three(completed, submit)
    assert client.get(LIST).status_code in (302, 403)
    assert Evaluation.objects.count() == 4


def _many(region, n: int = 130):
    """`n` evaluations of every level, some at the same moment (the id breaks the tie), in two units."""
    from datetime import timedelta

    base = at(2026, 3, 1)
    units = [region["market"], region["social"]]
    Evaluation.objects.bulk_create(
        Evaluation(
            eval_id=f"E{i:04d}",
            level=1 + (i * 7) % 5,
            at=base + timedelta(minutes=(i * 37) % 90),
            unit=units[i % 2],
            digest="d",
            comment=f"E{i:04d}",
        )  # fmt: skip
        for i in range(n)
    )
    supervised = Evaluation.objects.filter(level__in=(1, 2, 3)).order_by("-at", "-id")
    return list(supervised.values_list("eval_id", flat=True))


def _shown(html: str) -> list[str]:
    import re

    return re.findall(r"\bE\d{4}\b", html)


def test_the_special_supervision_list_pages_newest_first_across_levels_and_stays_on_its_range(region, people):
    expected = _many(region)
    assert len(expected) > 50  # two pages
    client = signed_in(people.supervisor)
    first = _shown(client.get(LIST).content.decode())
    second = _shown(client.get(LIST, {"page": "2"}).content.decode())
    # Each row's comment is its evaluation number; the order is the moment, then the id, newest first.
    assert list(dict.fromkeys(first)) == expected[:50]
    assert list(dict.fromkeys(second)) == expected[50:100]
    html = client.get(LIST, {"page": "2"}).content.decode()
    assert f"共 {len(expected)} 条" in html


def test_merged_levels_read_in_index_order_equal_one_sorted_query(region):
    from govwatch.core.keyset import MergedNewest

    expected = _many(region, 90)
    parts = [Evaluation.objects.filter(level=level) for level in (1, 2, 3)]
    merged = MergedNewest(parts, ("-at", "-id"), Evaluation.objects.all())
    assert [e.eval_id for e in merged[0:10]] == expected[:10]
    assert [e.eval_id for e in merged[10:35]] == expected[10:35]
    assert [e.eval_id for e in merged[40:1000]] == expected[40:]
    assert merged.count() == len(expected)


def test_a_unit_or_level_chosen_still_lists_in_order(region, people):
    expected = _many(region)
    client = signed_in(people.supervisor)
    market = Evaluation.objects.filter(level__in=(1, 2, 3), unit=region["market"]).order_by("-at", "-id")
    html = client.get(LIST, {"range": "supervised", "unit": "区市场监管局（SC）"}).content.decode()
    assert list(dict.fromkeys(_shown(html))) == list(market.values_list("eval_id", flat=True))[:50]
    html = client.get(LIST, {"range": "supervised", "level": "3"}).content.decode()
    threes = Evaluation.objects.filter(level=3).order_by("-at", "-id").values_list("eval_id", flat=True)
    assert list(dict.fromkeys(_shown(html))) == list(threes)[:50]
    assert expected  # the region has them
