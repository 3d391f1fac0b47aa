"""Scenes of window operations: a hall's windows and staff in the shared test region, and files
imported through the one import service, as the clock and queue systems would send them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def load(tmp_path):
    """`load(kind, header, rows)`: import a CSV of that kind as `govwatch import` does."""
    from govwatch.imports.runs import run_import

    count = 0

    def run(kind: str, header: list[str], rows: list[list]):
        nonlocal count
        count += 1
        return run_import(
            kind, write_csv(tmp_path / f"{kind}-{count}.csv", header, rows), operator_label="test"
        )

    return run


@pytest.fixture
def hall(region, load):
    """Two windows of the market bureau in the district's hall, one of social security; three staff,
    one of them a third party's; the market bureau keeps 09:00-12:00,13:30-17:00."""
    region["market"].hours = "09:00-12:00,13:30-17:00"
    region["market"].save()
    load(
        "windows",
        ["window_code", "unit_code", "name", "kind"],
        [
            ["W01", "SC", "市场准入窗口", "专窗"],
            ["W02", "SC", "食品许可窗口", "dedicated"],
            ["W03", "RS", "社保窗口", "general"],
        ],
    )
    load(
        "staff",
        ["staff_code", "name", "unit_code", "window_code", "phone", "third_party"],
        [
            ["S1", "张敏", "SC", "W01", "13800001234", "否"],
            ["S2", "李强", "SC", "W02", "", "0"],
            ["S3", "王芳", "RS", "W03", "13900005678", "是"],
        ],
    )
    from govwatch.windows.models import Staff, Window

    return {
        **region,
        "windows": {w.code: w for w in Window.objects.all()},
        "staff": {s.staff_code: s for s in Staff.objects.all()},
    }
