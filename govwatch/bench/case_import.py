"""Timing the case import against a plain sqlite3 executemany of the same rows.

`write_synthetic_files` writes a district-like units/items/cases set (a quick generator of its own,
so that the benchmark does not depend on `govwatch demo-data`); `bench_import_cases` imports a
cases file through `run_import` and, on SQLite, inserts the very rows it stored into an empty copy
of the same tables with the stdlib sqlite3 module, the floor any importer is measured against.
"""

from __future__ import annotations

import csv
import random
import sqlite3
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import connection

from govwatch.cases.models import Case, CaseEvent, Suspension
from govwatch.imports.runs import run_import

UNITS = 38


def write_synthetic_files(out_dir: str | Path, cases: int = 96_000, seed: int = 1) -> dict[str, Path]:
    """units.csv, items.csv and cases.csv for a synthetic district year; returns their paths.

    About 2.1 events per case: every case accepted, 1 in 10 suspended and resumed, 85 % completed,
    3 % rejected, the rest still open. Rows are in time order, as handling systems export them.
    """
    rng = random.Random(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {kind: out / f"{kind}.csv" for kind in ("units", "items", "cases")}
    units = [f"U{i:02d}" for i in range(UNITS)]
    with paths["units"].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "parent_code", "kind", "phone"])
        w.writerow(["D", "合成区", "", "district", ""])
        for i, code in enumerate(units):
            w.writerow([code, f"单位{i}", "D", "department" if i % 3 else "street", ""])
    items = []
    with paths["items"].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "unit_code", "type", "level", "legal_days", "promised_days", "online"])
        for i in range(2000):
            promised = rng.choice([0, 0, 1, 2, 3, 5, 7, 9, 10, 15, 20])
            items.append(f"IT{i:04d}")
            w.writerow(
                [
                    items[-1],
                    f"事项{i}",
                    units[i % UNITS],
                    "licensing",
                    "district",
                    promised * 2,
                    promised,
                    "full",
                ]
            )
    start = datetime(2026, 1, 5, 9)  # noqa: DTZ001 - local wall time, written without an offset
    events: list[tuple[datetime, str, str, str]] = []
    for n in range(cases):
        case_no = f"2026{n:08d}"
        at = start + timedelta(days=rng.randrange(355), minutes=rng.randrange(480))
        events.append((at, case_no, "accept", rng.choice(items)))
        fate = rng.random()
        if fate < 0.10:
            at += timedelta(days=rng.randrange(1, 5))
            events.append((at, case_no, "suspend", ""))
            at += timedelta(days=rng.randrange(1, 10))
            events.append((at, case_no, "resume", ""))
        if fate < 0.85:
            events.append((at + timedelta(days=rng.randrange(0, 20), hours=1), case_no, "complete", ""))
        elif fate < 0.88:
            events.append((at + timedelta(days=rng.randrange(0, 5), hours=1), case_no, "reject", ""))
    events.sort()
    with paths["cases"].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["case_no", "event", "at", "item_code", "channel", "window_code", "staff_code"])
        for at, case_no, kind, item in events:
            w.writerow([case_no, kind, at.isoformat(), item, "window" if item else "", "W01", "S001"])
    return paths


def _raw_sqlite_seconds(indexed: bool) -> float:
    """Seconds for sqlite3 executemany of the stored case rows into empty tables in a fresh file:
    the tables' own DDL with their indexes (`indexed`), or bare tables with the same columns and no
    secondary index at all, not even a unique one (the physical floor)."""
    tables = [m._meta.db_table for m in (Case, CaseEvent, Suspension)]
    with connection.cursor() as cursor:
        ddl, data = [], {}
        for table in tables:
            if indexed:
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [table]
                )
                ddl += [sql for (sql,) in cursor.fetchall()]
            else:
                cursor.execute(f'PRAGMA table_info("{table}")')
                columns = [
                    f'"{name}" {kind}' + (" PRIMARY KEY" if pk else "")
                    for _, name, kind, _, _, pk in cursor.fetchall()
                ]
                ddl.append(f'CREATE TABLE "{table}" ({", ".join(columns)})')
            cursor.execute(f'SELECT * FROM "{table}"')
            data[table] = cursor.fetchall()
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "raw.sqlite3")
        db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;")
        for sql in ddl:
            db.execute(sql)
        began = time.perf_counter()
        for table, rows in data.items():
            if rows:
                db.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(rows[0]))})', rows)
        db.commit()
        seconds = time.perf_counter() - began
        db.close()
    return seconds


def bench_import_cases(path: str | Path, operator_label: str = "bench") -> dict[str, Any]:
    """Import a cases file (units and items already imported) and time it.

    Returns {"events", "cases", "seconds", "events_per_second"} and, on SQLite, "floor_seconds" (plain
    sqlite3 executemany of the same Case/CaseEvent/Suspension rows into tables without secondary
    indexes) and "rate_vs_floor" (the import's rate as a fraction of the floor's; the target is
    >= 1/3), and the same against the tables with their indexes ("raw_indexed_seconds").
    """
    cases_before = Case.objects.count()
    began = time.perf_counter()
    result = run_import("cases", path, operator_label=operator_label)
    seconds = time.perf_counter() - began
    report: dict[str, Any] = {
        "read": result.read,
        "events": result.imported,
        "cases": Case.objects.count() - cases_before,
        "rejected": result.rejected,
        "seconds": round(seconds, 3),
        "events_per_second": round(result.imported / seconds) if seconds else None,
    }
    if connection.vendor == "sqlite":
        floor = _raw_sqlite_seconds(indexed=False)
        indexed = _raw_sqlite_seconds(indexed=True)
        report["floor_seconds"] = round(floor, 3)
        report["rate_vs_floor"] = round(floor / seconds, 3) if seconds else None
        report["raw_indexed_seconds"] = round(indexed, 3)
        report["rate_vs_raw_indexed"] = round(indexed / seconds, 3) if seconds else None
    return report
