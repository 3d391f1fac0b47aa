"""Benchmark of what leaders read: the big screen's data and a month's bulletin, on a generated
region (district, or a fraction of the province) imported through the real importers.

- screen: `screen_data` for the region at the end of October, computed afresh each time, repeated;
  p50 and p95; then the page's way, `stored_screen` (the document stored for 20 s, as every web
  process serves it between two computations). Baseline in the same run: one `report kpi` month
  for the same region (`kpi_rows`, from the daily aggregates), the query the screen's figures are
  made of, and the same month counted from the raw rows (`kpi_rows_raw`) beside it. The marks the
  import left are folded first (the worker's job), so no timing includes a fold.
- bulletin: October's bulletin: its figures and tables, its charts (ECharts and resvg under
  Node.js), its Word file, and its PDF through LibreOffice, each timed, and the whole.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from govwatch.core.pdf import PdfError, available, docx_to_pdf
from govwatch.demo.generator import generate
from govwatch.figures.fold import fold, pending
from govwatch.imports.runs import run_import
from govwatch.reports.bulletin import bulletin_content, bulletin_docx, chart_images
from govwatch.reports.figures import kpi_rows, kpi_rows_raw
from govwatch.reports.screen import screen_data, stored_screen

MONTH = date(2026, 10, 1)
AT = datetime(2026, 10, 31, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _timed(fn) -> tuple[Any, float]:
    began = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - began


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(
    scale: str = "district", fraction: float = 1.0, seed: int = 1, repeat: int = 20, region: str = ""
) -> dict[str, Any]:
    """`region`: a GOVWATCH_VAR_DIR already loaded (the section then runs on it, nothing imported)."""
    if not region:
        out = Path(settings.VAR_DIR) / "demo"
        generate(out, scale=scale, seed=seed, fraction=fraction)
        for kind in ("units", "items", "cases", "evaluations", "complaints"):
            run_import(kind, out / f"{kind}.csv", operator_label="bench")
    report: dict[str, Any] = {"scale": scale, "fraction": fraction, "repeat": repeat, "region": bool(region)}
    while pending():
        fold()

    october = (date(2026, 10, 1), date(2026, 10, 31))
    _rows, kpi_month = _timed(lambda: kpi_rows(*october))
    _rows, kpi_raw = _timed(lambda: kpi_rows_raw(*october))
    screen_times = [_timed(lambda: screen_data(None, None, AT))[1] for _ in range(repeat)]
    stored_times = [
        _timed(lambda: stored_screen("bench", lambda: screen_data(None, None, AT)))[1] for _ in range(repeat)
    ]
    report["screen"] = {
        "p50_ms": round(statistics.median(screen_times) * 1000),
        "p95_ms": round(_p95(screen_times) * 1000),
        "stored_p50_ms": round(statistics.median(stored_times) * 1000, 1),
        "stored_p95_ms": round(_p95(stored_times) * 1000, 1),
        "baseline_kpi_month_ms": round(kpi_month * 1000),
        "kpi_month_raw_ms": round(kpi_raw * 1000),
        "ratio_p95_to_kpi_month": round(_p95(screen_times) / kpi_month, 2),
    }

    content, figures = _timed(lambda: bulletin_content(MONTH))
    (images, warnings), drawn = _timed(lambda: chart_images(content))
    (docx, _), written = _timed(
        lambda: bulletin_docx(
            content, organ="政务服务中心", title="月通报", number="效能通报〔2026〕第0001号", images=images
        )
    )
    bulletin = {"figures_s": round(figures, 2), "charts_s": round(drawn, 2), "charts": len(images),
                "docx_s": round(written, 2), "docx_kib": round(len(docx) / 1024), "warnings": warnings}  # fmt: skip
    if available():
        try:
            _pdf, rendered = _timed(lambda: docx_to_pdf(docx))
            bulletin["pdf_s"] = round(rendered, 2)
        except PdfError as exc:
            bulletin["pdf_error"] = str(exc)
    bulletin["total_s"] = round(figures + drawn + written + bulletin.get("pdf_s", 0), 2)
    report["bulletin"] = bulletin
    return report
