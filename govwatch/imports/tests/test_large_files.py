"""Large files are streamed: memory does not grow with the file.

Marked slow (about 30 s here). The 200 MB file goes through the reader; the import itself is measured
on a smaller cases file forced through the on-disk sort, with tracemalloc (the Python heap only:
the test database's pages are SQLite's own memory).
"""

from __future__ import annotations

import resource
import tracemalloc

import pytest

from govwatch.bench.case_import import write_synthetic_files
from govwatch.cases.models import Case
from govwatch.core.tables import open_table
from govwatch.imports import cases as case_import
from govwatch.imports.kinds import EVENT_FIELDS
from govwatch.imports.runs import run_import

MB = 1 << 20


@pytest.mark.slow
def test_a_200_mb_csv_is_read_without_loading_it(tmp_path):
    path = tmp_path / "big.csv"
    block = "".join(
        f"2026{n:010d},accept,2026-03-02T09:{n % 60:02d}:00,ITEM{n % 2000:04d},窗口说明{n}\n"
        for n in range(10_000)
    )
    with path.open("w", encoding="utf-8") as fh:
        fh.write("case_no,event,at,item_code,reason\n")
        while fh.tell() < 200 * MB:
            fh.write(block)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    count = sum(1 for _ in open_table(path, EVENT_FIELDS).rows)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    assert count > 2_500_000
    assert grown < 50 * MB


def _peak_import(path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        result = run_import("cases", path)
        return result.imported, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
@pytest.mark.django_db
def test_case_import_through_the_disk_sort_keeps_memory_flat(
    tmp_path, settings, monkeypatch, shipped_calendar
):
    small = write_synthetic_files(tmp_path / "small", cases=4_000)
    large = write_synthetic_files(tmp_path / "large", cases=20_000, seed=2)
    run_import("units", small["units"])
    run_import("items", small["items"])
    settings.IMPORT_MEMORY_ROWS = 2_000
    monkeypatch.setattr(case_import, "CHUNK_CASES", 1_000)
    small_events, small_peak = _peak_import(small["cases"])
    Case.objects.all().delete()
    large_events, large_peak = _peak_import(large["cases"])
    assert Case.objects.count() == 20_000 and large_events > 4.5 * small_events
    # Five times the rows, about the same peak: what is held is one chunk, not the file.
    assert large_peak < small_peak * 1.25 + 2 * MB, (small_peak / MB, large_peak / MB)
