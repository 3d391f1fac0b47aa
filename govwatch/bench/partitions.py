"""`govwatch bench --only partitions`: PostgreSQL declarative partitioning by month, built and measured.

On a throw-away PostgreSQL cluster (Debian's), a slice of the province region is imported through
GovWatch and scanned; then monthly partitioned copies of the three large tables are built beside the
plain ones (cases by `accepted_on`, case events and evaluations by `at`, one partition a month and
a default one, the same secondary indexes on each partition) and the same queries are timed on both
(best of 5), with the number of partitions each plan touches (partition pruning):

- reports: a month's received cases per unit, a month's evaluations per unit, a month's
  completions per unit (closed_on: pruned only by the bound a case cannot close before it is
  accepted), a quarter's received cases;
- the scan: the cases whose next moment of change has come (next_card_at, not the partition key);
- the importer: the stored events of 900 cases (by case_no, not the partition key).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from govwatch.ops.pgcluster import PgCluster

TABLES = {
    # table: (partition column, its type, indexes beside the partition key)
    "cases_case": ("accepted_on", "date", ["unit_id, accepted_on", "next_card_at", "closed_on", "case_no"]),
    "cases_caseevent": ("at", "timestamptz", ["case_no, at"]),
    "evaluations_evaluation": ("at", "timestamptz", ["unit_id, at", "level"]),
}


def _months(first: date, last: date) -> list[tuple[date, date]]:
    out, y, m = [], first.year, first.month
    while date(y, m, 1) <= last:
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        out.append((date(y, m, 1), nxt))
        y, m = nxt.year, nxt.month
    return out


def build(cursor, year: int) -> dict[str, int]:
    """Partitioned copies p_<table> of the three tables; returns rows copied per table."""
    copied = {}
    for table, (column, kind, indexes) in TABLES.items():
        p = f"p_{table}"
        cursor.execute(f"DROP TABLE IF EXISTS {p} CASCADE")
        cursor.execute(f"CREATE TABLE {p} (LIKE {table} INCLUDING DEFAULTS) PARTITION BY RANGE ({column})")
        for start, end in _months(date(year, 1, 1), date(year + 1, 12, 1)):
            # Months of local (China) time: a month's report then falls in exactly one partition.
            lo, hi = (
                (f"{start}T00:00:00+08:00", f"{end}T00:00:00+08:00")
                if kind == "timestamptz"
                else (start, end)
            )
            cursor.execute(
                f"CREATE TABLE {p}_{start:%Y%m} PARTITION OF {p} FOR VALUES FROM ('{lo}') TO ('{hi}')"
            )
        cursor.execute(f"CREATE TABLE {p}_default PARTITION OF {p} DEFAULT")
        cursor.execute(f"INSERT INTO {p} SELECT * FROM {table}")
        copied[table] = cursor.rowcount
        # Unique keys must include the partition key: the id stays unique with it.
        cursor.execute(f"ALTER TABLE {p} ADD PRIMARY KEY (id, {column})")
        for k, cols in enumerate(indexes):
            cursor.execute(f"CREATE INDEX {p}_i{k} ON {p} ({cols})")
        cursor.execute(f"ANALYZE {p}")
        cursor.execute(f"ANALYZE {table}")
    return copied


def queries(year: int, case_nos: list[str]) -> dict[str, tuple[str, list]]:
    m = f"{year}-03"
    return {
        "month_received_per_unit": (
            f"SELECT unit_id, count(*) FROM {{cases_case}} WHERE accepted_on BETWEEN '{m}-01' AND '{m}-31' GROUP BY unit_id", []),
        "quarter_received_per_unit": (
            f"SELECT unit_id, count(*) FROM {{cases_case}} WHERE accepted_on BETWEEN '{year}-04-01' AND '{year}-06-30' GROUP BY unit_id", []),
        "month_evaluations_per_unit": (
            f"SELECT unit_id, count(*), avg(level) FROM {{evaluations_evaluation}} WHERE at >= '{m}-01T00:00+08:00' AND at < '{year}-04-01T00:00+08:00' GROUP BY unit_id", []),
        "month_completed_per_unit": (
            f"SELECT unit_id, count(*) FROM {{cases_case}} WHERE closed_on BETWEEN '{m}-01' AND '{m}-31' AND accepted_on <= '{m}-31' GROUP BY unit_id", []),
        "scan_due_cases": (
            f"SELECT id, case_no FROM {{cases_case}} WHERE next_card_at <= '{year}-06-15T09:00+08:00' LIMIT 2000", []),
        "importer_events_of_900_cases": (
            "SELECT case_no, at, kind FROM {cases_caseevent} WHERE case_no = ANY(%s)", [case_nos]),
    }  # fmt: skip


def _partitions_touched(cursor, sql: str, params: list, table: str) -> int:
    cursor.execute("EXPLAIN " + sql, params)
    plan = "\n".join(r[0] for r in cursor.fetchall())
    return len(set(re.findall(rf"on (p_{table}_\w+)", plan)))


def measure(cursor, year: int) -> dict[str, Any]:
    cursor.execute("SELECT case_no FROM cases_case ORDER BY random() LIMIT 900")
    case_nos = [r[0] for r in cursor.fetchall()]
    results = {}
    for name, (template, params) in queries(year, case_nos).items():
        row: dict[str, Any] = {}
        for variant, prefix in (("plain", ""), ("partitioned", "p_")):
            sql = template.format(**{t: prefix + t for t in TABLES})
            best = float("inf")
            for _ in range(5):
                t0 = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                best = min(best, time.perf_counter() - t0)
            row[f"{variant}_ms"] = round(best * 1000, 2)
            if prefix:
                table = next(t for t in TABLES if "{" + t + "}" in template)
                row["partitions_touched"] = _partitions_touched(cursor, sql, params, table)
        row["partitioned_vs_plain"] = (
            round(row["partitioned_ms"] / row["plain_ms"], 2) if row["plain_ms"] else None
        )
        results[name] = row
    return results


def run(seed: int = 1, fraction: float = 0.05, year: int = 2026) -> dict[str, Any]:
    cluster = PgCluster().init()
    try:
        with tempfile.TemporaryDirectory(prefix="govwatch-partitions-") as tmp:
            env = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}
            env.update(DATABASE_URL=cluster.url(), GOVWATCH_VAR_DIR=str(Path(tmp) / "var"))
            os.environ.clear()
            os.environ.update(env)
            os.environ["DJANGO_SETTINGS_MODULE"] = "govwatch.settings"
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "govwatch.cli", "demo-data", "--scale", "province", "--seed", str(seed),
                            "--fraction", str(fraction), "--year", str(year), "--out", tmp, "--format", "json"],
                           check=True, capture_output=True, env=env)  # fmt: skip
            generated = time.perf_counter() - t0
            import django

            django.setup()
            from django.core.management import call_command
            from django.db import connection

            from govwatch.imports.runs import run_import
            from govwatch.supervision.scan import scan
            from govwatch.workcal.schedule import load_shipped

            call_command("migrate", interactive=False, verbosity=0)
            load_shipped()
            timings = {"generate": round(generated, 1)}
            for kind in ("units", "items", "cases", "evaluations"):
                t0 = time.perf_counter()
                run_import(kind, Path(tmp) / f"{kind}.csv", operator_label="bench")
                timings[f"import_{kind}"] = round(time.perf_counter() - t0, 1)
            from datetime import datetime
            from zoneinfo import ZoneInfo

            t0 = time.perf_counter()
            scan(datetime(year, 6, 15, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
            timings["first_scan"] = round(time.perf_counter() - t0, 1)
            with connection.cursor() as cursor:
                t0 = time.perf_counter()
                copied = build(cursor, year)
                timings["build_partitions"] = round(time.perf_counter() - t0, 1)
                results = measure(cursor, year)
                cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
                size = cursor.fetchone()[0]
        return {"fraction": fraction, "rows": copied, "database_size": size, "seconds": timings, "queries": results,
                "postgresql": cluster.psql("SHOW server_version").strip(),
                "load_average": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
    finally:
        cluster.destroy()


if __name__ == "__main__":
    sys.stdout.write(
        json.dumps(run(**json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}")), ensure_ascii=False) + "\n"
    )
