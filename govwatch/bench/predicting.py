"""Benchmark of the predictive warning (contract section 13): is it right, is it early, is it fast.

Quality: the demo district (`govwatch demo-data --scale district`, the year 2026) imported into a
fresh database, then the replay of its last months: at each warning moment of each working day the
model the worker would have had (retrained every `retrain_days` from the history before that day)
scores every case that could be warned, a case is warned at its first moment over the threshold,
and the year's end tells how each case ended. Beside it, in the same run and on the same moments,
two rules anyone could write, each at its best threshold for the same false alarms (chosen on the
replay itself, which flatters them): warn the items with the highest recent late rate, warn the
items with the longest time limits.

Speed: training on a province-scale history (`--predict-fraction` of the province demo; 1 is the
whole year), and `govwatch predict` over the open cases of the province at a moment, their number
brought to `--open-cases` by copying open cases (same items, units and times, new case numbers).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from govwatch.demo.generator import generate
from govwatch.imports.runs import run_import
from govwatch.prediction import features as feats
from govwatch.prediction import learn
from govwatch.prediction.frame import load
from govwatch.prediction.predicting import false_alarm_target, moments_of_day, train_model
from govwatch.prediction.replay import replay
from govwatch.workcal.calendar import get_calendar

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026


def _import(files: Path, kinds=("units", "items", "cases")) -> dict[str, float]:
    took = {}
    for kind in kinds:
        began = time.perf_counter()
        result = run_import(kind, files / f"{kind}.csv", operator_label="bench")
        took[kind] = round(time.perf_counter() - began, 1)
        if result.rejected:
            raise RuntimeError(f"{kind}: {result.rejected} rows rejected")
    return took


def _best_rule_recall(
    score: np.ndarray, rows: np.ndarray, times: np.ndarray, late: np.ndarray, target: float
) -> dict:
    """A rule's recall at its best threshold with at most `target` of the on-time cases warned."""
    case_rows, top, _ = learn.first_warnings(score, rows, times, np.zeros(rows.size, dtype=bool))
    case_late = late[case_rows]
    threshold = learn.choose_threshold(score, rows, late[rows], target)
    warned = top >= threshold
    return {
        "recall": learn._rate((warned & case_late).sum(), case_late.sum()),
        "false_alarm_rate": learn._rate((warned & ~case_late).sum(), (~case_late).sum()),
    }


def run_quality(seed: int, first: date, last: date, retrain_days: int) -> dict[str, Any]:
    out = Path(settings.VAR_DIR) / "demo"
    began = time.perf_counter()
    report = generate(out, scale="district", seed=seed, year=YEAR)
    generated = time.perf_counter() - began
    imported = _import(out)
    cal = get_calendar()
    frame = load(datetime(YEAR + 1, 1, 1, tzinfo=TZ), None, cal)
    result = replay(frame, cal, first, last, moments_of_day(), false_alarm_target(), retrain_days)
    p = result.pairs
    late = p["history"].outcomes.late
    target = result.summary["false_alarm_rate"] or false_alarm_target()
    rules = {
        name: _best_rule_recall(p["X"][:, feats.NAMES.index(column)], p["rows"], p["times"], late, target)
        for name, column in (("item_late_rate", "item_late_rate"), ("longest_time_limit", "promised_days"))
    }
    return {
        "region": {"seed": seed, "cases": report["counts"]["cases"], "completed_late": report["counts"]["completed_late"],
                   "generate_seconds": round(generated, 1), "import_seconds": imported},
        "replay": {"from": first.isoformat(), "to": last.isoformat(), "retrain_days": retrain_days,
                   "warning_moments": [t.strftime("%H:%M") for t in moments_of_day()], **result.summary,
                   "seconds": round(result.seconds, 1)},
        "models": result.models,
        "rules_at_the_same_false_alarms": rules,
    }  # fmt: skip


def _clone_open(at: datetime, wanted: int) -> int:
    """Copy the cases open at `at` (new case numbers) until `wanted` are open; returns the count."""
    cal = get_calendar()
    frame = load(at, None, cal, only_open=True)
    have = len(frame)
    if have == 0:
        raise RuntimeError("no open cases to copy")
    copies = 0
    columns = ("item_id", "unit_id", "channel", "applicant_type", "window_code", "staff_code",
               "accepted_at", "accepted_on", "due_date", "provisional", "suspended_days", "card", "scan_state")  # fmt: skip
    cols = ", ".join(columns)
    with transaction.atomic(), connection.cursor() as cursor:
        k = 0
        while have + copies < wanted:
            k += 1
            take = min(have, wanted - have - copies)
            ids = ",".join(str(int(i)) for i in frame.id[:take])
            cursor.execute(
                f"INSERT INTO cases_case (case_no, {cols}, status, closed_at, closed_on, completed_on_time) "
                f"SELECT 'B{k:03d}' || case_no, {cols}, 'open', NULL, NULL, NULL FROM cases_case WHERE id IN ({ids})"
            )
            copies += take
    return have + copies


def _province(seed: int, fraction: float) -> dict[str, Any]:
    """A province generated and imported into this section's database."""
    out = Path(settings.VAR_DIR) / "province"
    began = time.perf_counter()
    report = generate(out, scale="province", seed=seed, year=YEAR, fraction=fraction)
    generated = time.perf_counter() - began
    return {"fraction": fraction, "cases": report["counts"]["cases"], "generate_seconds": round(generated, 1),
            "import_seconds": _import(out)}  # fmt: skip


def run_speed(seed: int, fraction: float, open_cases: int, region: str = "") -> dict[str, Any]:
    """With `region` (a GOVWATCH_VAR_DIR imported before, this process's database) nothing is
    generated: the region's own history is trained on, and its open cases copied up to
    `open_cases` (the region keeps the copies)."""
    from govwatch.cases.models import Case

    province = {"region": region, "cases": Case.objects.count()} if region else _province(seed, fraction)
    as_of = datetime(YEAR, 12, 31, 16, 30, tzinfo=TZ)
    began = time.perf_counter()
    model = train_model(as_of)
    train_seconds = time.perf_counter() - began
    open_now = _clone_open(as_of, open_cases)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "govwatch.settings"}
    command = [
        sys.executable,
        "-m",
        "govwatch.cli",
        "predict",
        "--at",
        as_of.isoformat(),
        "--no-warn",
        "--format",
        "json",
    ]
    began = time.perf_counter()
    proc = subprocess.run(command, env=env, stdout=subprocess.PIPE, check=True)
    predict_seconds = time.perf_counter() - began
    doc = json.loads(proc.stdout)
    # Baseline in the same run: the command doing nothing but start (Django set up, the parser built).
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "govwatch.cli", "predict", "--help"],
        env=env,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    startup_seconds = time.perf_counter() - began
    return {
        "province": province,
        "training": {"seconds": round(train_seconds, 1), "history_cases": model.cases, "fit_pairs": model.metrics.get("fit_pairs"),
                     "recall": model.metrics.get("recall"), "false_alarm_rate": model.metrics.get("false_alarm_rate")},
        "predict": {"open_cases": open_now, "listed": len(doc["cases"]), "warned": sum(c["warn"] for c in doc["cases"]),
                    "seconds": round(predict_seconds, 2), "command_startup_seconds": round(startup_seconds, 2),
                    "output_mib": round(len(proc.stdout) / 2**20, 1)},
    }  # fmt: skip


def quality(
    seed: int = 1, replay_from: str = "2026-09-14", replay_to: str = "2026-12-13", retrain_days: int = 7
) -> dict[str, Any]:
    return run_quality(seed, date.fromisoformat(replay_from), date.fromisoformat(replay_to), retrain_days)


def speed(
    seed: int = 1, fraction: float = 0.1, open_cases: int = 500_000, region: str = ""
) -> dict[str, Any]:
    return run_speed(seed, fraction, open_cases, region)
