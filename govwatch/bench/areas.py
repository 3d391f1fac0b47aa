"""Benchmark of the areas: a province-sized double-random draw, and the import of the national
system's supervision actions.

Baselines measured in the same run: for the draw, hashing every target once (sha256 of
"{seed}:{target_id}", what any implementation of section 11 must do); for the import, reading the
same file through the table reader without storing anything.
"""

from __future__ import annotations

import csv
import hashlib
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from govwatch.audit.log import Actor
from govwatch.core.tables import open_table
from govwatch.imports.registers import FIELDS
from govwatch.imports.runs import run_import
from govwatch.orgs.models import Unit
from govwatch.randomchecks import draw as algorithm
from govwatch.randomchecks.plans import do_draw
from govwatch.regulation.models import RegulatoryItem


def _best(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _region(departments: int) -> list[str]:
    root = Unit.objects.create(code="P", name="某省", kind="district")
    codes = [f"P-B{n:03d}" for n in range(departments)]
    for code in codes:
        Unit.objects.create(code=code, name=f"部门{code}", kind="department", parent=root)
    return codes


def run(
    targets: int = 100_000, inspectors: int = 3_000, actions: int = 100_000, seed: int = 1
) -> dict[str, Any]:
    rng = random.Random(seed)
    codes = _region(100)
    plan = algorithm.Plan(
        targets=[
            algorithm.Target(f"T{n:07d}", "", rng.choice(codes), rng.choice(algorithm.RISKS))
            for n in range(targets)
        ],
        inspectors=[algorithm.Inspector(f"I{n:05d}", "", rng.choice(codes)) for n in range(inspectors)],
        conflicts={
            (f"I{rng.randrange(inspectors):05d}", f"T{rng.randrange(targets):07d}") for _ in range(2_000)
        },
        rates={"low": 5, "medium": 10, "high": 30},
    )

    def hash_all() -> None:
        for t in plan.targets:
            hashlib.sha256(f"S:{t.target_id}".encode()).hexdigest()

    hash_seconds = _best(hash_all)
    draw_seconds = _best(lambda: algorithm.draw(plan, "S"))
    t0 = time.perf_counter()
    stored, _ = do_draw(Actor("bench"), plan, "S", name="省级抽查")
    store_seconds = time.perf_counter() - t0
    drawn = len(stored.result["draws"]) + len(stored.result["unstaffed"])

    items = [RegulatoryItem(code=f"JG{n:06d}", name="监督检查", unit_id=Unit.objects.get(code=rng.choice(codes)).pk)
             for n in range(2_000)]  # fmt: skip
    RegulatoryItem.objects.bulk_create(items)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "actions.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["action_id", "item_code", "on", "kind", "joint", "target_name"])
            start = date(2026, 1, 1)
            for n in range(actions):
                out.writerow([f"XW{n:08d}", f"JG{rng.randrange(2_000):06d}", start + timedelta(days=rng.randrange(300)),
                              rng.choice(["routine", "random", "special"]), rng.random() < 0.05, "某公司"])  # fmt: skip
        read_seconds = _best(lambda: sum(1 for _ in open_table(path, FIELDS["supervision_actions"]).rows), 1)
        t0 = time.perf_counter()
        result = run_import("supervision_actions", path, operator_label="bench")
        import_seconds = time.perf_counter() - t0
    return {
        "draw": {
            "targets": targets, "inspectors": inspectors, "drawn": drawn, "unstaffed": len(stored.result["unstaffed"]),
            "draw_seconds": round(draw_seconds, 3), "hash_baseline_seconds": round(hash_seconds, 3),
            "ratio_to_hashing": round(draw_seconds / hash_seconds, 2),
            "draw_and_store_seconds": round(store_seconds, 3),
        },
        "supervision_actions_import": {
            "rows": actions, "imported": result.imported, "seconds": round(import_seconds, 2),
            "rows_per_second": round(actions / import_seconds), "read_only_seconds": round(read_seconds, 2),
            "ratio_to_reading": round(import_seconds / read_seconds, 2),
        },
    }  # fmt: skip
