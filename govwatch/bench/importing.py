"""Benchmarks: a district year and a province through `govwatch import`, on a fresh SQLite database.

The region comes from `govwatch demo-data` with the benchmark's seed; the case import is quoted
against a plain sqlite3 executemany of the very rows it stored, measured in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from govwatch.bench.case_import import bench_import_cases
from govwatch.demo.generator import generate
from govwatch.imports.runs import run_import


def _timed_import(kind: str, path: Path) -> dict[str, Any]:
    began = time.perf_counter()
    result = run_import(kind, path, operator_label="bench")
    seconds = time.perf_counter() - began
    return {"read": result.read, "imported": result.imported, "rejected": result.rejected,
            "seconds": round(seconds, 3), "per_second": round(result.imported / seconds) if seconds else None}  # fmt: skip


def _region(scale: str, seed: int, fraction: float) -> tuple[dict[str, Path], float]:
    out = Path(settings.VAR_DIR) / "demo"
    began = time.perf_counter()
    generate(out, scale=scale, seed=seed, fraction=fraction)
    return {
        k: out / f"{k}.csv" for k in ("units", "items", "cases", "evaluations", "complaints")
    }, time.perf_counter() - began


def run_district(seed: int = 1) -> dict[str, Any]:
    files, generated = _region("district", seed, 1.0)
    report: dict[str, Any] = {"generate_seconds": round(generated, 2)}
    report["units"] = _timed_import("units", files["units"])
    report["items"] = _timed_import("items", files["items"])
    report["cases"] = bench_import_cases(files["cases"])
    report["evaluations"] = _timed_import("evaluations", files["evaluations"])
    report["complaints"] = _timed_import("complaints", files["complaints"])
    return report


def _command(kind: str, path: Path) -> dict[str, Any]:
    """`govwatch import KIND FILE` in a process of its own: its time, counts and peak RSS."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "govwatch.cli", "import", kind, str(path), "--format", "json"],
        stdout=subprocess.PIPE, env=os.environ.copy(),
    )  # fmt: skip
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - began
    doc = json.loads(out)
    return {"read": doc["read"], "imported": doc["imported"], "rejected": doc["rejected"],
            "exit": os.waitstatus_to_exitcode(status), "seconds": round(seconds, 1),
            "per_second": round(doc["imported"] / seconds), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1)}  # fmt: skip


def run_province(seed: int = 1, fraction: float = 1.0) -> dict[str, Any]:
    """The province files imported by the real command, each in its own process, so that the peak
    RSS reported is the import's alone (the flat-memory target), not the generator's."""
    files, generated = _region("province", seed, fraction)
    report: dict[str, Any] = {"fraction": fraction, "generate_seconds": round(generated, 1)}
    for kind in ("units", "items", "cases", "evaluations", "complaints"):
        report[kind] = _command(kind, files[kind])
    return report


SECTIONS = {"import": run_district, "province": run_province}
