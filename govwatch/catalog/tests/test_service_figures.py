"""The catalog figures of the seeds: optional item fields in the import, their figures on the item
page and in the bulletin's catalog table."""

from __future__ import annotations

import csv
from pathlib import Path

from govwatch.catalog.figures import service_figures
from govwatch.catalog.models import Item, split_themes
from govwatch.imports.runs import run_import

HEADER = ["事项编码", "事项名称", "实施单位编码", "法定时限", "承诺时限", "进驻大厅", "一件事主题", "跨域通办", "电子证照免提交", "事项认领"]  # fmt: skip
ROWS = [
    ["K1", "食品经营许可", "SC", "20", "5", "是", "开办餐饮店；开办便利店", "跨省通办", "是", "是"],
    ["K2", "药品经营许可", "SC", "20", "10", "1", "开办药店、开办便利店", "province", "0", ""],
    ["K3", "就业登记", "RS", "5", "1", "否", "", "圈内通办", "yes", "否"],
    ["K4", "证明开具", "ST1", "1", "0", "", "", "", "", ""],
    # A bad value is a row error with its field, the good rows kept.
    ["K5", "坏行", "SC", "5", "1", "也许", "", "", "", ""],
    ["K6", "坏行", "SC", "5", "1", "", "", "全国通办", "", ""],
]


def _import(tmp_path: Path):
    path = tmp_path / "items.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])
    return run_import("items", path)


def test_optional_catalog_fields_import_with_chinese_names_and_defaults(region, tmp_path):
    result = _import(tmp_path)
    assert (result.imported, result.rejected) == (4, 2)
    assert [(e["line"], e["field"]) for e in result.document()["errors"]] == [
        (6, "in_hall"),
        (7, "cross_region"),
    ]
    k1, k2, k3, k4 = (Item.objects.get(code=c) for c in ("K1", "K2", "K3", "K4"))
    assert (k1.in_hall, k1.cross_region, k1.e_licence, k1.claimed) == (True, "province", True, True)
    assert k1.themes == "开办餐饮店；开办便利店" and k2.theme_list == ["开办药店", "开办便利店"]
    assert (k3.in_hall, k3.cross_region, k3.claimed) == (False, "circle", False)
    # Without the columns: not in the hall, no theme, not cross-region, claimed.
    assert (k4.in_hall, k4.themes, k4.cross_region, k4.e_licence, k4.claimed) == (
        False,
        "",
        "none",
        False,
        True,
    )
    assert _import(tmp_path).duplicates == 4  # idempotent


def test_service_figures_count_hall_entry_themes_scopes_and_claims(region, tmp_path):
    _import(tmp_path)
    figures = service_figures(Item.objects.filter(code__startswith="K"))
    assert figures["items"] == 4 and figures["claimed"] == 3
    assert figures["in_hall"] == 2 and figures["hall_entry_rate"] == 0.5 and figures["hall_units"] == 1
    assert figures["themes"] == 3 and figures["themed_items"] == 2
    assert figures["by_theme"][0] == ("开办便利店", 2)
    assert dict(figures["by_scope"]) == {"圈内通办": 1, "跨市通办": 0, "跨省通办": 2}
    assert figures["cross_region"] == 3 and figures["e_licence"] == 2
    assert dict(figures["claimed_by_level"])["区级"] == 3
    assert service_figures(Item.objects.none())["hall_entry_rate"] is None


def test_item_page_shows_the_catalog_figures(region, tmp_path, client, people):
    _import(tmp_path)
    client.force_login(people.office)
    text = client.get("/items/").content.decode()
    assert "进驻率" in text and "一事联办主题" in text and "跨省通办" in text


def test_themes_are_split_on_chinese_and_latin_separators():
    assert split_themes(" 开办餐饮店；开办药店,开办药店 | 企业开办、") == [
        "开办餐饮店",
        "开办药店",
        "企业开办",
    ]
