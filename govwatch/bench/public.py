"""Benchmark: the public evaluation form under load, served by `govwatch serve` (gunicorn, 2 workers).

The section makes a small region whose cases were completed an hour ago, starts the web server on
a free loopback port with the same database (PostgreSQL when DATABASE_URL is set, as the issue asks;
SQLite otherwise), measures its floor (`/healthz` for the same time from the same connections),
then POSTs one evaluation per case from `concurrency` keep-alive connections, and last runs the
worker's step that records the received evaluations (no worker runs during the POSTs).
Every request comes from 127.0.0.1, so the per-address limits are raised for the run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from govwatch.bench.public_load import bench_floor, bench_public_submissions, evaluable_tokens
from govwatch.imports.runs import run_import
from govwatch.public.intake import take_all


def _region(cases: int) -> None:
    done = timezone.localtime(timezone.now() - timedelta(hours=1))
    accepted = done - timedelta(hours=2)
    with tempfile.TemporaryDirectory() as tmp:
        units, items, events = (Path(tmp) / n for n in ("units.csv", "items.csv", "cases.csv"))
        units.write_text(
            "code,name,parent_code,kind\nD,基准区,,district\nU1,区市场监管局,D,department\n", encoding="utf-8"
        )
        items.write_text(
            "code,name,unit_code,legal_days,promised_days\nI1,食品经营许可,U1,20,5\n", encoding="utf-8"
        )
        with events.open("w", encoding="utf-8") as f:
            f.write("case_no,event,at,item_code\n")
            for n in range(cases):
                f.write(f"P{n:08d},accept,{accepted.isoformat()},I1\nP{n:08d},complete,{done.isoformat()},\n")
        for kind, path in (("units", units), ("items", items), ("cases", events)):
            run_import(kind, path, operator_label="bench")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("govwatch serve did not start")


def run(cases: int = 6000, seconds: float = 20, concurrency: int = 16) -> dict[str, Any]:
    _region(cases)
    tokens = evaluable_tokens(cases)
    port = _free_port()
    env = {
        **os.environ,
        "GOVWATCH_VAR_DIR": str(settings.VAR_DIR),
        "GOVWATCH_WEB_WORKERS": "2",
        "GOVWATCH_PUBLIC_SUBMITS_PER_MINUTE": "1000000",
        "GOVWATCH_PUBLIC_SUBMITS_PER_CASE_HOUR": "1000000",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "govwatch.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(port)
        url = f"http://127.0.0.1:{port}"
        floor = bench_floor(url, seconds, concurrency)
        result = bench_public_submissions(url, tokens, seconds, concurrency)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # The POSTs leave the evaluations received; what the worker's job then costs, in this process.
    began = time.monotonic()
    recorded = take_all()
    take_seconds = time.monotonic() - began
    return {
        "database": connection.vendor, "web_workers": 2, "concurrency": concurrency, **result,
        "floor_healthz": floor, "vs_floor": round(result["rps"] / floor["rps"], 3) if floor["rps"] else None,
        "recorded_by_the_worker_step": recorded,
        "worker_evaluations_per_second": round(recorded / take_seconds, 1) if take_seconds > 0 else None,
    }  # fmt: skip
