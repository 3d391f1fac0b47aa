"""Benchmark: the hall's QR sheet (窗口评价二维码) on the demo district, as the office opens it.

The region is `govwatch demo-data --scale district` with the benchmark's seed (units, items, a
year of cases). Measured through Django's test client, the way a browser asks for the page:

- baseline, measured in the same run: the sheet as it was before, the page's windows and then one
  QR code drawn per window (each an <img> the browser fetched, every code drawn again each time);
- cold: the first opening, which draws every window's code once and keeps it;
- warm: the best of five openings after that, the whole sheet in one response.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from govwatch.accounts.models import Membership, Role
from govwatch.demo.generator import generate
from govwatch.imports.runs import run_import
from govwatch.orgs.models import Unit
from govwatch.public.qr import qr_svg
from govwatch.public.tokens import window_token
from govwatch.public.views import SHEET_DAYS, window_title, windows_in_use


def _timed(fn) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def run(seed: int = 1) -> dict[str, Any]:
    out = Path(settings.VAR_DIR) / "demo"
    # The year up to now, so that its windows are "in use this past year".
    generate(out, scale="district", seed=seed, year=timezone.localdate().year, until=timezone.now())
    for kind in ("units", "items", "cases"):
        run_import(kind, out / f"{kind}.csv", operator_label="bench")
    root = Unit.objects.filter(parent=None).order_by("path").first()
    office = get_user_model().objects.create_user("bench-office", password="x")
    Membership.objects.create(user=office, role=Role.OFFICE, unit=root)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(office)

    def old_sheet() -> None:
        # What the office's browser caused before: the page's windows, then one drawing per window.
        groups = windows_in_use(office, [], timezone.now() - timedelta(days=SHEET_DAYS))
        for group in groups:
            for w in group["windows"]:
                qr_svg(f"http://127.0.0.1/e/w/{window_token(w['code'])}/", window_title(w["code"]))

    def sheet() -> None:
        response = client.get("/e/sheet/")
        assert response.status_code == 200, response.status_code

    windows = sum(
        len(g["windows"]) for g in windows_in_use(office, [], timezone.now() - timedelta(days=SHEET_DAYS))
    )
    baseline = _timed(old_sheet)
    cold = _timed(sheet)
    warm = min(_timed(sheet) for _ in range(5))
    return {
        "windows": windows,
        "baseline_seconds": round(baseline, 3),
        "cold_seconds": round(cold, 3),
        "warm_seconds": round(warm, 3),
        "warm_vs_baseline": round(warm / baseline, 3) if baseline else None,
    }
