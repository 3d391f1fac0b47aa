"""A name that starts like a formula stays text in every export (the probe's =HYPERLINK finding)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from govwatch.cli import main
from govwatch.orgs.models import Unit

EVIL = '=HYPERLINK("http://evil.example/x","点击查看")'
NAMES = {"SC": EVIL, "RS": "+1+cmd|' /C calc'!A0", "ST": "-2+3", "ST1": "@SUM(1,2)", "C": "＝1+1"}
ARGS = ["report", "kpi", "--from", "2026-03-01", "--to", "2026-03-31"]


@pytest.fixture
def evil_names(march):
    for code, name in NAMES.items():
        Unit.objects.filter(code=code).update(name=name)


def test_xlsx_writes_names_as_text_never_as_formulas(evil_names, capsysbinary, tmp_path):
    path = tmp_path / "kpi.xlsx"
    assert main([*ARGS, "--format", "xlsx", "--out", str(path)]) == 0
    with zipfile.ZipFile(path) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula element: the names are written as strings
    cells = {row[0].value: row[1] for row in load_workbook(path).active.iter_rows(min_row=2)}
    for code, name in NAMES.items():
        assert cells[code].value == name and cells[code].data_type == "s"
        assert cells[code].quotePrefix


def test_csv_prefixes_cells_that_start_like_a_formula(evil_names, capsysbinary):
    capsysbinary.readouterr()
    assert main([*ARGS, "--format", "csv"]) == 0
    rows = {
        r["unit_code"]: r["unit_name"]
        for r in csv.DictReader(io.StringIO(capsysbinary.readouterr().out.decode("utf-8-sig")))
    }
    for code, name in NAMES.items():
        assert rows[code] == "'" + name
    assert rows["D"] == "测试区"  # plain names are untouched
