"""Benchmark: incremental scans over 500,000 open cases on SQLite.

The cases' due dates are spread over about 100 working days, so from one day to the next about
5,000 cards change (cases turning yellow or red). Measured: the first scan (every case evaluated),
the next day's incremental scan, and a scan with no change.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction

from govwatch.cases.models import Case
from govwatch.catalog.models import Item
from govwatch.orgs.models import Unit
from govwatch.supervision.models import Notification
from govwatch.supervision.scan import scan
from govwatch.workcal.calendar import get_calendar


def _setup(open_cases: int, seed: int, start: datetime) -> None:
    rng = random.Random(seed)
    root = Unit.objects.create(code="D", name="基准区", kind="district")
    Unit.objects.create(code="JW", name="区纪委监委", kind="supervisor", parent=root, phone="13900000000")
    units = [
        Unit.objects.create(
            code=f"U{k:02d}", name=f"部门{k}", kind="department", parent=root, phone=f"138{k:08d}"
        )
        for k in range(38)
    ]
    items = [
        Item.objects.create(
            code=f"I{k:04d}", name=f"事项{k}", unit=units[k % 38], legal_days=60, promised_days=p
        )
        for k, p in enumerate(rng.choice([5, 10, 15, 20, 30, 60]) for _ in range(400))
    ]
    cal = get_calendar()
    today = start.date()
    rows = []
    for n in range(open_cases):
        item = items[n % len(items)]
        # Due somewhere in the next ~100 working days; accepted promised_days before that.
        due = cal.add_workdays(today, rng.randint(1, 100)).date
        accepted_on = cal.first_date_within(due, item.promised_days)
        accepted_on = accepted_on if accepted_on <= today else today
        accepted_at = datetime(accepted_on.year, accepted_on.month, accepted_on.day, 1, 30, tzinfo=UTC)
        rows.append(
            (
                f"B{n:09d}",
                item.id,
                item.unit_id,
                "window",
                "person",
                "",
                "",
                "open",
                str(accepted_at.replace(tzinfo=None)),
                accepted_on.isoformat(),
                due.isoformat(),
                False,
                0,
            )
        )
    with transaction.atomic(), connection.cursor() as c:
        c.executemany(
            "INSERT INTO cases_case (case_no, item_id, unit_id, channel, applicant_type, window_code, staff_code,"
            " status, accepted_at, accepted_on, due_date, provisional, suspended_days)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )


def _timed(at: datetime) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    result = scan(at).as_dict()
    return time.perf_counter() - t0, result


def run(open_cases: int = 500_000, seed: int = 1) -> dict[str, Any]:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    t0 = time.perf_counter()
    _setup(open_cases, seed, start)
    setup_seconds = time.perf_counter() - t0
    first_seconds, first = _timed(start)
    Notification.objects.all().delete()
    next_day = start + timedelta(days=1)
    incremental_seconds, incremental = _timed(next_day)
    changed = incremental["new_yellow"] + incremental["new_red"]
    quiet_best = min(_timed(next_day + timedelta(seconds=k))[0] for k in range(1, 6))
    return {
        "open_cases": Case.objects.count(),
        "setup_seconds": round(setup_seconds, 1),
        "first_scan_seconds": round(first_seconds, 2),
        "first_scan_cards": first["yellow"] + first["red"],
        "incremental_scan_seconds": round(incremental_seconds, 3),
        "incremental_cards_changed": changed,
        "incremental_notifications_queued": incremental["notifications_queued"],
        "notifications_queued_per_second": round(incremental["notifications_queued"] / incremental_seconds),
        "no_change_scan_ms": round(quiet_best * 1000, 1),
    }
