"""Benchmark: due dates for a million cases, against the day-by-day reference and numpy's busday_offset."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import numpy as np

from govwatch.workcal.calendar import WorkCalendar, day_by_day_add
from govwatch.workcal.schedule import shipped_schedule


def _sample(n_cases: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Acceptance dates over 2024-2025 and promised days drawn like a catalog's (many short, some long)."""
    rng = np.random.default_rng(seed)
    start = date(2024, 1, 1).toordinal()
    ordinals = start + rng.integers(0, 731, n_cases)
    promised = rng.choice(
        [0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 60],
        size=n_cases,
        p=[0.3, 0.1, 0.1, 0.1, 0.15, 0.05, 0.08, 0.05, 0.04, 0.02, 0.01],
    )
    return ordinals.astype(np.int64), promised.astype(np.int64)


def run(n_cases: int = 1_000_000, seed: int = 1, reference_sample: int = 2_000) -> dict[str, Any]:
    import chinese_calendar

    days, years = shipped_schedule()
    cal = WorkCalendar(
        [d for d, k in days.items() if k == "holiday"], [d for d, k in days.items() if k == "workday"], years
    )
    ordinals, promised = _sample(n_cases, seed)

    # GovWatch's vectorised path (best of 3: the machine is shared and noisy).
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        result, _provisional = cal.add_workdays_many(ordinals, promised)
        best = min(best, time.perf_counter() - t0)
    vectorised_seconds = best

    # The reference, day by day with chinese-calendar's is_workday: timed on a sample...
    t0 = time.perf_counter()
    for o, n in zip(ordinals[:reference_sample].tolist(), promised[:reference_sample].tolist(), strict=True):
        day_by_day_add(chinese_calendar.is_workday, date.fromordinal(o), n)
    reference_rate = reference_sample / (time.perf_counter() - t0)

    # ...and used for every case through the distinct (date, n) pairs, so all million are checked.
    pairs = np.unique(np.stack([ordinals, promised]), axis=1)
    expected_of = {
        (int(o), int(n)): day_by_day_add(
            chinese_calendar.is_workday, date.fromordinal(int(o)), int(n)
        ).toordinal()
        for o, n in pairs.T
    }
    expected = np.array(
        [expected_of[(o, n)] for o, n in zip(ordinals.tolist(), promised.tolist(), strict=True)]
    )
    mismatches = int(np.count_nonzero(result != expected))

    # numpy's busday_offset with the holidays: it has no way to say a Saturday is a working day.
    holidays = np.array(sorted(d for d, k in days.items() if k == "holiday"), dtype="datetime64[D]")
    as_dates = (ordinals - date(1970, 1, 1).toordinal()).astype("datetime64[D]")
    t0 = time.perf_counter()
    busday = np.busday_offset(as_dates, promised, roll="backward", holidays=holidays)
    busday_seconds = time.perf_counter() - t0
    busday_ordinals = busday.astype(np.int64) + date(1970, 1, 1).toordinal()
    busday_wrong = int(np.count_nonzero(busday_ordinals != expected))

    return {
        "cases": n_cases,
        "vectorised_seconds": round(vectorised_seconds, 4),
        "vectorised_per_second": round(n_cases / vectorised_seconds),
        "vectorised_mismatches": mismatches,
        "reference_per_second": round(reference_rate),
        "busday_offset_seconds": round(busday_seconds, 4),
        "busday_offset_per_second": round(n_cases / busday_seconds),
        "busday_offset_wrong": busday_wrong,
        "busday_offset_wrong_share": round(busday_wrong / n_cases, 4),
        "speedup_over_reference": round((n_cases / vectorised_seconds) / reference_rate),
    }
