"""Every CSV and XLSX writer of GovWatch is the kernel's (govwatch.core.sheets), so that no export, of
an area written today or to come, lets a name or a comment become a live formula in a spreadsheet."""

from __future__ import annotations

import re
from pathlib import Path

import govwatch

ROOT = Path(govwatch.__file__).parent
WRITERS = re.compile(r"\bcsv\.(writer|DictWriter)\(|\bWorkbook\(|from openpyxl import [^\n]*\bWorkbook\b")
# A workbook made from the kernel's class is safe: `Workbook(` counts only where it is not imported.
KERNEL_WORKBOOK = re.compile(r"^from govwatch\.core\.sheets import [^\n]*\bWorkbook\b", re.M)
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
        text = path.read_text(encoding="utf-8")
        kernel = KERNEL_WORKBOOK.search(text) is not None
        for number, line in enumerate(text.splitlines(), start=1):
            if kernel and "Workbook(" in line and not re.search(r"\bcsv\.", line):
                continue
            if WRITERS.search(line) and "load_workbook" not in line:
                found.append(f"{rel}:{number}: {line.strip()}")
    return found


def test_every_export_writes_through_the_kernel():
    assert _writers() == [], (
        "write CSV with govwatch.core.sheets.csv_writer / csv_dict_writer and XLSX with "
        "govwatch.core.sheets.Workbook (cells that start like a formula stay text)"
    )
