"""Every CSV and XLSX writer of GovWatch is the kernel's (govwatch.core.sheets), so that no export, of
an area written today or to come, lets a name or a comment become a live formula in a spreadsheet."""

from __future__ import annotations

import re
from pathlib import Path

import govwatch

ROOT = Path(govwatch.__file__).parent
WRITERS = re.compile(r"\bcsv\.(writer|DictWriter)\(|\bWorkbook\(|from openpyxl import [^\n]*\bWorkbook\b")
# Not exports: the kernel itself, and programs that write import files of generated data for tests,
# the demo and the benchmarks (read back by GovWatch, not opened by people).
ALLOWED = {"core/sheets.py"}
ALLOWED_DIRS = ("tests", "demo", "bench")


def _writers() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWED or any(part in ALLOWED_DIRS for part in path.relative_to(ROOT).parts[:-1]):
            continue
        if rel.endswith(("/bench.py", "/demo.py")):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if WRITERS.search(line) and "load_workbook" not in line:
                found.append(f"{rel}:{number}: {line.strip()}")
    return found


def test_every_export_writes_through_the_kernel():
    assert _writers() == [], (
        "write CSV with govwatch.core.sheets.csv_writer / csv_dict_writer and XLSX with "
        "govwatch.core.sheets.Workbook (cells that start like a formula stay text)"
    )
