"""Benchmark of the evaluation data checks: the full check of a province year on SQLite.

The province of `govwatch demo-data --scale province` (3 million evaluations, 9.6 million cases at
fraction 1, faults of every kind planted) is imported by the real commands, then `govwatch checks
run` over the year is timed in a process of its own, whose peak RSS is read with wait4 (flat memory:
compare fractions). The baseline, measured in the same run, is the floor any full check reads: one
plain sqlite3 pass over the year's evaluations joined to their cases, and one over the year's
completed cases. Quality: the run's findings scored against the planted faults' answers.

Importing a province takes about half an hour: with `keep` the region is built once in that
directory and reused by later runs (the checks then find what they found before, and raise
nothing new: the timing is the same work).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from govwatch.demo.generator import FILES, generate

KINDS = ("units", "items", "cases", "evaluations", "complaints")


def _govwatch(args: list[str], var: Path) -> tuple[bytes, float, float, int, float]:
    """(stdout, seconds, peak RSS in MiB, exit status, CPU seconds) of a govwatch command in a
    process of its own."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["GOVWATCH_VAR_DIR"] = str(var)
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "govwatch.cli", *args], stdout=subprocess.PIPE, env=env)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    cpu = usage.ru_utime + usage.ru_stime
    return out, time.perf_counter() - began, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), cpu


def _build(var: Path, seed: int, fraction: float) -> dict[str, Any]:
    ready = var / "checks-region.json"
    if ready.exists():
        _govwatch(["init"], var)  # the code may have moved on: its migrations apply to the kept region
        return {**json.loads(ready.read_text()), "reused": True}
    var.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    report = generate(var / "demo", scale="province", seed=seed, fraction=fraction)
    built: dict[str, Any] = {
        "fraction": fraction,
        "seed": seed,
        "generate_seconds": round(time.perf_counter() - began, 1),
    }
    _govwatch(["init"], var)
    for kind in KINDS:
        out, seconds, _, status, _ = _govwatch(
            ["import", kind, str(var / "demo" / FILES[kind][0]), "--format", "json"], var
        )
        if status > 1:
            raise RuntimeError(f"import {kind} failed ({status})")
        doc = json.loads(out)
        built[f"import_{kind}"] = {
            "imported": doc["imported"],
            "rejected": doc["rejected"],
            "seconds": round(seconds, 1),
        }
    built["counts"] = report["counts"]
    built["year"] = report["year"]
    ready.write_text(json.dumps(built, ensure_ascii=False))
    return built


def _baseline(var: Path, year: int) -> tuple[float, float]:
    """(seconds, CPU seconds) for the floor of a full check: one pass over the year's evaluations
    and their cases, one over the year's completed cases, in plain sqlite3 (in this process)."""
    from datetime import date

    from django.db import connection

    from govwatch.core.localtime import start_of_day

    start, end = (
        str(connection.ops.adapt_datetimefield_value(start_of_day(date(y, 1, 1)))) for y in (year, year + 1)
    )
    db = sqlite3.connect(var / "govwatch.sqlite3")
    began, began_cpu = time.perf_counter(), time.process_time()
    db.execute(
        "SELECT COUNT(*), SUM(e.level), SUM(c.closed_at IS NULL), SUM(e.unit_id <> c.unit_id) "
        "FROM evaluations_evaluation e LEFT JOIN cases_case c ON c.case_no = e.case_no "
        "WHERE e.at >= ? AND e.at < ?",
        (start, end),
    ).fetchall()
    db.execute(
        "SELECT unit_id, window_code, channel, COUNT(*) FROM cases_case WHERE status = 'completed' "
        "AND closed_on >= ? AND closed_on <= ? GROUP BY 1, 2, 3",
        (f"{year}-01-01", f"{year}-12-31"),
    ).fetchall()
    seconds, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    db.close()
    return seconds, cpu


def run(seed: int = 1, fraction: float = 1.0, keep: str = "") -> dict[str, Any]:
    from govwatch.checks.scoring import score

    var = Path(keep) if keep else Path(settings.VAR_DIR) / "checks-region"
    region = _build(var, seed, fraction)
    year = region["year"]
    baseline, baseline_cpu = _baseline(var, year)
    out, seconds, rss, status, cpu = _govwatch(
        ["checks", "run", "--from", f"{year}-01-01", "--to", f"{year}-12-31", "--format", "json"], var
    )
    if status != 0:
        raise RuntimeError(f"checks run failed ({status})")
    doc = json.loads(out)
    answers = json.loads((var / "demo" / "evaluation_faults.json").read_text(encoding="utf-8"))
    quality = score(answers, doc["findings"])
    return {
        "region": region,
        "evaluations": region["counts"]["evaluations"],
        "cases": region["counts"]["cases"],
        "checks_seconds": round(seconds, 1),
        "checks_peak_rss_mib": round(rss, 1),
        "baseline_seconds": round(baseline, 1),
        "checks_vs_baseline": round(seconds / baseline, 2) if baseline else None,
        # CPU seconds tell less of the machine's load (a busy machine stretches the wall clock).
        "checks_cpu_seconds": round(cpu, 1),
        "baseline_cpu_seconds": round(baseline_cpu, 1),
        "checks_vs_baseline_cpu": round(cpu / baseline_cpu, 2) if baseline_cpu else None,
        "findings": doc["run"]["findings"],
        "new_findings": doc["run"]["new"],
        "quality": {
            k: {m: v[m] for m in ("planted", "flagged", "precision", "recall", "met")}
            for k, v in quality["kinds"].items()
        },  # fmt: skip
        "quality_met": quality["met"],
    }
